package main

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"

	"github.com/simdloss/simdloss/gen/neon"
)

// The primitives of the cosine distance and the mean pairwise squared error
// (generic.Rows' Cosine and Pairwise, orchestrated in asm/cospair.go), as
// gen/amd64/cospair.go writes them for AVX2 and AVX-512: products and
// differences rounded to the element type as in package generic, then
// float64 (float32 lanes widened with FCVTL/FCVTL2) for every sum, the
// pairwise shift and the gradients' scaling. Vectors of 4S or 2D lanes;
// the rest of a span one element at a time in lane 0.

// pairShortMax is the longest pairwise row taken in one pass, shifted by
// its first difference (Σ(d − d0)² is at most n+1 times Σ(d − mean)²).
const pairShortMax = 8

// cosPair emits every cosine and pairwise primitive for one element type.
func cosPair(emit func(name, doc, sig string, gen func(c *kgen)), e elt) {
	prims := []prim{
		{"cosDotRows", "dot []float64, p, y []T, a int", "",
			"writes dot(r) = Σ_k p(r·a+k)·y(r·a+k) for r < len(dot): products in T, sums in float64.", cosDotRows},
		{"cosDotCols", "dot []float64, p, y []T, s, a, cols int", "",
			"writes dot(b·cols+c) = Σ_k p(b·a·s+k·s+c)·y(b·a·s+k·s+c) for c < cols and b < len(dot)/cols: products in T, sums in float64.", cosDotCols},
		{"cosGradRows", "grad, y []T, sc []float64, a int", "",
			"writes grad(r·a+k) = T(sc(r)·y(r·a+k)) for r < len(sc), k < a (the product in float64).", cosGradRows},
		{"cosGradCols", "grad, y []T, sc []float64, s, a, cols int", "",
			"writes grad(b·a·s+k·s+c) = T(sc(b·cols+c)·y(b·a·s+k·s+c)) for c < cols, k < a and b < len(sc)/cols (the product in float64).", cosGradCols},
		{"cosFinish", "dot []float64, w []T, ws T, gs float64, unred []T, sc []float64", "float64",
			"returns Σ l(r), l(r) = ω(r)·(1 − dot(r)) for r < len(dot) with ω(r) = ws·w(r) in T (ws when w is empty), in float64; it writes unred(r) = T(l(r)) and sc(r) = −gs·ω(r) unless those are empty.", cosFinish},
		{"pairStats", "mean, se, sq []float64, p, y []T, n int", "",
			fmt.Sprintf("writes, per row r < len(mean) of n > 0 elements with d = p − y in T, a shift c near the row's d (Σd/n, or d(0) when n <= %d) as mean(r), se(r) = Σ(d − c) and sq(r) = Σ(d − c)², in float64.", pairShortMax), pairStats},
		{"pairFinish", "mean, se, sq []float64, w []T, ws T, n int, unred []T, f []float64", "(float64, int)",
			"returns Σ ω(r)·l(r) over r < len(mean), l = 2·(sq(r) − se(r)²/n)/n, ω(r) = ws·w(r) in T (ws when w is empty), and the count of rows with ω = 0 (whose term is 0); it writes unred(r) = T(ω·l) unless unred is empty, mean(r) += se(r)/n and f(r) = ω·4/n. A row of ω != 0 whose l or mean is not finite makes the sum NaN or infinite.", pairFinish},
		{"pairGrad", "grad, p, y []T, mean, f []float64, n int", "",
			"writes grad(r·n+k) = T(f(r)·(d − mean(r))) with d = p − y in T, for r < len(mean), k < n (in float64).", pairGrad},
		{"cosDotT", "dot []float64, p, y []T, a int", "",
			fmt.Sprintf("is cosDotRows for len(dot) a multiple of %d and 1 <= a <= %d, a vector of rows at a time (LD1–LD4).", e.lanes(), transMax), cosDotT},
		{"cosGradT", "grad, y []T, sc []float64, a int", "",
			fmt.Sprintf("is cosGradRows for len(sc) a multiple of %d and 1 <= a <= %d, a vector of rows at a time (LD1–LD4, ST1–ST4).", e.lanes(), transMax), cosGradT},
		{"pairStatsT", "mean, se, sq []float64, p, y []T, n int", "",
			fmt.Sprintf("is pairStats for len(mean) a multiple of %d and 1 <= n <= %d, a vector of rows at a time (LD1–LD4), the shift being each row's first d.", e.lanes(), transMax), pairStatsT},
		{"pairGradT", "grad, p, y []T, mean, f []float64, n int", "",
			fmt.Sprintf("is pairGrad for len(mean) a multiple of %d and 1 <= n <= %d, a vector of rows at a time (LD1–LD4, ST1–ST4).", e.lanes(), transMax), pairGradT},
	}
	emitPrims(emit, e, prims, func(doc string) string {
		return strings.ReplaceAll(strings.ReplaceAll(doc, " T", " "+e.GoType), "T(", e.GoType+"(")
	})
}

