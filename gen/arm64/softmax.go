package main

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"

	"github.com/simdloss/simdloss/gen/neon"
)

// The primitives of the softmax cross-entropies (asm/softmax.go states what
// each computes and how the Go side combines them), as gen/amd64/softmax.go
// writes them for AVX2 and AVX-512:
//
//	softmaxRowMax         m = max x (a NaN makes it NaN)
//	softmaxExpSum[E]      rest = Σ exp(x − m) over x != m, ones = #(x == m)
//	softmaxExpSumDist[E]  and dist = Σ (m − x)
//	softmaxExpSumDense[E] and a = Σ z'·(m − x), b = Σ z', z' = z·pos + neg
//	softmaxGradSparse     g = g·p − q
//	softmaxGradDense      g = (g·p − (z·pos + neg)·r)·q
//
// The E forms also store exp(x − m) into dst (the gradient's first step).
// Float32 lanes accumulate flushElems elements, then drain into float64.
//
// The short-row kernels take rows of c <= shortMaxClasses classes a vector
// of rows at a time, one row per lane: column j of the group is gathered
// with one lane load per row (LD1 of a lane, post-indexed, from a pointer
// per row). A group with fewer rows than lanes points its missing lanes at
// its first row: they compute that row's values again, so their stores (the
// first row's addresses, written before it or with the same value) are
// harmless, and the count and sum leave them out.

// shortMaxClasses is the longest row the batched short-row kernels take
// (asm's softmaxShort.max).
const shortMaxClasses = 16

// softmaxKernels emits every softmax primitive for one element type.
func softmaxKernels(emit func(name, doc, sig string, gen func(c *kgen)), e elt) {
	prims := []prim{
		{"softmaxRowMax", "x []T", "T",
			"returns the largest value of x (len(x) > 0); a NaN element makes it NaN.", smRowMax},
		{"softmaxGradSparse", "g []T, p, q T", "",
			"writes g(i) = g(i)·p − q.", smGradSparse},
		{"softmaxGradDense", "g, z []T, pos, neg, p, r, q T", "",
			"writes g(i) = (g(i)·p − (z(i)·pos + neg)·r)·q, z(i)·pos + neg rounded in T.", smGradDense},
	}
	for mode := 0; mode < 3; mode++ {
		for _, store := range []bool{false, true} {
			fn := []string{"softmaxExpSum", "softmaxExpSumDist", "softmaxExpSumDense"}[mode]
			params := "x []T, m T"
			if mode == 2 {
				params = "x, z []T, m, pos, neg T"
			}
			stored := ""
			if store {
				fn += "E"
				params = "dst []T, " + params
				stored = ", stores exp(x(i) − m) into dst,"
			}
			result := []string{"(float64, int)", "(float64, float64, int)", "(float64, float64, float64, int)"}[mode]
			what := []string{"", " and dist = Σ (m − x(i))", " and a = Σ z'(i)·(m − x(i)), b = Σ z'(i) with z'(i) = z(i)·pos + neg"}[mode]
			prims = append(prims, prim{fn, params, result,
				"computes exp(x(i) − m)" + stored + " and returns rest = Σ exp(x(i) − m) over x(i) != m" + what + ", and ones = #(x(i) == m).",
				smExpSum(mode, store)})
		}
	}
	prims = append(prims,
		prim{"softmaxShortSparse", "x []T, c int, labels []int, w []T, ws, gs, neg, zl T, dst, par []T", "(float64, int)",
			fmt.Sprintf("computes the losses of rows of c <= %d classes, one row per lane; see asm's softmaxShort.", shortMaxClasses),
			func(c *kgen, arg func(string) string) { smShortLoss(c, arg, false) }},
		prim{"softmaxShortDense", "x, z []T, c int, w []T, ws, gs, pos, neg T, dst, par []T", "(float64, int)",
			fmt.Sprintf("computes the losses of rows of c <= %d classes, one row per lane; see asm's softmaxShort.", shortMaxClasses),
			func(c *kgen, arg func(string) string) { smShortLoss(c, arg, true) }},
		prim{"softmaxShortSparseGrad", "g, x []T, c int, labels []int, par []T, idx, step []int32", "",
			"writes g(i) = exp(x(i) − m)·p − q with m, p, q the values par holds for the row of element i, then each row's label element from par; idx and step are not used.",
			func(c *kgen, arg func(string) string) { smShortGrad(c, arg, false) }},
		prim{"softmaxShortDenseGrad", "g, x, z []T, c int, pos, neg T, par []T, idx, step []int32", "",
			"writes g(i) = (exp(x(i) − m)·p − (z(i)·pos + neg)·r)·q with m, p, r, q the values par holds for the row of element i; idx and step are not used.",
			func(c *kgen, arg func(string) string) { smShortGrad(c, arg, true) }},
	)
	emitPrims(emit, e, prims, func(doc string) string { return strings.ReplaceAll(doc, " T.", " "+e.GoType+".") })
}

