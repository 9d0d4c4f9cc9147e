package main

import (
	"math"
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
	if vexpReady {
		for _, mode := range []expMode{expPlain, expDist, expDense} {
			for _, store := range []bool{false, true} {
				expSumKernel(c, mode, store)
			}
		}
	}
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
	lanes := c.lanes()
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
	SUBQ(U32(u*lanes), lim)
	CMPQ(i, lim)
	JG(LabelRef(L("single")))
	Label(L("loop"))
	for k := 0; k < u; k++ {
		step(k*c.Bytes, k, nil)
	}
	ADDQ(U32(u*lanes), i)
	CMPQ(i, lim)
	JLE(LabelRef(L("loop")))

	Label(L("single"))
	if u > 1 {
		ADDQ(U32((u-1)*lanes), lim)
	}
	Label(L("single1"))
	CMPQ(i, lim)
	JG(LabelRef(L("tail")))
	step(0, 0, nil)
	ADDQ(U32(lanes), i)
	JMP(LabelRef(L("single1")))

	Label(L("tail"))
	rest := GP64()
	MOVQ(lim, rest)
	ADDQ(U32(lanes), rest)
	SUBQ(i, rest)
	JZ(LabelRef(L("done")))
	step(0, 0, rest)
	ADDQ(rest, i)
	Label(L("done"))
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
		at := Mem{Base: pg, Index: i, Scale: uint8(c.Size), Disp: off}
		v := c.vec()
		if tail == nil {
			c.load(v, at)
			c.fmsub213(v, p, q)
			c.store(v, at)
			return
		}
		c.maskedLoad(v, c.tailMask(tail), at)
		c.fmsub213(v, p, q)
		c.maskedStore(v, c.tailMask(tail), at)
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
		if tail == nil {
			c.store(v, atg)
			return
		}
		c.maskedStore(v, c.tailMask(tail), atg)
	})
	VZEROUPPER()
	RET()
}

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
	u := 4
	if !c.wide() {
		u = 2
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
	cnt := GP64()
	XORQ(cnt, cnt)
	i := GP64()
	XORQ(i, i)
	length := func() reg.Register { return Load(Param("x").Len(), GP64()) }

	step := func(off, k int, tail reg.Register) {
		at := func(b reg.Register) Mem { return Mem{Base: b, Index: i, Scale: uint8(c.Size), Disp: off} }
		ld := func(b reg.Register) reg.VecVirtual {
			v := c.vec()
			if tail == nil {
				c.load(v, at(b))
			} else {
				c.maskedLoad(v, c.tailMask(tail), at(b))
			}
			return v
		}
		d := c.vec()
		c.sub(d, ld(px), m)
		e := c.vexp(d)
		if store {
			if tail == nil {
				c.store(e, at(pd))
			} else {
				c.maskedStore(e, c.tailMask(tail), at(pd))
			}
		}
		// The terms of x != m (d < 0, or NaN): the 1 of each x == m is left
		// out and counted.
		nge := c.cmp(cmpNGE, d, c.zeros())
		if tail != nil {
			nge = c.maskAnd(nge, c.tailMask(tail))
		}
		c.popcount(cnt, nge)
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
	c.elemLoop("es", i, length, u, drain, step)
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
	SUBQ(cnt, ones)
	Store(ones, ReturnIndex(nacc))
	VZEROUPPER()
	RET()
}
