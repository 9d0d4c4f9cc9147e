package main

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// vconstTable collects constants replicated across a whole vector, one
// table per vector width and element size, for use as the memory operand
// of an arithmetic instruction: the load folds into it (one instruction),
// where konst broadcasts into a register first (two).
type vconstTable struct {
	vals map[[2]int][]uint64 // {vector bytes, element size} → bit patterns
}

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
		t.vals = map[[2]int][]uint64{}
	}
	key := [2]int{c.Bytes, c.Size}
	i := 0
	for ; i < len(t.vals[key]); i++ {
		if t.vals[key][i] == bits {
			break
		}
	}
	if i == len(t.vals[key]) {
		t.vals[key] = append(t.vals[key], bits)
	}
	m := Mem{Symbol: Symbol{Name: vconstSym(c.Bytes, c.Size), Static: true}, Base: reg.StaticBase}
	return m.Offset(i * c.Bytes)
}

// finish emits the tables collected while generating.
func (t *vconstTable) finish() {
	for _, bytes := range []int{32, 64} {
		for _, size := range []int{4, 8} {
			vals := t.vals[[2]int{bytes, size}]
			if len(vals) == 0 {
				continue
			}
			GLOBL(vconstSym(bytes, size), RODATA|NOPTR)
			for i, v := range vals {
				for l := 0; l < bytes/size; l++ {
					off := i*bytes + l*size
					if size == 8 {
						DATA(off, U64(v))
					} else {
						DATA(off, U32(uint32(v)))
					}
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