// smRowMax emits softmaxRowMax: four accumulators of FMAX (which makes a
// NaN win), the tail element broadcast to every lane.
func smRowMax(c *kgen, arg func(string) string) {
	c.Go("MOVD %s, R%d", arg("x_base"), gP)
	c.Go("MOVD %s, R%d", arg("x_len"), gCnt)
	c.prologue()
	const u = 4
	A := c.A
	acc := make([]neon.V, u)
	for k := range acc {
		acc[k] = c.pool.Fixed()
		ninf := c.konst(math.Inf(-1))
		c.I(neon.MOV(acc[k], ninf))
		c.put(ninf)
	}
	c.span(gCnt, u, func(k int, tail bool) {
		v := c.load(gP, tail)
		if tail {
			c.I(neon.DUP(A, v, v, 0))
		}
		c.I(neon.FMAX(A, acc[k], acc[k], v))
		c.put(v)
	})
	for k := 1; k < u; k++ {
		c.I(neon.FMAX(A, acc[0], acc[0], acc[k]))
	}
	t := c.tmp()
	for l := 1; l < c.lanes(); l++ {
		c.I(neon.DUP(A, t, acc[0], l), neon.FMAX(A, acc[0], acc[0], t))
	}
	c.put(t)
	c.Go("%s F%d, %s", c.fmov(), acc[0], arg("ret"))
	c.Go("RET")
}

// smGradSparse emits softmaxGradSparse: g·p − q with one rounding.
func smGradSparse(c *kgen, arg func(string) string) {
	c.Go("MOVD %s, R%d", arg("g_base"), gP)
	c.Go("MOVD %s, R%d", arg("g_base"), gOut)
	c.Go("MOVD %s, R%d", arg("g_len"), gCnt)
	c.prologue()
	A := c.A
	p, nq := c.bcastT(arg("p")), c.bcastT(arg("q"))
	c.I(neon.FNEG(A, nq, nq))
	c.span(gCnt, 2, func(_ int, tail bool) {
		v := c.load(gP, tail)
		t := c.tmp()
		c.I(neon.MOV(t, nq), neon.FMLA(A, t, v, p))
		c.store(t, gOut, tail)
		c.put(v, t)
	})
	c.Go("RET")
}

// smGradDense emits softmaxGradDense: (g·p − z'·r)·q with g·p − z'·r
// rounded once, as −(z'·r − g·p)·q.
func smGradDense(c *kgen, arg func(string) string) {
	c.Go("MOVD %s, R%d", arg("g_base"), gP)
	c.Go("MOVD %s, R%d", arg("g_base"), gOut)
	c.Go("MOVD %s, R%d", arg("g_len"), gCnt)
	c.Go("MOVD %s, R%d", arg("z_base"), gY)
	c.prologue()
	A := c.A
	pos, neg := c.bcastT(arg("pos")), c.bcastT(arg("neg"))
	p, r, nq := c.bcastT(arg("p")), c.bcastT(arg("r")), c.bcastT(arg("q"))
	c.I(neon.FNEG(A, nq, nq))
	c.span(gCnt, 2, func(_ int, tail bool) {
		v := c.load(gP, tail)
		z := c.load(gY, tail)
		c.I(neon.FMUL(A, z, z, pos), neon.FADD(A, z, z, neg), neon.FMUL(A, z, z, r))
		c.I(neon.FMLS(A, z, v, p), neon.FMUL(A, z, z, nq))
		c.store(z, gOut, tail)
		c.put(v, z)
	})
	c.Go("RET")
}