// General-purpose registers of the primitives (R6 is rK, the constant
// table; R18 and R26–R30 are never used).
const (
	gP    neon.R = 0  // p, advancing
	gY    neon.R = 1  // y, advancing
	gA    neon.R = 2  // a third input, advancing
	gOut  neon.R = 3  // the output, advancing
	gCnt  neon.R = 4  // elements left in a span
	gRows neon.R = 5  // rows (or blocks) left
	gLen  neon.R = 7  // the row length
	gB    neon.R = 10 // further pointers and lengths
	gC    neon.R = 11
	gD    neon.R = 12
	gE    neon.R = 13
	gF    neon.R = 14
	gG    neon.R = 15
	gH    neon.R = 16
	gI    neon.R = 17
	gJ    neon.R = 19
	gK    neon.R = 20
	gL    neon.R = 21
	gM    neon.R = 22
	gN    neon.R = 23
	gO    neon.R = 24
)

func (c *kgen) shift() int {
	if c.Size == 8 {
		return 3
	}
	return 2
}

// parts is how many float64 vectors hold one vector of T.
func (c *kgen) parts() int {
	if c.Size == 8 {
		return 1
	}
	return 2
}

// konstD returns a register holding the float64 v in both lanes.
func (c *kgen) konstD(v float64) neon.V {
	var k [16]byte
	binary.LittleEndian.PutUint64(k[0:], math.Float64bits(v))
	binary.LittleEndian.PutUint64(k[8:], math.Float64bits(v))
	return c.konstVec(k)
}

// lane0D returns the mask of the low 64-bit lane.
func (c *kgen) lane0D() neon.V {
	var k [16]byte
	for i := 0; i < 8; i++ {
		k[i] = 0xff
	}
	return c.konstVec(k)
}

// fixedZeros returns n registers held for the kernel, zeroed.
func (c *kgen) fixedZeros(n int) []neon.V {
	vs := make([]neon.V, n)
	for i := range vs {
		vs[i] = c.pool.Fixed()
		c.I(neon.EOR(vs[i], vs[i], vs[i]))
	}
	return vs
}

func (c *kgen) zeroAll(vs []neon.V) {
	for _, v := range vs {
		c.I(neon.EOR(v, v, v))
	}
}

// load loads a vector of T from base (advancing it), or in the tail one
// element into lane 0 (the others zeroed).
func (c *kgen) load(base neon.R, tail bool) neon.V {
	v := c.tmp()
	if tail {
		c.I(neon.LDRP(c.A, v, base))
	} else {
		c.I(neon.LD1P(c.A, v, base))
	}
	return v
}

// store stores a vector of T at base (advancing it), or in the tail its lane 0.
func (c *kgen) store(v neon.V, base neon.R, tail bool) {
	if tail {
		c.I(neon.STRP(c.A, v, base))
	} else {
		c.I(neon.ST1P(c.A, v, base))
	}
}

// loadD loads the float64 vectors of one vector of T lanes from base
// (advancing it); in the tail one float64 into lane 0.
func (c *kgen) loadD(base neon.R, tail bool) []neon.V {
	if tail {
		v := c.tmp()
		c.I(neon.LDRP(neon.D2, v, base))
		return []neon.V{v}
	}
	vs := make([]neon.V, c.parts())
	for h := range vs {
		vs[h] = c.tmp()
		c.I(neon.LD1P(neon.D2, vs[h], base))
	}
	return vs
}

// storeD stores float64 vectors as loadD loads them.
func (c *kgen) storeD(vs []neon.V, base neon.R, tail bool) {
	for _, v := range vs {
		if tail {
			c.I(neon.STRP(neon.D2, v, base))
		} else {
			c.I(neon.ST1P(neon.D2, v, base))
		}
	}
}

