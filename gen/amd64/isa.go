package main

import (
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// isa is one vector instruction set: AVX2 (YMM, vector masks) or AVX-512
// (ZMM, opmask registers).
type isa struct {
	Name  string // AVX2, AVX512
	Level string // the kernel table's level name
	Bytes int    // vector width in bytes
}

var (
	avx2   = isa{Name: "AVX2", Level: "avx2", Bytes: 32}
	avx512 = isa{Name: "AVX512", Level: "avx512", Bytes: 64}
)

// elt is one element type.
type elt struct {
	Name   string // F32, F64
	GoType string
	Size   int
}

var (
	f32 = elt{Name: "F32", GoType: "float32", Size: 4}
	f64 = elt{Name: "F64", GoType: "float64", Size: 8}
)

// mask is a lane predicate: a vector of all-ones/all-zeros lanes on AVX2,
// an opmask register on AVX-512.
type mask struct {
	v reg.VecVirtual
	k reg.Register
}

// g emits the instructions of one kernel for one ISA and element type. Its
// methods have natural operand order (dst first, then sources in reading
// order); they translate to Go assembler order.
type g struct {
	isa
	elt
	consts  *constTable
	derived []Op // the current kernel's body.setup vectors (frame operands)
	// hoisted holds constants broadcast into registers once, before a
	// kernel's loop (hoist): konst, konstR and konstM use them instead of
	// loading the constant again in every trip.
	hoisted map[uint64]reg.VecVirtual
}

// constBits is v's bit pattern in the element type.
func (c *g) constBits(v float64) uint64 {
	if c.is64() {
		return math.Float64bits(v)
	}
	return uint64(math.Float32bits(float32(v)))
}

// hoist broadcasts the constants vals into registers, used by konst,
// konstR and konstM until unhoist: called before a loop whose body needs
// them, where the registers allow (AVX2 has sixteen).
func (c *g) hoist(vals ...float64) {
	for _, v := range vals {
		c.hoistBits(c.constBits(v))
	}
}

// hoistBits is hoist for bit patterns (konstBits, konstBitsR).
func (c *g) hoistBits(bits ...uint64) {
	if c.hoisted == nil {
		c.hoisted = map[uint64]reg.VecVirtual{}
	}
	for _, b := range bits {
		if _, ok := c.hoisted[b]; !ok {
			c.hoisted[b] = c.broadcastBits(b)
		}
	}
}

// unhoist ends hoist's registers (at the end of the kernel).
func (c *g) unhoist() { c.hoisted = nil }

// konstR returns a vector holding v in every lane that the caller only
// reads: the hoisted register, or a fresh broadcast.
func (c *g) konstR(v float64) reg.VecVirtual {
	if r, ok := c.hoisted[c.constBits(v)]; ok {
		return r
	}
	return c.konst(v)
}

func (c *g) lanes() int     { return c.Bytes / c.Size }
func (c *g) wide() bool     { return c.isa.Bytes == 64 }
func (c *g) is64() bool     { return c.Size == 8 }
func (c *g) suffix() string { return c.isa.Name + c.elt.Name }

func (c *g) vec() reg.VecVirtual {
	if c.wide() {
		return ZMM()
	}
	return YMM()
}

func (c *g) pick(ps, pd func(...Op), args ...Op) {
	if c.is64() {
		c.emit(pd, args...)
	} else {
		c.emit(ps, args...)
	}
}

func (c *g) load(dst reg.VecVirtual, m Mem)  { c.pick(VMOVUPS, VMOVUPD, m, dst) }
func (c *g) store(src reg.VecVirtual, m Mem) { c.pick(VMOVUPS, VMOVUPD, src, m) }
func (c *g) add(dst, a, b Op)                { c.pick(VADDPS, VADDPD, b, a, dst) }
func (c *g) sub(dst, a, b Op)                { c.pick(VSUBPS, VSUBPD, b, a, dst) }
func (c *g) mul(dst, a, b Op)                { c.pick(VMULPS, VMULPD, b, a, dst) }
func (c *g) div(dst, a, b Op)                { c.pick(VDIVPS, VDIVPD, b, a, dst) }
func (c *g) and(dst, a, b Op)                { c.pick(VANDPS, VANDPD, b, a, dst) }
func (c *g) andnot(dst, a, b Op)             { c.pick(VANDNPS, VANDNPD, b, a, dst) } // dst = ^a & b
func (c *g) or(dst, a, b Op)                 { c.pick(VORPS, VORPD, b, a, dst) }
func (c *g) xor(dst, a, b Op)                { c.pick(VXORPS, VXORPD, b, a, dst) }
func (c *g) zero(dst reg.VecVirtual)         { c.xor(dst, dst, dst) }

// zeros returns a fresh zero vector (recreated at each use: cheaper than a
// register held across a long body).
func (c *g) zeros() reg.VecVirtual {
	z := c.vec()
	c.zero(z)
	return z
}

// zerosR returns a zero vector the caller only reads: the hoisted 0, or a
// fresh one.
func (c *g) zerosR() reg.VecVirtual {
	if r, ok := c.hoisted[0]; ok {
		return r
	}
	z := c.vec()
	c.zero(z)
	return z
}

// broadcastMem fills a vector with the scalar at m.
func (c *g) broadcastMem(dst reg.VecVirtual, m Mem) {
	c.pick(func(o ...Op) { VBROADCASTSS(o[0], o[1]) }, func(o ...Op) { VBROADCASTSD(o[0], o[1]) }, m, dst)
}

// fma: dst = a*b + dst.
func (c *g) fma(dst, a, b Op) { c.pick(VFMADD231PS, VFMADD231PD, b, a, dst) }

// maxSecond returns b when either operand is NaN: dst = a > b ? a : b
// (x86 MAX semantics), so max(0, v) keeps a NaN v.
func (c *g) maxSecond(dst, a, b Op) { c.pick(VMAXPS, VMAXPD, b, a, dst) }

// Compare predicates.
const (
	cmpEQ    = 0x00 // EQ_OQ
	cmpLT    = 0x11 // LT_OQ
	cmpUnord = 0x03 // UNORD_Q
	cmpNEQ   = 0x04 // NEQ_UQ: true for NaN
	cmpGT    = 0x1e // GT_OQ
	cmpGE    = 0x1d // GE_OQ
	cmpNGE   = 0x19 // NGE_UQ: x < y or unordered
)

// cmp returns the mask a PRED b.
func (c *g) cmp(pred uint8, a, b Op) mask {
	if c.wide() {
		k := K()
		c.pick(VCMPPS, VCMPPD, U8(pred), b, a, k)
		return mask{k: k}
	}
	m := c.vec()
	c.pick(VCMPPS, VCMPPD, U8(pred), b, a, m)
	return mask{v: m}
}

// blend: dst = m ? t : f.
func (c *g) blend(dst reg.VecVirtual, m mask, t, f reg.VecVirtual) {
	if c.wide() {
		// avo models opmask-merged destinations as read, so a fresh
		// destination would look live from the function's entry: define it
		// first (a plain move), then merge t in under the mask.
		if dst == t || dst == f {
			c.pick(VBLENDMPS, VBLENDMPD, t, f, m.k, dst)
			return
		}
		c.pick(VMOVAPS, VMOVAPD, f, dst)
		c.pick(VMOVAPS, VMOVAPD, t, m.k, dst)
		return
	}
	c.pick(func(o ...Op) { VBLENDVPS(o[0], o[1], o[2], o[3]) }, func(o ...Op) { VBLENDVPD(o[0], o[1], o[2], o[3]) }, m.v, t, f, dst)
}

// keep zeroes the lanes of v where m is false.
func (c *g) keep(v reg.VecVirtual, m mask) {
	if c.wide() {
		c.pick(func(o ...Op) { VMOVAPS_Z(o[0], o[1], o[2]) }, func(o ...Op) { VMOVAPD_Z(o[0], o[1], o[2]) }, v, m.k, v)
		return
	}
	c.and(v, v, m.v)
}

// maskAnd returns a & b.
func (c *g) maskAnd(a, b mask) mask { return c.maskOp(a, b, KANDB, KANDW, c.and) }

// maskOr returns a | b.
func (c *g) maskOr(a, b mask) mask { return c.maskOp(a, b, KORB, KORW, c.or) }

// maskOp combines two masks: on AVX-512 with the opmask instruction kb
// (8 lanes, float64) or kw (16 lanes, float32), on AVX2 with the vector
// operation vop.
func (c *g) maskOp(a, b mask, kb, kw func(k, k1, k2 Op), vop func(dst, a, b Op)) mask {
	if c.wide() {
		k := K()
		if c.is64() {
			kb(a.k, b.k, k)
		} else {
			kw(a.k, b.k, k)
		}
		return mask{k: k}
	}
	m := c.vec()
	vop(m, a.v, b.v)
	return mask{v: m}
}

// maskBits returns a fresh register holding one bit per lane of m.
func (c *g) maskBits(m mask) reg.GPVirtual {
	bits := GP32()
	switch {
	case c.wide() && c.is64():
		KMOVB(m.k, bits)
	case c.wide():
		KMOVW(m.k, bits)
	case c.is64():
		VMOVMSKPD(m.v, bits)
	default:
		VMOVMSKPS(m.v, bits)
	}
	return bits
}

// unlessAll jumps to label unless every lane of m is true.
func (c *g) unlessAll(m mask, label string) {
	bits := c.maskBits(m)
	CMPL(bits, U32(1<<c.lanes()-1))
	JNE(LabelRef(label))
}

// move: dst = src.
func (c *g) move(dst, src reg.VecVirtual) { c.pick(VMOVAPS, VMOVAPD, src, dst) }

// popcount adds the number of true lanes of m to cnt.
func (c *g) popcount(cnt reg.GPVirtual, m mask) {
	bits := c.maskBits(m)
	n := GP32()
	POPCNTL(bits, n)
	ADDQ(n.As64(), cnt)
}

// maskedLoad loads the lanes of m from mem, zero elsewhere, never touching
// memory of lanes outside m.
func (c *g) maskedLoad(dst reg.VecVirtual, m mask, mem Mem) {
	if c.wide() {
		c.zero(dst) // defines dst for avo's liveness (see blend)
		c.pick(func(o ...Op) { VMOVUPS_Z(o[0], o[1], o[2]) }, func(o ...Op) { VMOVUPD_Z(o[0], o[1], o[2]) }, mem, m.k, dst)
		return
	}
	c.pick(func(o ...Op) { VMASKMOVPS(o[0], o[1], o[2]) }, func(o ...Op) { VMASKMOVPD(o[0], o[1], o[2]) }, mem, m.v, dst)
}

// maskedStore stores the lanes of m only.
func (c *g) maskedStore(src reg.VecVirtual, m mask, mem Mem) {
	if c.wide() {
		c.pick(VMOVUPS, VMOVUPD, src, m.k, mem)
		return
	}
	c.pick(func(o ...Op) { VMASKMOVPS(o[0], o[1], o[2]) }, func(o ...Op) { VMASKMOVPD(o[0], o[1], o[2]) }, src, m.v, mem)
}

// tailMask returns the mask of the first n lanes (0 < n < lanes), from a
// table, so that no BMI2 or CL shift is needed.
func (c *g) tailMask(n reg.Register) mask {
	// SB-relative operands take no index register: address the table first.
	tbl := GP64()
	if c.wide() {
		LEAQ(c.consts.km, tbl)
		k := K()
		KMOVW(Mem{Base: tbl, Index: n, Scale: 2}, k)
		return mask{k: k}
	}
	// A row of `lanes` all-ones lanes followed by `lanes` zero lanes; the
	// window starting at (lanes − n) has exactly n leading ones.
	LEAQ(c.consts.vmasks(c.Size), tbl)
	off := GP64()
	MOVQ(U32(c.lanes()), off)
	SUBQ(n, off)
	m := c.vec()
	VMOVDQU(Mem{Base: tbl, Index: off, Scale: uint8(c.Size)}, m)
	return mask{v: m}
}

// broadcast fills a vector with the scalar in the low lane of x.
func (c *g) broadcast(dst reg.VecVirtual, x reg.VecVirtual) {
	c.pick(func(o ...Op) { VBROADCASTSS(o[0], o[1]) }, func(o ...Op) { VBROADCASTSD(o[0], o[1]) }, x, dst)
}

// konst returns a fresh vector holding the constant v in every lane.
func (c *g) konst(v float64) reg.VecVirtual {
	if r, ok := c.hoisted[c.constBits(v)]; ok {
		dst := c.vec()
		c.move(dst, r)
		return dst
	}
	if c.is64() {
		return c.konstBits(math.Float64bits(v))
	}
	return c.konstBits(uint64(math.Float32bits(float32(v))))
}

// konstBits returns a fresh vector holding the bit pattern in every lane.
func (c *g) konstBits(bits uint64) reg.VecVirtual {
	if r, ok := c.hoisted[bits]; ok {
		dst := c.vec()
		c.move(dst, r)
		return dst
	}
	return c.broadcastBits(bits)
}

// konstBitsR is konstBits for a caller that only reads the vector: the
// hoisted register itself when there is one.
func (c *g) konstBitsR(bits uint64) reg.VecVirtual {
	if r, ok := c.hoisted[bits]; ok {
		return r
	}
	return c.broadcastBits(bits)
}

// broadcastBits broadcasts the bit pattern from the constant table.
func (c *g) broadcastBits(bits uint64) reg.VecVirtual {
	m := c.consts.get(c.Size, bits)
	dst := c.vec()
	c.pick(func(o ...Op) { VBROADCASTSS(o[0], o[1]) }, func(o ...Op) { VBROADCASTSD(o[0], o[1]) }, m, dst)
	return dst
}

// constTable collects the constants of the generated file in RODATA tables.
type constTable struct {
	vals32 []uint32
	vals64 []uint64
	sym32  Mem
	sym64  Mem
	vm4    Mem
	vm8    Mem
	km     Mem
}

func (t *constTable) index32(v uint32) int {
	for i, x := range t.vals32 {
		if x == v {
			return i
		}
	}
	t.vals32 = append(t.vals32, v)
	return len(t.vals32) - 1
}

func (t *constTable) index64(v uint64) int {
	for i, x := range t.vals64 {
		if x == v {
			return i
		}
	}
	t.vals64 = append(t.vals64, v)
	return len(t.vals64) - 1
}

func (t *constTable) get(size int, bits uint64) Mem {
	if size == 8 {
		return t.sym64.Offset(8 * t.index64(bits))
	}
	return t.sym32.Offset(4 * t.index32(uint32(bits)))
}

func (t *constTable) vmasks(size int) Mem {
	if size == 8 {
		return t.vm8
	}
	return t.vm4
}

// declare emits the tables; call once before any kernel.
func (t *constTable) declare() {
	t.sym32 = Mem{Symbol: Symbol{Name: "consts32", Static: true}, Base: reg.StaticBase}
	t.sym64 = Mem{Symbol: Symbol{Name: "consts64", Static: true}, Base: reg.StaticBase}
	// Vector tail masks: 8 all-ones int32 lanes then 8 zero lanes; 4+4 for int64.
	t.vm4 = GLOBL("tailmask32", RODATA|NOPTR)
	for i := 0; i < 16; i++ {
		v := uint32(0)
		if i < 8 {
			v = math.MaxUint32
		}
		DATA(4*i, U32(v))
	}
	t.vm8 = GLOBL("tailmask64", RODATA|NOPTR)
	for i := 0; i < 8; i++ {
		v := uint64(0)
		if i < 4 {
			v = math.MaxUint64
		}
		DATA(8*i, U64(v))
	}
	// Opmask tails: entry n is (1<<n) − 1.
	t.km = GLOBL("kmask", RODATA|NOPTR)
	for n := 0; n <= 16; n++ {
		DATA(2*n, U16(uint16(1<<n-1)))
	}
}

// finish emits the scalar constant tables collected while generating.
func (t *constTable) finish() {
	GLOBL("consts32", RODATA|NOPTR)
	for i, v := range t.vals32 {
		DATA(4*i, U32(v))
	}
	if len(t.vals32) == 0 {
		DATA(0, U32(0))
	}
	GLOBL("consts64", RODATA|NOPTR)
	for i, v := range t.vals64 {
		DATA(8*i, U64(v))
	}
	if len(t.vals64) == 0 {
		DATA(0, U64(0))
	}
}