// smExpSum emits one exp-sum kernel: mode 0 plain, 1 with dist, 2 dense.
func smExpSum(mode int, store bool) func(c *kgen, arg func(string) string) {
	return func(c *kgen, arg func(string) string) {
		const (
			rTot neon.R = 4 // elements not yet handed to a block
			rBlk neon.R = 5 // elements of the current block
		)
		c.Go("MOVD %s, R%d", arg("x_base"), gP)
		c.Go("MOVD %s, R%d", arg("x_len"), rTot)
		if mode == 2 {
			c.Go("MOVD %s, R%d", arg("z_base"), gY)
		}
		if store {
			c.Go("MOVD %s, R%d", arg("dst_base"), gOut)
		}
		c.prologue()
		A := c.A
		m := c.bcastT(arg("m"))
		var pos, neg neon.V
		if mode == 2 {
			pos, neg = c.bcastT(arg("pos")), c.bcastT(arg("neg"))
		}
		const u = 2
		nacc := mode + 1
		acc := make([][]neon.V, nacc)
		for j := range acc {
			acc[j] = c.fixedZeros(u)
		}
		cnt := c.fixedZeros(1)[0] // lanes of x == m, as integers
		f32 := c.Size == 4
		var dacc []neon.V
		if f32 {
			dacc = c.fixedZeros(nacc)
		}
		keep := func(v neon.V, tail bool) {
			if tail {
				l0 := c.lane0()
				c.I(neon.AND(v, v, l0))
				c.put(l0)
			}
		}
		step := func(k int, tail bool) {
			d := c.load(gP, tail)
			c.I(neon.FSUB(A, d, d, m))
			e := c.vexpNonPos(d) // d = x − m <= 0 (or NaN) in every lane used
			if store {
				c.store(e, gOut, tail)
			}
			// The terms of x != m (d < 0, or NaN): the 1 of each x == m is
			// left out and counted.
			eq := c.tmp()
			c.I(neon.FCMEQZ(A, eq, d))
			keep(eq, tail)
			c.I(neon.SUB(A, cnt, cnt, eq), neon.BIC(e, e, eq)) // a true lane is −1
			keep(e, tail)
			c.I(neon.FADD(A, acc[0][k], acc[0][k], e))
			c.put(eq, e)
			switch mode {
			case 1:
				keep(d, tail)
				c.I(neon.FSUB(A, acc[1][k], acc[1][k], d))
			case 2:
				// z' = z·pos + neg, rounded twice as generic rounds it.
				z := c.load(gY, tail)
				c.I(neon.FMUL(A, z, z, pos), neon.FADD(A, z, z, neg))
				keep(z, tail)
				c.I(neon.FMLS(A, acc[1][k], z, d)) // a += z'·(m − x)
				c.I(neon.FADD(A, acc[2][k], acc[2][k], z))
				c.put(z)
			}
			c.put(d)
		}
		if f32 {
			outer, sized := c.label("outer"), c.label("sized")
			c.Label(outer)
			c.Go("MOVD R%d, R%d", rTot, rBlk)
			c.Go("CMP $%d, R%d", flushElems, rBlk)
			c.Go("BLE %s", sized)
			c.Go("MOVD $%d, R%d", flushElems, rBlk)
			c.Label(sized)
			c.Go("SUB R%d, R%d", rBlk, rTot)
			c.span(rBlk, u, step)
			for j := range acc {
				for _, v := range acc[j][1:] {
					c.I(neon.FADD(A, acc[j][0], acc[j][0], v), neon.EOR(v, v, v))
				}
				lo, hi := c.tmp(), c.tmp()
				c.I(neon.FCVTL(lo, acc[j][0]), neon.FCVTL2(hi, acc[j][0]))
				c.I(neon.FADD(neon.D2, lo, lo, hi), neon.FADD(neon.D2, dacc[j], dacc[j], lo))
				c.I(neon.EOR(acc[j][0], acc[j][0], acc[j][0]))
				c.put(lo, hi)
			}
			c.Go("CBNZ R%d, %s", rTot, outer)
		} else {
			c.span(rTot, u, step)
		}
		for j := range acc {
			var t neon.V
			if f32 {
				t = c.hsum([]neon.V{dacc[j]})
			} else {
				t = c.hsum(acc[j])
			}
			name := "ret"
			if j > 0 {
				name = fmt.Sprintf("ret%d", j)
			}
			c.Go("FMOVD F%d, %s", t, arg(name))
			c.put(t)
		}
		c.countOut(cnt, arg(fmt.Sprintf("ret%d", nacc)))
		c.Go("RET")
	}
}