// widen returns v's lanes as float64 vectors (v itself for float64; for
// float32 its halves, v put back); in the tail only lane 0 matters, so
// one vector.
func (c *kgen) widen(v neon.V, tail bool) []neon.V {
	if c.Size == 8 {
		return []neon.V{v}
	}
	lo := c.tmp()
	c.I(neon.FCVTL(lo, v))
	if tail {
		c.put(v)
		return []neon.V{lo}
	}
	hi := c.tmp()
	c.I(neon.FCVTL2(hi, v))
	c.put(v)
	return []neon.V{lo, hi}
}

// narrow rounds the float64 vectors of widen to one vector of T (putting
// them back).
func (c *kgen) narrow(ps []neon.V) neon.V {
	if c.Size == 8 {
		return ps[0]
	}
	v := c.tmp()
	c.I(neon.FCVTN(v, ps[0]))
	if len(ps) > 1 {
		c.I(neon.FCVTN2(v, ps[1]))
	}
	c.put(ps...)
	return v
}

// span emits a loop over the n elements counted by register cnt (which it
// clobbers): groups of u vectors, single vectors, then single elements.
// body(k, tail) emits one step: vector k of a group, or (tail) one element.
func (c *kgen) span(cnt neon.R, u int, body func(k int, tail bool)) {
	lanes := c.lanes()
	grp, one, tail, done := c.label("grp"), c.label("one"), c.label("tail"), c.label("spandone")
	if u > 1 {
		c.Label(grp)
		c.Go("CMP $%d, R%d", u*lanes, cnt)
		c.Go("BLT %s", one)
		for k := 0; k < u; k++ {
			body(k, false)
		}
		c.Go("SUB $%d, R%d", u*lanes, cnt)
		c.Go("B %s", grp)
	}
	c.Label(one)
	c.Go("CMP $%d, R%d", lanes, cnt)
	c.Go("BLT %s", tail)
	body(0, false)
	c.Go("SUB $%d, R%d", lanes, cnt)
	c.Go("B %s", one)
	c.Label(tail)
	c.Go("CBZ R%d, %s", cnt, done)
	body(0, true)
	c.Go("SUB $1, R%d", cnt)
	c.Go("B %s", tail)
	c.Label(done)
}

// hsum adds the float64 vectors into the first, then its two lanes; it
// returns a register whose lane 0 holds the sum (the vectors are kept).
func (c *kgen) hsum(vs []neon.V) neon.V {
	for _, v := range vs[1:] {
		c.I(neon.FADD(neon.D2, vs[0], vs[0], v))
	}
	t := c.tmp()
	c.I(neon.FADDPD(t, vs[0]))
	return t
}

// bcastD returns a register (held for the kernel) with the float64 scalar
// argument in both lanes.
func (c *kgen) bcastD(src string) neon.V {
	v := c.pool.Fixed()
	c.Go("FMOVD %s, F%d", src, v)
	c.I(neon.DUP(neon.D2, v, v, 0))
	return v
}

// bcastT returns a register (held for the kernel) with the scalar argument
// of type T in every lane.
func (c *kgen) bcastT(src string) neon.V {
	v := c.pool.Fixed()
	c.Go("%s %s, F%d", c.fmov(), src, v)
	c.I(neon.DUP(c.A, v, v, 0))
	return v
}

// dotStep adds p·y (rounded to T) of one vector (or element) into acc.
func (c *kgen) dotStep(acc []neon.V, tail bool, ld func(base neon.R) neon.V) {
	c.accumulate(acc, 0, c.combine(neon.FMUL, ld), tail)
}

func cosDotRows(c *kgen, arg func(string) string) {
	c.loadArgs(arg, []argReg{{"dot_base", gOut}, {"dot_len", gRows}, {"p_base", gP}, {"y_base", gY}, {"a", gLen}})
	c.prologue()
	const u = 2
	acc := c.fixedZeros(u * c.parts())
	c.rowLoop("row", func() {
		c.zeroAll(acc)
		c.rowSpan(u, func(k int, tail bool) { c.dotStep(acc[k*c.parts():], tail, c.loader(tail)) })
		c.storeSum(acc, gOut)
	})
	c.doneRet()
}

