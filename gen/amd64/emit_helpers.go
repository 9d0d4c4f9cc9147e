package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// Small emitters shared by the cosine and pairwise primitives
// (cospair.go): the function header, argument pointers, counted loops and
// the element-wise combination of two inputs. Each emits exactly the
// instructions its callers wrote out before, in the same order, so that
// the generated assembly does not depend on whether a primitive uses them.

// prim opens the assembly function name<ISA><T> with Go signature sig,
// marked noescape, documented as its name followed by doc.
func (c *g) prim(name, sig, doc string) {
	name += c.suffix()
	TEXT(name, NOSPLIT, sig)
	Pragma("noescape")
	Doc(name + doc)
}

// bases returns one register per named slice argument holding its base
// pointer (the registers are all taken first, then loaded in order).
func bases(names ...string) []reg.GPVirtual {
	rs := make([]reg.GPVirtual, len(names))
	for i := range rs {
		rs[i] = GP64()
	}
	for i, n := range names {
		Load(Param(n).Base(), rs[i])
	}
	return rs
}

// byteLen returns a fresh register holding n elements of T in bytes.
func (c *g) byteLen(n reg.Register) reg.GPVirtual {
	b := GP64()
	MOVQ(n, b)
	SHLQ(U8(c.shift()), b)
	return b
}

// advance adds by to each of the registers.
func advance(by Op, rs ...reg.Register) {
	for _, r := range rs {
		ADDQ(by, r)
	}
}

// countDown emits the loop at label over the rows counted by the register
// rows: it jumps to "done" when none is left, else runs body, decrements
// rows and starts again.
func countDown(label string, rows reg.Register, body func()) {
	Label(label)
	TESTQ(rows, rows)
	JZ(LabelRef("done"))
	body()
	DECQ(rows)
	JMP(LabelRef(label))
}

// doneRet emits the label "done" and the return (upper halves cleared).
func doneRet() {
	Label("done")
	VZEROUPPER()
	RET()
}

// elemAt is the address off bytes past element i of T at base (past base
// itself when i is nil).
func (c *g) elemAt(base, i reg.Register, off int) Mem {
	if i == nil {
		return Mem{Base: base, Disp: off}
	}
	return Mem{Base: base, Index: i, Scale: uint8(c.Size), Disp: off}
}

// combine returns op(p, y) (c.mul, c.sub) of the vectors of T at element
// i (+off bytes) of pp and yp, rounded to T; only the lanes of m are
// loaded when m is not nil.
func (c *g) combine(op func(dst, a, b Op), pp, yp, i reg.Register, off int, m *mask) reg.VecVirtual {
	v := c.loadM(c.elemAt(pp, i, off), m)
	if m != nil {
		op(v, v, c.loadM(c.elemAt(yp, i, off), m))
	} else {
		op(v, v, c.elemAt(yp, i, off))
	}
	return v
}

// accumulate adds the float64 vectors of v (see widen) into the
// accumulators of group k, acc[k·parts:].
func (c *g) accumulate(acc []reg.VecVirtual, k int, v reg.VecVirtual) {
	d := c.f64()
	for j, w := range c.widen(v) {
		x := k*c.parts() + j
		d.add(acc[x], acc[x], w)
	}
}

// partMasksOf returns partMasks(*m), or nil (whole vectors) when m is nil.
func (c *g) partMasksOf(m *mask) []mask {
	if m == nil {
		return nil
	}
	return c.partMasks(*m)
}

// colBlock holds the registers of the column primitives' loop over outer
// blocks.
type colBlock struct {
	in, y    reg.Register // the block's first element in the two inputs
	out      reg.Register // the block's first value of the []float64 slice
	rowBytes reg.Register // s elements of T, in bytes
}

// colBlocks emits the loop of the column primitives over the outer blocks
// of a·s elements of the slices in and y, each with cols float64 values of
// the slice out; per block, the columns in chunks as colChunks does
// (body(b, c0, u, m) handles one), then all three advance.
func (c *g) colBlocks(in, out string, u int, body func(b colBlock, c0 reg.Register, u int, m *mask)) {
	bs := bases(in, "y", out)
	b := colBlock{in: bs[0], y: bs[1], out: bs[2]}
	end := Load(Param(out).Len(), GP64())
	LEAQ(Mem{Base: b.out, Index: end, Scale: 8}, end)
	cols := Load(Param("cols"), GP64())
	b.rowBytes = Load(Param("s"), GP64())
	SHLQ(U8(c.shift()), b.rowBytes)
	blockBytes := Load(Param("a"), GP64())
	IMULQ(b.rowBytes, blockBytes)
	Label("block")
	CMPQ(b.out, end)
	JAE(LabelRef("done"))
	c.colChunks(cols, u, func(c0 reg.Register, u int, m *mask) { body(b, c0, u, m) })
	advance(blockBytes, b.in, b.y)
	LEAQ(Mem{Base: b.out, Index: cols, Scale: 8}, b.out)
	JMP(LabelRef("block"))
	doneRet()
}