// countOut stores the sum of cnt's integer lanes (of the element size) at
// the argument slot dst.
func (c *kgen) countOut(cnt neon.V, dst string) {
	t := c.tmp()
	if c.Size == 4 {
		c.I(neon.UADDLV4S(t, cnt))
	} else {
		c.I(neon.ADDPD(t, cnt))
	}
	c.I(neon.UMOVD(8, t, 0))
	c.put(t)
	c.Go("MOVD R8, %s", dst)
}

// smLimits are asm's fastLimits and labelFloor for the element type.
func (c *kgen) smLimits() (lo, hi, floor float64) {
	if c.Size == 8 {
		return 0x1p-500, math.MaxFloat64 / 16, 0x1p-960
	}
	return 0x1p-60, math.MaxFloat32 / 16, 0x1p-90
}

// iota returns a register holding 0, 1, 2, … (as T) in its lanes.
func (c *kgen) iota() neon.V {
	var k [16]byte
	for i := 0; i < c.lanes(); i++ {
		if c.Size == 8 {
			binary.LittleEndian.PutUint64(k[8*i:], math.Float64bits(float64(i)))
		} else {
			binary.LittleEndian.PutUint32(k[4*i:], math.Float32bits(float32(i)))
		}
	}
	return c.konstVec(k)
}

// scvt returns a fresh register holding the integer in general register r
// as T in every lane.
func (c *kgen) scvt(r neon.R) neon.V {
	v := c.tmp()
	op := "SCVTFS"
	if c.Size == 8 {
		op = "SCVTFD"
	}
	c.Go("%s R%d, F%d", op, r, v)
	c.I(neon.DUP(c.A, v, v, 0))
	return v
}

// Registers of the short-row kernels: a pointer per lane (row) into x, z
// and g, and the lanes' row indices.
var (
	shX   = []neon.R{13, 14, 15, 16}
	shZ   = []neon.R{17, 19, 20, 21}
	shIdx = []neon.R{22, 23, 24, 25}
)

const (
	shXBase neon.R = 0
	shZBase neon.R = 1 // z, or the labels
	shW     neon.R = 2 // w (loss), g (gradient)
	shWLen  neon.R = 3 // len(w) (loss), par (gradient)
	shJ     neon.R = 4 // columns left
	shRows  neon.R = 5
	shR     neon.R = 7 // the group's first row
	shT     neon.R = 8
	shU     neon.R = 9
	shC     neon.R = 10
	shCB    neon.R = 11 // c·size
	shNV    neon.R = 12 // rows in the group
)

// groupRows starts a group at row shR: shNV = min(lanes, rows − r), or to
// done when no row is left; then, per lane k, the row rk (r + k, or r for a
// lane past the group's rows) goes to each(k, rk).
func (c *kgen) groupRows(done string, each func(k int, rk neon.R)) {
	L := c.lanes()
	sized := c.label("sized")
	c.Go("SUB R%d, R%d, R%d", shR, shRows, shNV)
	c.Go("CMP $0, R%d", shNV)
	c.Go("BLE %s", done)
	c.Go("CMP $%d, R%d", L, shNV)
	c.Go("BLE %s", sized)
	c.Go("MOVD $%d, R%d", L, shNV)
	c.Label(sized)
	for k := 0; k < L; k++ {
		rk := shIdx[k]
		if k == 0 {
			c.Go("MOVD R%d, R%d", shR, rk)
		} else {
			c.Go("ADD $%d, R%d, R%d", k, shR, rk)
			c.Go("CMP $%d, R%d", k, shNV)
			c.Go("CSEL GT, R%d, R%d, R%d", rk, shR, rk)
		}
		each(k, rk)
	}
}

// rowPtr sets p to base + rk·c elements.
func (c *kgen) rowPtr(p, base, rk neon.R) {
	c.Go("MUL R%d, R%d, R%d", rk, shCB, p)
	c.Go("ADD R%d, R%d", base, p)
}

// column gathers the next column of the group from the lanes' row pointers
// (advancing them) into a fresh register.
func (c *kgen) column(ptrs []neon.R) neon.V {
	v := c.tmp()
	for k := 0; k < c.lanes(); k++ {
		c.I(neon.LD1LaneP(c.A, v, k, ptrs[k]))
	}
	return v
}