// colChunks emits, for one outer block at gP/gY (not advanced), the loop
// over its cols columns (register gI) in chunks of u vectors, single
// vectors, then single columns: body(u, tail) handles the columns from
// element c0 (register gJ).
func (c *kgen) colChunks(u int, body func(u int, tail bool)) {
	lanes := c.lanes()
	chunk, one, tailc, done := c.label("chunk"), c.label("chunk1"), c.label("chunkt"), c.label("chunkd")
	c.Go("MOVD ZR, R%d", gJ)
	c.Label(chunk)
	c.Go("SUB R%d, R%d, R%d", gJ, gI, gK) // columns left
	if u > 1 {
		c.Go("CMP $%d, R%d", u*lanes, gK)
		c.Go("BLT %s", one)
		body(u, false)
		c.Go("ADD $%d, R%d", u*lanes, gJ)
		c.Go("B %s", chunk)
	}
	c.Label(one)
	c.Go("CMP $%d, R%d", lanes, gK)
	c.Go("BLT %s", tailc)
	body(1, false)
	c.Go("ADD $%d, R%d", lanes, gJ)
	c.Go("B %s", chunk)
	c.Label(tailc)
	c.Go("CBZ R%d, %s", gK, done)
	body(1, true)
	c.Go("ADD $1, R%d", gJ)
	c.Go("B %s", chunk)
	c.Label(done)
}

// colSetup loads the arguments of the column primitives: gP and gY the
// blocks' bases, gH the end of the per-column slice out (advanced in gOut),
// gI = cols, gL = s·size, gM = a·s·size, gN = a.
func (c *kgen) colSetup(arg func(string) string, in0, out string) {
	c.Go("MOVD %s, R%d", arg(in0+"_base"), gP)
	c.Go("MOVD %s, R%d", arg("y_base"), gY)
	c.Go("MOVD %s, R%d", arg(out+"_base"), gOut)
	c.Go("MOVD %s, R%d", arg(out+"_len"), gH)
	c.Go("ADD R%d<<3, R%d, R%d", gH, gOut, gH)
	c.Go("MOVD %s, R%d", arg("cols"), gI)
	c.Go("MOVD %s, R%d", arg("s"), gL)
	c.Go("LSL $%d, R%d, R%d", c.shift(), gL, gL)
	c.Go("MOVD %s, R%d", arg("a"), gN)
	c.Go("MUL R%d, R%d, R%d", gN, gL, gM)
}

// kLoop emits the loop along the axis of one chunk: gO and gE point at the
// chunk's first element in the two inputs' blocks, and body runs a times,
// both advanced by s elements after each.
func (c *kgen) kLoop(body func()) {
	kl, kd := c.label("k"), c.label("kdone")
	c.Go("MOVD R%d, R%d", gN, gCnt)
	c.Label(kl)
	c.Go("CBZ R%d, %s", gCnt, kd)
	// Scratch copies: the chunk's pointers advance by s.
	c.Go("MOVD R%d, R%d", gO, rA)
	c.Go("MOVD R%d, R%d", gE, rT)
	body()
	c.Go("ADD R%d, R%d", gL, gO)
	c.Go("ADD R%d, R%d", gL, gE)
	c.Go("SUB $1, R%d", gCnt)
	c.Go("B %s", kl)
	c.Label(kd)
}

func cosDotCols(c *kgen, arg func(string) string) {
	c.colSetup(arg, "p", "dot")
	c.prologue()
	const u = 2
	acc := c.fixedZeros(u * c.parts())
	c.colBlocks(u, func(u int, tail bool) {
		accs := acc[:u*c.parts()]
		if tail {
			accs = acc[:1]
		}
		c.zeroAll(accs)
		c.chunkPtrs()
		c.kLoop(func() {
			for j := 0; j < u; j++ {
				c.dotStep(accs[j*c.parts():], tail, func(b neon.R) neon.V {
					r := rA
					if b == gY {
						r = rT
					}
					return c.load(r, tail)
				})
			}
		})
		c.storeD(accs, gOut, tail)
	})
}

// scaleStep stores T(sc·y) of one vector (or element) of y at gY to gOut.
func (c *kgen) scaleStep(yb, out neon.R, sc []neon.V, tail bool) {
	ps := c.widen(c.load(yb, tail), tail)
	for h, v := range ps {
		c.I(neon.FMUL(neon.D2, v, v, sc[h%len(sc)]))
	}
	v := c.narrow(ps)
	c.store(v, out, tail)
	c.put(v)
}

