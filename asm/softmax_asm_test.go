//go:build !purego && (amd64 || arm64)

package asm

// The generated softmax primitives of each SIMD level, one by one, against
// the Go versions of softmax_ref_test.go: every length and alignment, inside
// NaN guards.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdloss/simdloss/generic"
	"github.com/stretchr/testify/require"
)

var softmaxPrimLengths = concat(lengthRange(1, 300, 1), pow2Lengths, []int{8193, 100003})

func forEachSoftmaxAsm(t *testing.T, f32 func(t *testing.T, a *softmaxAsm[float32]), f64 func(t *testing.T, a *softmaxAsm[float64])) {
	forEachLevel(t, func(t *testing.T, l *Level) {
		if !hasSoftmaxPrims(l.Name) {
			t.Skip("this level has no softmax primitives")
		}
		t.Run("float32", func(t *testing.T) { f32(t, softmaxAsmOf[float32](l.Name)) })
		t.Run("float64", func(t *testing.T) { f64(t, softmaxAsmOf[float64](l.Name)) })
	})
}

// primLogits returns n logits; with special set, some are ±Inf or huge.
func primLogits[T Float](r *rand.Rand, n int, special bool) []T {
	x := make([]T, n)
	for i := range x {
		x[i] = T(logit(r))
		if special && r.IntN(20) == 0 {
			x[i] = T([]float64{math.Inf(1), math.Inf(-1), 1e30, -1e30, 0}[r.IntN(5)])
		}
	}
	return x
}

func offsetsFor(n int) []int {
	if n <= 40 {
		return lengthRange(0, 16, 1)
	}
	return []int{0, 1, 7}
}

func testRowMax[T Float](t *testing.T, a *softmaxAsm[T]) {
	ar := newArena(110000, guardNaN[T]())
	for _, n := range softmaxPrimLengths {
		for _, special := range []bool{false, true} {
			r := rand.New(rand.NewPCG(uint64(n), 11))
			x := primLogits[T](r, n, special)
			nan := special && n%3 == 0
			if nan {
				x[r.IntN(n)] = T(math.NaN())
			}
			want := refRowMax(x)
			for _, off := range offsetsFor(n) {
				w := ar.input(x, off)
				var got T
				require.NoError(t, protect(func() { got = a.rowMax(w) }))
				require.NoError(t, ar.checkGuards(n, off))
				if nan {
					// A NaN need not propagate; otherwise the maximum of the others.
					var m T = T(math.Inf(-1))
					for _, v := range x {
						if v > m {
							m = v
						}
					}
					require.True(t, got != got || got == m, "n=%d off=%d: got %v, want NaN or %v", n, off, got, m)
					continue
				}
				require.Equal(t, want, got, "n=%d off=%d special=%v", n, off, special)
			}
		}
	}
}

func TestSoftmaxRowMaxIsTheMaximum(t *testing.T) {
	forEachSoftmaxAsm(t, testRowMax[float32], testRowMax[float64])
}

// closeTo reports whether got is within k rounding errors of want, relative
// to the magnitude mag of what was added up.
func closeTo[T Float](got, want T, mag float64, k float64) bool {
	if got == want || (got != got && want != want) {
		return true
	}
	eps := 0x1p-24
	if !isF32[T]() {
		eps = 0x1p-53
	}
	return math.Abs(float64(got)-float64(want)) <= k*eps*mag
}

