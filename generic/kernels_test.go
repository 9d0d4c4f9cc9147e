package generic_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdloss/simdloss/generic"
)

// The elementwise kernels against direct loops written from SPEC.md section 5.
//
// The oracle evaluates each formula in float64 from the kernel's inputs, with
// the steps SPEC.md section 1 puts in the element type rounded to it where
// rounding alone decides the value (p − y, p + ε, 1 − p + ε, 2y − 1, z'); the
// transcendental functions and everything else are float64. Results must
// agree within SPEC.md section 6's tolerances.

func isF32[T generic.Float]() bool {
	var z T
	_, ok := any(z).(float32)
	return ok
}

func typeName[T generic.Float]() string {
	if isF32[T]() {
		return "float32"
	}
	return "float64"
}

// rt rounds v to T.
func rt[T generic.Float](v float64) float64 { return float64(T(v)) }

func sgn(v float64) float64 {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	case v == 0:
		return 0
	}
	return v
}

// lossDef is one loss of SPEC.md section 5 as a direct formula.
type lossDef struct {
	id      generic.ElemLoss
	twoArgs bool
	params  []float64 // values of the kernel's parameter a
	// l and g return the loss and its derivative w.r.t. p, each with the sum
	// of the magnitudes of the terms it adds (the cancellation bound); r
	// rounds to the element type.
	l, g func(p, y, a float64, r func(float64) float64) (v, scale float64)
	gen  func(rng *rand.Rand) (p, y float64)
}

func exact(v float64) (float64, float64) { return v, math.Abs(v) }