// kLoop emits the loop along the axis of the chunk at column c0 of block
// b: body(pk, yk) runs a times, pk and yk pointing at the chunk in the two
// inputs and advanced by s elements after each.
func (c *g) kLoop(b colBlock, c0 reg.Register, body func(pk, yk reg.Register)) {
	pk, yk, k := GP64(), GP64(), GP64()
	LEAQ(Mem{Base: b.in, Index: c0, Scale: uint8(c.Size)}, pk)
	LEAQ(Mem{Base: b.y, Index: c0, Scale: uint8(c.Size)}, yk)
	Load(Param("a"), k)
	spanLabels++
	kl, kd := fmt.Sprintf("k%d", spanLabels), fmt.Sprintf("kdone%d", spanLabels)
	Label(kl)
	TESTQ(k, k)
	JZ(LabelRef(kd))
	body(pk, yk)
	advance(b.rowBytes, pk, yk)
	DECQ(k)
	JMP(LabelRef(kl))
	Label(kd)
}

// combineVecs returns op(p, y) of the n consecutive vectors of T at pp and
// yp.
func (c *g) combineVecs(op func(dst, a, b Op), pp, yp reg.Register, n int) []reg.VecVirtual {
	q := make([]reg.VecVirtual, n)
	for i := range q {
		q[i] = c.vec()
		c.load(q[i], Mem{Base: pp, Disp: i * c.Bytes})
		op(q[i], q[i], Mem{Base: yp, Disp: i * c.Bytes})
	}
	return q
}

// storeRowsD stores float64 vectors as loadRowsD loads them.
func (c *g) storeRowsD(vs []reg.VecVirtual, base reg.Register) {
	d := c.f64()
	for h, v := range vs {
		d.store(v, Mem{Base: base, Disp: h * d.Bytes})
	}
}

// The two halves of the element loops of span (cospair.go) and elemLoop
// (softmax.go), which differ only in their labels, the tail's skip jump
// and what a step gets.

// vecGroups emits the unrolled part of an element loop: lim (the end of
// the elements) is lowered by u vectors and, at label group while i <=
// lim, step(k) runs for k < u and i advances by u vectors. At label single
// lim is raised again to one vector short of the end.
func (c *g) vecGroups(i, lim reg.Register, u int, group, single string, step func(k int)) {
	lanes := c.lanes()
	SUBQ(U32(u*lanes), lim)
	CMPQ(i, lim)
	JG(LabelRef(single))
	Label(group)
	for k := 0; k < u; k++ {
		step(k)
	}
	ADDQ(U32(u*lanes), i)
	CMPQ(i, lim)
	JLE(LabelRef(group))
	Label(single)
	if u > 1 {
		ADDQ(U32((u-1)*lanes), lim)
	}
}

// vecSingles emits the end of an element loop whose end is lim + lanes:
// at label one, single vectors (single()) while i <= lim, then at label tail
// the rest = lim + lanes − i elements: jump skip goes to label done when
// there are none, else last(rest) handles them and i advances past them.
func (c *g) vecSingles(i, lim reg.Register, one, tail, done string, skip func(Op), single func(), last func(rest reg.GPVirtual)) {
	lanes := c.lanes()
	Label(one)
	CMPQ(i, lim)
	JG(LabelRef(tail))
	single()
	ADDQ(U32(lanes), i)
	JMP(LabelRef(one))
	Label(tail)
	rest := GP64()
	MOVQ(lim, rest)
	ADDQ(U32(lanes), rest)
	SUBQ(i, rest)
	skip(LabelRef(done))
	last(rest)
	ADDQ(rest, i)
	Label(done)
}

// loadTail loads the vector of T at mem: only the first tail lanes (the
// mask built here) when tail is not nil.
func (c *g) loadTail(mem Mem, tail reg.Register) reg.VecVirtual {
	v := c.vec()
	if tail == nil {
		c.load(v, mem)
	} else {
		c.maskedLoad(v, c.tailMask(tail), mem)
	}
	return v
}

// storeTail stores v at mem: only the first tail lanes when tail is not nil.
func (c *g) storeTail(v reg.VecVirtual, mem Mem, tail reg.Register) {
	if tail == nil {
		c.store(v, mem)
	} else {
		c.maskedStore(v, c.tailMask(tail), mem)
	}
}