func testGradPrims[T Float](t *testing.T, a *softmaxAsm[T]) {
	ag, az := newArena(110000, guardNaN[T]()), newArena(110000, guardNaN[T]())
	for _, n := range softmaxPrimLengths {
		r := rand.New(rand.NewPCG(uint64(n), 12))
		e, z := make([]T, n), make([]T, n)
		for i := range e {
			e[i], z[i] = T(r.Float64()), T(r.Float64())
		}
		p, q, pos, neg, rr, qq := T(0.37), T(0.011), T(0.9), T(0.01), T(-0.5), T(3)
		for _, off := range offsetsFor(n) {
			g := ag.input(e, off)
			require.NoError(t, protect(func() { a.gradSparse(g, p, q) }))
			require.NoError(t, ag.checkGuards(n, off))
			for i := range g {
				want := e[i]*p - q
				require.True(t, closeTo(g[i], want, float64(e[i]*p)+float64(q), 2), "sparse n=%d off=%d i=%d: got %v want %v", n, off, i, g[i], want)
			}
			g = ag.input(e, off)
			zw := az.input(z, (off+3)%16)
			require.NoError(t, protect(func() { a.gradDense(g, zw, pos, neg, p, rr, qq) }))
			require.NoError(t, ag.checkGuards(n, off))
			require.NoError(t, az.checkGuards(n, (off+3)%16))
			require.NoError(t, checkInput("z", zw, z))
			for i := range g {
				zs := z[i]*pos + neg
				want := (e[i]*p - zs*rr) * qq
				mag := (math.Abs(float64(e[i]*p)) + math.Abs(float64(zs*rr))) * math.Abs(float64(qq))
				require.True(t, closeTo(g[i], want, mag, 4), "dense n=%d off=%d i=%d: got %v want %v", n, off, i, g[i], want)
			}
		}
	}
}

func TestSoftmaxGradPrimitives(t *testing.T) {
	forEachSoftmaxAsm(t, testGradPrims[float32], testGradPrims[float64])
}

// expUlps is the error bound of the level's exponential, in ulps of the
// correctly rounded result (SPEC.md section 6), used for stored exps.
const expUlps = 2

func testExpSums[T Float](t *testing.T, a *softmaxAsm[T]) {
	if a.expSum == nil {
		t.Skip("no exp-sum kernels at this level yet")
	}
	ax, az, ad := newArena(110000, guardNaN[T]()), newArena(110000, guardNaN[T]()), newArena(110000, guardNaN[T]())
	for _, n := range softmaxPrimLengths {
		for _, special := range []bool{false, true} {
			r := rand.New(rand.NewPCG(uint64(n), 13))
			x := primLogits[T](r, n, special)
			if n > 3 && n%4 == 0 {
				x[n/2] = refRowMax(x) // a repeated maximum
			}
			z := make([]T, n)
			for i := range z {
				z[i] = T(r.Float64())
			}
			m := refRowMax(x)
			if !(math.Abs(float64(m)) < math.Inf(1)) {
				continue // the Go side never calls the sums with an infinite m
			}
			pos, neg := T(0.9), T(0.1)/T(n)
			wantRest, wantDist, wantOnes := refExpSum[T](nil, x, m)
			var wantA, wantB, magA float64
			for i, v := range x {
				zs := z[i]*pos + neg
				wantA += float64(zs) * (float64(m) - float64(v))
				magA += math.Abs(float64(zs) * (float64(m) - float64(v)))
				wantB += float64(zs)
			}
			sumTol := 1e-6
			if !isF32[T]() {
				sumTol = 1e-13
			}
			checkSum := func(what string, got, want, mag float64) {
				t.Helper()
				if math.IsInf(want, 0) || want != want {
					require.True(t, got == want || (got != got && want != want), "%s n=%d: got %v want %v", what, n, got, want)
					return
				}
				require.LessOrEqual(t, math.Abs(got-want), sumTol*mag+1e-300, "%s n=%d special=%v: got %v want %v", what, n, special, got, want)
			}
			for _, off := range offsetsFor(n) {
				desc := fmt.Sprintf("n=%d off=%d special=%v", n, off, special)
				xw := ax.input(x, off)
				zw := az.input(z, (off+5)%16)
				for _, store := range []bool{false, true} {
					var dst []T
					if store {
						dst = ad.output(n, (off+9)%16, unwrittenNaN[T]())
					}
					for mode := 0; mode < 3; mode++ {
						var rest, dist, ea, eb float64
						var ones int
						err := protect(func() {
							switch {
							case mode == 0 && store:
								rest, ones = a.expSumE(dst, xw, m)
							case mode == 0:
								rest, ones = a.expSum(xw, m)
							case mode == 1 && store:
								rest, dist, ones = a.expSumDistE(dst, xw, m)
							case mode == 1:
								rest, dist, ones = a.expSumDist(xw, m)
							case store:
								rest, ea, eb, ones = a.expSumDenseE(dst, xw, zw, m, pos, neg)
							default:
								rest, ea, eb, ones = a.expSumDense(xw, zw, m, pos, neg)
							}
						})
						require.NoError(t, err, desc)
						require.NoError(t, ax.checkGuards(n, off), desc)
						require.NoError(t, checkInput("x", xw, x), desc)
						require.Equal(t, wantOnes, ones, "ones %s mode %d", desc, mode)
						checkSum("rest", rest, wantRest, wantRest)
						switch mode {
						case 1:
							checkSum("dist", dist, wantDist, wantDist)
						case 2:
							require.NoError(t, az.checkGuards(n, (off+5)%16), desc)
							require.NoError(t, checkInput("z", zw, z), desc)
							checkSum("a", ea, wantA, magA)
							checkSum("b", eb, wantB, wantB)
						}
						if store {
							require.NoError(t, ad.checkGuards(n, (off+9)%16), desc)
							for i, v := range x {
								want := generic.Exp(v - m)
								require.True(t, dst[i] == want || ulpDist(dst[i], want) <= expUlps || (want != want && dst[i] != dst[i]),
									"%s stored exp(%v) = %v, want %v", desc, v-m, dst[i], want)
							}
						}
					}
				}
			}
		}
	}
}

