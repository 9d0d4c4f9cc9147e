package fuzz

import (
	"fmt"
	"testing"

	"github.com/simdloss/simdloss/asm"
)

// The row kernels (asm.Rows) and WeightStats against the generic level and
// the oracle.

type rowKind int

const (
	kSoftmax rowKind = iota
	kSparse
	kCosine
	kPairwise
)

var rowKindNames = []string{"SoftmaxCE", "SparseCE", "Cosine", "Pairwise"}

func (k rowKind) String() string { return rowKindNames[k] }

// rowsCase is one input of a row-kernel target.
type rowsCase[T Float] struct {
	kind   rowKind
	a, b   []T   // x and z (softmax), x (sparse), p and y (cosine, pairwise)
	labels []int // sparse
	rows   int   // measurable elements of the call
	c      int   // classes (softmax, sparse) or row length (pairwise)
	// cosine: the tensor is outer·axisLen·stride values; the call covers the
	// measurable elements [m0, m0+rows).
	axisLen, stride, outer, m0 int
	w                          []T // nil: ws alone
	wrep                       int
	ws, gs, smooth             T
	offs                       [6]int
}

func (c *rowsCase[T]) String() string {
	return fmt.Sprintf("%v[%s] rows=%d c=%d axisLen=%d stride=%d outer=%d m0=%d wrep=%d ws=%s gs=%s smooth=%s offs=%v\n  a=%s\n  b=%s\n  labels=%v\n  w=%s",
		c.kind, typeName[T](), c.rows, c.c, c.axisLen, c.stride, c.outer, c.m0, c.wrep,
		fmtf(float64(c.ws)), fmtf(float64(c.gs)), fmtf(float64(c.smooth)), c.offs,
		summarize(toF64(c.a), 12), summarize(toF64(c.b), 12), c.labels[:min(len(c.labels), 12)], summarize(toF64(c.w), 12))
}

var classChoices = []int{1, 2, 3, 4, 5, 7, 8, 9, 10, 15, 16, 17, 31, 32, 33, 64, 100, 1000}

func decodeRowsCase[T Float](s *src, kind rowKind) *rowsCase[T] {
	f32 := isF32[T]()
	c := &rowsCase[T]{kind: kind, wrep: 1}
	// Weights: none (ws alone) or per measurable element repeated wrep times.
	hasW := !s.oneIn(3)
	if hasW {
		c.wrep = []int{1, 1, 2, 3, 4, 7, 16}[s.intn(7)]
	}
	switch kind {
	case kSoftmax, kSparse:
		c.c = classChoices[s.intn(len(classChoices))]
		switch {
		case s.oneIn(4):
			c.c = s.intn(301)
		case kind == kSoftmax && s.oneIn(16):
			c.c = 0
		}
		if kind == kSparse {
			c.c = max(c.c, 1)
		}
		c.rows = s.length(4096 / max(c.c, 1))
	case kCosine:
		c.axisLen = []int{0, 1, 2, 3, 4, 5, 7, 8, 16, 17, 33, 100}[s.intn(12)]
		c.stride = []int{1, 1, 2, 3, 5, 8}[s.intn(6)]
		c.outer = s.length(4096 / max(c.axisLen*c.stride, 1))
		total := c.outer * c.stride
		c.m0 = s.intn(total + 1)
		c.rows = s.intn(total - c.m0 + 1)
	case kPairwise:
		c.wrep = 1
		c.c = []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33, 100, 300}[s.intn(14)]
		c.rows = s.length(4096 / max(c.c, 1))
	}
	if hasW {
		c.rows -= c.rows % c.wrep
		c.w = fromF64[T](s.vector(c.rows/c.wrep, roleWeight, s.profile(), f32))
	}
	switch kind {
	case kSoftmax:
		c.a = fromF64[T](s.vector(c.rows*c.c, roleLogit, s.profile(), f32))
		c.b = fromF64[T](s.vector(c.rows*c.c, roleLabel01, s.profile(), f32))
	case kSparse:
		c.a = fromF64[T](s.vector(c.rows*c.c, roleLogit, s.profile(), f32))
		c.labels = make([]int, c.rows)
		for i := range c.labels {
			c.labels[i] = s.intn(c.c)
		}
	case kCosine:
		n := c.outer * c.axisLen * c.stride
		c.a = fromF64[T](s.vector(n, roleUnit, s.profile(), f32))
		c.b = fromF64[T](s.vector(n, roleUnit, s.profile(), f32))
	case kPairwise:
		c.a = fromF64[T](s.vector(c.rows*c.c, roleReal, s.profile(), f32))
		c.b = fromF64[T](s.vector(c.rows*c.c, roleReal, s.profile(), f32))
	}
	c.ws = T([]float64{1, 1, 0.5, 0, -1, 3}[s.intn(6)])
	if s.oneIn(8) {
		c.ws = T(s.special(f32))
	}
	c.gs = T(scaleValue(s, f32))
	if kind == kSoftmax || kind == kSparse {
		c.smooth = T([]float64{0, 0, 0.1, 0.5, 1, 1e-7}[s.intn(6)])
	}
	for i := range c.offs {
		c.offs[i] = s.intn(16)
	}
	return c
}

