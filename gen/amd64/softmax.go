package main

import (
	"math"
	"strconv"
	"strings"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// The primitives of the softmax cross-entropies (asm/softmax.go states what
// each computes and how the Go side combines them):
//
//	softmaxRowMax        m = max x (a NaN need not propagate)
//	softmaxExpSum[E]     rest = Σ exp(x − m) over x != m, ones = #(x == m)
//	softmaxExpSumDist[E] and dist = Σ (m − x)
//	softmaxExpSumDense[E] and a = Σ z'·(m − x), b = Σ z', z' = z·pos + neg
//	softmaxGradSparse    g = g·p − q
//	softmaxGradDense     g = (g·p − (z·pos + neg)·r)·q
//
// The E forms also store exp(x − m) into dst (the gradient's first step).
// Float32 lanes accumulate flushElems elements, then drain into float64.

func softmaxKernels(c *g) {
	rowMaxKernel(c)
	gradSparseKernel(c)
	gradDenseKernel(c)
	for _, mode := range []expMode{expPlain, expDist, expDense} {
		for _, store := range []bool{false, true} {
			expSumKernel(c, mode, store)
		}
	}
	shortLossKernel(c, false)
	shortLossKernel(c, true)
	shortGradKernel(c, false)
	shortGradKernel(c, true)
}

// tname replaces T in a Go signature with the element type.
func (c *g) tname(sig string) string { return strings.ReplaceAll(sig, "T", c.GoType) }

// paramVec returns a fresh vector holding the scalar parameter name.
func (c *g) paramVec(name string) reg.VecVirtual {
	b, err := Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	v := c.vec()
	c.broadcastMem(v, b.Addr)
	return v
}

// elemLoop emits the loop shape of the drivers over the elements
// [i, length()): unrolled steps of u vectors while they fit, single vectors,
// then one masked tail of 1..lanes−1 elements. step(off, k, tail) processes
// the vector at byte offset off from element i into accumulator set k; tail,
// when not nil, holds the number of valid lanes. With drain set (float32
// sums), the elements go in blocks of flushElems and drain runs after each.
// Labels are prefixed with pfx.
func (c *g) elemLoop(pfx string, i reg.GPVirtual, length func() reg.Register, u int, drain func(), step func(off, k int, tail reg.Register)) {
	lim := GP64()
	L := func(s string) string { return pfx + s }
	if drain != nil {
		Label(L("outer"))
		MOVQ(i, lim)
		ADDQ(U32(flushElems), lim)
		n := length()
		CMPQ(lim, n)
		JLE(LabelRef(L("sized")))
		MOVQ(n, lim)
		Label(L("sized"))
	} else {
		MOVQ(length(), lim)
	}
	c.vecGroups(i, lim, u, L("loop"), L("single"), func(k int) { step(k*c.Bytes, k, nil) })
	c.vecSingles(i, lim, L("single1"), L("tail"), L("done"), JZ, func() { step(0, 0, nil) }, func(rest reg.GPVirtual) { step(0, 0, rest) })
	if drain != nil {
		drain()
		CMPQ(i, length())
		JL(LabelRef(L("outer")))
	}
}

// maskedAdd: acc += v in the lanes of m.
func (c *g) maskedAdd(acc reg.VecVirtual, m mask, v reg.VecVirtual) {
	if c.wide() {
		c.pick(VADDPS, VADDPD, v, acc, m.k, acc)
		return
	}
	t := c.vec()
	c.and(t, v, m.v)
	c.add(acc, acc, t)
}

// hmax returns the maximum of v's lanes (in any order of comparison) in the
// low lane of an XMM register.
func (c *g) hmax(v reg.VecVirtual) reg.VecVirtual {
	mx := func(dst, a, b Op) { c.pick(VMAXPS, VMAXPD, b, a, dst) }
	if c.wide() {
		hi := YMM()
		VEXTRACTF64X4(U8(1), v, hi)
		y := YMM()
		mx(y, v.AsY(), hi)
		v = y
	}
	hi := XMM()
	VEXTRACTF128(U8(1), v, hi)
	x := XMM()
	mx(x, v.AsX(), hi)
	t := XMM()
	if c.is64() {
		VPERMILPD(U8(1), x, t)
		VMAXSD(t, x, x)
		return x
	}
	VMOVHLPS(x, x, t)
	VMAXPS(t, x, x)
	VMOVSHDUP(x, t)
	VMAXSS(t, x, x)
	return x
}

// rowMaxKernel emits softmaxRowMax(x) T.
func rowMaxKernel(c *g) {
	name := "softmaxRowMax" + c.suffix()
	TEXT(name, NOSPLIT, c.tname("func(x []T) T"))
	Pragma("noescape")
	Doc(name + " returns the largest value of x (len(x) > 0); a NaN element is skipped (the softmax sums see it).")
	px := Load(Param("x").Base(), GP64())
	const u = 4
	acc := make([]reg.VecVirtual, u)
	for k := range acc {
		acc[k] = c.konst(math.Inf(-1))
	}
	i := GP64()
	XORQ(i, i)
	c.elemLoop("max", i, func() reg.Register { return Load(Param("x").Len(), GP64()) }, u, nil, func(off, k int, tail reg.Register) {
		at := Mem{Base: px, Index: i, Scale: uint8(c.Size), Disp: off}
		v := c.vec()
		if tail == nil {
			c.load(v, at)
		} else {
			m := c.tailMask(tail)
			c.maskedLoad(v, m, at)
			m = c.tailMask(tail)
			c.blend(v, m, v, c.konst(math.Inf(-1)))
		}
		c.maxSecond(acc[k], v, acc[k]) // acc when v is NaN
	})
	for s := 1; s < u; s *= 2 {
		for k := 0; k+s < u; k += 2 * s {
			c.maxSecond(acc[k], acc[k+s], acc[k])
		}
	}
	Store(c.hmax(acc[0]), ReturnIndex(0))
	VZEROUPPER()
	RET()
}

// fmsub213: dst = dst*b − a.
func (c *g) fmsub213(dst, b, a Op) { c.pick(VFMSUB213PS, VFMSUB213PD, a, b, dst) }

// fnmadd: dst = dst − a*b.
func (c *g) fnmadd(dst, a, b Op) { c.pick(VFNMADD231PS, VFNMADD231PD, b, a, dst) }

// gradSparseKernel emits softmaxGradSparse(g, p, q): g = g·p − q.
func gradSparseKernel(c *g) {
	name := "softmaxGradSparse" + c.suffix()
	TEXT(name, NOSPLIT, c.tname("func(g []T, p, q T)"))
	Pragma("noescape")
	Doc(name + " writes g(i) = g(i)·p − q.")
	pg := Load(Param("g").Base(), GP64())
	p, q := c.paramVec("p"), c.paramVec("q")
	i := GP64()
	XORQ(i, i)
	c.elemLoop("gs", i, func() reg.Register { return Load(Param("g").Len(), GP64()) }, 4, nil, func(off, _ int, tail reg.Register) {
		at := c.elemAt(pg, i, off)
		v := c.loadTail(at, tail)
		c.fmsub213(v, p, q)
		c.storeTail(v, at, tail)
	})
	VZEROUPPER()
	RET()
}

// gradDenseKernel emits softmaxGradDense(g, z, pos, neg, p, r, q):
// g = (g·p − (z·pos + neg)·r)·q.
func gradDenseKernel(c *g) {
	name := "softmaxGradDense" + c.suffix()
	TEXT(name, NOSPLIT, c.tname("func(g, z []T, pos, neg, p, r, q T)"))
	Pragma("noescape")
	Doc(name + " writes g(i) = (g(i)·p − (z(i)·pos + neg)·r)·q, z(i)·pos + neg rounded in the element type.")
	pg := Load(Param("g").Base(), GP64())
	pz := Load(Param("z").Base(), GP64())
	pos, neg, p, r, q := c.paramVec("pos"), c.paramVec("neg"), c.paramVec("p"), c.paramVec("r"), c.paramVec("q")
	i := GP64()
	XORQ(i, i)
	c.elemLoop("gd", i, func() reg.Register { return Load(Param("g").Len(), GP64()) }, 2, nil, func(off, _ int, tail reg.Register) {
		atg := Mem{Base: pg, Index: i, Scale: uint8(c.Size), Disp: off}
		atz := Mem{Base: pz, Index: i, Scale: uint8(c.Size), Disp: off}
		v, z := c.vec(), c.vec()
		if tail == nil {
			c.load(v, atg)
			c.mul(z, pos, atz)
		} else {
			c.maskedLoad(v, c.tailMask(tail), atg)
			c.maskedLoad(z, c.tailMask(tail), atz)
			c.mul(z, z, pos)
		}
		c.add(z, z, neg)
		c.mul(z, z, r)
		c.fmsub213(v, p, z)
		c.mul(v, v, q)
		c.storeTail(v, atg, tail)
	})
	VZEROUPPER()
	RET()
}

// expUnrollWide and expUnrollNarrow are the exp sums' unrolling on AVX-512
// and AVX2 (more does not run faster: the exponential's latency chain and
// the FP ports bound them).
const expUnrollWide, expUnrollNarrow = 4, 2

// expMode selects what an exp-sum kernel accumulates besides rest and ones.
type expMode int

const (
	expPlain expMode = iota // sparse cross-entropy without smoothing
	expDist                 // dist = Σ (m − x): sparse with smoothing
	expDense                // a = Σ z'·(m − x), b = Σ z': softmax cross-entropy
)

// expSumKernel emits one exp-sum kernel (see softmaxKernels).
func expSumKernel(c *g, mode expMode, store bool) {
	base := []string{"softmaxExpSum", "softmaxExpSumDist", "softmaxExpSumDense"}[mode]
	if store {
		base += "E"
	}
	name := base + c.suffix()
	params := "x []T, m T"
	if mode == expDense {
		params = "x, z []T, m, pos, neg T"
	}
	if store {
		params = "dst []T, " + params
	}
	results := []string{"(rest float64, ones int)", "(rest, dist float64, ones int)", "(rest, a, b float64, ones int)"}[mode]
	TEXT(name, NOSPLIT, c.tname("func("+params+") "+results))
	Pragma("noescape")
	what := []string{"", " and dist = Σ (m − x(i))", " and a = Σ z'(i)·(m − x(i)), b = Σ z'(i) with z'(i) = z(i)·pos + neg"}[mode]
	stored := ""
	if store {
		stored = ", stores exp(x(i) − m) into dst,"
	}
	Doc(name + " computes exp(x(i) − m)" + stored + " and returns rest = Σ exp(x(i) − m) over x(i) != m, ones = #(x(i) == m)" + what + ".")

	px := Load(Param("x").Base(), GP64())
	var pz, pd reg.Register
	if mode == expDense {
		pz = Load(Param("z").Base(), GP64())
	}
	if store {
		pd = Load(Param("dst").Base(), GP64())
	}
	m := c.paramVec("m")
	u := expUnrollWide
	if !c.wide() {
		u = expUnrollNarrow
		if mode == expDense {
			u = 1 // three accumulators per step: sixteen YMM registers hold one set
		}
	}
	// Accumulator sets: rest, then dist or a and b.
	nacc := []int{1, 2, 3}[mode]
	acc := make([][]reg.VecVirtual, nacc)
	for j := range acc {
		acc[j] = make([]reg.VecVirtual, u)
		for k := range acc[j] {
			acc[j][k] = c.vec()
			c.zero(acc[j][k])
		}
	}
	// The count of terms in rest, per lane (int lanes of the element size).
	cnt := c.zeros()
	zero := c.zeros()
	i := GP64()
	XORQ(i, i)
	length := func() reg.Register { return Load(Param("x").Len(), GP64()) }

	step := func(off, k int, tail reg.Register) {
		ld := func(b reg.Register) reg.VecVirtual { return c.loadTail(c.elemAt(b, i, off), tail) }
		d := c.vec()
		c.sub(d, ld(px), m)
		e := c.vexpNonPos(d) // d = x − m <= 0 (or NaN) in every lane used
		if store {
			c.storeTail(e, c.elemAt(pd, i, off), tail)
		}
		// The terms of x != m (d < 0, or NaN): the 1 of each x == m is left
		// out and counted.
		nge := c.cmp(cmpNGE, d, zero)
		if tail != nil {
			nge = c.maskAnd(nge, c.tailMask(tail))
		}
		c.countLanes(cnt, nge)
		c.maskedAdd(acc[0][k], nge, e)
		switch mode {
		case expDist:
			if tail != nil {
				c.keep(d, c.tailMask(tail))
			}
			c.sub(acc[1][k], acc[1][k], d)
		case expDense:
			// z' = z·pos + neg, rounded twice as generic rounds it.
			z := ld(pz)
			c.mul(z, z, c.paramVec("pos"))
			c.add(z, z, c.paramVec("neg"))
			if tail != nil {
				c.keep(z, c.tailMask(tail))
			}
			c.fnmadd(acc[1][k], z, d) // a += z'·(m − x)
			c.add(acc[2][k], acc[2][k], z)
		}
	}

	var drain func()
	var dacc []Mem
	if !c.is64() {
		dacc = make([]Mem, nacc)
		for j := range dacc {
			dacc[j] = AllocLocal(c.Bytes)
			c.store(c.zeros(), dacc[j])
		}
		drain = func() {
			for j := range acc {
				c.drain(acc[j], dacc[j])
			}
		}
	}
	hoist := []int{expHoistWide, expHoistWideDist, expHoistWideDense}[mode]
	if !c.wide() {
		hoist = []int{expHoistNarrow, expHoistNarrowDist, expHoistNarrowDense}[mode]
	}
	c.hoist(c.expHoistable(true)[:min(hoist, len(c.expHoistable(true)))]...)
	c.elemLoop("es", i, length, u, drain, step)
	c.unhoist()
	for j := range acc {
		var s reg.VecVirtual
		if c.is64() {
			s = c.reduce64(acc[j]...)
		} else {
			s = c.reduce64(c.loaded(dacc[j]))
		}
		Store(s, ReturnIndex(j))
	}
	ones := length()
	SUBQ(c.hsumInt(cnt), ones)
	Store(ones, ReturnIndex(nacc))
	VZEROUPPER()
	RET()
}

// The exponential's constants the AVX2 exp sums hold in registers (of the
// sixteen YMM registers) and the AVX-512 ones (of thirty-two ZMM), per mode.
const (
	expHoistWide        = 13
	expHoistWideDist    = 13
	expHoistWideDense   = 13
	expHoistNarrow      = 6
	expHoistNarrowDist  = 5
	expHoistNarrowDense = 2
)

// cmpLE is the LE_OQ predicate (false for NaN).
const cmpLE = 0x12

// shortMaxClasses is the longest row the batched short-row kernels take
// (asm's softmaxShort.max).
const shortMaxClasses = 16

// labelFloor is asm's labelFloor: the smallest |Σ z'| of a dense row the
// fast path takes.
func (c *g) labelFloor() float64 {
	if c.is64() {
		return 0x1p-960
	}
	return 0x1p-90
}

// fastLo and fastHi bound the gradient factors of the fast path per element
// type (asm's fastLimits).
func (c *g) fastLimits() (lo, hi float64) {
	if c.is64() {
		return 0x1p-500, math.MaxFloat64 / 16
	}
	return 0x1p-60, math.MaxFloat32 / 16
}

// cvtSI converts the integer in GP register n to a vector of T.
func (c *g) cvtSI(n reg.Register) reg.VecVirtual {
	x := XMM()
	VXORPS(x, x, x)
	if c.is64() {
		VCVTSI2SDQ(n, x, x)
	} else {
		VCVTSI2SSQ(n, x, x)
	}
	v := c.vec()
	c.broadcast(v, x)
	return v
}

// absv returns |v|.
func (c *g) absv(v reg.VecVirtual) reg.VecVirtual {
	a := c.vec()
	c.and(a, v, c.absMask())
	return a
}

// shortLossKernel emits softmaxShortSparse or softmaxShortDense (see
// asm's softmaxShort): groups of lanes rows, one row per lane, the rows
// transposed into columns in the frame.
func shortLossKernel(c *g, dense bool) {
	name := "softmaxShortSparse" + c.suffix()
	sig := "func(x []T, c int, labels []int, w []T, ws, gs, neg, zl T, dst, par []T) (float64, int)"
	if dense {
		name = "softmaxShortDense" + c.suffix()
		sig = "func(x, z []T, c int, w []T, ws, gs, pos, neg T, dst, par []T) (float64, int)"
	}
	TEXT(name, 0, c.tname(sig))
	Pragma("noescape")
	Doc(name + " computes the losses of rows of c <= " + strconv.Itoa(shortMaxClasses) + " classes, one row per lane; see asm's softmaxShort.")
	lanes := c.lanes()
	lo, hi := c.fastLimits()

	// The frame's vectors, aligned to the vector size (so that none
	// straddles two cache lines): the columns, then the labels or the
	// labels' columns, Σ lw in float64 lanes (two vectors, the halves of a
	// float32 vector), the mask of good lanes.
	second := c.Bytes
	if dense {
		second = shortMaxClasses * c.Bytes
	}
	fr := c.alignedFrame(shortMaxClasses*c.Bytes, second, 2*c.Bytes, c.Bytes)
	cols, sum64, goodMem := fr[0], fr[2], fr[3]
	var zcols, labs Mem
	if dense {
		zcols = fr[1]
	} else {
		labs = fr[1]
	}
	c.store(c.zeros(), sum64)
	c.store(c.zeros(), sum64.Offset(c.Bytes))

	cc := GP64()
	Load(Param("c"), cc)
	r := GP64()
	XORQ(r, r)
	cnt := GP64()
	XORQ(cnt, cnt)
	rowsReg := func() reg.Register { return Load(Param("dst").Len(), GP64()) }

	Label("group")
	nv := rowsReg()
	SUBQ(r, nv)
	JLE(LabelRef("done"))
	CMPQ(nv, U32(lanes))
	JLE(LabelRef("sized"))
	MOVQ(U32(lanes), nv)
	Label("sized")
	// The group's first row of x (and z).
	t := GP64()
	MOVQ(r, t)
	IMULQ(cc, t)
	rowAt := func(p string) reg.Register {
		b := Load(Param(p).Base(), GP64())
		LEAQ(Mem{Base: b, Index: t, Scale: uint8(c.Size)}, b)
		return b
	}

	// Phase 1: the group's rows, transposed into columns in the frame
	// (column j at cols + j vectors, row k of the group in lane k), and
	// the row maxima.
	m := c.loadColumns(rowAt("x"), cc, nv, cols, true)
	if dense {
		c.loadColumns(rowAt("z"), cc, nv, zcols, false)
	} else {
		c.loadLabels(r, nv, labs)
	}

	// Phase 2: over the columns, rest = Σ exp(x − m) and the count of the
	// terms it holds (the others are the 1s of x == m), and the sums of the
	// loss: a and b (dense); dist and the label's x − m and exp (sparse).
	rest, nonmax, s1 := c.zeros(), c.zeros(), c.zeros()
	var s2, dlab, elab, jv reg.VecVirtual
	if dense {
		s2 = c.zeros()
	} else {
		dlab, elab, jv = c.zeros(), c.zeros(), c.zeros()
	}
	{
		j := GP64()
		XORQ(j, j)
		Label("sums")
		off := GP64()
		MOVQ(j, off)
		SHLQ(U8(log2(c.Bytes)), off)
		at := func(m Mem) Mem { m.Index, m.Scale = off, 1; return m }
		d := c.vec()
		c.load(d, at(cols))
		c.sub(d, d, m)                   // x − m
		e := c.vexpNonPos(d)             // d = x − m <= 0 (or NaN) in every lane used
		k := c.cmp(cmpNGE, d, c.zeros()) // x != m, or NaN
		c.maskedAdd(rest, k, e)
		c.maskedAdd(nonmax, k, c.konst(1))
		if dense {
			zs := c.vec()
			c.load(zs, at(zcols))
			c.mul(zs, zs, c.paramVec("pos"))
			c.add(zs, zs, c.paramVec("neg"))
			c.fnmadd(s1, zs, d) // a += z'·(m − x)
			c.add(s2, s2, zs)
		} else {
			c.sub(s1, s1, d) // dist += m − x
			eq := c.labelIs(labs, jv)
			c.blend(dlab, eq, d, dlab)
			eq = c.labelIs(labs, jv)
			c.blend(elab, eq, e, elab)
			c.incInt(jv)
		}
		INCQ(j)
		CMPQ(j, cc)
		JL(LabelRef("sums"))
	}

	// Phase 3: the losses and, with par, the gradient factors.
	ones := c.cvtSI(cc)
	c.sub(ones, ones, nonmax)
	u := c.vec()
	c.sub(u, ones, c.konst(1))
	c.add(u, u, rest)
	ls := c.vlog1p(u)
	l := c.vec()
	if dense {
		c.move(l, s1)
		c.fma(l, ls, s2) // a + ls·b
	} else {
		dl := c.vec()
		c.sub(dl, c.zeros(), dlab) // m − x(label)
		c.add(l, dl, ls)
		// With smoothing: (zl − neg)·dl + ls·(neg·(c − 1) + zl) + neg·dist.
		negAddr, err := Param("neg").Resolve()
		if err != nil {
			panic(err)
		}
		negBits := GP64()
		if c.is64() {
			MOVQ(negAddr.Addr, negBits)
			TESTQ(negBits, negBits)
		} else {
			MOVL(negAddr.Addr, negBits.As32())
			TESTL(negBits.As32(), negBits.As32())
		}
		JZ(LabelRef("unsmoothed"))
		neg, zl := c.paramVec("neg"), c.paramVec("zl")
		zd := c.vec()
		c.sub(zd, zl, neg)
		c.mul(l, zd, dl)
		cm1 := GP64()
		MOVQ(cc, cm1)
		DECQ(cm1)
		nb := c.cvtSI(cm1)
		c.mul(nb, nb, neg)
		c.add(nb, nb, zl)
		c.fma(l, ls, nb)
		c.fma(l, neg, s1)
		Label("unsmoothed")
	}
	// ω and lw = ω·l.
	om := c.paramVec("ws")
	nw := Load(Param("w").Len(), GP64())
	TESTQ(nw, nw)
	JZ(LabelRef("noweights"))
	pw := Load(Param("w").Base(), GP64())
	wv := c.vec()
	c.maskedLoad(wv, c.tailMask(nv), Mem{Base: pw, Index: r, Scale: uint8(c.Size)})
	c.mul(om, om, wv)
	Label("noweights")
	lw := c.vec()
	c.mul(lw, om, l)
	fin := c.vec()
	c.sub(fin, lw, lw)
	good := c.maskAnd(c.cmp(cmpEQ, fin, c.zeros()), c.tailMask(nv))
	if dense {
		good = c.maskAnd(good, c.cmp(cmpGE, c.absv(s2), c.konst(c.labelFloor())))
	}
	c.storeMask(good, goodMem)

	npar := Load(Param("par").Len(), GP64())
	TESTQ(npar, npar)
	JZ(LabelRef("nopar"))
	{
		s := c.vec()
		c.add(s, ones, rest)
		sc := c.vec()
		c.mul(sc, om, c.paramVec("gs"))
		asc := c.absv(sc)
		ok := c.maskAnd(c.cmp(cmpGE, asc, c.konst(lo)), c.cmp(cmpLE, asc, c.konst(hi)))
		// par's four runs of rows values, at row r.
		prow := Load(Param("par").Base(), GP64())
		LEAQ(Mem{Base: prow, Index: r, Scale: uint8(c.Size)}, prow)
		run := rowsReg()
		SHLQ(U8(log2(c.Size)), run)
		st := func(v reg.VecVirtual, k int) {
			a := GP64()
			if k > 1 {
				IMUL3Q(U32(k), run, a)
			} else {
				MOVQ(run, a)
			}
			if k == 0 {
				c.maskedStore(v, c.tailMask(nv), Mem{Base: prow})
				return
			}
			c.maskedStore(v, c.tailMask(nv), Mem{Base: prow, Index: a, Scale: 1})
		}
		st(m, 0)
		if dense {
			k := c.vec()
			c.div(k, s2, s)
			small := c.cmp(cmpLE, asc, c.konst(1))
			p, rr, q := c.vec(), c.vec(), c.vec()
			c.mul(p, sc, k)
			c.blend(p, small, p, k)
			c.blend(rr, small, sc, c.konst(1))
			c.blend(q, small, c.konst(1), sc)
			ok = c.maskAnd(ok, c.cmp(cmpLE, c.absv(k), c.konst(hi)))
			ok = c.maskAnd(ok, c.cmp(cmpLE, c.absv(p), c.konst(hi)))
			st(p, 1)
			st(rr, 2)
			st(q, 3)
		} else {
			p := c.vec()
			c.div(p, sc, s)
			q := c.vec()
			c.mul(q, sc, c.paramVec("neg"))
			ok = c.maskAnd(ok, c.cmp(cmpLE, c.absv(p), c.konst(hi)))
			ok = c.maskAnd(ok, c.cmp(cmpLE, c.absv(q), c.konst(hi)))
			st(p, 1)
			st(q, 2)
			gl := c.vec()
			c.mul(gl, sc, c.paramVec("zl"))
			c.fmsub213(elab, p, gl) // exp(x(label) − m)·p − gs·ω·zl
			st(elab, 3)
		}
		g2 := c.maskAnd(c.loadMask(goodMem), ok)
		c.storeMask(g2, goodMem)
	}
	Label("nopar")
	good = c.loadMask(goodMem)
	pd := Load(Param("dst").Base(), GP64())
	out := c.vec()
	c.blend(out, good, lw, c.konstBits(c.qnan()))
	c.maskedStore(out, c.tailMask(nv), Mem{Base: pd, Index: r, Scale: uint8(c.Size)})
	good = c.loadMask(goodMem)
	c.popcount(cnt, good)
	good = c.loadMask(goodMem)
	c.keep(lw, good)
	c.addTo64(sum64, lw)
	ADDQ(U32(lanes), r)
	JMP(LabelRef("group"))

	Label("done")
	var sum reg.VecVirtual
	if c.is64() {
		sum = c.reduce64(c.loaded(sum64))
	} else {
		lo, hi := c.loaded(sum64), c.loaded(sum64.Offset(c.Bytes))
		VADDPD(hi, lo, lo) // float64 lanes: reduce64 alone would add them as T
		sum = c.reduce64(lo)
	}
	Store(sum, ReturnIndex(0))
	Store(cnt, ReturnIndex(1))
	VZEROUPPER()
	RET()
}

// labelIs returns the lanes whose label (int lanes at labs, as loadLabels
// stores them) equals the int lanes of j.
func (c *g) labelIs(labs Mem, j reg.VecVirtual) mask {
	if c.wide() {
		k := K()
		if c.is64() {
			VPCMPEQQ(labs, j, k)
		} else {
			VPCMPEQD(labs, j, k)
		}
		return mask{k: k}
	}
	v := c.vec()
	if c.is64() {
		VPCMPEQQ(labs, j, v)
	} else {
		VPCMPEQD(labs, j, v)
	}
	return mask{v: v}
}

// incInt adds 1 to the int lanes of j (int32 lanes for float32, int64 for
// float64).
func (c *g) incInt(j reg.VecVirtual) {
	one := c.konstBits(1)
	if c.is64() {
		VPADDQ(one, j, j)
	} else {
		VPADDD(one, j, j)
	}
}

// loadLabels stores the labels of the group's rows r, r+1, … (nv of them;
// the other lanes 0) at labs as int lanes of the element size.
func (c *g) loadLabels(r, nv reg.Register, labs Mem) {
	plab := Load(Param("labels").Base(), GP64())
	LEAQ(Mem{Base: plab, Index: r, Scale: 8}, plab)
	switch {
	case c.is64() && c.wide():
		v := ZMM()
		VPXORQ(v, v, v)
		VMOVDQU64_Z(Mem{Base: plab}, c.tailMask(nv).k, v)
		VMOVDQU64(v, labs)
	case c.is64():
		v := YMM()
		VPMASKMOVQ(Mem{Base: plab}, c.tailMask(nv).v, v)
		VMOVDQU(v, labs)
	default:
		// Two vectors of int64 labels, narrowed to int32.
		half := c.lanes() / 2
		n0, n1, t := GP64(), GP64(), GP64()
		MOVQ(nv, n0)
		MOVQ(U32(half), t)
		CMPQ(n0, t)
		CMOVQGT(t, n0)
		MOVQ(nv, n1)
		SUBQ(t, n1)
		XORQ(t, t)
		CMPQ(n1, t)
		CMOVQLT(t, n1)
		if c.wide() {
			a, b := ZMM(), ZMM()
			VPXORQ(a, a, a)
			VPXORQ(b, b, b)
			VMOVDQU64_Z(Mem{Base: plab}, c.tailMask(n0).k, a)
			VMOVDQU64_Z(Mem{Base: plab, Disp: 64}, c.tailMask(n1).k, b)
			ya, yb := YMM(), YMM()
			VPMOVQD(a, ya)
			VPMOVQD(b, yb)
			z := ZMM()
			VINSERTI64X4(U8(1), yb, ya.AsZ(), z)
			VMOVDQU32(z, labs)
			return
		}
		mask64 := func(n reg.Register) reg.VecVirtual {
			tbl := GP64()
			LEAQ(c.consts.vmasks(8), tbl)
			off := GP64()
			MOVQ(U32(4), off)
			SUBQ(n, off)
			m := YMM()
			VMOVDQU(Mem{Base: tbl, Index: off, Scale: 8}, m)
			return m
		}
		a, b := YMM(), YMM()
		VPMASKMOVQ(Mem{Base: plab}, mask64(n0), a)
		VPMASKMOVQ(Mem{Base: plab, Disp: 32}, mask64(n1), b)
		p := YMM()
		VSHUFPS(U8(0x88), b, a, p)
		VPERMPD(U8(0xD8), p, p)
		VMOVDQU(p, labs)
	}
}

// log2 of a power of two.
func log2(n int) int {
	k := 0
	for n > 1 {
		n >>= 1
		k++
	}
	return k
}

// storeMask spills a lane mask to m (one vector's bytes).
func (c *g) storeMask(k mask, m Mem) {
	if c.wide() {
		KMOVW(k.k, m)
		return
	}
	VMOVDQU(k.v, m)
}

// loadMask reloads a mask spilled by storeMask.
func (c *g) loadMask(m Mem) mask {
	if c.wide() {
		k := K()
		KMOVW(m, k)
		return mask{k: k}
	}
	v := c.vec()
	VMOVDQU(m, v)
	return mask{v: v}
}

// addTo64 adds the lanes of v, widened to float64, to the float64
// accumulator vectors at m (two of them for float32: the low and high
// halves of v).
func (c *g) addTo64(m Mem, v reg.VecVirtual) {
	if c.is64() {
		a := c.loaded(m)
		c.add(a, a, v)
		c.store(a, m)
		return
	}
	lo, hi := c.vec(), c.vec()
	if c.wide() {
		h := YMM()
		VEXTRACTF32X8(U8(1), v, h)
		VCVTPS2PD(v.AsY(), lo)
		VCVTPS2PD(h, hi)
	} else {
		h := XMM()
		VEXTRACTF128(U8(1), v, h)
		VCVTPS2PD(v.AsX(), lo)
		VCVTPS2PD(h, hi)
	}
	a := c.vec()
	VMOVUPD(m, a)
	VADDPD(lo, a, a)
	VMOVUPD(a, m)
	b := c.vec()
	VMOVUPD(m.Offset(c.Bytes), b)
	VADDPD(hi, b, b)
	VMOVUPD(b, m.Offset(c.Bytes))
}

// parExpander walks the per-row values of a short-row gradient: the
// current row r0 and phase (element index mod c), as rowState does for row
// weights, for several runs of per-row values at once.
type parExpander struct {
	bases  []Mem // frame slots holding the runs' first addresses
	rows   reg.Register
	ph, r0 reg.Register
}

var expandLabels int

// next returns the values of the next vector of elements, one vector per
// run, and advances.
func (e *parExpander) next(c *g) []reg.VecVirtual {
	expandLabels++
	part, perm := "expart"+strconv.Itoa(expandLabels), "experm"+strconv.Itoa(expandLabels)
	srcs := make([]reg.VecVirtual, len(e.bases))
	for k := range srcs {
		srcs[k] = c.vec()
	}
	left := GP64()
	MOVQ(e.rows, left)
	SUBQ(e.r0, left)
	at := func(k int) Mem {
		b := GP64()
		MOVQ(e.bases[k], b)
		return Mem{Base: b, Index: e.r0, Scale: uint8(c.Size)}
	}
	CMPQ(left, U32(c.lanes()))
	JL(LabelRef(part))
	for k := range srcs {
		c.load(srcs[k], at(k))
	}
	JMP(LabelRef(perm))
	Label(part)
	for k := range srcs {
		c.maskedLoad(srcs[k], c.tailMask(left), at(k))
	}
	Label(perm)
	ix := c.vec()
	off := GP64()
	MOVQ(e.ph, off)
	SHLQ(U8(6), off) // 64 bytes of indices per phase
	idx := Load(Param("idx").Base(), GP64())
	VMOVUPS(Mem{Base: idx, Index: off, Scale: 1}, ix)
	out := make([]reg.VecVirtual, len(srcs))
	for k, s := range srcs {
		out[k] = c.vec()
		VPERMPS(s, ix, out[k])
	}
	step := Load(Param("step").Base(), GP64())
	t := GP64()
	MOVLQSX(Mem{Base: step, Index: e.ph, Scale: 8}, t)
	ADDQ(t, e.r0)
	MOVLQSX(Mem{Base: step, Index: e.ph, Scale: 8, Disp: 4}, e.ph)
	return out
}

// shortGradKernel emits softmaxShortSparseGrad or softmaxShortDenseGrad:
// the gradient of rows of c classes over the contiguous elements, from the
// per-row values par the loss kernel wrote.
func shortGradKernel(c *g, dense bool) {
	name := "softmaxShortSparseGrad" + c.suffix()
	sig := "func(g, x []T, c int, labels []int, par []T, idx, step []int32)"
	doc := "writes g(i) = exp(x(i) − m)·p − q with m, p, q the values par holds for the row of element i, then each row's label element from par"
	if dense {
		name = "softmaxShortDenseGrad" + c.suffix()
		sig = "func(g, x, z []T, c int, pos, neg T, par []T, idx, step []int32)"
		doc = "writes g(i) = (exp(x(i) − m)·p − (z(i)·pos + neg)·r)·q with m, p, r, q the values par holds for the row of element i"
	}
	TEXT(name, NOSPLIT, c.tname(sig))
	Pragma("noescape")
	Doc(name + " " + doc + "; idx and step expand the per-row values to the elements.")
	pg := Load(Param("g").Base(), GP64())
	px := Load(Param("x").Base(), GP64())
	var pz reg.Register
	if dense {
		pz = Load(Param("z").Base(), GP64())
	}
	rows := Load(Param("par").Len(), GP64())
	SHRQ(U8(2), rows)
	e := &parExpander{rows: rows, ph: GP64(), r0: GP64()}
	XORQ(e.ph, e.ph)
	XORQ(e.r0, e.r0)
	runBytes := GP64()
	MOVQ(rows, runBytes)
	SHLQ(U8(log2(c.Size)), runBytes)
	nruns := 3
	if dense {
		nruns = 4
	}
	b := Load(Param("par").Base(), GP64())
	for k := 0; k < nruns; k++ {
		slot := AllocLocal(8)
		MOVQ(b, slot)
		e.bases = append(e.bases, slot)
		ADDQ(runBytes, b)
	}
	i := GP64()
	XORQ(i, i)
	c.elemLoop("sg", i, func() reg.Register { return Load(Param("x").Len(), GP64()) }, 1, nil, func(off, _ int, tail reg.Register) {
		ld := func(b reg.Register) reg.VecVirtual { return c.loadTail(c.elemAt(b, i, off), tail) }
		vals := e.next(c)
		d := ld(px)
		c.sub(d, d, vals[0])
		ex := c.vexpNonPos(d) // d = x − m <= 0 (or NaN) in every lane used
		if dense {
			zs := ld(pz)
			c.mul(zs, zs, c.paramVec("pos"))
			c.add(zs, zs, c.paramVec("neg"))
			c.mul(zs, zs, vals[2])
			c.fmsub213(ex, vals[1], zs)
			c.mul(ex, ex, vals[3])
		} else {
			c.fmsub213(ex, vals[1], vals[2])
		}
		c.storeTail(ex, c.elemAt(pg, i, off), tail)
	})
	if !dense {
		// Each row's label element: g(r·c + label(r)) = par(3·rows + r).
		plab := Load(Param("labels").Base(), GP64())
		cc := GP64()
		Load(Param("c"), cc)
		pl := GP64()
		MOVQ(e.bases[2], pl)
		ADDQ(runBytes, pl)
		r, off := GP64(), GP64()
		XORQ(r, r)
		XORQ(off, off)
		CMPQ(r, rows)
		JGE(LabelRef("fixed"))
		Label("fix")
		lab := GP64()
		MOVQ(Mem{Base: plab, Index: r, Scale: 8}, lab)
		ADDQ(off, lab)
		v := XMM()
		if c.is64() {
			VMOVSD(Mem{Base: pl, Index: r, Scale: 8}, v)
			VMOVSD(v, Mem{Base: pg, Index: lab, Scale: 8})
		} else {
			VMOVSS(Mem{Base: pl, Index: r, Scale: 4}, v)
			VMOVSS(v, Mem{Base: pg, Index: lab, Scale: 4})
		}
		ADDQ(cc, off)
		INCQ(r)
		CMPQ(r, rows)
		JL(LabelRef("fix"))
		Label("fixed")
	}
	VZEROUPPER()
	RET()
}

var columnLabels int

// loadColumns transposes the rows of a group into column vectors: row k
// (k < nv) of c classes starts at base + k·c elements; column j goes to
// cols + j·(vector bytes) with row k in lane k. Only the rows' own
// elements are read (masked loads). With pad set, the lanes of columns past
// c hold −Inf and loadColumns returns the rows' maxima (a NaN may be
// skipped); otherwise they hold zeros and it returns nil. Rows past nv are
// garbage.
func (c *g) loadColumns(base, cc, nv reg.Register, cols Mem, pad bool) reg.VecVirtual {
	lanes := c.lanes()
	rowBytes := GP64()
	MOVQ(cc, rowBytes)
	SHLQ(U8(log2(c.Size)), rowBytes)
	var m reg.VecVirtual
	if pad {
		m = c.konst(math.Inf(-1))
	}
	for j0 := 0; j0 < shortMaxClasses; j0 += lanes {
		columnLabels++
		L := func(s string) string { return s + strconv.Itoa(columnLabels) }
		if j0 > 0 {
			CMPQ(cc, U32(j0))
			JLE(LabelRef(L("colskip")))
		}
		bc := GP64() // columns of this block: min(c − j0, lanes)
		MOVQ(cc, bc)
		if j0 > 0 {
			SUBQ(U32(j0), bc)
		}
		CMPQ(bc, U32(lanes))
		JLE(LabelRef(L("colsized")))
		MOVQ(U32(lanes), bc)
		Label(L("colsized"))
		rp := GP64()
		LEAQ(Mem{Base: base, Disp: j0 * c.Size}, rp)
		rows := make([]reg.VecVirtual, lanes)
		for k := range rows {
			rows[k] = c.vec()
		}
		load := func(k int, mk mask) {
			if !pad {
				c.maskedLoad(rows[k], mk, Mem{Base: rp})
			} else if c.wide() {
				c.move(rows[k], c.konst(math.Inf(-1)))
				c.pick(VMOVUPS, VMOVUPD, Mem{Base: rp}, mk.k, rows[k]) // merging
			} else {
				c.maskedLoad(rows[k], mk, Mem{Base: rp})
				c.blend(rows[k], mk, rows[k], c.konst(math.Inf(-1)))
			}
			if k < lanes-1 {
				ADDQ(rowBytes, rp)
			}
		}
		// A whole group: one mask for every row.
		CMPQ(nv, U32(lanes))
		JL(LabelRef(L("colpart")))
		mk := c.tailMask(bc)
		for k := range rows {
			load(k, mk)
		}
		JMP(LabelRef(L("colloaded")))
		Label(L("colpart"))
		for k := range rows {
			n := GP64()
			XORQ(n, n)
			CMPQ(nv, U32(k))
			CMOVQGT(bc, n) // bc columns in a row of the group, none past it
			load(k, c.tailMask(n))
		}
		Label(L("colloaded"))
		out := c.transpose(rows)
		for k, v := range out {
			c.store(v, cols.Offset((j0+k)*c.Bytes))
		}
		if pad {
			for st := 1; st < len(out); st *= 2 {
				for k := 0; k+st < len(out); k += 2 * st {
					c.maxSecond(out[k], out[k+st], out[k])
				}
			}
			c.maxSecond(m, out[0], m)
		}
		Label(L("colskip"))
	}
	return m
}

// transpose returns the columns of the lanes×lanes block whose row k is
// rs(k): column j holds rs(k)(j) in lane k.
func (c *g) transpose(rs []reg.VecVirtual) []reg.VecVirtual {
	n := len(rs)
	vec := func() reg.VecVirtual { return c.vec() }
	out := make([]reg.VecVirtual, n)
	switch {
	case !c.is64():
		// Interleave pairs of rows, then pairs of pairs within 128-bit
		// lanes, then the 128-bit lanes themselves.
		t := make([]reg.VecVirtual, n)
		for i := 0; i < n/2; i++ {
			t[2*i], t[2*i+1] = vec(), vec()
			VUNPCKLPS(rs[2*i+1], rs[2*i], t[2*i])
			VUNPCKHPS(rs[2*i+1], rs[2*i], t[2*i+1])
		}
		u := make([]reg.VecVirtual, n)
		for g := 0; g < n/4; g++ {
			a, b, cc, d := t[4*g], t[4*g+1], t[4*g+2], t[4*g+3]
			u[4*g], u[4*g+1], u[4*g+2], u[4*g+3] = vec(), vec(), vec(), vec()
			VSHUFPS(U8(0x44), cc, a, u[4*g])
			VSHUFPS(U8(0xEE), cc, a, u[4*g+1])
			VSHUFPS(U8(0x44), d, b, u[4*g+2])
			VSHUFPS(U8(0xEE), d, b, u[4*g+3])
		}
		if !c.wide() {
			for k := 0; k < 4; k++ {
				out[k], out[4+k] = vec(), vec()
				VPERM2F128(U8(0x20), u[4+k], u[k], out[k])
				VPERM2F128(U8(0x31), u[4+k], u[k], out[4+k])
			}
			return out
		}
		v := make([]reg.VecVirtual, n)
		for h := 0; h < 2; h++ {
			for k := 0; k < 4; k++ {
				v[8*h+k], v[8*h+4+k] = vec(), vec()
				VSHUFF32X4(U8(0x88), u[8*h+4+k], u[8*h+k], v[8*h+k])
				VSHUFF32X4(U8(0xDD), u[8*h+4+k], u[8*h+k], v[8*h+4+k])
			}
		}
		for k := 0; k < 8; k++ {
			out[k], out[8+k] = vec(), vec()
			VSHUFF32X4(U8(0x88), v[8+k], v[k], out[k])
			VSHUFF32X4(U8(0xDD), v[8+k], v[k], out[8+k])
		}
		return out
	case !c.wide():
		t := make([]reg.VecVirtual, 4)
		for i := 0; i < 2; i++ {
			t[2*i], t[2*i+1] = vec(), vec()
			VUNPCKLPD(rs[2*i+1], rs[2*i], t[2*i])
			VUNPCKHPD(rs[2*i+1], rs[2*i], t[2*i+1])
		}
		for k := 0; k < 2; k++ {
			out[k], out[2+k] = vec(), vec()
			VPERM2F128(U8(0x20), t[2+k], t[k], out[k])
			VPERM2F128(U8(0x31), t[2+k], t[k], out[2+k])
		}
		return out
	}
	t := make([]reg.VecVirtual, n)
	for i := 0; i < n/2; i++ {
		t[2*i], t[2*i+1] = vec(), vec()
		VUNPCKLPD(rs[2*i+1], rs[2*i], t[2*i])
		VUNPCKHPD(rs[2*i+1], rs[2*i], t[2*i+1])
	}
	u := make([]reg.VecVirtual, n)
	for g := 0; g < 2; g++ {
		u[4*g], u[4*g+1], u[4*g+2], u[4*g+3] = vec(), vec(), vec(), vec()
		VSHUFF64X2(U8(0x88), t[4*g+2], t[4*g], u[4*g])
		VSHUFF64X2(U8(0x88), t[4*g+3], t[4*g+1], u[4*g+1])
		VSHUFF64X2(U8(0xDD), t[4*g+2], t[4*g], u[4*g+2])
		VSHUFF64X2(U8(0xDD), t[4*g+3], t[4*g+1], u[4*g+3])
	}
	for k := 0; k < 4; k++ {
		out[k], out[4+k] = vec(), vec()
		VSHUFF64X2(U8(0x88), u[4+k], u[k], out[k])
		VSHUFF64X2(U8(0xDD), u[4+k], u[k], out[4+k])
	}
	return out
}

// countLanes adds 1 to the int lanes (of the element size) of cnt where m
// holds.
func (c *g) countLanes(cnt reg.VecVirtual, m mask) {
	if c.wide() {
		if c.is64() {
			VPADDQ_BCST(c.consts.get(8, 1), cnt, m.k, cnt)
		} else {
			VPADDD_BCST(c.consts.get(4, 1), cnt, m.k, cnt)
		}
		return
	}
	if c.is64() {
		VPSUBQ(m.v, cnt, cnt) // a true lane is −1
	} else {
		VPSUBD(m.v, cnt, cnt)
	}
}

// hsumInt returns the sum of the int lanes (of the element size) of v in a
// general-purpose register.
func (c *g) hsumInt(v reg.VecVirtual) reg.Register {
	add := func(a, b, dst Op) {
		if c.is64() {
			VPADDQ(a, b, dst)
		} else {
			VPADDD(a, b, dst)
		}
	}
	y := v
	if c.wide() {
		h := YMM()
		VEXTRACTI64X4(U8(1), v, h)
		y = YMM()
		add(h, v.AsY(), y)
	}
	h := XMM()
	VEXTRACTI128(U8(1), y, h)
	x := XMM()
	add(h, y.AsX(), x)
	t := XMM()
	VPSHUFD(U8(0x4E), x, t) // swap the 64-bit halves
	add(t, x, x)
	r := GP64()
	if c.is64() {
		VMOVQ(x, r)
		return r
	}
	VPSHUFD(U8(0xB1), x, t) // swap the 32-bit words of each half
	add(t, x, x)
	VMOVD(x, r.As32())
	return r
}
