package fuzz

import (
	"fmt"
	"math"
	"testing"

	"github.com/simdloss/simdloss/asm"
)

// The kernel targets: every level available on this machine (asm.Levels(),
// read at run time so new levels join by themselves) against the generic
// level and against the oracle, on inputs decoded from the fuzz bytes, every
// slice inside NaN guards at a decoded alignment offset.

// kernelsOf returns a level's kernels for T.
func kernelsOf[T Float](l *asm.Level) *asm.Kernels[T] {
	if isF32[T]() {
		return any(l.F32).(*asm.Kernels[T])
	}
	return any(l.F64).(*asm.Kernels[T])
}

// levelsToTest is every available level; the generic one is always among
// them (compared with itself when it is alone, which still runs the oracle
// and guard checks).
var levelsToTest = asm.Levels

// The nine drivers of an elementwise loss.
type driver int

const (
	dSum driver = iota
	dWSum
	dRowSum
	dUnred
	dWUnred
	dRowUnred
	dGrad
	dWGrad
	dRowGrad
	numDrivers
)

var driverNames = [numDrivers]string{"Sum", "WSum", "RowSum", "Unred", "WUnred", "RowUnred", "Grad", "WGrad", "RowGrad"}

func (d driver) String() string { return driverNames[d] }

// weighted forms: 0 uniform, 1 per element, 2 per row.
func (d driver) form() int { return int(d) % 3 }

func (d driver) writes() bool { return d >= dUnred }
func (d driver) grad() bool   { return d >= dGrad }

// oneArg reports whether the loss ignores y (it is called with y == p).
func oneArg(k asm.ElemLoss) bool { return k == asm.Identity || k == asm.L1 || k == asm.L2 }

// elemCase is one input of an elementwise kernel target.
type elemCase[T Float] struct {
	k     asm.ElemLoss
	p, y  []T // y is p for losses of one argument
	w     []T // per element
	wr    []T // per row: len(p[:rows*inner]) == len(wr)*inner
	inner int
	a, s  T
	offs  [4]int // alignment offsets of p, y, w (and wr), dst
}

func (c *elemCase[T]) rowLen() int { return len(c.wr) * c.inner }

func (c *elemCase[T]) String() string {
	return fmt.Sprintf("%v[%s] n=%d inner=%d rows=%d a=%s s=%s offs=%v\n  p=%s\n  y=%s\n  w=%s\n  wr=%s",
		c.k, typeName[T](), len(c.p), c.inner, len(c.wr), fmtf(float64(c.a)), fmtf(float64(c.s)), c.offs,
		summarize(toF64(c.p), 12), summarize(toF64(c.y), 12), summarize(toF64(c.w), 12), summarize(toF64(c.wr), 12))
}

var innerChoices = []int{1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 257}

// elemRoles are the natural ranges of p and y for a loss.
func elemRoles(k asm.ElemLoss) (role, role) {
	switch k {
	case asm.LogLoss:
		return roleProb, roleLabel01
	case asm.Hinge, asm.SigmoidCE:
		return roleLogit, roleLabel01
	}
	return roleReal, roleReal
}

// elemParam draws the loss parameter a: ε for log loss, the smoothing for
// sigmoid CE, and for the others a value they must ignore.
func elemParam(s *src, k asm.ElemLoss) float64 {
	switch k {
	case asm.LogLoss:
		return []float64{1e-7, 0, 1e-3, 0.5, 1, 1e-12, 1e-30}[s.intn(7)]
	case asm.SigmoidCE:
		return []float64{0, 0.1, 0.5, 1, 1e-7, 0.999, 0.25}[s.intn(7)]
	}
	return []float64{0, math.NaN(), 1, -3, math.Inf(1)}[s.intn(5)]
}

// scaleValue draws a scale s of the Unred and Grad forms.
func scaleValue(s *src, f32 bool) float64 {
	if s.oneIn(8) {
		return s.special(f32)
	}
	return []float64{1, 0, -1, 0.5, 1.0 / 3, 1e-3, 4096, -0.25, 1e-20, 1e20}[s.intn(10)]
}

func decodeElemCase[T Float](s *src, k asm.ElemLoss) *elemCase[T] {
	f32 := isF32[T]()
	c := &elemCase[T]{k: k}
	n := s.length(4096)
	pr, yr := elemRoles(k)
	c.p = fromF64[T](s.vector(n, pr, s.profile(), f32))
	c.y = c.p
	if !oneArg(k) {
		c.y = fromF64[T](s.vector(n, yr, s.profile(), f32))
	}
	c.w = fromF64[T](s.vector(n, roleWeight, s.profile(), f32))
	c.inner = innerChoices[s.intn(len(innerChoices))]
	if s.oneIn(8) {
		c.inner = max(n, 1)
	}
	c.wr = fromF64[T](s.vector(n/c.inner, roleWeight, s.profile(), f32))
	c.a = T(elemParam(s, k))
	c.s = T(scaleValue(s, f32))
	for i := range c.offs {
		c.offs[i] = s.intn(16)
	}
	return c
}