var lossDefs = []lossDef{
	{
		id: generic.AbsDiff, twoArgs: true, params: []float64{0},
		l: func(p, y, _ float64, r func(float64) float64) (float64, float64) { return exact(math.Abs(r(p - y))) },
		g: func(p, y, _ float64, r func(float64) float64) (float64, float64) { return exact(sgn(r(p - y))) },
		gen: func(rng *rand.Rand) (float64, float64) {
			p := 6*rng.Float64() - 3
			if rng.IntN(8) == 0 {
				return p, p // equality: gradient 0
			}
			return p, 6*rng.Float64() - 3
		},
	},
	{
		id: generic.SqDiff, twoArgs: true, params: []float64{0},
		l:   func(p, y, _ float64, r func(float64) float64) (float64, float64) { d := r(p - y); return exact(d * d) },
		g:   func(p, y, _ float64, r func(float64) float64) (float64, float64) { return exact(2 * r(p-y)) },
		gen: func(rng *rand.Rand) (float64, float64) { return 6*rng.Float64() - 3, 6*rng.Float64() - 3 },
	},
	{
		id: generic.LogLoss, twoArgs: true, params: []float64{1e-7, 0, 0.01},
		l: func(p, y, eps float64, r func(float64) float64) (float64, float64) {
			a, b := -y*math.Log(r(p+eps)), -(1-y)*math.Log(r(r(1-p)+eps))
			return a + b, math.Abs(a) + math.Abs(b)
		},
		g: func(p, y, eps float64, r func(float64) float64) (float64, float64) {
			a, b := -y/r(p+eps), (1-y)/r(r(1-p)+eps)
			return a + b, math.Abs(a) + math.Abs(b)
		},
		gen: func(rng *rand.Rand) (float64, float64) {
			p := 0.001 + 0.998*rng.Float64()
			switch rng.IntN(3) {
			case 0:
				return p, 0
			case 1:
				return p, 1
			}
			return p, rng.Float64()
		},
	},
	{
		id: generic.Hinge, twoArgs: true, params: []float64{0},
		l: func(x, y, _ float64, r func(float64) float64) (float64, float64) {
			return exact(math.Max(0, r(1-r(r(2*y-1)*x))))
		},
		g: func(x, y, _ float64, r func(float64) float64) (float64, float64) {
			ys := r(2*y - 1)
			if r(1-r(ys*x)) > 0 {
				return exact(-ys)
			}
			return 0, 0
		},
		gen: func(rng *rand.Rand) (float64, float64) {
			x := 6*rng.Float64() - 3
			if rng.IntN(4) == 0 {
				return x, rng.Float64()
			}
			return x, float64(rng.IntN(2))
		},
	},
	{
		id: generic.SigmoidCE, twoArgs: true, params: []float64{0, 0.1, 1},
		l: func(x, z, s float64, r func(float64) float64) (float64, float64) {
			zs := r(r(z*r(1-s)) + r(0.5*s))
			a, b, c := math.Max(x, 0), -x*zs, math.Log1p(math.Exp(-math.Abs(x)))
			return a + b + c, math.Abs(a) + math.Abs(b) + c
		},
		g: func(x, z, s float64, r func(float64) float64) (float64, float64) {
			zs := r(r(z*r(1-s)) + r(0.5*s))
			sg := 1 / (1 + math.Exp(-x))
			return sg - zs, sg + math.Abs(zs)
		},
		gen: func(rng *rand.Rand) (float64, float64) {
			x := 40*rng.Float64() - 20
			if rng.IntN(10) == 0 {
				x = []float64{-1e30, -1000, -100, -88.5, 88.5, 100, 1000, 1e30}[rng.IntN(8)]
			}
			return x, rng.Float64()
		},
	},
	{
		id: generic.Identity, params: []float64{0},
		l:   func(p, _, _ float64, _ func(float64) float64) (float64, float64) { return exact(p) },
		g:   func(_, _, _ float64, _ func(float64) float64) (float64, float64) { return 1, 1 },
		gen: func(rng *rand.Rand) (float64, float64) { return 6*rng.Float64() - 3, 6*rng.Float64() - 3 },
	},
	{
		id: generic.L1, params: []float64{0},
		l: func(p, _, _ float64, _ func(float64) float64) (float64, float64) { return exact(math.Abs(p)) },
		g: func(p, _, _ float64, _ func(float64) float64) (float64, float64) { return exact(sgn(p)) },
		gen: func(rng *rand.Rand) (float64, float64) {
			if rng.IntN(8) == 0 {
				return 0, 1
			}
			return 6*rng.Float64() - 3, 6*rng.Float64() - 3
		},
	},
	{
		id: generic.L2, params: []float64{0},
		l:   func(p, _, _ float64, _ func(float64) float64) (float64, float64) { return exact(p * p / 2) },
		g:   func(p, _, _ float64, _ func(float64) float64) (float64, float64) { return exact(p) },
		gen: func(rng *rand.Rand) (float64, float64) { return 6*rng.Float64() - 3, 6*rng.Float64() - 3 },
	},
}

func TestLossDefsCoverEveryKernel(t *testing.T) {
	seen := map[generic.ElemLoss]bool{}
	for _, d := range lossDefs {
		seen[d.id] = true
	}
	require.Len(t, seen, int(generic.NumElemLoss))
	for k := generic.ElemLoss(0); k < generic.NumElemLoss; k++ {
		require.True(t, seen[k], "no oracle for %v", k)
	}
}

// tolerances of SPEC.md section 6.
func sumTol[T generic.Float]() float64 {
	if isF32[T]() {
		return 1e-5
	}
	return 1e-12
}

func elemRel[T generic.Float]() float64 {
	if isF32[T]() {
		return 1e-6
	}
	return 1e-13
}

func ulpsT[T generic.Float](a, b T) int64 {
	if isF32[T]() {
		return ulps32(float32(a), float32(b))
	}
	return ulps64(float64(a), float64(b))
}

func requireSum[T generic.Float](t *testing.T, want, scale, got float64, msg string) {
	t.Helper()
	if math.IsNaN(want) {
		if !math.IsNaN(got) {
			require.Failf(t, "want NaN", "%s: got %v", msg, got)
		}
		return
	}
	if want == got {
		return
	}
	require.InDelta(t, want, got, sumTol[T]()*scale, msg)
}

func epsT[T generic.Float]() float64 {
	if isF32[T]() {
		return 0x1p-24
	}
	return 0x1p-53
}