func cosGradRows(c *kgen, arg func(string) string) {
	c.loadArgs(arg, []argReg{{"grad_base", gOut}, {"y_base", gY}, {"sc_base", gA}, {"sc_len", gRows}, {"a", gLen}})
	c.prologue()
	s := c.pool.Fixed()
	c.rowLoop("row", func() {
		c.nextScalarD(gA, s)
		c.rowSpan(2, func(_ int, tail bool) { c.scaleStep(gY, gOut, []neon.V{s}, tail) })
	})
	c.doneRet()
}

func cosGradCols(c *kgen, arg func(string) string) {
	c.colSetup(arg, "grad", "sc")
	c.prologue()
	sc := make([]neon.V, c.parts())
	for h := range sc {
		sc[h] = c.pool.Fixed()
	}
	c.colBlocks(1, func(_ int, tail bool) {
		scs := sc
		if tail {
			scs = sc[:1]
			c.I(neon.LDRP(neon.D2, sc[0], gOut))
		} else {
			for _, v := range sc {
				c.I(neon.LD1P(neon.D2, v, gOut))
			}
		}
		c.chunkPtrs() // grad, y
		c.kLoop(func() { c.scaleStep(rT, rA, scs, tail) })
	})
}

// omega returns ω = ws·w (ws when the length in wn is 0) as float64
// vectors for the vector (or element) of rows at gA.
func (c *kgen) omega(ws neon.V, wn neon.R, tail bool) []neon.V {
	om := c.tmp()
	c.I(neon.MOV(om, ws))
	skip := c.label("noW")
	c.Go("CBZ R%d, %s", wn, skip)
	wv := c.load(gA, tail)
	c.I(neon.FMUL(c.A, om, om, wv))
	c.put(wv)
	c.Label(skip)
	return c.widen(om, tail)
}

func cosFinish(c *kgen, arg func(string) string) {
	c.loadArgs(arg, []argReg{{"dot_base", gP}, {"dot_len", gRows}, {"w_base", gA}, {"w_len", gB},
		{"unred_base", gOut}, {"unred_len", gC}, {"sc_base", gD}, {"sc_len", gE}})
	c.prologue()
	ws := c.bcastT(arg("ws"))
	ngs := c.bcastD(arg("gs"))
	c.I(neon.FNEG(neon.D2, ngs, ngs))
	acc := c.fixedZeros(c.parts())
	c.span(gRows, 1, func(_ int, tail bool) {
		om := c.omega(ws, gB, tail)
		ls := c.loadD(gP, tail)
		one := c.konstD(1)
		for h, v := range ls {
			c.I(neon.FSUB(neon.D2, v, one, v), neon.FMUL(neon.D2, v, om[h], v))
			a := v
			if tail {
				m := c.lane0D()
				a = c.tmp()
				c.I(neon.AND(a, v, m))
				c.put(m)
			}
			c.I(neon.FADD(neon.D2, acc[h], acc[h], a))
			if a != v {
				c.put(a)
			}
		}
		c.put(one)
		skipU, skipS := c.label("noU"), c.label("noS")
		c.storeNarrowed(ls, gOut, gC, skipU, tail)
		c.Go("CBZ R%d, %s", gE, skipS)
		for _, v := range om {
			c.I(neon.FMUL(neon.D2, v, ngs, v))
		}
		c.storeD(om, gD, tail)
		c.Label(skipS)
		c.put(ls...)
		c.put(om...)
	})
	t := c.hsum(acc)
	c.Go("FMOVD F%d, %s", t, arg("ret"))
	c.put(t)
	c.Go("RET")
}

// shiftedSums adds d − k and (d − k)² of the row's n elements (count in
// gCnt) at gP/gY into se and sq (lanes past the row add nothing).
func (c *kgen) shiftedSums(k neon.V, se, sq []neon.V, u int) {
	c.span(gCnt, u, func(j int, tail bool) {
		for h, e := range c.widen(c.combine(neon.FSUB, c.loader(tail)), tail) {
			c.I(neon.FSUB(neon.D2, e, e, k))
			if tail {
				c.keepLane0(e, e)
			}
			x := j*c.parts() + h
			c.I(neon.FADD(neon.D2, se[x], se[x], e), neon.FMLA(neon.D2, sq[x], e, e))
			c.put(e)
		}
	})
}