// elemOut is what one level computed for an elemCase.
type elemOut[T Float] struct {
	ret [numDrivers]float64
	nz  [numDrivers]int
	ws  [numDrivers]float64
	dst [numDrivers][]T
}

// runElem runs the nine drivers of c.k on ks with every slice guarded; it
// reports guard and input corruption through rep.
func runElem[T Float](rep *report, lname string, ks *asm.Kernels[T], c *elemCase[T]) *elemOut[T] {
	ek := &ks.Elem[c.k]
	gp := guardedOf(c.p, c.offs[0])
	gy := gp
	if !oneArg(c.k) {
		gy = guardedOf(c.y, c.offs[1])
	}
	gw := guardedOf(c.w, c.offs[2])
	gwr := guardedOf(c.wr, c.offs[2])
	m := c.rowLen()
	p, y, w, wr := gp.s(), gy.s(), gw.s(), gwr.s()
	pr, yr := p[:m:m], y[:m:m]
	out := &elemOut[T]{}
	for d := driver(0); d < numDrivers; d++ {
		n := len(p)
		if d.form() == 2 {
			n = m
		}
		gd := newGuarded[T](n, c.offs[3])
		dst := gd.s()
		switch d {
		case dSum:
			out.ret[d] = ek.Sum(p, y, c.a)
		case dWSum:
			out.ret[d], out.nz[d], out.ws[d] = ek.WSum(p, y, w, c.a)
		case dRowSum:
			out.ret[d], out.nz[d], out.ws[d] = ek.RowSum(pr, yr, wr, c.inner, c.a)
		case dUnred:
			out.ret[d] = ek.Unred(dst, p, y, c.s, c.a)
		case dWUnred:
			out.ret[d] = ek.WUnred(dst, p, y, w, c.a)
		case dRowUnred:
			out.ret[d] = ek.RowUnred(dst, pr, yr, wr, c.inner, c.a)
		case dGrad:
			out.ret[d] = ek.Grad(dst, p, y, c.s, c.a)
		case dWGrad:
			out.ret[d] = ek.WGrad(dst, p, y, w, c.s, c.a)
		case dRowGrad:
			out.ret[d] = ek.RowGrad(dst, pr, yr, wr, c.inner, c.s, c.a)
		}
		if d.writes() {
			if !gd.intact() {
				rep.errorf("%s %v: wrote outside dst", lname, d)
			}
			out.dst[d] = append([]T(nil), dst...)
		}
	}
	for _, in := range []struct {
		name string
		g    *guarded[T]
		v    []T
	}{{"p", gp, c.p}, {"y", gy, c.y}, {"w", gw, c.w}, {"wr", gwr, c.wr}} {
		if !in.g.intact() {
			rep.errorf("%s: wrote outside input %s", lname, in.name)
		}
		if !sameBits(in.g.s(), in.v) {
			rep.errorf("%s: modified input %s", lname, in.name)
		}
	}
	return out
}

// elemExpect is the oracle's expectation for every driver of c.
type elemExpect struct {
	ret [numDrivers]expSum
	nz  [numDrivers]int
	ws  [numDrivers]expSum
	dst [numDrivers]expVec
}