// rowsOut is what one level computed for a rowsCase, for each of the four
// combinations of unreduced and gradient outputs.
type rowsOut[T Float] struct {
	ret   [4]float64
	unred [4][]T
	grad  [4][]T
}

func (c *rowsCase[T]) gradLen() int { return len(c.a) }

func runRows[T Float](rep *report, lname string, ks *asm.Kernels[T], c *rowsCase[T]) *rowsOut[T] {
	ga, gb := guardedOf(c.a, c.offs[0]), guardedOf(c.b, c.offs[1])
	gw := guardedOf(c.w, c.offs[2])
	a, b, w := ga.s(), gb.s(), gw.s()
	if c.w == nil {
		w = nil
	}
	var labels []int
	var glab []int
	if c.labels != nil {
		glab = make([]int, len(c.labels)+2*guardLen+c.offs[5])
		labels = glab[guardLen+c.offs[5] : guardLen+c.offs[5]+len(c.labels) : guardLen+c.offs[5]+len(c.labels)]
		copy(labels, c.labels)
	}
	out := &rowsOut[T]{}
	for combo := 0; combo < 4; combo++ {
		var unred, grad []T
		var gu, gg *guarded[T]
		if combo&1 != 0 {
			gu = newGuarded[T](c.rows, c.offs[3])
			unred = gu.s()
		}
		if combo&2 != 0 {
			gg = newGuarded[T](c.gradLen(), c.offs[4])
			grad = gg.s()
		}
		var r float64
		switch c.kind {
		case kSoftmax:
			r = ks.Rows.SoftmaxCE(a, b, c.rows, c.c, w, c.wrep, c.ws, float64(c.gs), c.smooth, unred, grad)
		case kSparse:
			r = ks.Rows.SparseCE(a, c.c, labels, w, c.wrep, c.ws, float64(c.gs), c.smooth, unred, grad)
		case kCosine:
			r = ks.Rows.Cosine(a, b, c.axisLen, c.stride, c.m0, c.rows, w, c.wrep, c.ws, float64(c.gs), unred, grad)
		case kPairwise:
			r = ks.Rows.Pairwise(a, b, c.rows, c.c, w, c.ws, unred, grad)
		}
		out.ret[combo] = r
		if gu != nil {
			if !gu.intact() {
				rep.errorf("%s %v combo %d: wrote outside unred", lname, c.kind, combo)
			}
			out.unred[combo] = append([]T(nil), unred...)
		}
		if gg != nil {
			if !gg.intact() {
				rep.errorf("%s %v combo %d: wrote outside grad", lname, c.kind, combo)
			}
			out.grad[combo] = append([]T(nil), grad...)
		}
	}
	for _, in := range []struct {
		name string
		g    *guarded[T]
		v    []T
	}{{"x/p", ga, c.a}, {"z/y", gb, c.b}, {"w", gw, c.w}} {
		if !in.g.intact() {
			rep.errorf("%s: wrote outside input %s", lname, in.name)
		}
		if !sameBits(in.g.s(), in.v) {
			rep.errorf("%s: modified input %s", lname, in.name)
		}
	}
	for i, v := range glab {
		inside := i >= guardLen+c.offs[5] && i < guardLen+c.offs[5]+len(c.labels)
		if (!inside && v != 0) || (inside && v != c.labels[i-guardLen-c.offs[5]]) {
			rep.errorf("%s: labels or their guards modified", lname)
			break
		}
	}
	return out
}

