package main

import (
	"fmt"
	"math"
	"slices"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// vconstTable collects constants replicated across a whole AVX2 vector, one
// table per element size, for use as the memory operand of an arithmetic
// instruction: the load folds into it (one instruction), where konst
// broadcasts into a register first (two). AVX-512 takes one element by
// embedded broadcast instead (see bcst).
type vconstTable struct {
	vals map[int][]uint64 // element size → bit patterns
}

// vconstBytes is the width of the replicated constants (a YMM register).
const vconstBytes = 32

var vconsts vconstTable

func vconstSym(bytes, size int) string { return fmt.Sprintf("vconsts%dx%d", 8*size, bytes/size) }

// konstM returns a memory operand holding v in every lane.
func (c *g) konstM(v float64) Op {
	if r, ok := c.hoisted[c.constBits(v)]; ok {
		return r
	}
	if c.is64() {
		return c.konstBitsM(math.Float64bits(v))
	}
	return c.konstBitsM(uint64(math.Float32bits(float32(v))))
}

// konstBitsM returns a memory operand holding the bit pattern in every lane:
// on AVX-512 one element for embedded broadcast (see bcst), else a whole
// vector from the table.
func (c *g) konstBitsM(bits uint64) Op {
	if c.wide() {
		return bcst{c.consts.get(c.Size, bits)}
	}
	t := &vconsts
	if t.vals == nil {
		t.vals = map[int][]uint64{}
	}
	vals := t.vals[c.Size]
	i := slices.Index(vals, bits)
	if i < 0 {
		i = len(vals)
		t.vals[c.Size] = append(vals, bits)
	}
	m := Mem{Symbol: Symbol{Name: vconstSym(vconstBytes, c.Size), Static: true}, Base: reg.StaticBase}
	return m.Offset(i * vconstBytes)
}

// finish emits the tables collected while generating.
func (t *vconstTable) finish() {
	for _, size := range []int{4, 8} {
		vals := t.vals[size]
		if len(vals) == 0 {
			continue
		}
		GLOBL(vconstSym(vconstBytes, size), RODATA|NOPTR)
		for i, v := range vals {
			for l := 0; l < vconstBytes/size; l++ {
				off := i*vconstBytes + l*size
				if size == 8 {
					DATA(off, U64(v))
				} else {
					DATA(off, U32(uint32(v)))
				}
			}
		}
	}
}

// frameConst stores v, the same value in every lane, in the frame and
// returns the memory operand that reads it back in every lane: on AVX-512
// one element for embedded broadcast (a 64-byte frame slot would straddle
// cache lines: the stack pointer is only 8-byte aligned), else the whole
// vector.
func (c *g) frameConst(v reg.VecVirtual) Op {
	if c.wide() {
		m := AllocLocal(8) // frame sizes stay multiples of 8
		if c.is64() {
			VMOVSD(v.AsX(), m)
		} else {
			VMOVSS(v.AsX(), m)
		}
		return bcst{m}
	}
	m := AllocLocal(c.Bytes)
	c.store(v, m)
	return m
}

// alignedFrame allocates frame slots of the given sizes in bytes, each
// aligned to the vector size (the stack pointer is only 8-byte aligned),
// addressed from one general register that holds the aligned start.
func (c *g) alignedFrame(sizes ...int) []Mem {
	total := 0
	offs := make([]int, len(sizes))
	for i, n := range sizes {
		offs[i] = total
		total += (n + c.Bytes - 1) &^ (c.Bytes - 1)
	}
	m := AllocLocal(total + c.Bytes - 8)
	base := GP64()
	LEAQ(m.Offset(c.Bytes-1), base)
	ANDQ(I32(-c.Bytes), base)
	out := make([]Mem, len(sizes))
	for i := range out {
		out[i] = Mem{Base: base, Disp: offs[i]}
	}
	return out
}
