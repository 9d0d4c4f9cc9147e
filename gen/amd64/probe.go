package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// probeUnroll is how many vectors of each slice one probe iteration reads.
const probeUnroll = 4

// readProbe emits readProbe<ISA>F32(x, y): the sum of x(i) + y(i) over
// len(x) elements, with one add per loaded vector and an accumulator per
// load, so that it runs at the rate the core can read memory. It is the
// read-bandwidth reference of the benchmarks, not a loss.
func readProbe(c *g) {
	name := "readProbe" + c.suffix()
	TEXT(name, NOSPLIT, "func(x, y []float32) float32")
	Pragma("noescape")
	Doc(name + " returns Σ x(i) + y(i) over len(x) elements (y is at least as long), reading both slices at the " + c.isa.Name + " load rate.")
	px, py := GP64(), GP64()
	Load(Param("x").Base(), px)
	Load(Param("y").Base(), py)
	n := Load(Param("x").Len(), GP64())
	lanes := c.lanes()
	acc := make([]reg.VecVirtual, 2*probeUnroll)
	for i := range acc {
		acc[i] = c.vec()
		c.zero(acc[i])
	}
	i := GP64()
	XORQ(i, i)
	at := func(base reg.GPVirtual, k int) Mem {
		return Mem{Base: base, Index: i, Scale: 4, Disp: k * c.Bytes}
	}
	Label("loop")
	rest := GP64()
	MOVQ(n, rest)
	SUBQ(i, rest)
	CMPQ(rest, U32(probeUnroll*lanes))
	JL(LabelRef("single"))
	for k := 0; k < probeUnroll; k++ {
		c.add(acc[2*k], acc[2*k], at(px, k))
		c.add(acc[2*k+1], acc[2*k+1], at(py, k))
	}
	ADDQ(U32(probeUnroll*lanes), i)
	JMP(LabelRef("loop"))

	Label("single")
	CMPQ(rest, U32(lanes))
	JL(LabelRef("tail"))
	c.add(acc[0], acc[0], at(px, 0))
	c.add(acc[1], acc[1], at(py, 0))
	ADDQ(U32(lanes), i)
	SUBQ(U32(lanes), rest)
	JMP(LabelRef("single"))

	Label("tail")
	TESTQ(rest, rest)
	JZ(LabelRef("done"))
	m := c.tailMask(rest)
	vx := c.vec()
	c.maskedLoad(vx, m, at(px, 0))
	c.add(acc[0], acc[0], vx)
	m = c.tailMask(rest)
	vy := c.vec()
	c.maskedLoad(vy, m, at(py, 0))
	c.add(acc[1], acc[1], vy)

	Label("done")
	for _, v := range acc[1:] {
		c.add(acc[0], acc[0], v)
	}
	s := c.reduce64wide(acc[0])
	Store(s, ReturnIndex(0))
	VZEROUPPER()
	RET()
}

// reduce64wide returns the float32 sum of a float32 vector's lanes, added in
// float64, in the low lane of an XMM register.
func (c *g) reduce64wide(v reg.VecVirtual) reg.VecVirtual {
	d := c.vec()
	if c.wide() {
		hi := YMM()
		VEXTRACTF32X8(U8(1), v, hi)
		lo := ZMM()
		VCVTPS2PD(v.AsY(), lo)
		VCVTPS2PD(hi, d)
		VADDPD(lo, d, d)
	} else {
		hi := XMM()
		VEXTRACTF128(U8(1), v, hi)
		lo := YMM()
		VCVTPS2PD(v.AsX(), lo)
		VCVTPS2PD(hi, d)
		VADDPD(lo, d, d)
	}
	x := c.reduce64(d)
	r := XMM()
	VCVTSD2SS(x, r, r)
	return r
}