func TestSoftmaxExpSums(t *testing.T) {
	forEachSoftmaxAsm(t, testExpSums[float32], testExpSums[float64])
}

func testShortKernels[T Float](t *testing.T, a *softmaxAsm[T]) {
	if a.shortSparse == nil {
		t.Skip("no short-row kernels at this level")
	}
	ref := refShort[T]()
	tol := 1e-5
	if !isF32[T]() {
		tol = 1e-12
	}
	near := func(got, want T) bool {
		if got == want || (got != got && want != want) {
			return true
		}
		return math.Abs(float64(got)-float64(want)) <= tol*math.Max(1, math.Abs(float64(want)))
	}
	for c := 2; c <= a.shortMax; c++ {
		for _, rows := range []int{1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 100} {
			for _, smooth := range []T{0, 0.1} {
				r := rand.New(rand.NewPCG(uint64(c), uint64(rows)))
				x, z := make([]T, rows*c), make([]T, rows*c)
				for i := range x {
					x[i], z[i] = T(logit(r)), T(r.Float64())
				}
				labels := make([]int, rows)
				w := make([]T, rows)
				for i := range labels {
					labels[i] = r.IntN(c)
					w[i] = T(r.Float64())
				}
				pos, neg := 1-smooth, smooth/T(c)
				zl := neg + pos
				ws, gs := T(0.5), T(0.25)
				desc := fmt.Sprintf("c=%d rows=%d smooth=%v", c, rows, smooth)
				for _, dense := range []bool{false, true} {
					dst, dref := make([]T, rows), make([]T, rows)
					par, pref := make([]T, 4*rows), make([]T, 4*rows)
					var s, sref float64
					var n, nref int
					if dense {
						s, n = a.shortDense(x, z, c, w, ws, gs, pos, neg, dst, par)
						sref, nref = ref.dense(x, z, c, w, ws, gs, pos, neg, dref, pref)
					} else {
						s, n = a.shortSparse(x, c, labels, w, ws, gs, neg, zl, dst, par)
						sref, nref = ref.sparse(x, c, labels, w, ws, gs, neg, zl, dref, pref)
					}
					require.Equal(t, nref, n, "%s dense=%v good rows", desc, dense)
					for i := range dst {
						require.True(t, near(dst[i], dref[i]), "%s dense=%v dst[%d] = %v, want %v", desc, dense, i, dst[i], dref[i])
					}
					for i := range par {
						require.True(t, near(par[i], pref[i]), "%s dense=%v par[%d] (run %d) = %v, want %v", desc, dense, i, i/rows, par[i], pref[i])
					}
					var sd float64
					for _, v := range dst {
						if v == v {
							sd += float64(v)
						}
					}
					require.InDelta(t, sref, s, tol*math.Max(1, math.Abs(sref)), "%s dense=%v sum (Σ dst %v, dst %v, dref %v, n %d %d)", desc, dense, sd, dst, dref, n, nref)
					idx, step := a.expand(c)
					g, gref := make([]T, rows*c), make([]T, rows*c)
					if dense {
						a.shortDenseGrad(g, x, z, c, pos, neg, par, idx, step)
						ref.denseGrad(gref, x, z, c, pos, neg, pref, nil, nil)
					} else {
						a.shortSparseGrad(g, x, c, labels, par, idx, step)
						ref.sparseGrad(gref, x, c, labels, pref, nil, nil)
					}
					for i := range g {
						require.True(t, near(g[i], gref[i]), "%s dense=%v grad[%d] = %v, want %v", desc, dense, i, g[i], gref[i])
					}
				}
			}
		}
	}
}