// requireElems compares per-element outputs: 4 ulp, or rel·max|output| of
// SPEC.md section 6, or 8 units of roundoff of the element's largest term
// (scale), whichever is largest — the last covers cancellation inside one
// element's formula, which SPEC.md computes in the element type.
func requireElems[T generic.Float](t *testing.T, want, scale []float64, got []T, msg string) {
	t.Helper()
	require.Len(t, got, len(want))
	maxAbs := 0.0
	for _, v := range want {
		if !math.IsInf(v, 0) && !math.IsNaN(v) {
			maxAbs = math.Max(maxAbs, math.Abs(v))
		}
	}
	for i, w := range want {
		g := got[i]
		allowed := math.Max(elemRel[T]()*maxAbs, 8*epsT[T]()*scale[i])
		switch {
		case math.IsNaN(w):
			if g == g {
				require.Failf(t, "want NaN", "%s[%d]: got %v", msg, i, g)
			}
		case float64(g) == w, ulpsT(T(w), g) <= 4, math.Abs(float64(g)-w) <= allowed:
		default:
			require.Failf(t, "element differs", "%s[%d] (of %d): got %v, want %v (%d ulp; allowed 4 ulp or %v)",
				msg, i, len(want), g, w, ulpsT(T(w), g), allowed)
		}
	}
}

var kernelLengths = func() []int {
	var ns []int
	for n := 0; n <= 40; n++ {
		ns = append(ns, n)
	}
	for _, p := range []int{64, 128, 256, 1024} {
		ns = append(ns, p-1, p, p+1)
	}
	return append(ns, 300)
}()

func randWeights[T generic.Float](rng *rand.Rand, n int) []T {
	w := make([]T, n)
	for i := range w {
		switch rng.IntN(6) {
		case 0:
			w[i] = 0
		case 1:
			w[i] = T(math.Copysign(0, -1))
		case 2:
			w[i] = T(-rng.Float64())
		default:
			w[i] = T(2 * rng.Float64())
		}
	}
	return w
}

func TestElemKernelsMatchSpecFormulas(t *testing.T) {
	t.Run("float32", func(t *testing.T) { elemKernels[float32](t) })
	t.Run("float64", func(t *testing.T) { elemKernels[float64](t) })
}

func elemKernels[T generic.Float](t *testing.T) {
	ks := generic.ElemKernels[T]()
	rng := rand.New(rand.NewPCG(40, 40))
	r := rt[T]
	for _, def := range lossDefs {
		k := ks[def.id]
		for _, a64 := range def.params {
			a := T(a64)
			af := float64(a)
			t.Run(fmt.Sprintf("%v/a=%v", def.id, a64), func(t *testing.T) {
				for _, n := range kernelLengths {
					p, y := make([]T, n), make([]T, n)
					pf, yf := make([]float64, n), make([]float64, n)
					for i := range p {
						pv, yv := def.gen(rng)
						p[i], y[i] = T(pv), T(yv)
						pf[i], yf[i] = float64(p[i]), float64(y[i])
					}
					w := randWeights[T](rng, n)
					s := T(0.5 + rng.Float64())
					o := elemOracle{l: make([]float64, n), ls: make([]float64, n), g: make([]float64, n), gs: make([]float64, n)}
					for i := range p {
						o.l[i], o.ls[i] = def.l(pf[i], yf[i], af, r)
						o.g[i], o.gs[i] = def.g(pf[i], yf[i], af, r)
					}
					checkElemKernel(t, k, p, y, w, s, a, o, fmt.Sprintf("%s n=%d", typeName[T](), n))
				}
			})
		}
	}
}

// elemOracle is the per-element loss and derivative with their term scales.
type elemOracle struct{ l, ls, g, gs []float64 }