func pairStats(c *kgen, arg func(string) string) {
	c.loadArgs(arg, []argReg{{"p_base", gP}, {"y_base", gY}, {"mean_base", gA}, {"se_base", gOut}, {"sq_base", gB}, {"mean_len", gRows}, {"n", gLen}})
	c.prologue()
	const u = 2
	k := c.pool.Fixed()
	se, sq := c.fixedZeros(u*c.parts()), c.fixedZeros(u*c.parts())
	sums := func(u int) {
		c.zeroAll(se)
		c.zeroAll(sq)
		c.Go("MOVD R%d, R%d", gLen, gCnt)
		c.shiftedSums(k, se, sq, u)
		c.storeSum(se, gOut)
		c.storeSum(sq, gB)
	}
	c.Go("CMP $%d, R%d", pairShortMax, gLen)
	c.Go("BGT long")
	// Short rows: one pass shifted by the row's first d.
	c.rowLoop("short", func() {
		p0, y0 := c.tmp(), c.tmp()
		c.I(neon.LDR1(c.A, p0, gP), neon.LDR1(c.A, y0, gY))
		c.I(neon.FSUB(c.A, p0, p0, y0))
		c.put(y0)
		d0 := c.widen(p0, true)[0]
		c.I(neon.DUP(neon.D2, k, d0, 0))
		c.put(d0)
		c.Go("FMOVD.P F%d, 8(R%d)", k, gA)
		sums(1)
	})
	// Longer rows: the mean, then the sums shifted by it.
	c.Label("long")
	nf := c.pool.Fixed()
	c.Go("SCVTFD R%d, F%d", gLen, nf)
	c.rowLoop("row", func() {
		c.Go("MOVD R%d, R%d", gP, gG)
		c.Go("MOVD R%d, R%d", gY, gH)
		c.zeroAll(se)
		c.rowSpan(u, func(j int, tail bool) {
			c.accumulate(se, j, c.combine(neon.FSUB, c.loader(tail)), tail)
		})
		t := c.hsum(se)
		c.Go("FDIVD F%d, F%d, F%d", nf, t, t)
		c.Go("FMOVD.P F%d, 8(R%d)", t, gA)
		c.I(neon.DUP(neon.D2, k, t, 0))
		c.put(t)
		c.Go("MOVD R%d, R%d", gG, gP)
		c.Go("MOVD R%d, R%d", gH, gY)
		sums(u)
	})
	c.doneRet()
}

func pairFinish(c *kgen, arg func(string) string) {
	c.loadArgs(arg, []argReg{{"mean_base", gP}, {"mean_base", gY}, // read, written back
		{"se_base", gB}, {"sq_base", gC}, {"w_base", gA}, {"w_len", gD},
		{"unred_base", gOut}, {"unred_len", gE}, {"f_base", gF}, {"mean_len", gRows}})
	c.prologue()
	ws := c.bcastT(arg("ws"))
	nf := c.pool.Fixed()
	c.Go("MOVD %s, R%d", arg("n"), gLen)
	c.Go("SCVTFD R%d, F%d", gLen, nf)
	c.I(neon.DUP(neon.D2, nf, nf, 0))
	acc := c.fixedZeros(c.parts())
	zc := c.fixedZeros(1)[0] // rows of ω = 0, counted per 64-bit lane
	c.span(gRows, 1, func(_ int, tail bool) {
		om := c.omega(ws, gD, tail)
		means, ses, sqs := c.loadD(gP, tail), c.loadD(gB, tail), c.loadD(gC, tail)
		lws := make([]neon.V, len(om))
		for h := range om {
			t := c.tmp()
			c.I(neon.FMUL(neon.D2, t, ses[h], ses[h]))
			c.I(neon.FDIV(neon.D2, t, t, nf), neon.FSUB(neon.D2, t, sqs[h], t))
			two := c.konstD(2)
			c.I(neon.FMUL(neon.D2, t, two, t), neon.FDIV(neon.D2, t, t, nf)) // l
			c.put(two)
			c.I(neon.FDIV(neon.D2, ses[h], ses[h], nf), neon.FADD(neon.D2, means[h], means[h], ses[h]))
			zero := c.tmp()
			c.I(neon.FCMEQZ(neon.D2, zero, om[h]))
			var m neon.V
			if tail {
				m = c.lane0D()
				c.I(neon.AND(zero, zero, m))
			}
			c.I(neon.SUB(neon.D2, zc, zc, zero)) // a true lane is −1
			lw := c.tmp()
			c.I(neon.FMUL(neon.D2, lw, om[h], t), neon.BIC(lw, lw, zero))
			// 0·mean, so that a mean that is not finite shows in the sum.
			z := c.konstD(0)
			c.I(neon.FMUL(neon.D2, t, z, means[h]), neon.BIC(t, t, zero), neon.FADD(neon.D2, t, t, lw))
			c.put(z)
			if tail {
				c.I(neon.AND(t, t, m))
				c.put(m)
			}
			c.I(neon.FADD(neon.D2, acc[h], acc[h], t))
			c.put(t, zero, ses[h], sqs[h])
			four := c.konstD(4)
			c.I(neon.FMUL(neon.D2, om[h], om[h], four), neon.FDIV(neon.D2, om[h], om[h], nf))
			c.put(four)
			lws[h] = lw
		}
		c.storeD(means, gY, tail)
		c.storeD(om, gF, tail)
		c.put(means...)
		c.put(om...)
		c.storeNarrowed(lws, gOut, gE, c.label("noU"), tail)
		c.put(lws...)
	})
	t := c.hsum(acc)
	c.Go("FMOVD F%d, %s", t, arg("ret"))
	c.I(neon.ADDPD(t, zc), neon.UMOVD(rT, t, 0))
	c.put(t)
	c.Go("MOVD R%d, %s", rT, arg("ret1"))
	c.Go("RET")
}