// rowsExpect is the oracle's expectation of a rowsCase.
type rowsExpect struct {
	ret   expSum
	unred expVec
	grad  expVec
}

func expectRows[T Float](c *rowsCase[T]) *rowsExpect {
	n := numOf[T]()
	a, b := toF64(c.a), toF64(c.b)
	// ω(r) = ws·w[r/wrep] in T.
	omega := make([]float64, c.rows)
	oOvf, oUnf := make([]bool, c.rows), make([]bool, c.rows)
	for r := range omega {
		if c.w == nil {
			omega[r] = float64(c.ws)
			continue
		}
		e := ev{num: n}
		omega[r] = e.t(e.mul(float64(c.ws), float64(c.w[r/c.wrep])))
		oOvf[r], oUnf[r] = e.ovf, e.unf
	}
	vals := make([]rowVal, c.rows)
	zeroRow := make([]bool, c.rows)
	for r := range vals {
		switch c.kind {
		case kSoftmax:
			vals[r] = softmaxRow(n, a[r*c.c:(r+1)*c.c], b[r*c.c:(r+1)*c.c], 0, false, float64(c.smooth), r*c.c)
		case kSparse:
			vals[r] = softmaxRow(n, a[r*c.c:(r+1)*c.c], nil, c.labels[r], true, float64(c.smooth), r*c.c)
		case kCosine:
			m := c.m0 + r
			base := (m/c.stride)*c.axisLen*c.stride + m%c.stride
			vals[r] = cosineElem(n, a, b, c.axisLen, c.stride, base)
		case kPairwise:
			if omega[r] == 0 {
				// A row of weight 0 is empty: loss 0 and gradient +0 whatever it holds.
				zeroRow[r] = true
				vals[r] = rowVal{}
				for i := r * c.c; i < (r+1)*c.c; i++ {
					vals[r].idx = append(vals[r].idx, i)
				}
				vals[r].g = make([]float64, c.c)
				vals[r].gmag = make([]float64, c.c)
				continue
			}
			vals[r] = pairwiseRow(n, a[r*c.c:(r+1)*c.c], b[r*c.c:(r+1)*c.c], r*c.c)
		}
		vals[r].ovf = vals[r].ovf || oOvf[r]
		vals[r].unf = vals[r].unf || oUnf[r]
	}
	return rowsExpectation(n, omega, vals, zeroRow, float64(c.gs), c.gradLen(), c.kind == kPairwise)
}

// rowsExpectation combines per-element row values with their weights ω:
// the sum Σ ω·l, unreduced ω·l, and the gradient coef·g with coef = gs·ω in
// T (ω alone when pairwise, which has no gs).
func rowsExpectation(n *num, omega []float64, vals []rowVal, zeroRow []bool, gs float64, gradLen int, pairwise bool) *rowsExpect {
	rows := len(vals)
	l, lmag := make([]float64, rows), make([]float64, rows)
	ovf, unf := make([]bool, rows), make([]bool, rows)
	for r, v := range vals {
		l[r], lmag[r], ovf[r], unf[r] = v.l, v.lmag, v.ovf, v.unf
	}
	x := &rowsExpect{ret: weightedSum(n, omega, l, lmag, ovf, unf)}
	x.unred = newExpVec(rows)
	x.grad = newExpVec(gradLen)
	for i := range x.grad.untouched {
		x.grad.untouched[i] = true
	}
	for r, v := range vals {
		x.unred.setElem(n, r, omega[r], v.l, v.lmag, v.ovf, v.unf)
		// A row's loss is itself a sum (over classes, the axis or the row):
		// SPEC.md's sum tolerance applies to it.
		x.unred.tol[r] += tolOf(n.sumRel * magProd(omega[r], v.lmag))
		if zeroRow[r] {
			x.unred.zero[r] = true
		}
		e := ev{num: n}
		coef := omega[r]
		if !pairwise {
			coef = e.t(e.mul(gs, omega[r]))
		} else {
			e.mul(coef, 4) // the implementation scales ω by 4/n first
		}
		for j, i := range v.idx {
			x.grad.untouched[i] = false
			post := v.gmag[j]
			if v.post != nil {
				post = v.post[j]
			}
			x.grad.setElemPost(n, i, coef, v.g[j], v.gmag[j], post, v.ovf || e.ovf, v.unf || e.unf)
			if zeroRow[r] {
				x.grad.zero[i] = true
			}
		}
	}
	x.unred.finishTol(n)
	x.grad.finishTol(n)
	return x
}

