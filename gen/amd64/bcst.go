package main

import (
	"fmt"
	"reflect"
	"runtime"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
)

// bcst is a memory operand holding one element that an AVX-512 instruction
// broadcasts to every lane (embedded broadcast, the ".BCST" forms): a
// 4- or 8-byte load that never crosses a cache line. Full-width 64-byte
// constants could: Go's linker aligns data to at most 32 bytes, so a ZMM
// constant straddles two lines in every other binary, and each load of it
// costs two.
type bcst struct{ m Mem }

func (b bcst) Asm() string { return b.m.Asm() }

// bcstForms maps an instruction to its embedded-broadcast form.
var bcstForms = map[uintptr]func(...Op){}

func init() {
	for _, p := range [][2]func(...Op){
		{VADDPS, VADDPS_BCST}, {VADDPD, VADDPD_BCST},
		{VSUBPS, VSUBPS_BCST}, {VSUBPD, VSUBPD_BCST},
		{VMULPS, VMULPS_BCST}, {VMULPD, VMULPD_BCST},
		{VDIVPS, VDIVPS_BCST}, {VDIVPD, VDIVPD_BCST},
		{VANDPS, VANDPS_BCST}, {VANDPD, VANDPD_BCST},
		{VANDNPS, VANDNPS_BCST}, {VANDNPD, VANDNPD_BCST},
		{VORPS, VORPS_BCST}, {VORPD, VORPD_BCST},
		{VXORPS, VXORPS_BCST}, {VXORPD, VXORPD_BCST},
		{VMAXPS, VMAXPS_BCST}, {VMAXPD, VMAXPD_BCST},
		{VMINPS, VMINPS_BCST}, {VMINPD, VMINPD_BCST},
		{VFMADD213PS, VFMADD213PS_BCST}, {VFMADD213PD, VFMADD213PD_BCST},
		{VFMADD231PS, VFMADD231PS_BCST}, {VFMADD231PD, VFMADD231PD_BCST},
		{VFMSUB213PS, VFMSUB213PS_BCST}, {VFMSUB213PD, VFMSUB213PD_BCST},
		{VFMSUB231PS, VFMSUB231PS_BCST}, {VFMSUB231PD, VFMSUB231PD_BCST},
		{VFNMADD213PS, VFNMADD213PS_BCST}, {VFNMADD213PD, VFNMADD213PD_BCST},
		{VFNMADD231PS, VFNMADD231PS_BCST}, {VFNMADD231PD, VFNMADD231PD_BCST},
		{VFNMSUB213PS, VFNMSUB213PS_BCST}, {VFNMSUB213PD, VFNMSUB213PD_BCST},
		{VFNMSUB231PS, VFNMSUB231PS_BCST}, {VFNMSUB231PD, VFNMSUB231PD_BCST},
		{VCMPPS, VCMPPS_BCST}, {VCMPPD, VCMPPD_BCST},
		{VBLENDMPS, VBLENDMPS_BCST}, {VBLENDMPD, VBLENDMPD_BCST},
		{VSCALEFPS, VSCALEFPS_BCST}, {VSCALEFPD, VSCALEFPD_BCST},
		{VPADDD, VPADDD_BCST}, {VPADDQ, VPADDQ_BCST},
		{VPSUBD, VPSUBD_BCST}, {VPSUBQ, VPSUBQ_BCST},
		{VPANDD, VPANDD_BCST}, {VPANDQ, VPANDQ_BCST},
		{VPORD, VPORD_BCST}, {VPORQ, VPORQ_BCST},
		{VPCMPEQD, VPCMPEQD_BCST}, {VPCMPEQQ, VPCMPEQQ_BCST},
		{VPCMPGTD, VPCMPGTD_BCST}, {VPCMPGTQ, VPCMPGTQ_BCST},
		{VPMAXSD, VPMAXSD_BCST}, {VPMINSD, VPMINSD_BCST},
		{VPERMPS, VPERMPS_BCST}, {VPERMPD, VPERMPD_BCST},
	} {
		bcstForms[reflect.ValueOf(p[0]).Pointer()] = p[1]
	}
}

// withBcst returns f, or its embedded-broadcast form with the operands
// unwrapped where one of args is a bcst. An instruction without such a form
// stops the generator.
func withBcst(f func(...Op), args []Op) (func(...Op), []Op) {
	var out []Op
	for i, a := range args {
		if b, ok := a.(bcst); ok {
			if out == nil {
				out = append([]Op{}, args...)
			}
			out[i] = b.m
		}
	}
	if out == nil {
		return f, args
	}
	pc := reflect.ValueOf(f).Pointer()
	g, ok := bcstForms[pc]
	if !ok {
		panic(fmt.Sprintf("no embedded-broadcast form registered for %s", runtime.FuncForPC(pc).Name()))
	}
	return g, out
}

// emit runs the instruction f on args (natural Go assembler order), taking
// its broadcast form for a bcst operand.
func (c *g) emit(f func(...Op), args ...Op) {
	f, args = withBcst(f, args)
	f(args...)
}