func pairGrad(c *kgen, arg func(string) string) {
	c.loadArgs(arg, []argReg{{"grad_base", gOut}, {"p_base", gP}, {"y_base", gY}, {"mean_base", gA}, {"f_base", gB}, {"mean_len", gRows}, {"n", gLen}})
	c.prologue()
	mv, fv := c.pool.Fixed(), c.pool.Fixed()
	c.rowLoop("row", func() {
		c.nextScalarD(gA, mv)
		c.nextScalarD(gB, fv)
		c.rowSpan(2, func(_ int, tail bool) {
			ps := c.widen(c.combine(neon.FSUB, c.loader(tail)), tail)
			for _, v := range ps {
				c.I(neon.FSUB(neon.D2, v, v, mv), neon.FMUL(neon.D2, v, v, fv))
			}
			v := c.narrow(ps)
			c.store(v, gOut, tail)
			c.put(v)
		})
	})
	c.doneRet()
}

// Short contiguous rows (at most transMax elements), a vector of rows at a
// time: LD2/LD3/LD4 load element k of each of lanes rows into register k
// (LD1 when a row is one element), ST2/ST3/ST4 store the gradients back.
const transMax = 4

// transRows emits the dispatch on the row length a (register gLen, 1 <= a
// <= transMax) and per length the loop over groups of lanes rows (gRows
// rows left, a multiple of lanes): body(n) handles the rows at the
// pointers, which it advances.
func (c *kgen) transRows(body func(n int)) {
	for n := 1; n <= transMax; n++ {
		c.Go("CMP $%d, R%d", n, gLen)
		c.Go("BEQ len%d", n)
	}
	c.Go("B done")
	for n := 1; n <= transMax; n++ {
		c.Label(fmt.Sprintf("len%d", n))
		c.Label(fmt.Sprintf("group%d", n))
		c.Go("CBZ R%d, done", gRows)
		body(n)
		c.Go("SUB $%d, R%d", c.lanes(), gRows)
		c.Go("B group%d", n)
	}
}

// loadT loads lanes rows of n elements at base (advancing it): register
// k of the result holds element k of every row.
func (c *kgen) loadT(base neon.R, n int) []neon.V {
	vs := make([]neon.V, n)
	if n == 1 {
		vs[0] = c.tmp()
		c.I(neon.LD1P(c.A, vs[0], base))
		return vs
	}
	v0 := c.pool.GetRun(n)
	c.I(neon.LDNP(c.A, v0, n, base))
	return run(v0, n)
}

// storeT stores vectors as loadT loads them (vs consecutive registers).
func (c *kgen) storeT(vs []neon.V, base neon.R) {
	if len(vs) == 1 {
		c.I(neon.ST1P(c.A, vs[0], base))
		return
	}
	c.I(neon.STNP(c.A, vs[0], len(vs), base))
}