// storeLanes stores lane k of v at base + idx(k)·size, the last lane first
// (a lane past the group's rows writes its first row's slot, which lane 0
// then writes).
func (c *kgen) storeLanes(v neon.V, base neon.R) {
	t := c.tmp()
	for k := c.lanes() - 1; k >= 0; k-- {
		c.I(neon.DUP(c.A, t, v, k))
		c.Go("%s F%d, (R%d)(R%d<<%d)", c.fmov(), t, base, shIdx[k], c.shift())
	}
	c.put(t)
}

// loadLanes loads lane k of a fresh register from base + idx(k)<<sh (the
// low word of an int for float32 lanes and sh = 3).
func (c *kgen) loadLanes(base neon.R, sh int) neon.V {
	v := c.tmp()
	for k := 0; k < c.lanes(); k++ {
		c.Go("ADD R%d<<%d, R%d, R%d", shIdx[k], sh, base, shT)
		c.I(neon.LD1Lane(c.A, v, k, shT))
	}
	return v
}

// smShortLoss emits softmaxShortSparse or softmaxShortDense.
func smShortLoss(c *kgen, arg func(string) string, dense bool) {
	L := c.lanes()
	A := c.A
	lo, hi, floor := c.smLimits()
	c.Go("MOVD %s, R%d", arg("x_base"), shXBase)
	if dense {
		c.Go("MOVD %s, R%d", arg("z_base"), shZBase)
	} else {
		c.Go("MOVD %s, R%d", arg("labels_base"), shZBase)
	}
	c.Go("MOVD %s, R%d", arg("w_base"), shW)
	c.Go("MOVD %s, R%d", arg("w_len"), shWLen)
	c.Go("MOVD %s, R%d", arg("dst_len"), shRows)
	c.Go("MOVD %s, R%d", arg("c"), shC)
	c.Go("LSL $%d, R%d, R%d", c.shift(), shC, shCB)
	c.Go("MOVD ZR, R%d", shR)
	c.prologue()
	ws, gs := c.bcastT(arg("ws")), c.bcastT(arg("gs"))
	var pos, neg, zl neon.V
	if dense {
		pos, neg = c.bcastT(arg("pos")), c.bcastT(arg("neg"))
	} else {
		neg, zl = c.bcastT(arg("neg")), c.bcastT(arg("zl"))
	}
	sum64 := c.fixedZeros(1)[0] // Σ lw over the good rows, float64 lanes
	cntv := c.fixedZeros(1)[0]  // good rows per lane, integers

	group, done := c.label("group"), c.label("done")
	c.Label(group)
	c.groupRows(done, func(k int, rk neon.R) {
		c.rowPtr(shX[k], shXBase, rk)
		if dense {
			c.rowPtr(shZ[k], shZBase, rk)
		}
	})

	// Pass 1: the rows' maxima.
	m := c.tmp()
	ninf := c.konst(math.Inf(-1))
	c.I(neon.MOV(m, ninf))
	c.put(ninf)
	maxl := c.label("max")
	c.Go("MOVD R%d, R%d", shC, shJ)
	c.Label(maxl)
	v := c.column(shX[:L])
	c.I(neon.FMAX(A, m, m, v))
	c.put(v)
	c.Go("SUB $1, R%d", shJ)
	c.Go("CBNZ R%d, %s", shJ, maxl)
	for k := 0; k < L; k++ {
		c.Go("SUB R%d, R%d", shCB, shX[k])
	}

	// Pass 2: rest = Σ exp(x − m) over x != m and ones = #(x == m), and
	// the sums of the loss: a and b (dense); dist and the label's x − m and
	// exp (sparse).
	zeros := func(n int) []neon.V {
		vs := make([]neon.V, n)
		for i := range vs {
			vs[i] = c.tmp()
			c.I(neon.EOR(vs[i], vs[i], vs[i]))
		}
		return vs
	}
	z3 := zeros(3)
	rest, ones, s1 := z3[0], z3[1], z3[2]
	var s2, dlab, elab, jv, labf neon.V
	if dense {
		s2 = zeros(1)[0]
	} else {
		z3 = zeros(3)
		dlab, elab, jv = z3[0], z3[1], z3[2]
		labf = c.loadLanes(shZBase, 3) // labels: ints
		c.I(neon.SCVTF(A, labf, labf))
	}
	sums := c.label("sums")
	c.Go("MOVD R%d, R%d", shC, shJ)
	c.Label(sums)
	{
		d := c.column(shX[:L])
		c.I(neon.FSUB(A, d, d, m))
		e := c.vexpNonPos(d) // d = x − m <= 0 (or NaN) in every lane
		eq := c.tmp()
		c.I(neon.FCMEQZ(A, eq, d))
		t := c.tmp()
		c.I(neon.BIC(t, e, eq), neon.FADD(A, rest, rest, t))
		one := c.konst(1)
		c.I(neon.AND(t, eq, one), neon.FADD(A, ones, ones, t))
		c.put(eq)
		if dense {
			z := c.column(shZ[:L])
			c.I(neon.FMUL(A, z, z, pos), neon.FADD(A, z, z, neg))
			c.I(neon.FMLS(A, s1, z, d)) // a += z'·(m − x)
			c.I(neon.FADD(A, s2, s2, z))
			c.put(z)
		} else {
			c.I(neon.FSUB(A, s1, s1, d)) // dist += m − x
			c.I(neon.FCMEQ(A, t, labf, jv))
			c.I(neon.BIT(dlab, d, t), neon.BIT(elab, e, t))
			c.I(neon.FADD(A, jv, jv, one))
		}
		c.put(one, t, e, d)
	}
	c.Go("SUB $1, R%d", shJ)
	c.Go("CBNZ R%d, %s", shJ, sums)
	if !dense {
		c.put(jv, labf)
	}

	// Phase 3: the losses and, with par, the gradient factors.
	l := c.tmp()
	{
		u := c.tmp()
		one := c.konst(1)
		c.I(neon.FSUB(A, u, ones, one), neon.FADD(A, u, u, rest))
		c.put(one)
		ls := c.vlog1p(u)
		c.put(u)
		if dense {
			c.I(neon.MOV(l, s1), neon.FMLA(A, l, ls, s2)) // a + ls·b
		} else {
			dl := c.tmp()
			c.I(neon.FNEG(A, dl, dlab)) // m − x(label)
			c.I(neon.FADD(A, l, dl, ls))
			// With smoothing: (zl − neg)·dl + ls·(neg·(c − 1) + zl) + neg·dist.
			unsm := c.label("unsmoothed")
			if c.Size == 8 {
				c.Go("MOVD %s, R%d", arg("neg"), shT)
			} else {
				c.Go("MOVWU %s, R%d", arg("neg"), shT)
			}
			c.Go("CBZ R%d, %s", shT, unsm)
			zd := c.op3(neon.FSUB, zl, neg)
			c.I(neon.FMUL(A, l, zd, dl))
			c.put(zd)
			c.Go("SUB $1, R%d, R%d", shC, shT)
			nb := c.scvt(shT)
			c.I(neon.FMUL(A, nb, nb, neg), neon.FADD(A, nb, nb, zl))
			c.I(neon.FMLA(A, l, ls, nb), neon.FMLA(A, l, neg, s1))
			c.put(nb)
			c.Label(unsm)
			c.put(dl)
		}
		c.put(ls)
	}
	// ω and lw = ω·l.
	om := c.copyOf(ws) // ws is held for the kernel: copyOf keeps it
	noW := c.label("noweights")
	c.Go("CBZ R%d, %s", shWLen, noW)
	{
		wv := c.loadLanes(shW, c.shift())
		c.I(neon.FMUL(A, om, om, wv))
		c.put(wv)
	}
	c.Label(noW)
	lw := c.op3(neon.FMUL, om, l)
	c.put(l)
	good := c.op3(neon.FSUB, lw, lw)
	c.I(neon.FCMEQZ(A, good, good))
	{
		nv := c.scvt(shNV)
		io := c.iota()
		c.I(neon.FCMGT(A, nv, nv, io), neon.AND(good, good, nv)) // lanes of the group's rows
		c.put(io, nv)
	}
	if dense {
		t := c.tmp()
		k := c.konst(floor)
		c.I(neon.FABS(A, t, s2), neon.FCMGE(A, t, t, k), neon.AND(good, good, t))
		c.put(k, t)
	}
	noPar := c.label("nopar")
	c.Go("MOVD %s, R%d", arg("par_len"), shT)
	c.Go("CBZ R%d, %s", shT, noPar)
	{
		c.Go("MOVD %s, R%d", arg("par_base"), shT)
		c.Go("LSL $%d, R%d, R%d", c.shift(), shRows, shU) // bytes per run
		st := func(v neon.V, last bool) {
			c.storeLanes(v, shT)
			if !last {
				c.Go("ADD R%d, R%d", shU, shT)
			}
		}
		s := c.op3(neon.FADD, ones, rest)
		sc := c.op3(neon.FMUL, om, gs)
		asc := c.tmp()
		c.I(neon.FABS(A, asc, sc))
		ok, t := c.tmp(), c.tmp()
		kl, kh := c.konst(lo), c.konst(hi)
		c.I(neon.FCMGE(A, ok, asc, kl), neon.FCMGE(A, t, kh, asc), neon.AND(ok, ok, t))
		c.put(kl)
		inHi := func(v neon.V) { // ok &= |v| <= hi
			c.I(neon.FABS(A, t, v), neon.FCMGE(A, t, kh, t), neon.AND(ok, ok, t))
		}
		st(m, false)
		if dense {
			kk := c.op3(neon.FDIV, s2, s)
			one := c.konst(1)
			small := c.op3(neon.FCMGE, one, asc)
			p := c.op3(neon.FMUL, sc, kk)
			c.I(neon.BIF(p, kk, small)) // small ? sc·k : k
			rr := c.tmp()
			c.I(neon.MOV(rr, sc), neon.BIF(rr, one, small)) // small ? sc : 1
			q := c.tmp()
			c.I(neon.MOV(q, one), neon.BIF(q, sc, small)) // small ? 1 : sc
			inHi(kk)
			inHi(p)
			st(p, false)
			st(rr, false)
			st(q, true)
			c.put(kk, one, small, p, rr, q)
		} else {
			p := c.op3(neon.FDIV, sc, s)
			q := c.op3(neon.FMUL, sc, neg)
			inHi(p)
			inHi(q)
			st(p, false)
			st(q, false)
			// exp(x(label) − m)·p − gs·ω·zl, rounded once.
			gl := c.op3(neon.FMUL, sc, zl)
			c.I(neon.FMLS(A, gl, elab, p), neon.FNEG(A, gl, gl))
			st(gl, true)
			c.put(p, q, gl)
		}
		c.put(kh)
		c.I(neon.AND(good, good, ok))
		c.put(s, sc, asc, ok, t)
	}
	c.Label(noPar)
	{
		out := c.copyOf(c.konstBits(c.qnan()))
		c.I(neon.BIT(out, lw, good))
		c.Go("MOVD %s, R%d", arg("dst_base"), shT)
		c.storeLanes(out, shT)
		c.put(out)
	}
	c.I(neon.AND(lw, lw, good))
	if c.Size == 4 {
		lo, hi := c.tmp(), c.tmp()
		c.I(neon.FCVTL(lo, lw), neon.FCVTL2(hi, lw))
		c.I(neon.FADD(neon.D2, sum64, sum64, lo), neon.FADD(neon.D2, sum64, sum64, hi))
		c.put(lo, hi)
	} else {
		c.I(neon.FADD(neon.D2, sum64, sum64, lw))
	}
	c.I(neon.SUB(A, cntv, cntv, good)) // a true lane is −1
	c.put(m, rest, ones, s1, om, lw, good)
	if dense {
		c.put(s2)
	} else {
		c.put(dlab, elab)
	}
	c.Go("ADD $%d, R%d", L, shR)
	c.Go("B %s", group)

	c.Label(done)
	t := c.hsum([]neon.V{sum64})
	c.Go("FMOVD F%d, %s", t, arg("ret"))
	c.put(t)
	c.countOut(cntv, arg("ret1"))
	c.Go("RET")
}