// checkElemKernel runs all nine kernels of one loss on one input and compares
// them with the oracle's per-element loss l and derivative g.
func checkElemKernel[T generic.Float](t *testing.T, k generic.Elem[T], p, y, w []T, s, a T, o elemOracle, msg string) {
	t.Helper()
	n := len(p)
	sf := float64(s)
	l, g := o.l, o.g
	sc := make([]float64, n)
	scaled := func(f func(i int) float64, base []float64) []float64 {
		for i := range sc {
			sc[i] = math.Abs(f(i)) * base[i]
		}
		return sc
	}
	var sumL, absL, sumWL, absWL, wsum float64
	nz := 0
	for i := range p {
		wi := float64(w[i])
		sumL += l[i]
		absL += math.Abs(l[i])
		sumWL += wi * l[i]
		absWL += math.Abs(wi * l[i])
		wsum += wi
		if w[i] != 0 {
			nz++
		}
	}

	requireSum[T](t, sumL, absL, k.Sum(p, y, a), msg+" Sum")

	num, gotNZ, gotWS := k.WSum(p, y, w, a)
	requireSum[T](t, sumWL, absWL, num, msg+" WSum")
	require.Equal(t, nz, gotNZ, msg+" WSum nonzero count (−0 is zero)")
	require.InDelta(t, wsum, gotWS, 1e-12*float64(n+1), msg+" WSum weight sum")

	dst := make([]T, n)
	requireSum[T](t, sumL, absL, k.Unred(dst, p, y, s, a), msg+" Unred returns Σl")
	want := make([]float64, n)
	for i := range want {
		want[i] = sf * l[i]
	}
	requireElems(t, want, scaled(func(int) float64 { return sf }, o.ls), dst, msg+" Unred")

	clear(dst)
	requireSum[T](t, sumWL, absWL, k.WUnred(dst, p, y, w, a), msg+" WUnred")
	for i := range want {
		want[i] = float64(w[i]) * l[i]
	}
	requireElems(t, want, scaled(func(i int) float64 { return float64(w[i]) }, o.ls), dst, msg+" WUnred")

	clear(dst)
	requireSum[T](t, sumL, absL, k.Grad(dst, p, y, s, a), msg+" Grad returns Σl")
	for i := range want {
		want[i] = sf * g[i]
	}
	requireElems(t, want, scaled(func(int) float64 { return sf }, o.gs), dst, msg+" Grad")

	clear(dst)
	requireSum[T](t, sumWL, absWL, k.WGrad(dst, p, y, w, s, a), msg+" WGrad")
	for i := range want {
		want[i] = sf * float64(w[i]) * g[i]
	}
	requireElems(t, want, scaled(func(i int) float64 { return sf * float64(w[i]) }, o.gs), dst, msg+" WGrad")

	// Row forms: every inner that divides n, with the first len(p)/inner weights.
	for _, inner := range []int{1, 2, 3, 7, 16} {
		if n%inner != 0 {
			continue
		}
		rows := n / inner
		wr := w[:rows]
		var rsum, rabs, rws float64
		rnz := 0
		for r, wv := range wr {
			for i := r * inner; i < (r+1)*inner; i++ {
				rsum += float64(wv) * l[i]
				rabs += math.Abs(float64(wv) * l[i])
			}
			rws += float64(wv)
			if wv != 0 {
				rnz++
			}
		}
		rmsg := fmt.Sprintf("%s inner=%d", msg, inner)
		num, gotNZ, gotWS := k.RowSum(p, y, wr, inner, a)
		requireSum[T](t, rsum, rabs, num, rmsg+" RowSum")
		require.Equal(t, rnz, gotNZ, rmsg+" RowSum nonzero rows")
		require.InDelta(t, rws, gotWS, 1e-12*float64(rows+1), rmsg+" RowSum weight sum")

		clear(dst)
		requireSum[T](t, rsum, rabs, k.RowUnred(dst, p, y, wr, inner, a), rmsg+" RowUnred")
		for i := range want {
			want[i] = float64(wr[i/inner]) * l[i]
		}
		requireElems(t, want, scaled(func(i int) float64 { return float64(wr[i/inner]) }, o.ls), dst, rmsg+" RowUnred")

		clear(dst)
		requireSum[T](t, rsum, rabs, k.RowGrad(dst, p, y, wr, inner, s, a), rmsg+" RowGrad")
		for i := range want {
			want[i] = sf * float64(wr[i/inner]) * g[i]
		}
		requireElems(t, want, scaled(func(i int) float64 { return sf * float64(wr[i/inner]) }, o.gs), dst, rmsg+" RowGrad")
	}
}