func checkRows[T Float](t fataler, c *rowsCase[T]) {
	rep := &report{t: t, what: c.String}
	n := numOf[T]()
	want := expectRows(c)
	gen := runRows(rep, asm.Generic, kernelsOf[T](asm.GenericLevel), c)
	for _, lv := range levelsToTest() {
		got := gen
		if lv != asm.GenericLevel {
			got = runRows(rep, lv.Name, kernelsOf[T](lv), c)
		}
		for combo := 0; combo < 4; combo++ {
			name := fmt.Sprintf("%s %v (unred %v, grad %v)", lv.Name, c.kind, combo&1 != 0, combo&2 != 0)
			var ref *float64
			var refU, refG []T
			if lv != asm.GenericLevel {
				ref, refU, refG = &gen.ret[combo], gen.unred[combo], gen.grad[combo]
			}
			checkSum(rep, n, name, got.ret[combo], want.ret, ref)
			if combo&1 != 0 {
				checkVec(rep, n, name+" unred", got.unred[combo], want.unred, refU)
			}
			if combo&2 != 0 {
				checkVec(rep, n, name+" grad", got.grad[combo], want.grad, refG)
			}
		}
	}
	rep.done()
}

func fuzzRows(f *testing.F, kind rowKind) {
	for _, seed := range kernelSeeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := newSrc(data)
		if s.u8()&1 == 0 {
			checkRows(t, decodeRowsCase[float32](s, kind))
		} else {
			checkRows(t, decodeRowsCase[float64](s, kind))
		}
	})
}

func FuzzKernelSoftmaxCE(f *testing.F) { fuzzRows(f, kSoftmax) }
func FuzzKernelSparseCE(f *testing.F)  { fuzzRows(f, kSparse) }
func FuzzKernelCosine(f *testing.F)    { fuzzRows(f, kCosine) }
func FuzzKernelPairwise(f *testing.F)  { fuzzRows(f, kPairwise) }

func checkWeightStats[T Float](t fataler, w []T, off int) {
	rep := &report{t: t, what: func() string {
		return fmt.Sprintf("WeightStats[%s] n=%d off=%d w=%s", typeName[T](), len(w), off, summarize(toF64(w), 16))
	}}
	n := numOf[T]()
	nz, want := weightStats(n, toF64(w))
	gnz, gsum := kernelsOf[T](asm.GenericLevel).WeightStats(w)
	for _, lv := range levelsToTest() {
		g := guardedOf(w, off)
		z, s := kernelsOf[T](lv).WeightStats(g.s())
		if !g.intact() || !sameBits(g.s(), w) {
			rep.errorf("%s: weights or their guards modified", lv.Name)
		}
		if z != nz {
			rep.errorf("%s: nonzero %d, want %d", lv.Name, z, nz)
		}
		var ref *float64
		if lv != asm.GenericLevel {
			if z != gnz {
				rep.errorf("%s: nonzero %d, generic level %d", lv.Name, z, gnz)
			}
			ref = &gsum
		}
		checkSum(rep, n, lv.Name+" weight sum", s, want, ref)
	}
	rep.done()
}

func FuzzKernelWeightStats(f *testing.F) {
	for _, seed := range kernelSeeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := newSrc(data)
		f32 := s.u8()&1 == 0
		n := s.length(4096)
		r := roleWeight
		if s.oneIn(4) {
			r = roleReal
		}
		v := s.vector(n, r, s.profile(), f32)
		off := s.intn(16)
		if f32 {
			checkWeightStats(t, fromF64[float32](v), off)
		} else {
			checkWeightStats(t, fromF64[float64](v), off)
		}
	})
}