func expectElem[T Float](c *elemCase[T]) *elemExpect {
	n := numOf[T]()
	N, m := len(c.p), c.rowLen()
	vals := make([]elemVal, N)
	l, lmag := make([]float64, N), make([]float64, N)
	ovf, unf := make([]bool, N), make([]bool, N)
	for i := range c.p {
		vals[i] = evalElem(n, c.k, float64(c.p[i]), float64(c.y[i]), float64(c.a))
		l[i], lmag[i], ovf[i], unf[i] = vals[i].l, vals[i].lmag, vals[i].ovf, vals[i].unf
	}
	ones := make([]float64, N)
	for i := range ones {
		ones[i] = 1
	}
	w := toF64(c.w)
	wrow := make([]float64, m)
	for i := range wrow {
		wrow[i] = float64(c.wr[i/c.inner])
	}
	x := &elemExpect{}
	for d := driver(0); d < numDrivers; d++ {
		k := N
		var omega []float64
		switch d.form() {
		case 0:
			omega = ones
		case 1:
			omega = w
		case 2:
			omega, k = wrow, m
		}
		x.ret[d] = weightedSum(n, omega[:k], l[:k], lmag[:k], ovf[:k], unf[:k])
		switch d {
		case dWSum:
			x.nz[d], x.ws[d] = weightStats(n, toF64(c.w))
		case dRowSum:
			x.nz[d], x.ws[d] = weightStats(n, toF64(c.wr))
		}
		if !d.writes() {
			continue
		}
		v := newExpVec(k)
		for i := 0; i < k; i++ {
			e := ev{num: n}
			var coef float64
			switch d {
			case dUnred, dGrad:
				coef = float64(c.s)
			case dWUnred, dRowUnred:
				coef = omega[i]
			case dWGrad, dRowGrad:
				coef = e.t(e.mul(float64(c.s), omega[i])) // s·w in T, then ·g
			}
			el := vals[i]
			if d.grad() {
				v.setElem(n, i, coef, el.g, el.gmag, el.ovf || e.ovf, el.unf || e.unf)
				if el.hasAlt {
					v.alt[i], v.hasAlt[i] = coef*el.gAlt, true
				}
			} else {
				v.setElem(n, i, coef, el.l, el.lmag, el.ovf || e.ovf, el.unf || e.unf)
			}
		}
		v.finishTol(n)
		x.dst[d] = v
	}
	return x
}

// weightStats is the oracle of WeightStats: the count of non-zero weights
// exactly, and their sum with SPEC.md's sum tolerance relative to Σ|w|.
func weightStats(n *num, w []float64) (int, expSum) {
	var s, a nsum
	nz := 0
	for _, v := range w {
		s.add(v)
		if finite(v) {
			a.add(math.Abs(v))
		}
		if v != 0 {
			nz++
		}
	}
	// Partial sums of the finite weights may overflow in the element type.
	return nz, expSum{v: s.value(), tol: n.sumRel * a.value(), ovf: a.value() > n.lim}
}

// checkElem runs c on every level and compares.
func checkElem[T Float](t fataler, c *elemCase[T]) {
	rep := &report{t: t, what: c.String}
	n := numOf[T]()
	want := expectElem(c)
	gen := runElem(rep, asm.Generic, kernelsOf[T](asm.GenericLevel), c)
	for _, lv := range levelsToTest() {
		got := gen
		if lv != asm.GenericLevel {
			got = runElem(rep, lv.Name, kernelsOf[T](lv), c)
		}
		for d := driver(0); d < numDrivers; d++ {
			name := fmt.Sprintf("%s %v", lv.Name, d)
			var ref *float64
			var refDst []T
			if lv != asm.GenericLevel {
				ref, refDst = &gen.ret[d], gen.dst[d]
			}
			checkSum(rep, n, name, got.ret[d], want.ret[d], ref)
			if d == dWSum || d == dRowSum {
				if got.nz[d] != want.nz[d] {
					rep.errorf("%s: nonzero %d, want %d", name, got.nz[d], want.nz[d])
				}
				var wref *float64
				if ref != nil {
					wref = &gen.ws[d]
				}
				checkSum(rep, n, name+" weight sum", got.ws[d], want.ws[d], wref)
			}
			if d.writes() {
				checkVec(rep, n, name+" dst", got.dst[d], want.dst[d], refDst)
			}
		}
	}
	rep.done()
}

func fuzzElem(f *testing.F, k asm.ElemLoss) {
	for _, seed := range kernelSeeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := newSrc(data)
		if s.u8()&1 == 0 {
			checkElem(t, decodeElemCase[float32](s, k))
		} else {
			checkElem(t, decodeElemCase[float64](s, k))
		}
	})
}

func FuzzKernelAbsDiff(f *testing.F)   { fuzzElem(f, asm.AbsDiff) }
func FuzzKernelSqDiff(f *testing.F)    { fuzzElem(f, asm.SqDiff) }
func FuzzKernelLogLoss(f *testing.F)   { fuzzElem(f, asm.LogLoss) }
func FuzzKernelHinge(f *testing.F)     { fuzzElem(f, asm.Hinge) }
func FuzzKernelSigmoidCE(f *testing.F) { fuzzElem(f, asm.SigmoidCE) }
func FuzzKernelIdentity(f *testing.F)  { fuzzElem(f, asm.Identity) }
func FuzzKernelL1(f *testing.F)        { fuzzElem(f, asm.L1) }
func FuzzKernelL2(f *testing.F)        { fuzzElem(f, asm.L2) }