// SPEC.md section 6: NaN in, NaN out, in the element's loss on every kernel;
// and, for every loss whose derivative depends on its input, in its gradient.
func TestElemKernelsPropagateNaN(t *testing.T) {
	t.Run("float32", func(t *testing.T) { elemNaN[float32](t) })
	t.Run("float64", func(t *testing.T) { elemNaN[float64](t) })
}

func elemNaN[T generic.Float](t *testing.T) {
	ks := generic.ElemKernels[T]()
	nan := T(math.NaN())
	rng := rand.New(rand.NewPCG(41, 41))
	for _, def := range lossDefs {
		k := ks[def.id]
		a := T(def.params[len(def.params)-1])
		for _, arg := range []string{"p", "y"} {
			for _, n := range []int{1, 5, 17, 64} {
				at := n / 2
				p, y := make([]T, n), make([]T, n)
				for i := range p {
					pv, yv := def.gen(rng)
					p[i], y[i] = T(pv), T(yv)
				}
				if arg == "p" {
					p[at] = nan
				} else {
					y[at] = nan
				}
				w := make([]T, n)
				for i := range w {
					w[i] = 1
				}
				w[at] = 0 // 0·NaN is NaN: weight 0 does not hide it
				msg := fmt.Sprintf("%s %v NaN in %s at %d of %d", typeName[T](), def.id, arg, at, n)
				expectNaN := arg == "p" || def.twoArgs
				gradNaN := expectNaN && def.id != generic.Identity

				isNaN := func(v float64) bool { return v != v }
				checkSum := func(name string, v float64) {
					t.Helper()
					if expectNaN {
						assert.True(t, isNaN(v), "%s: %s = %v, want NaN", msg, name, v)
					} else {
						assert.False(t, isNaN(v), "%s: %s = %v, y is ignored", msg, name, v)
					}
				}
				checkElem := func(name string, dst []T, want bool) {
					t.Helper()
					got := dst[at] != dst[at]
					if want {
						assert.True(t, got, "%s: %s[%d] = %v, want NaN", msg, name, at, dst[at])
					} else if !expectNaN {
						assert.False(t, got, "%s: %s[%d] = %v, y is ignored", msg, name, at, dst[at])
					}
					for i, v := range dst {
						if i != at && v != v {
							assert.Fail(t, "NaN leaked", "%s: %s[%d] is NaN", msg, name, i)
						}
					}
				}
				checkSum("Sum", k.Sum(p, y, a))
				num, _, _ := k.WSum(p, y, w, a)
				checkSum("WSum", num)
				num, _, _ = k.RowSum(p, y, w, 1, a)
				checkSum("RowSum", num)
				dst := make([]T, n)
				checkSum("Unred", k.Unred(dst, p, y, 2, a))
				checkElem("Unred", dst, expectNaN)
				checkSum("WUnred", k.WUnred(dst, p, y, w, a))
				checkElem("WUnred", dst, expectNaN)
				checkSum("RowUnred", k.RowUnred(dst, p, y, w, 1, a))
				checkElem("RowUnred", dst, expectNaN)
				checkSum("Grad", k.Grad(dst, p, y, 2, a))
				checkElem("Grad", dst, gradNaN)
				checkSum("WGrad", k.WGrad(dst, p, y, w, 2, a))
				checkElem("WGrad", dst, gradNaN)
				checkSum("RowGrad", k.RowGrad(dst, p, y, w, 1, 2, a))
				checkElem("RowGrad", dst, gradNaN)
			}
		}
	}
}

// elemAt runs loss id on one element and returns l and g (s = 1).
func elemAt[T generic.Float](id generic.ElemLoss, p, y, a T) (l, g T) {
	k := generic.ElemKernels[T]()[id]
	u, d := make([]T, 1), make([]T, 1)
	k.Unred(u, []T{p}, []T{y}, 1, a)
	k.Grad(d, []T{p}, []T{y}, 1, a)
	return u[0], d[0]
}