func cosDotT(c *kgen, arg func(string) string) {
	c.loadArgs(arg, []argReg{{"dot_base", gOut}, {"dot_len", gRows}, {"p_base", gP}, {"y_base", gY}, {"a", gLen}})
	c.prologue()
	acc := c.fixedZeros(c.parts())
	c.transRows(func(n int) {
		c.zeroAll(acc)
		pv, yv := c.loadT(gP, n), c.loadT(gY, n)
		for k := range pv {
			c.I(neon.FMUL(c.A, pv[k], pv[k], yv[k]))
			c.accumulate(acc, 0, pv[k], false)
		}
		c.put(yv...)
		c.storeD(acc, gOut, false)
	})
	c.doneRet()
}

func pairStatsT(c *kgen, arg func(string) string) {
	c.loadArgs(arg, []argReg{{"p_base", gP}, {"y_base", gY}, {"mean_base", gA}, {"se_base", gOut}, {"sq_base", gB}, {"mean_len", gRows}, {"n", gLen}})
	c.prologue()
	se, sq := c.fixedZeros(c.parts()), c.fixedZeros(c.parts())
	c.transRows(func(n int) {
		c.zeroAll(se)
		c.zeroAll(sq)
		pv, yv := c.loadT(gP, n), c.loadT(gY, n)
		var k0 []neon.V
		for k := range pv {
			c.I(neon.FSUB(c.A, pv[k], pv[k], yv[k]))
			ws := c.widen(pv[k], false)
			if k == 0 {
				k0 = ws
				continue
			}
			for h, e := range ws {
				c.I(neon.FSUB(neon.D2, e, e, k0[h]))
				c.I(neon.FADD(neon.D2, se[h], se[h], e), neon.FMLA(neon.D2, sq[h], e, e))
				c.put(e)
			}
		}
		c.put(yv...)
		c.storeD(k0, gA, false)
		c.put(k0...)
		c.storeD(se, gOut, false)
		c.storeD(sq, gB, false)
	})
	c.doneRet()
}

func cosGradT(c *kgen, arg func(string) string) {
	c.loadArgs(arg, []argReg{{"grad_base", gOut}, {"y_base", gY}, {"sc_base", gA}, {"sc_len", gRows}, {"a", gLen}})
	c.prologue()
	c.transRows(func(n int) {
		sc := c.loadD(gA, false)
		yv := c.loadT(gY, n)
		out := c.pool.GetRun(n)
		for k := range yv {
			ps := c.widen(yv[k], false)
			for h, v := range ps {
				c.I(neon.FMUL(neon.D2, v, v, sc[h]))
			}
			c.narrowInto(out+neon.V(k), ps)
		}
		c.put(sc...)
		if c.Size == 8 {
			c.put(yv...) // widen returned them
		}
		outs := run(out, n)
		c.storeT(outs, gOut)
		c.put(outs...)
	})
	c.doneRet()
}

// narrowInto rounds the float64 vectors of widen into register d (as
// narrow does), putting them back unless one of them is d.
func (c *kgen) narrowInto(d neon.V, ps []neon.V) {
	if c.Size == 8 {
		c.I(neon.MOV(d, ps[0]))
		return
	}
	c.I(neon.FCVTN(d, ps[0]))
	if len(ps) > 1 {
		c.I(neon.FCVTN2(d, ps[1]))
	}
	c.put(ps...)
}

func pairGradT(c *kgen, arg func(string) string) {
	c.loadArgs(arg, []argReg{{"grad_base", gOut}, {"p_base", gP}, {"y_base", gY}, {"mean_base", gA}, {"f_base", gB}, {"mean_len", gRows}, {"n", gLen}})
	c.prologue()
	c.transRows(func(n int) {
		mv, fv := c.loadD(gA, false), c.loadD(gB, false)
		pv, yv := c.loadT(gP, n), c.loadT(gY, n)
		out := c.pool.GetRun(n)
		for k := range pv {
			c.I(neon.FSUB(c.A, pv[k], pv[k], yv[k]))
			ps := c.widen(pv[k], false)
			for h, v := range ps {
				c.I(neon.FSUB(neon.D2, v, v, mv[h]), neon.FMUL(neon.D2, v, v, fv[h]))
			}
			c.narrowInto(out+neon.V(k), ps)
		}
		c.put(mv...)
		c.put(fv...)
		c.put(yv...)
		if c.Size == 8 {
			c.put(pv...)
		}
		outs := run(out, n)
		c.storeT(outs, gOut)
		c.put(outs...)
	})
	c.doneRet()
}