// smShortGrad emits softmaxShortSparseGrad or softmaxShortDenseGrad: the
// groups of rows as the loss kernel takes them, each column's gradient
// scattered back to the rows (ST1 of a lane, post-indexed).
func smShortGrad(c *kgen, arg func(string) string, dense bool) {
	L := c.lanes()
	A := c.A
	const shG, shPar = shW, shWLen
	shGk := shIdx // the rows' pointers into g (the row indices are not kept)
	c.Go("MOVD %s, R%d", arg("x_base"), shXBase)
	if dense {
		c.Go("MOVD %s, R%d", arg("z_base"), shZBase)
	}
	c.Go("MOVD %s, R%d", arg("g_base"), shG)
	c.Go("MOVD %s, R%d", arg("par_base"), shPar)
	c.Go("MOVD %s, R%d", arg("par_len"), shRows)
	c.Go("LSR $2, R%d", shRows)
	c.Go("LSL $%d, R%d, R%d", c.shift(), shRows, shU) // bytes per run of par
	c.Go("MOVD %s, R%d", arg("c"), shC)
	c.Go("LSL $%d, R%d, R%d", c.shift(), shC, shCB)
	c.Go("MOVD ZR, R%d", shR)
	c.prologue()
	var pos, neg neon.V
	if dense {
		pos, neg = c.bcastT(arg("pos")), c.bcastT(arg("neg"))
	}
	group, done := c.label("group"), c.label("done")
	c.Label(group)
	// The group's per-row values: m, p and q (sparse), m, p, r and q (dense).
	nrun := 3
	if dense {
		nrun = 4
	}
	vals := make([]neon.V, nrun)
	for i := range vals {
		vals[i] = c.tmp()
	}
	c.groupRows(done, func(k int, rk neon.R) {
		c.rowPtr(shX[k], shXBase, rk)
		if dense {
			c.rowPtr(shZ[k], shZBase, rk)
		}
		c.Go("ADD R%d<<%d, R%d, R%d", rk, c.shift(), shPar, shJ) // shJ: scratch here
		for i, v := range vals {
			if i > 0 {
				c.Go("ADD R%d, R%d", shU, shJ)
			}
			c.I(neon.LD1Lane(A, v, k, shJ))
		}
		c.rowPtr(shGk[k], shG, rk) // last: rk is shGk[k]
	})
	mv, pv, nq := vals[0], vals[1], vals[nrun-1]
	c.I(neon.FNEG(A, nq, nq))
	cols := c.label("cols")
	c.Go("MOVD R%d, R%d", shC, shJ)
	c.Label(cols)
	{
		d := c.column(shX[:L])
		c.I(neon.FSUB(A, d, d, mv))
		e := c.vexpNonPos(d) // d = x − m <= 0 (or NaN) in every lane
		c.put(d)
		var out neon.V
		if dense {
			z := c.column(shZ[:L])
			c.I(neon.FMUL(A, z, z, pos), neon.FADD(A, z, z, neg), neon.FMUL(A, z, z, vals[2]))
			c.I(neon.FMLS(A, z, e, pv), neon.FMUL(A, z, z, nq)) // (e·p − z'·r)·q
			out = z
		} else {
			out = c.tmp()
			c.I(neon.MOV(out, nq), neon.FMLA(A, out, e, pv)) // e·p − q
		}
		for k := 0; k < L; k++ {
			c.I(neon.ST1LaneP(A, out, k, shGk[k]))
		}
		c.put(e, out)
	}
	c.Go("SUB $1, R%d", shJ)
	c.Go("CBNZ R%d, %s", shJ, cols)
	c.put(vals...)
	c.Go("ADD $%d, R%d", L, shR)
	c.Go("B %s", group)
	c.Label(done)
	if !dense {
		// Each row's label element: g(r·c + label(r)) = par(3·rows + r).
		fixed, fix := c.label("fixed"), c.label("fix")
		c.Go("MOVD %s, R%d", arg("labels_base"), shZBase)
		c.Go("ADD R%d<<1, R%d, R%d", shU, shU, shT) // 3 runs
		c.Go("ADD R%d, R%d", shPar, shT)
		c.Go("MOVD ZR, R%d", shR)
		c.Go("MOVD ZR, R%d", shX[0]) // r·c
		c.Go("CMP R%d, R%d", shRows, shR)
		c.Go("BGE %s", fixed)
		c.Label(fix)
		c.Go("MOVD (R%d)(R%d<<3), R%d", shZBase, shR, shX[1])
		c.Go("ADD R%d, R%d", shX[0], shX[1])
		t := c.tmp()
		c.Go("%s (R%d)(R%d<<%d), F%d", c.fmov(), shT, shR, c.shift(), t)
		c.Go("%s F%d, (R%d)(R%d<<%d)", c.fmov(), t, shG, shX[1], c.shift())
		c.put(t)
		c.Go("ADD R%d, R%d", shC, shX[0])
		c.Go("ADD $1, R%d", shR)
		c.Go("CMP R%d, R%d", shRows, shR)
		c.Go("BLT %s", fix)
		c.Label(fixed)
	}
	c.Go("RET")
}