func TestHingeSpecialPoints(t *testing.T) {
	t.Run("float32", func(t *testing.T) { hingeSpecial[float32](t) })
	t.Run("float64", func(t *testing.T) { hingeSpecial[float64](t) })
}

func hingeSpecial[T generic.Float](t *testing.T) {
	for _, c := range []struct{ x, y, l, g float64 }{
		{1, 1, 0, 0},   // on the margin: 1 − y'x = 0, gradient 0 (not −y')
		{-1, 0, 0, 0},  // on the margin for the negative class
		{0, 1, 1, -1},  // y' = 1
		{0, 0, 1, 1},   // y' = −1
		{2, 1, 0, 0},   // beyond the margin
		{-2, 0, 0, 0},  // beyond the margin
		{-2, 1, 3, -1}, // wrong side
		{0.5, 1, 0.5, -1},
		{2, 0, 3, 1},
		{0.5, 0.5, 1, 0}, // y' = 0: 1 − 0 > 0, gradient −0
	} {
		l, g := elemAt[T](generic.Hinge, T(c.x), T(c.y), 0)
		assert.Equal(t, T(c.l), l, "hinge loss at x=%v y=%v", c.x, c.y)
		assert.Equal(t, T(c.g), g, "hinge gradient at x=%v y=%v", c.x, c.y)
	}
	// Just inside the margin the gradient is −y'.
	x := math.Nextafter(1, 0)
	_, g := elemAt[T](generic.Hinge, T(x), 1, 0)
	if isF32[T]() {
		_, g = elemAt[T](generic.Hinge, T(math.Nextafter32(1, 0)), 1, 0)
	}
	assert.Equal(t, T(-1), g)
	// Infinite logits.
	l, g := elemAt[T](generic.Hinge, T(math.Inf(1)), 1, 0)
	assert.Equal(t, T(0), l)
	assert.Equal(t, T(0), g)
	l, g = elemAt[T](generic.Hinge, T(math.Inf(-1)), 1, 0)
	assert.True(t, math.IsInf(float64(l), 1))
	assert.Equal(t, T(-1), g)
}

func TestAbsoluteDifferenceAndL1SpecialPoints(t *testing.T) {
	t.Run("float32", func(t *testing.T) { absSpecial[float32](t) })
	t.Run("float64", func(t *testing.T) { absSpecial[float64](t) })
}

func absSpecial[T generic.Float](t *testing.T) {
	inf := math.Inf(1)
	for _, c := range []struct{ p, y, l, g float64 }{
		{1, 1, 0, 0}, // equality: gradient 0
		{0, 0, 0, 0},
		{2, 1, 1, 1},
		{1, 2, 1, -1},
		{-3, 3, 6, -1},
		{inf, 0, inf, 1},
		{0, inf, inf, -1},
	} {
		l, g := elemAt[T](generic.AbsDiff, T(c.p), T(c.y), 0)
		assert.Equal(t, T(c.l), l, "|p − y| at p=%v y=%v", c.p, c.y)
		assert.Equal(t, T(c.g), g, "sign(p − y) at p=%v y=%v", c.p, c.y)
	}
	l, g := elemAt[T](generic.AbsDiff, T(inf), T(inf), 0)
	assert.True(t, l != l && g != g, "Inf − Inf is NaN")
	for _, c := range []struct{ p, l, g float64 }{
		{0, 0, 0}, {2, 2, 1}, {-2, 2, -1}, {-inf, inf, -1},
	} {
		l, g := elemAt[T](generic.L1, T(c.p), 0, 0)
		assert.Equal(t, T(c.l), l, "|p| at %v", c.p)
		assert.Equal(t, T(c.g), g, "sign(p) at %v", c.p)
	}
	// |−0| and |x − x| are zeros (their sign is not part of SPEC).
	l, g = elemAt[T](generic.L1, T(math.Copysign(0, -1)), 0, 0)
	assert.True(t, l == 0 && g == 0)
}

