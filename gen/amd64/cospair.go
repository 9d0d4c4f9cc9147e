package main

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// The primitives of the cosine distance and the mean pairwise squared error
// (generic.Rows' Cosine and Pairwise, orchestrated in asm/cospair.go).
// Products and differences are rounded to the element type as in package
// generic; everything after that (sums, the shift of the pairwise error,
// the gradients' scaling) is float64, float32 lanes widened to two float64
// vectors: no float32 partial sum can overflow or lose the offset of d.

// cosPair emits every cosine and pairwise primitive of one ISA and type.
func cosPair(c *g) {
	cosDotRows(c)
	cosDotT(c)
	cosDotCols(c)
	cosDotWide(c)
	cosGradRows(c)
	cosGradT(c)
	cosGradCols(c)
	cosFinish(c)
	pairStats(c)
	pairStatsT(c)
	pairFinish(c)
	pairGrad(c)
	pairGradT(c)
}

// f64 is the float64 generator of the same ISA (for the widened lanes).
func (c *g) f64() *g { return &g{isa: c.isa, elt: f64, consts: c.consts} }

// parts is how many float64 vectors hold one vector of T.
func (c *g) parts() int {
	if c.is64() {
		return 1
	}
	return 2
}

// widen returns v's lanes as float64 vectors: v itself for float64, its low
// and high halves converted for float32.
func (c *g) widen(v reg.VecVirtual) []reg.VecVirtual {
	if c.is64() {
		return []reg.VecVirtual{v}
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
	return []reg.VecVirtual{lo, hi}
}

// narrow rounds the float64 vectors of widen back to one vector of T.
func (c *g) narrow(ps []reg.VecVirtual) reg.VecVirtual {
	if c.is64() {
		return ps[0]
	}
	v := c.vec()
	if c.wide() {
		h := YMM()
		VCVTPD2PS(ps[0], v.AsY())
		VCVTPD2PS(ps[1], h)
		VINSERTF32X8(U8(1), h, v, v)
	} else {
		h := XMM()
		VCVTPD2PSY(ps[0], v.AsX())
		VCVTPD2PSY(ps[1], h)
		VINSERTF128(U8(1), h, v, v)
	}
	return v
}

// partMasks returns the masks of the float64 vectors of widen from the mask
// of a vector of T.
func (c *g) partMasks(m mask) []mask {
	if c.is64() {
		return []mask{m}
	}
	if c.wide() {
		hi := K()
		KSHIFTRW(U8(8), m.k, hi)
		return []mask{m, {k: hi}}
	}
	lo, hi := c.vec(), c.vec()
	h := XMM()
	VPMOVSXDQ(m.v.AsX(), lo)
	VEXTRACTI128(U8(1), m.v, h)
	VPMOVSXDQ(h, hi)
	return []mask{{v: lo}, {v: hi}}
}

// shift is log2 of the element size.
func (c *g) shift() uint8 {
	if c.is64() {
		return 3
	}
	return 2
}

var spanLabels int

// span emits a loop over the elements i..n−1 (i is advanced to n): whole
// groups of u vectors, then single vectors, then one masked vector of the
// rest. body(k, off, m) processes the vector at element i plus off bytes,
// as the k-th of its group; m is the tail mask, nil for a whole vector.
func (c *g) span(i, n reg.Register, u int, body func(k, off int, m *mask)) {
	spanLabels++
	id := spanLabels
	lab := func(s string) string { return fmt.Sprintf("%s%d", s, id) }
	lim := GP64()
	MOVQ(n, lim)
	if u > 1 {
		c.vecGroups(i, lim, u, lab("group"), lab("single"), func(k int) { body(k, k*c.Bytes, nil) })
	} else {
		SUBQ(U32(c.lanes()), lim)
	}
	c.vecSingles(i, lim, lab("one"), lab("tail"), lab("done"), JLE, func() { body(0, 0, nil) }, func(rest reg.GPVirtual) {
		m := c.tailMask(rest)
		body(0, 0, &m)
	})
}

// loadM loads a vector of T at mem, only the lanes of m when m is not nil.
func (c *g) loadM(mem Mem, m *mask) reg.VecVirtual {
	v := c.vec()
	if m != nil {
		c.maskedLoad(v, *m, mem)
	} else {
		c.load(v, mem)
	}
	return v
}

// storeM stores a vector of T at mem, only the lanes of m when m is not nil.
func (c *g) storeM(v reg.VecVirtual, mem Mem, m *mask) {
	if m != nil {
		c.maskedStore(v, *m, mem)
	} else {
		c.store(v, mem)
	}
}

// zeroVecs returns n fresh zero vectors.
func (c *g) zeroVecs(n int) []reg.VecVirtual {
	vs := make([]reg.VecVirtual, n)
	for i := range vs {
		vs[i] = c.vec()
		c.zero(vs[i])
	}
	return vs
}

// shortRows emits the loop of rows of at most one vector (0 < n <= lanes),
// taken when n is that short: body gets the mask of n lanes and must
// not fall through. Longer rows continue after it.
func (c *g) shortRows(n reg.Register, body func(m mask)) {
	spanLabels++
	long := fmt.Sprintf("long%d", spanLabels)
	CMPQ(n, U32(c.lanes()))
	JG(LabelRef(long))
	body(c.tailMask(n))
	Label(long)
}

// cosDotRows: dot(r) = Σ_k p(r·a+k)·y(r·a+k) for r < len(dot), the products
// rounded to T and summed in float64.
func cosDotRows(c *g) {
	c.prim("cosDotRows", "func(dot []float64, p, y []"+c.GoType+", a int)",
		" writes dot(r) = Σ_k p(r·a+k)·y(r·a+k) for r < len(dot): products in "+c.GoType+", sums in float64.")
	d := c.f64()
	b := bases("p", "y", "dot")
	pp, yp, dp := b[0], b[1], b[2]
	rows := Load(Param("dot").Len(), GP64())
	a := Load(Param("a"), GP64())
	rowBytes := c.byteLen(a)
	next := func() {
		advance(rowBytes, pp, yp)
		ADDQ(U8(8), dp)
	}
	u := 2
	c.shortRows(a, func(m mask) {
		countDown("short", rows, func() {
			ps := c.widen(c.combine(c.mul, pp, yp, nil, 0, &m))
			if len(ps) > 1 {
				d.add(ps[0], ps[0], ps[1])
			}
			VMOVSD(d.reduce64(ps[0]), Mem{Base: dp})
			next()
		})
	})
	countDown("row", rows, func() {
		acc := c.zeroVecs(u * c.parts())
		i := GP64()
		XORQ(i, i)
		c.span(i, a, u, func(k, off int, m *mask) {
			c.accumulate(acc, k, c.combine(c.mul, pp, yp, i, off, m))
		})
		VMOVSD(d.reduce64(acc...), Mem{Base: dp})
		next()
	})
	doneRet()
}

// colChunks emits, for one outer block, the loop over its columns in
// chunks of u vectors, then single vectors, then one masked vector:
// body(c0, u, m) handles the u vectors of columns from element c0 (a
// register), m the tail mask or nil.
func (c *g) colChunks(cols reg.Register, u int, body func(c0 reg.Register, u int, m *mask)) {
	spanLabels++
	id := spanLabels
	lab := func(s string) string { return fmt.Sprintf("%s%d", s, id) }
	lanes := c.lanes()
	c0 := GP64()
	XORQ(c0, c0)
	rest := GP64()
	Label(lab("chunks"))
	MOVQ(cols, rest)
	SUBQ(c0, rest)
	CMPQ(rest, U32(u*lanes))
	JL(LabelRef(lab("single")))
	body(c0, u, nil)
	ADDQ(U32(u*lanes), c0)
	JMP(LabelRef(lab("chunks")))
	Label(lab("single"))
	if u > 1 {
		CMPQ(rest, U32(lanes))
		JL(LabelRef(lab("tail")))
		body(c0, 1, nil)
		ADDQ(U32(lanes), c0)
		JMP(LabelRef(lab("chunks")))
		Label(lab("tail"))
	}
	TESTQ(rest, rest)
	JLE(LabelRef(lab("done")))
	m := c.tailMask(rest)
	body(c0, 1, &m)
	Label(lab("done"))
}

// cosDotCols: for each of len(dot)/cols outer blocks of a·s elements,
// dot(b·cols + c) = Σ_k p(b·a·s + k·s + c)·y(…) for c < cols: the columns
// of one block side by side in the lanes.
func cosDotCols(c *g) {
	c.prim("cosDotCols", "func(dot []float64, p, y []"+c.GoType+", s, a, cols int)",
		" writes dot(b·cols+c) = Σ_k p(b·a·s+k·s+c)·y(b·a·s+k·s+c) for c < cols and b < len(dot)/cols: products in "+c.GoType+", sums in float64.")
	c.colBlocks("p", "dot", 2, func(b colBlock, c0 reg.Register, u int, m *mask) {
		acc := c.zeroVecs(u * c.parts())
		c.kLoop(b, c0, func(pk, yk reg.Register) {
			for j := 0; j < u; j++ {
				c.accumulate(acc, j, c.combine(c.mul, pk, yk, nil, j*c.Bytes, m))
			}
		})
		c.f64Store(acc, b.out, c0, m)
	})
}

// scaled returns the vector of T rounded from sc·y (float64 parts sc, one
// per part of y).
func (c *g) scaled(y reg.VecVirtual, sc []reg.VecVirtual) reg.VecVirtual {
	d := c.f64()
	ps := c.widen(y)
	for j := range ps {
		d.mul(ps[j], ps[j], sc[j%len(sc)])
	}
	return c.narrow(ps)
}

// cosGradRows: grad(r·a+k) = T(sc(r)·y(r·a+k)) for r < len(sc), k < a.
func cosGradRows(c *g) {
	c.prim("cosGradRows", "func(grad, y []"+c.GoType+", sc []float64, a int)",
		" writes grad(r·a+k) = "+c.GoType+"(sc(r)·y(r·a+k)) for r < len(sc), k < a (the product in float64).")
	d := c.f64()
	b := bases("grad", "y", "sc")
	gp, yp, sp := b[0], b[1], b[2]
	rows := Load(Param("sc").Len(), GP64())
	a := Load(Param("a"), GP64())
	rowBytes := c.byteLen(a)
	countDown("row", rows, func() {
		s := d.vec()
		d.broadcastMem(s, Mem{Base: sp})
		i := GP64()
		XORQ(i, i)
		c.span(i, a, 2, func(k, off int, m *mask) {
			c.storeM(c.scaled(c.loadM(c.elemAt(yp, i, off), m), []reg.VecVirtual{s}), c.elemAt(gp, i, off), m)
		})
		advance(rowBytes, gp, yp)
		ADDQ(U8(8), sp)
	})
	doneRet()
}

// cosGradCols: for each of len(sc)/cols outer blocks of a·s elements,
// grad(b·a·s + k·s + c) = T(sc(b·cols + c)·y(…)) for c < cols, k < a.
func cosGradCols(c *g) {
	c.prim("cosGradCols", "func(grad, y []"+c.GoType+", sc []float64, s, a, cols int)",
		" writes grad(b·a·s+k·s+c) = "+c.GoType+"(sc(b·cols+c)·y(b·a·s+k·s+c)) for c < cols, k < a and b < len(sc)/cols (the product in float64).")
	c.colBlocks("grad", "sc", 1, func(b colBlock, c0 reg.Register, _ int, m *mask) {
		sc := c.f64At(b.out, c0, m)
		c.kLoop(b, c0, func(gk, yk reg.Register) {
			c.storeM(c.scaled(c.loadM(Mem{Base: yk}, m), sc), Mem{Base: gk}, m)
		})
	})
}

// diff returns p − y at element i (+off bytes), rounded to T.
func (c *g) diff(pp, yp, i reg.Register, off int, m *mask) reg.VecVirtual {
	return c.combine(c.sub, pp, yp, i, off, m)
}

// pairStats: for each row r < len(mean) of n elements, d = p − y rounded
// to T and a shift c close to the row's d (its mean Σd/n; the first d of a
// row of at most one vector), mean(r) = c, se(r) = Σ(d − c), sq(r) =
// Σ(d − c)², all in float64.
func pairStats(c *g) {
	c.prim("pairStats", "func(mean, se, sq []float64, p, y []"+c.GoType+", n int)",
		" writes, per row r < len(mean) of n > 0 elements with d = p − y in "+c.GoType+", a shift c near the row's d (Σd/n, or d(0) when n <= lanes) as mean(r), se(r) = Σ(d − c) and sq(r) = Σ(d − c)², in float64.")
	d := c.f64()
	b := bases("p", "y", "mean", "se", "sq")
	pp, yp, mp, ep, qp := b[0], b[1], b[2], b[3], b[4]
	rows := Load(Param("mean").Len(), GP64())
	n := Load(Param("n"), GP64())
	rowBytes := c.byteLen(n)
	nf := XMM()
	VXORPD(nf, nf, nf)
	VCVTSI2SDQ(n, nf, nf)
	next := func() {
		advance(rowBytes, pp, yp)
		advance(U8(8), mp, ep, qp)
	}
	c.shortRows(n, func(m mask) {
		pms := c.partMasks(m)
		countDown("short", rows, func() {
			c.pairStatsShort(pp, yp, mp, ep, qp, m, pms)
			next()
		})
	})
	u := 2
	if !c.wide() && !c.is64() {
		u = 1 // sixteen YMM registers
	}
	countDown("row", rows, func() {
		i := GP64()
		XORQ(i, i)
		acc := c.zeroVecs(2 * c.parts())
		c.span(i, n, 2, func(k, off int, m *mask) {
			c.accumulate(acc, k, c.diff(pp, yp, i, off, m))
		})
		sum := d.reduce64(acc...)
		VDIVSD(nf, sum, sum)
		VMOVSD(sum, Mem{Base: mp})
		mean := d.vec()
		d.broadcast(mean, sum)
		se := c.zeroVecs(u * c.parts())
		sq := c.zeroVecs(u * c.parts())
		XORQ(i, i)
		c.span(i, n, u, func(k, off int, m *mask) {
			ps := c.widen(c.diff(pp, yp, i, off, m))
			pms := c.partMasksOf(m)
			for j, w := range ps {
				d.sub(w, w, mean)
				if m != nil {
					d.keep(w, pms[j]) // lanes past the row add nothing
				}
				x := k*c.parts() + j
				d.add(se[x], se[x], w)
				d.fma(sq[x], w, w)
			}
		})
		VMOVSD(d.reduce64(se...), Mem{Base: ep})
		VMOVSD(d.reduce64(sq...), Mem{Base: qp})
		next()
	})
	doneRet()
}

// pairStatsShort emits pairStats for the row at pp and yp of at most one
// vector (the lanes of m; pms its partMasks).
func (c *g) pairStatsShort(pp, yp, mp, ep, qp reg.Register, m mask, pms []mask) {
	d := c.f64()
	// One pass, shifted by the row's first d: Σ(d − d0)² exceeds
	// Σ(d − mean)² by n·(d0 − mean)², at most n times the latter, so a
	// row of one vector loses at most log2(n+1) bits to cancellation.
	ps := c.widen(c.diff(pp, yp, nil, 0, &m))
	VMOVSD(ps[0].AsX(), Mem{Base: mp})
	mv := d.vec()
	VBROADCASTSD(ps[0].AsX(), mv)
	for j, w := range ps {
		d.sub(w, w, mv)
		d.keep(w, pms[j]) // lanes past the row add nothing
	}
	q := d.vec()
	d.mul(q, ps[0], ps[0])
	if len(ps) > 1 {
		d.fma(q, ps[1], ps[1])
		d.add(ps[0], ps[0], ps[1])
	}
	VMOVSD(d.reduce64(ps[0]), Mem{Base: ep})
	VMOVSD(d.reduce64(q), Mem{Base: qp})
}

// pairGrad: grad(r·n+k) = T(f(r)·(d − mean(r))) with d = p − y rounded to
// T, for r < len(mean), k < n (in float64).
func pairGrad(c *g) {
	c.prim("pairGrad", "func(grad, p, y []"+c.GoType+", mean, f []float64, n int)",
		" writes grad(r·n+k) = "+c.GoType+"(f(r)·(d − mean(r))) with d = p − y in "+c.GoType+", for r < len(mean), k < n (in float64).")
	d := c.f64()
	b := bases("grad", "p", "y", "mean", "f")
	gp, pp, yp, mp, fp := b[0], b[1], b[2], b[3], b[4]
	rows := Load(Param("mean").Len(), GP64())
	n := Load(Param("n"), GP64())
	rowBytes := c.byteLen(n)
	one := func(i reg.Register, off int, m *mask) {
		mean, f := d.vec(), d.vec()
		d.broadcastMem(mean, Mem{Base: mp})
		d.broadcastMem(f, Mem{Base: fp})
		ps := c.widen(c.diff(pp, yp, i, off, m))
		for _, w := range ps {
			d.sub(w, w, mean)
			d.mul(w, w, f)
		}
		c.storeM(c.narrow(ps), c.elemAt(gp, i, off), m)
	}
	next := func() {
		advance(rowBytes, gp, pp, yp)
		advance(U8(8), mp, fp)
	}
	c.shortRows(n, func(m mask) {
		countDown("short", rows, func() {
			one(nil, 0, &m)
			next()
		})
	})
	countDown("row", rows, func() {
		i := GP64()
		XORQ(i, i)
		c.span(i, n, 2, func(k, off int, m *mask) { one(i, off, m) })
		next()
	})
	doneRet()
}

// omega returns ω = ws·w(i) (ws when w is empty: the flag wn, len(w), is
// tested at each use) as float64 vectors, for the vector of rows at element
// i of w (lanes of m when not nil).
func (c *g) omega(wp, wn, i reg.Register, m *mask) []reg.VecVirtual {
	spanLabels++
	id := spanLabels
	om := c.vec()
	c.broadcastMem(om, paramAddr("ws"))
	TESTQ(wn, wn)
	JZ(LabelRef(fmt.Sprintf("noW%d", id)))
	c.mul(om, om, c.loadM(Mem{Base: wp, Index: i, Scale: uint8(c.Size)}, m))
	Label(fmt.Sprintf("noW%d", id))
	return c.widen(om)
}

// rowLoop emits a loop over i = 0..n−1 (rows, T lanes to a vector): body(m)
// handles the vector at i, m its tail mask or nil.
func (c *g) rowLoop(i, n reg.Register, body func(m *mask)) {
	XORQ(i, i)
	c.span(i, n, 1, func(_, _ int, m *mask) { body(m) })
}

// f64At returns the float64 vectors of a vector of T lanes (rows) at
// element i of a []float64 (lanes of m when not nil).
func (c *g) f64At(base, i reg.Register, m *mask) []reg.VecVirtual {
	d := c.f64()
	pms := c.partMasksOf(m)
	vs := make([]reg.VecVirtual, c.parts())
	for h := range vs {
		mem := Mem{Base: base, Index: i, Scale: 8, Disp: h * d.Bytes}
		vs[h] = d.vec()
		if m != nil {
			d.maskedLoad(vs[h], pms[h], mem)
		} else {
			d.load(vs[h], mem)
		}
	}
	return vs
}

// f64Store stores float64 vectors as f64At loads them.
func (c *g) f64Store(vs []reg.VecVirtual, base, i reg.Register, m *mask) {
	d := c.f64()
	pms := c.partMasksOf(m)
	for h, v := range vs {
		mem := Mem{Base: base, Index: i, Scale: 8, Disp: h * d.Bytes}
		if m != nil {
			d.maskedStore(v, pms[h], mem)
		} else {
			d.store(v, mem)
		}
	}
}

// paramAddr is the address of a scalar argument.
func paramAddr(name string) Mem {
	b, err := Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}

// ifLen emits body only at run time when the slice whose length is in n is
// not empty.
func ifLen(n reg.Register, body func()) {
	spanLabels++
	skip := fmt.Sprintf("skip%d", spanLabels)
	TESTQ(n, n)
	JZ(LabelRef(skip))
	body()
	Label(skip)
}

// cosFinish: l(r) = ω(r)·(1 − dot(r)) with ω = ws·w(r) (ws when w is
// empty), unred(r) = T(l) and sc(r) = −gs·ω when those are not empty;
// returns Σ l.
func cosFinish(c *g) {
	T := c.GoType
	c.prim("cosFinish", "func(dot []float64, w []"+T+", ws "+T+", gs float64, unred []"+T+", sc []float64) float64",
		" returns Σ l(r), l(r) = ω(r)·(1 − dot(r)) for r < len(dot) with ω(r) = ws·w(r) in "+T+" (ws when w is empty), in float64; it writes unred(r) = "+T+"(l(r)) and sc(r) = −gs·ω(r) unless those are empty.")
	d := c.f64()
	b := bases("dot", "w", "unred", "sc")
	dp, wp, up, sp := b[0], b[1], b[2], b[3]
	rows := Load(Param("dot").Len(), GP64())
	acc := c.zeroVecs(c.parts())
	i := GP64()
	c.rowLoop(i, rows, func(m *mask) {
		om := c.omega(wp, Load(Param("w").Len(), GP64()), i, m)
		ls := c.f64At(dp, i, m)
		for h, v := range ls {
			d.sub(v, d.konst(1), v)
			d.mul(v, om[h], v)
			if m != nil {
				d.keep(v, c.partMasks(*m)[h])
			}
			d.add(acc[h], acc[h], v)
		}
		ifLen(Load(Param("unred").Len(), GP64()), func() {
			c.storeM(c.narrow(ls), Mem{Base: up, Index: i, Scale: uint8(c.Size)}, m)
		})
		ifLen(Load(Param("sc").Len(), GP64()), func() {
			gs := d.vec()
			d.broadcastMem(gs, paramAddr("gs"))
			d.xor(gs, gs, d.konstBits(1<<63))
			for _, v := range om {
				d.mul(v, gs, v)
			}
			c.f64Store(om, sp, i, m)
		})
	})
	Store(d.reduce64(acc...), ReturnIndex(0))
	VZEROUPPER()
	RET()
}

// pairFinish: per row r < len(mean), with ω = ws·w(r) (ws when w is empty):
// l = 2·(sq − se²/n)/n, unred(r) = T(ω·l) (0 where ω = 0) unless unred is
// empty, mean(r) += se(r)/n and f(r) = ω·4/n; returns Σ ω·l (a row whose
// loss or mean is not finite makes it NaN or infinite) and the number of
// rows where ω = 0.
func pairFinish(c *g) {
	T := c.GoType
	c.prim("pairFinish", "func(mean, se, sq []float64, w []"+T+", ws "+T+", n int, unred []"+T+", f []float64) (float64, int)",
		" returns Σ ω(r)·l(r) over r < len(mean), l = 2·(sq(r) − se(r)²/n)/n, ω(r) = ws·w(r) in "+T+" (ws when w is empty), and the count of rows with ω = 0 (whose term is 0); it writes unred(r) = "+T+"(ω·l) unless unred is empty, mean(r) += se(r)/n and f(r) = ω·4/n. A row of ω != 0 whose l or mean is not finite makes the sum NaN or infinite.")
	d := c.f64()
	b := bases("mean", "se", "sq", "w", "unred", "f")
	mp, ep, qp, wp, up, fp := b[0], b[1], b[2], b[3], b[4], b[5]
	rows := Load(Param("mean").Len(), GP64())
	zeros := GP64()
	XORQ(zeros, zeros)
	acc := c.zeroVecs(c.parts())
	i := GP64()
	c.rowLoop(i, rows, func(m *mask) {
		nf := d.vec()
		x := XMM()
		VXORPD(x, x, x)
		VCVTSI2SDQ(Load(Param("n"), GP64()), x, x)
		d.broadcast(nf, x)
		om := c.omega(wp, Load(Param("w").Len(), GP64()), i, m)
		means, ses, sqs := c.f64At(mp, i, m), c.f64At(ep, i, m), c.f64At(qp, i, m)
		pms := c.partMasksOf(m)
		ls := make([]reg.VecVirtual, len(om))
		for h := range om {
			t := d.vec()
			d.mul(t, ses[h], ses[h])
			d.div(t, t, nf)
			d.sub(t, sqs[h], t)
			d.mul(t, d.konst(2), t)
			d.div(t, t, nf) // l
			d.div(ses[h], ses[h], nf)
			d.add(means[h], means[h], ses[h]) // the corrected mean
			zero := d.cmp(cmpEQ, om[h], d.zeros())
			if m != nil {
				zero = d.maskAnd(zero, pms[h])
			}
			c.popcount(zeros, zero)
			// ω·l, plus 0·mean so that a mean that is not finite shows in
			// the sum; 0 where ω = 0.
			lw := d.vec()
			d.mul(lw, om[h], t)
			z := d.vec()
			d.mul(z, d.zeros(), means[h])
			d.add(lw, lw, z)
			d.blend(lw, zero, d.zeros(), lw)
			if m != nil {
				d.keep(lw, pms[h])
			}
			d.add(acc[h], acc[h], lw)
			ls[h] = lw
			fv := d.vec()
			d.mul(fv, om[h], d.konst(4))
			d.div(om[h], fv, nf)
		}
		c.f64Store(means, mp, i, m)
		c.f64Store(om, fp, i, m)
		ifLen(Load(Param("unred").Len(), GP64()), func() {
			c.storeM(c.narrow(ls), Mem{Base: up, Index: i, Scale: uint8(c.Size)}, m)
		})
	})
	Store(d.reduce64(acc...), ReturnIndex(0))
	Store(zeros, ReturnIndex(1))
	VZEROUPPER()
	RET()
}

// cosDotWide: the columns of outer blocks narrower than half a vector
// (stride s <= lanes/2): each vector load spans L = g·s elements, g = lanes/s
// rows of a block, so that lane i sums column i%s; the g partial sums of
// each column are then added with permutes. For each of len(dot)/s blocks
// of blockLen = a·s elements, dot(b·s + c) = Σ_k p(b·blockLen+k·s+c)·y(…).
func cosDotWide(c *g) {
	c.prim("cosDotWide", "func(dot []float64, p, y []"+c.GoType+", s, blockLen int)", fmt.Sprintf(" writes dot(b·s+c) = Σ_k p(b·blockLen+k·s+c)·y(b·blockLen+k·s+c) for c < s <= %d and b < len(dot)/s (blockLen a multiple of s), g = %d/s rows of a block to a vector: products in ", c.lanes()/2, c.lanes())+c.GoType+", sums in float64.")
	d := c.f64()
	b := bases("p", "y", "dot")
	pp, yp, op := b[0], b[1], b[2]
	end := Load(Param("dot").Len(), GP64())
	LEAQ(Mem{Base: op, Index: end, Scale: 8}, end)
	sr := Load(Param("s"), GP64())
	maxS := c.lanes() / 2
	for s := 1; s <= maxS; s++ {
		CMPQ(sr, U32(s))
		JE(LabelRef(fmt.Sprintf("s%d", s)))
	}
	JMP(LabelRef("done"))
	for s := 1; s <= maxS; s++ {
		g := c.lanes() / s
		L := g * s
		sym, groups := d.permTable(fmt.Sprintf("fold%s%d", c.suffix(), s), g, func(t, j int) int {
			if j < s {
				return t*s + j
			}
			return t * s
		})
		Label(fmt.Sprintf("s%d", s))
		tbl := GP64()
		LEAQ(sym, tbl)
		lr := GP64()
		MOVQ(U32(L), lr)
		mL := c.tailMask(lr)
		Label(fmt.Sprintf("block%d", s))
		CMPQ(op, end)
		JAE(LabelRef("done"))
		acc := c.zeroVecs(2 * c.parts())
		q, r, cnt := GP64(), GP64(), GP64()
		MOVQ(pp, q)
		MOVQ(yp, r)
		Load(Param("blockLen"), cnt)
		add := func(k int, m mask, off int) {
			c.accumulate(acc, k, c.combine(c.mul, q, r, nil, off, &m))
		}
		two, one, tail, store := fmt.Sprintf("two%d", s), fmt.Sprintf("one%d", s), fmt.Sprintf("tail%d", s), fmt.Sprintf("store%d", s)
		Label(two)
		CMPQ(cnt, U32(2*L))
		JL(LabelRef(one))
		add(0, mL, 0)
		add(1, mL, L*c.Size)
		advance(U32(2*L*c.Size), q, r)
		SUBQ(U32(2*L), cnt)
		JMP(LabelRef(two))
		Label(one)
		CMPQ(cnt, U32(L))
		JL(LabelRef(tail))
		add(0, mL, 0)
		advance(U32(L*c.Size), q, r)
		SUBQ(U32(L), cnt)
		Label(tail)
		TESTQ(cnt, cnt)
		JZ(LabelRef(store))
		add(1, c.tailMask(cnt), 0)
		Label(store)
		for h := 0; h < c.parts(); h++ {
			d.add(acc[h], acc[h], acc[c.parts()+h])
		}
		var sum reg.VecVirtual
		d.transposed(acc[:c.parts()], tbl, groups, func(_ int, v reg.VecVirtual) {
			if sum == nil {
				sum = v
				return
			}
			d.add(sum, sum, v)
		})
		n := GP64()
		MOVQ(U32(s), n)
		d.maskedStore(sum, d.tailMask(n), Mem{Base: op})
		ADDQ(U32(8*s), op)
		blockBytes := GP64()
		Load(Param("blockLen"), blockBytes)
		SHLQ(U8(c.shift()), blockBytes)
		advance(blockBytes, pp, yp)
		JMP(LabelRef(fmt.Sprintf("block%d", s)))
	}
	doneRet()
}

// Short contiguous rows, a vector of rows at a time: the a vectors holding
// lanes rows of a elements are transposed with permutes (two sources per
// permute on AVX-512, one on AVX2), so that vector k holds element k of
// every row. The permute indices and lane masks come from a table per row
// length, built here.

// transMax is the longest row the transposing primitives take.
func (c *g) transMax() int {
	if c.wide() {
		return 8
	}
	return 4
}

// transGroup is one permute of a transposition: the source vectors from
// src (two on AVX-512, one on AVX2), the table offset of its indices and
// lane mask.
type transGroup struct {
	src int
	off int
}

// transTable emits the table of row length a and returns, per k < a, the
// permutes that gather element k of each row.
func (c *g) transTable(a int) (Mem, [][]transGroup) {
	return c.permTable(fmt.Sprintf("trans%s%d", c.suffix(), a), a, func(k, j int) int { return j*a + k })
}

// permTable emits (once per key) the table of a permutation: output vector
// k < nOut takes in lane j the element elem(k, j) of the source vectors
// laid end to end. It returns per output the permutes that gather it (an
// output taken whole from one source vector needs none: off < 0).
func (c *g) permTable(key string, nOut int, elem func(k, j int) int) (Mem, [][]transGroup) {
	if t, ok := transTables[key]; ok {
		return t.sym, t.groups
	}
	lanes := c.lanes()
	per := 1 // source vectors per permute
	if c.wide() {
		per = 2
	}
	sym := GLOBL(key, RODATA|NOPTR)
	groups := make([][]transGroup, nOut)
	off := 0
	for k := 0; k < nOut; k++ {
		whole := true
		for j := 0; j < lanes; j++ {
			whole = whole && elem(k, j) == elem(k, 0)/lanes*lanes+j
		}
		if whole && elem(k, 0)%lanes == 0 {
			groups[k] = []transGroup{{src: elem(k, 0) / lanes, off: -1}}
			continue
		}
		nSrc := 0
		for j := 0; j < lanes; j++ {
			nSrc = max(nSrc, elem(k, j)/lanes+1)
		}
		for g := 0; g*per < nSrc; g++ {
			var idx []uint64
			mask := make([]bool, lanes)
			any := false
			for j := 0; j < lanes; j++ {
				e := elem(k, j)
				src, pos := e/lanes, e%lanes
				if src/per != g {
					idx = append(idx, 0)
					continue
				}
				mask[j], any = true, true
				idx = append(idx, uint64(pos+lanes*(src%per)))
			}
			if !any {
				continue
			}
			groups[k] = append(groups[k], transGroup{src: g * per, off: off})
			// Indices: int32 lanes for float32, int64 for AVX-512 float64,
			// int32 pairs for AVX2 float64 (VPERMPS on the halves).
			for j, v := range idx {
				switch {
				case !c.is64():
					DATA(off+4*j, U32(uint32(v)))
				case c.wide():
					DATA(off+8*j, U64(v))
				default:
					DATA(off+8*j, U32(uint32(2*v)))
					DATA(off+8*j+4, U32(uint32(2*v+1)))
				}
			}
			off += c.Bytes
			// The lane mask: a 16-bit opmask on AVX-512, a vector on AVX2.
			if c.wide() {
				var bits uint16
				for j, m := range mask {
					if m {
						bits |= 1 << j
					}
				}
				DATA(off, U16(bits))
				DATA(off+2, U16(0))
				DATA(off+4, U32(0))
				off += 8
			} else {
				for j, m := range mask {
					v := uint64(0)
					if m {
						v = math.MaxUint64
					}
					if c.is64() {
						DATA(off+8*j, U64(v))
					} else {
						DATA(off+4*j, U32(uint32(v)))
					}
				}
				off += c.Bytes
			}
		}
	}
	if off == 0 {
		DATA(0, U64(0)) // a symbol needs data
	}
	transTables[key] = transTable{sym, groups}
	return sym, groups
}

type transTable struct {
	sym    Mem
	groups [][]transGroup
}

// transTables are the tables emitted so far, by name.
var transTables = map[string]transTable{}

// transposed emits the permutation of the vectors q described by groups
// (see permTable): use(k, t) gets output vector k. Each permute but the
// first replaces only its own lanes, so every output is bitwise its
// source elements.
func (c *g) transposed(q []reg.VecVirtual, tbl reg.Register, groups [][]transGroup, use func(k int, t reg.VecVirtual)) {
	for k, gs := range groups {
		if gs[0].off < 0 {
			use(k, q[gs[0].src])
			continue
		}
		var t reg.VecVirtual
		for _, gr := range gs {
			v := c.vec()
			idx := Mem{Base: tbl, Disp: gr.off}
			msk := Mem{Base: tbl, Disp: gr.off + c.Bytes}
			var m mask
			if c.wide() {
				VMOVDQU64(idx, v)
				t2 := q[min(gr.src+1, len(q)-1)]
				c.pick(func(o ...Op) { VPERMI2PS(o[0], o[1], o[2]) }, func(o ...Op) { VPERMI2PD(o[0], o[1], o[2]) }, t2, q[gr.src], v)
				if t != nil {
					m = mask{k: K()}
					KMOVW(msk, m.k)
				}
			} else {
				ix := c.vec()
				VMOVDQU(idx, ix)
				VPERMPS(q[gr.src], ix, v)
				if t != nil {
					m = mask{v: c.vec()}
					VMOVDQU(msk, m.v)
				}
			}
			if t == nil {
				t = v
			} else {
				c.blend(t, m, v, t)
			}
		}
		use(k, t)
	}
}

// transRows emits the dispatch on the row length a (1 <= a <= transMax)
// and, per length, the loop over groups of lanes rows: body(a, tbl,
// groups) handles the rows at the current pointers with the permutation
// table(a) (in register tbl); step advances the pointers.
func (c *g) transRows(a, rows reg.Register, table func(a int) (Mem, [][]transGroup), body func(a int, tbl reg.Register, groups [][]transGroup), step func(a int)) {
	for n := 1; n <= c.transMax(); n++ {
		CMPQ(a, U32(n))
		JE(LabelRef(fmt.Sprintf("len%d", n)))
	}
	JMP(LabelRef("done"))
	for n := 1; n <= c.transMax(); n++ {
		sym, groups := table(n)
		Label(fmt.Sprintf("len%d", n))
		tbl := GP64()
		LEAQ(sym, tbl)
		Label(fmt.Sprintf("group%d", n))
		CMPQ(rows, U32(c.lanes()))
		JL(LabelRef("done"))
		body(n, tbl, groups)
		step(n)
		SUBQ(U32(c.lanes()), rows)
		JMP(LabelRef(fmt.Sprintf("group%d", n)))
	}
}

// cosDotT: cosDotRows for rows of a <= transMax elements, lanes rows at a
// time (len(dot) a multiple of lanes).
func cosDotT(c *g) {
	c.prim("cosDotT", "func(dot []float64, p, y []"+c.GoType+", a int)", fmt.Sprintf(" writes dot(r) = Σ_k p(r·a+k)·y(r·a+k) for r < len(dot), a multiple of %d, and 1 <= a <= %d, transposing %d rows at a time: products in ", c.lanes(), c.transMax(), c.lanes())+c.GoType+", sums in float64.")
	b := bases("p", "y", "dot")
	pp, yp, dp := b[0], b[1], b[2]
	rows := Load(Param("dot").Len(), GP64())
	a := Load(Param("a"), GP64())
	c.transRows(a, rows, c.transTable, func(n int, tbl reg.Register, groups [][]transGroup) {
		q := c.combineVecs(c.mul, pp, yp, n)
		acc := c.zeroVecs(c.parts())
		c.transposed(q, tbl, groups, func(_ int, t reg.VecVirtual) { c.accumulate(acc, 0, t) })
		c.storeRowsD(acc, dp)
	}, func(n int) {
		advance(U32(n*c.Bytes), pp, yp)
		ADDQ(U32(c.lanes()*8), dp)
	})
	doneRet()
}

// pairStatsT: pairStats for rows of n <= transMax elements, lanes rows at
// a time (len(mean) a multiple of lanes), in one pass shifted by each row's
// first d.
func pairStatsT(c *g) {
	c.prim("pairStatsT", "func(mean, se, sq []float64, p, y []"+c.GoType+", n int)", fmt.Sprintf(" writes, per row r < len(mean), a multiple of %d, of 1 <= n <= %d elements with d = p − y in ", c.lanes(), c.transMax())+c.GoType+", its first d as mean(r), se(r) = Σ(d − d(0)) and sq(r) = Σ(d − d(0))², in float64, transposing rows.")
	d := c.f64()
	b := bases("p", "y", "mean", "se", "sq")
	pp, yp, mp, ep, qp := b[0], b[1], b[2], b[3], b[4]
	rows := Load(Param("mean").Len(), GP64())
	n := Load(Param("n"), GP64())
	c.transRows(n, rows, c.transTable, func(m int, tbl reg.Register, groups [][]transGroup) {
		q := c.combineVecs(c.sub, pp, yp, m)
		var k0 []reg.VecVirtual
		se, sq := c.zeroVecs(c.parts()), c.zeroVecs(c.parts())
		c.transposed(q, tbl, groups, func(k int, t reg.VecVirtual) {
			ws := c.widen(t)
			if k == 0 {
				k0 = ws
				return
			}
			for h, w := range ws {
				d.sub(w, w, k0[h])
				d.add(se[h], se[h], w)
				d.fma(sq[h], w, w)
			}
		})
		for h := range se {
			d.store(k0[h], Mem{Base: mp, Disp: h * d.Bytes})
			d.store(se[h], Mem{Base: ep, Disp: h * d.Bytes})
			d.store(sq[h], Mem{Base: qp, Disp: h * d.Bytes})
		}
	}, func(m int) {
		advance(U32(m*c.Bytes), pp, yp)
		advance(U32(c.lanes()*8), mp, ep, qp)
	})
	doneRet()
}

// expandTable is the table spreading per-row float64 values (nq
// quantities, each in parts vectors of lanes rows) over the elements of
// rows of n: output 2·o+q (o = i·parts + h: part h of the i-th vector of
// elements) holds quantity q of each element's row.
func (c *g) expandTable(n, nq int) (Mem, [][]transGroup) {
	d := c.f64()
	L := d.lanes()
	key := fmt.Sprintf("expand%s%d_%d", c.suffix(), n, nq)
	return d.permTable(key, nq*n*c.parts(), func(k, j int) int {
		o, q := k/nq, k%nq
		return q*c.lanes() + (o*L+j)/n
	})
}

// loadRowsD loads the float64 values of lanes rows from base (parts vectors).
func (c *g) loadRowsD(base reg.Register) []reg.VecVirtual {
	d := c.f64()
	vs := make([]reg.VecVirtual, c.parts())
	for h := range vs {
		vs[h] = d.vec()
		d.load(vs[h], Mem{Base: base, Disp: h * d.Bytes})
	}
	return vs
}

// cosGradT: cosGradRows for rows of a <= transMax elements, lanes rows at
// a time (len(sc) a multiple of lanes).
func cosGradT(c *g) {
	c.prim("cosGradT", "func(grad, y []"+c.GoType+", sc []float64, a int)", " writes grad(r·a+k) = "+c.GoType+fmt.Sprintf("(sc(r)·y(r·a+k)) for r < len(sc), a multiple of %d, and k < a <= %d (the product in float64), the scales spread over the elements by permutes.", c.lanes(), c.transMax()))
	d := c.f64()
	b := bases("grad", "y", "sc")
	gp, yp, sp := b[0], b[1], b[2]
	rows := Load(Param("sc").Len(), GP64())
	a := Load(Param("a"), GP64())
	c.transRows(a, rows, func(n int) (Mem, [][]transGroup) { return c.expandTable(n, 1) }, func(n int, tbl reg.Register, groups [][]transGroup) {
		src := c.loadRowsD(sp)
		var ps []reg.VecVirtual
		d.transposed(src, tbl, groups, func(o int, s reg.VecVirtual) {
			i, h := o/c.parts(), o%c.parts()
			if h == 0 {
				yv := c.vec()
				c.load(yv, Mem{Base: yp, Disp: i * c.Bytes})
				ps = c.widen(yv)
			}
			d.mul(ps[h], ps[h], s)
			c.storePart(ps[h], gp, i, h)
		})
	}, func(n int) {
		advance(U32(n*c.Bytes), gp, yp)
		ADDQ(U32(c.lanes()*8), sp)
	})
	doneRet()
}

// storePart rounds the float64 vector v, part h of the i-th vector of T
// at base, to T and stores it there.
func (c *g) storePart(v reg.VecVirtual, base reg.Register, i, h int) {
	if c.is64() {
		c.store(v, Mem{Base: base, Disp: i * c.Bytes})
		return
	}
	at := Mem{Base: base, Disp: i*c.Bytes + h*c.Bytes/2}
	if c.wide() {
		x := YMM()
		VCVTPD2PS(v, x)
		VMOVUPS(x, at)
		return
	}
	x := XMM()
	VCVTPD2PSY(v, x)
	VMOVUPS(x, at)
}

// pairGradT: pairGrad for rows of n <= transMax elements, lanes rows at a
// time (len(mean) a multiple of lanes).
func pairGradT(c *g) {
	c.prim("pairGradT", "func(grad, p, y []"+c.GoType+", mean, f []float64, n int)",
		" writes grad(r·n+k) = "+c.GoType+"(f(r)·(d − mean(r))) with d = p − y in "+c.GoType+fmt.Sprintf(", for r < len(mean), a multiple of %d, and k < n <= %d (in float64), mean and f spread over the elements by permutes.", c.lanes(), c.transMax()))
	d := c.f64()
	b := bases("grad", "p", "y", "mean", "f")
	gp, pp, yp, mp, fp := b[0], b[1], b[2], b[3], b[4]
	rows := Load(Param("mean").Len(), GP64())
	n := Load(Param("n"), GP64())
	c.transRows(n, rows, func(n int) (Mem, [][]transGroup) { return c.expandTable(n, 2) }, func(m int, tbl reg.Register, groups [][]transGroup) {
		src := append(c.loadRowsD(mp), c.loadRowsD(fp)...)
		var mean reg.VecVirtual
		var ps []reg.VecVirtual
		d.transposed(src, tbl, groups, func(k int, t reg.VecVirtual) {
			if k%2 == 0 {
				mean = t
				return
			}
			o := k / 2
			i, h := o/c.parts(), o%c.parts()
			if h == 0 {
				ps = c.widen(c.diff(pp, yp, nil, i*c.Bytes, nil))
			}
			d.sub(ps[h], ps[h], mean)
			d.mul(ps[h], ps[h], t)
			c.storePart(ps[h], gp, i, h)
		})
	}, func(m int) {
		advance(U32(m*c.Bytes), gp, pp, yp)
		advance(U32(c.lanes()*8), mp, fp)
	})
	doneRet()
}
