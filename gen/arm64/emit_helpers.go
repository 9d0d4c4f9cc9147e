package main

import "github.com/simdloss/simdloss/gen/neon"

// Small emitters shared by the cosine and pairwise primitives
// (cospair.go). Each emits exactly the instructions its callers wrote out
// before, taking and returning temporaries in the same order, so that the
// generated assembly (registers included) does not depend on whether a
// primitive uses them.

// argReg names an argument and the register it is loaded into.
type argReg struct {
	name string
	r    neon.R
}

// loadArgs loads each argument into its register, in order.
func (c *kgen) loadArgs(arg func(string) string, as []argReg) {
	for _, a := range as {
		c.Go("MOVD %s, R%d", arg(a.name), a.r)
	}
}

// rowLoop emits the loop at label over the rows counted in gRows: to
// "done" when none is left, else body, one row less and again.
func (c *kgen) rowLoop(label string, body func()) {
	c.Label(label)
	c.Go("CBZ R%d, done", gRows)
	body()
	c.Go("SUB $1, R%d", gRows)
	c.Go("B %s", label)
}

// doneRet emits the label "done" and the return.
func (c *kgen) doneRet() {
	c.Label("done")
	c.Go("RET")
}

// combine returns op(p, y) (FMUL, FSUB) of one vector (or element) of T,
// the two loaded by ld from gP and gY.
func (c *kgen) combine(op func(neon.Arr, neon.V, neon.V, neon.V) neon.Inst, ld func(base neon.R) neon.V) neon.V {
	pv := ld(gP)
	yv := ld(gY)
	c.I(op(c.A, pv, pv, yv))
	c.put(yv)
	return pv
}

// accumulate adds the float64 vectors of v (see widen) into acc[k·parts:].
func (c *kgen) accumulate(acc []neon.V, k int, v neon.V, tail bool) {
	for h, w := range c.widen(v, tail) {
		x := k*c.parts() + h
		c.I(neon.FADD(neon.D2, acc[x], acc[x], w))
		c.put(w)
	}
}

// storeSum stores the sum of the lanes of the float64 vectors vs (see
// hsum) at base, advancing it by 8.
func (c *kgen) storeSum(vs []neon.V, base neon.R) {
	t := c.hsum(vs)
	c.Go("FMOVD.P F%d, 8(R%d)", t, base)
	c.put(t)
}

// keepLane0 sets dst to src with every lane but the low 64 bits cleared.
func (c *kgen) keepLane0(dst, src neon.V) {
	m := c.lane0D()
	c.I(neon.AND(dst, src, m))
	c.put(m)
}

// nextScalarD loads the float64 at base (advancing it by 8) into both
// lanes of v.
func (c *kgen) nextScalarD(base neon.R, v neon.V) {
	c.Go("FMOVD.P 8(R%d), F%d", base, v)
	c.I(neon.DUP(neon.D2, v, v, 0))
}

// storeNarrowed stores, unless the length in register n is 0 (jumping to
// label skip), the float64 vectors vs rounded to T at out (advancing it),
// through copies: vs are kept.
func (c *kgen) storeNarrowed(vs []neon.V, out, n neon.R, skip string, tail bool) {
	c.Go("CBZ R%d, %s", n, skip)
	cp := make([]neon.V, len(vs))
	for h, v := range vs {
		cp[h] = c.tmp()
		c.I(neon.MOV(cp[h], v))
	}
	u := c.narrow(cp)
	c.store(u, out, tail)
	c.put(u)
	c.Label(skip)
}

// run returns the n consecutive registers from v0.
func run(v0 neon.V, n int) []neon.V {
	vs := make([]neon.V, n)
	for k := range vs {
		vs[k] = v0 + neon.V(k)
	}
	return vs
}

// colBlocks emits the loop of the column primitives over the outer blocks
// (see colSetup): per block, its columns in chunks as colChunks does
// (body(u, tail) handles one), then the blocks at gP and gY advance.
func (c *kgen) colBlocks(u int, body func(u int, tail bool)) {
	c.Label("block")
	c.Go("CMP R%d, R%d", gH, gOut)
	c.Go("BHS done")
	c.colChunks(u, body)
	c.Go("ADD R%d, R%d", gM, gP)
	c.Go("ADD R%d, R%d", gM, gY)
	c.Go("B block")
	c.doneRet()
}

// chunkPtrs points gO and gE at the chunk's first column (element gJ) in
// the blocks at gP and gY.
func (c *kgen) chunkPtrs() {
	c.Go("ADD R%d<<%d, R%d, R%d", gJ, c.shift(), gP, gO)
	c.Go("ADD R%d<<%d, R%d, R%d", gJ, c.shift(), gY, gE)
}

// loader returns the loads of one vector (or, in the tail, element) of T
// from a base register, advancing it.
func (c *kgen) loader(tail bool) func(base neon.R) neon.V {
	return func(base neon.R) neon.V { return c.load(base, tail) }
}

// rowSpan emits span over the row length gLen (counted down in gCnt).
func (c *kgen) rowSpan(u int, body func(k int, tail bool)) {
	c.Go("MOVD R%d, R%d", gLen, gCnt)
	c.span(gCnt, u, body)
}