// SPEC.md section 5: sigmoid CE uses max(x,0) − x·z' + log1p(exp(−|x|)),
// finite for any finite logit (no exp overflow beyond |x| ≈ 88 in float32).
func TestSigmoidCEIsFiniteForLargeLogits(t *testing.T) {
	t.Run("float32", func(t *testing.T) {
		sigmoidLarge[float32](t, []float64{88.5, 89, 100, 104, 1000, 1e30, math.MaxFloat32})
	})
	t.Run("float64", func(t *testing.T) {
		sigmoidLarge[float64](t, []float64{88.5, 100, 710, 746, 1000, 1e30, 1e300})
	})
}

func sigmoidLarge[T generic.Float](t *testing.T, mags []float64) {
	for _, m := range mags {
		for _, sign := range []float64{1, -1} {
			x := T(sign * m)
			for _, z := range []T{0, 0.5, 1} {
				for _, s := range []T{0, 0.1} {
					l, g := elemAt[T](generic.SigmoidCE, x, z, s)
					msg := fmt.Sprintf("%s x=%v z=%v smoothing=%v", typeName[T](), x, z, s)
					require.False(t, math.IsInf(float64(l), 0) || l != l, "%s: loss %v", msg, l)
					require.False(t, math.IsInf(float64(g), 0) || g != g, "%s: gradient %v", msg, g)
					xf := float64(x)
					zs := float64(z)*(1-float64(s)) + 0.5*float64(s)
					want := math.Max(xf, 0) - xf*zs + math.Log1p(math.Exp(-math.Abs(xf)))
					// Within the roundoff of the largest term (|x|), plus the
					// smallest subnormal: log1p(exp(−100)) is 3.7e-44 in float32.
					scale := math.Max(xf, 0) + math.Abs(xf*zs) + math.Log1p(math.Exp(-math.Abs(xf)))
					assert.InDelta(t, want, float64(l), 8*epsT[T]()*scale+1e-44, msg)
					assert.GreaterOrEqual(t, float64(l), 0.0, msg+": the loss is not negative")
					wantG := 1/(1+math.Exp(-xf)) - zs
					assert.InDelta(t, wantG, float64(g), 1e-7, msg)
				}
			}
		}
	}
}

func TestWeightSumsAndNonzeroCounts(t *testing.T) {
	t.Run("float32", func(t *testing.T) { weightCounts[float32](t) })
	t.Run("float64", func(t *testing.T) { weightCounts[float64](t) })
}

func weightCounts[T generic.Float](t *testing.T) {
	negZero := T(math.Copysign(0, -1))
	w := []T{0, 1, negZero, -2, 0.5, 0, 3, -0.25, 0, 0, 1e-30, 7}
	wantNZ, wantSum := 0, 0.0
	for _, v := range w {
		if v != 0 {
			wantNZ++
		}
		wantSum += float64(v)
	}
	nz, sum := generic.WeightStats(w)
	require.Equal(t, wantNZ, nz, "negative weights count, −0 does not")
	require.InDelta(t, wantSum, sum, 1e-12)
	nz, sum = generic.WeightStats[T](nil)
	require.Equal(t, 0, nz)
	require.Equal(t, 0.0, sum)

	n := len(w)
	p := make([]T, 3*n)
	for i := range p {
		p[i] = T(i%5) - 2
	}
	for id, k := range generic.ElemKernels[T]() {
		_, gotNZ, gotSum := k.WSum(p[:n], p[:n], w, 0.1)
		require.Equal(t, wantNZ, gotNZ, "%v WSum", generic.ElemLoss(id))
		require.InDelta(t, wantSum, gotSum, 1e-12, "%v WSum", generic.ElemLoss(id))
		_, gotNZ, gotSum = k.RowSum(p, p, w, 3, 0.1)
		require.Equal(t, wantNZ, gotNZ, "%v RowSum counts rows", generic.ElemLoss(id))
		require.InDelta(t, wantSum, gotSum, 1e-12, "%v RowSum sums row weights once", generic.ElemLoss(id))
	}
}