func TestSoftmaxShortKernels(t *testing.T) {
	forEachSoftmaxAsm(t, testShortKernels[float32], testShortKernels[float64])
}

var primSink float64

// BenchmarkSoftmaxPrimitives/<level>/<primitive>: float32 rows of 1000
// logits, per row.
func BenchmarkSoftmaxPrimitives(b *testing.B) {
	const n = 1000
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(2 * r.NormFloat64())
	}
	g := make([]float32, n)
	for _, l := range Levels() {
		a := softmaxAsmOf[float32](l.Name)
		if a == nil {
			continue
		}
		m := refRowMax(x)
		b.Run(l.Name+"/rowMax", func(b *testing.B) {
			for b.Loop() {
				primSink += float64(a.rowMax(x))
			}
		})
		b.Run(l.Name+"/expSum", func(b *testing.B) {
			for b.Loop() {
				s, _ := a.expSum(x, m)
				primSink += s
			}
		})
		b.Run(l.Name+"/expSumE", func(b *testing.B) {
			for b.Loop() {
				s, _ := a.expSumE(g, x, m)
				primSink += s
			}
		})
		b.Run(l.Name+"/gradSparse", func(b *testing.B) {
			for b.Loop() {
				a.gradSparse(g, 0.5, 0.25)
			}
		})
		b.Run(l.Name+"/Exp", func(b *testing.B) {
			for b.Loop() {
				l.F32.Exp(g, x)
			}
		})
	}
}

// BenchmarkSoftmaxShort/<level>/<kernel>: float32, 1024 rows of 10 classes per call.
func BenchmarkSoftmaxShort(b *testing.B) {
	const rows, c = 1024, 10
	r := rand.New(rand.NewPCG(1, 2))
	x, z := make([]float32, rows*c), make([]float32, rows*c)
	labels := make([]int, rows)
	for i := range x {
		x[i] = float32(2 * r.NormFloat64())
	}
	for i := range labels {
		labels[i] = r.IntN(c)
		z[i*c+labels[i]] = 1
	}
	dst, par, g := make([]float32, rows), make([]float32, 4*rows), make([]float32, rows*c)
	for _, l := range Levels() {
		a := softmaxAsmOf[float32](l.Name)
		if a == nil || a.shortSparse == nil {
			continue
		}
		idx, step := a.expand(c)
		b.Run(l.Name+"/sparse", func(b *testing.B) {
			for b.Loop() {
				s, _ := a.shortSparse(x, c, labels, nil, 1, 1, 0, 1, dst, nil)
				primSink += s
			}
		})
		b.Run(l.Name+"/sparse+par", func(b *testing.B) {
			for b.Loop() {
				s, _ := a.shortSparse(x, c, labels, nil, 1, 1, 0, 1, dst, par)
				primSink += s
			}
		})
		b.Run(l.Name+"/sparseGrad", func(b *testing.B) {
			for b.Loop() {
				a.shortSparseGrad(g, x, c, labels, par, idx, step)
			}
		})
		b.Run(l.Name+"/dense", func(b *testing.B) {
			for b.Loop() {
				s, _ := a.shortDense(x, z, c, nil, 1, 1, 1, 0, dst, nil)
				primSink += s
			}
		})
		b.Run(l.Name+"/denseGrad", func(b *testing.B) {
			for b.Loop() {
				a.shortDenseGrad(g, x, z, c, 1, 0, par, idx, step)
			}
		})
	}
}

// hasSoftmaxPrims reports whether a level builds its softmax cross-entropies
// from vector primitives.
func hasSoftmaxPrims(level string) bool { return softmaxAsmOf[float32](level) != nil }
