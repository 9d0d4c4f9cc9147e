package reduce_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simdloss/simdloss/asm"
	"github.com/simdloss/simdloss/reduce"
)

// The brute force of SPEC.md section 3, written independently of reduce:
// compatibility of a weight shape and the weight of each measurable element.

// effectiveWeightShape drops one trailing 1 when the rank is above 1 (rule 2).
func effectiveWeightShape(ws []int) []int {
	if len(ws) > 1 && ws[len(ws)-1] == 1 {
		return ws[:len(ws)-1]
	}
	return ws
}

// bruteCompat is rule 3: the expected Init code and, for WeightsDim, the dim.
func bruteCompat(ls, ws []int) (reduce.WeightError, int) {
	e := effectiveWeightShape(ws)
	if len(e) > len(ls) {
		return reduce.WeightsRank, -1
	}
	for k, d := range e {
		if d != ls[k] && d != 1 {
			return reduce.WeightsDim, k
		}
	}
	return reduce.WeightsOK, 0
}

// bruteWeights returns the fully broadcast weight of every measurable element
// of ls, in row-major order (rule 4: leading axes, size-1 dims broadcast).
func bruteWeights[T reduce.Float](ls, ws []int, w []T) []T {
	n := prod(ls)
	out := make([]T, n)
	if len(ws) == 0 {
		for i := range out {
			out[i] = w[0]
		}
		return out
	}
	e := effectiveWeightShape(ws)
	idx := make([]int, len(ls))
	for f := 0; f < n; f++ {
		// multi-index of f
		rem := f
		for k := len(ls) - 1; k >= 0; k-- {
			idx[k] = rem % ls[k]
			rem /= ls[k]
		}
		wi := 0
		for k, d := range e {
			i := idx[k]
			if d == 1 {
				i = 0
			}
			wi = wi*d + i
		}
		out[f] = w[wi]
	}
	return out
}

// weightShapes returns every compatible weight shape for ls: each rank K in
// 0..R with each dim either 1 or equal to ls's, with and without an extra
// trailing 1; duplicates removed.
func weightShapes(ls []int) [][]int {
	var out [][]int
	seen := map[string]bool{}
	add := func(ws []int) {
		key := fmt.Sprint(len(ws), ws)
		if !seen[key] {
			seen[key] = true
			out = append(out, slices.Clone(ws))
		}
	}
	for k := 0; k <= len(ls); k++ {
		for mask := 0; mask < 1<<k; mask++ {
			ws := make([]int, k)
			for i := range ws {
				if mask&(1<<i) != 0 {
					ws[i] = 1
				} else {
					ws[i] = ls[i]
				}
			}
			add(ws)
			if k >= 1 {
				add(append(ws, 1))
			}
		}
	}
	return out
}

// badWeightShapes returns weight shapes that must be refused, with the code.
func badWeightShapes(r *rand.Rand, ls []int) (shapes [][]int) {
	R := len(ls)
	// One dim too many (a trailing non-1, or two trailing 1s).
	shapes = append(shapes, append(slices.Clone(ls), 2))
	shapes = append(shapes, append(slices.Clone(ls), 1, 1))
	shapes = append(shapes, append(slices.Clone(ls), 3, 1))
	if R == 0 {
		shapes = append(shapes, []int{1})
	}
	// One mismatching dim at each position of a random prefix.
	for k := 0; k < R; k++ {
		K := k + 1 + r.IntN(R-k)
		ws := make([]int, K)
		for i := range ws {
			if r.IntN(2) == 0 {
				ws[i] = 1
			} else {
				ws[i] = ls[i]
			}
		}
		bad := ls[k] + 1
		if bad == 1 {
			bad = 2
		}
		ws[k] = bad
		shapes = append(shapes, ws)
		if r.IntN(2) == 0 {
			shapes = append(shapes, append(slices.Clone(ws), 1))
		}
	}
	return shapes
}

// randMeasurableShape returns a shape of rank 0..5 with dims 0..4, 1s favoured.
func randMeasurableShape(r *rand.Rand) []int {
	R := r.IntN(6)
	ls := make([]int, R)
	for i := range ls {
		switch r.IntN(7) {
		case 0:
			ls[i] = 0
		case 1, 2:
			ls[i] = 1
		default:
			ls[i] = 2 + r.IntN(3)
		}
	}
	// Keep most shapes non-empty so the sums are exercised.
	if prod(ls) == 0 && r.IntN(4) != 0 {
		for i := range ls {
			if ls[i] == 0 {
				ls[i] = 3
			}
		}
	}
	return ls
}

// smallInts gives values that make every sum exact in float32 and float64.
var weightValues = []float64{0, 0, 1, 2, -1, 0.5, 3, -0.5}

func TestWeightingInitAcceptsExactlyTheCompatibleShapes(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 10))
	checked := 0
	for range 600 {
		ls := randMeasurableShape(r)
		for _, ws := range weightShapes(ls) {
			w := make([]float64, prod(ws))
			var wt reduce.Weighting[float64]
			code, _ := wt.Init(ls, ws, w)
			require.Equal(t, reduce.WeightsOK, code, "ls %v ws %v", ls, ws)
			require.Equal(t, prod(ls), wt.N(), "ls %v ws %v", ls, ws)
			// A data length that does not match the weight shape.
			code, _ = wt.Init(ls, ws, make([]float64, prod(ws)+1))
			require.Equal(t, reduce.WeightsNotValid, code, "ls %v ws %v with %d values", ls, ws, prod(ws)+1)
			if prod(ws) > 0 {
				code, _ = wt.Init(ls, ws, w[:len(w)-1])
				require.Equal(t, reduce.WeightsNotValid, code, "ls %v ws %v with %d values", ls, ws, prod(ws)-1)
			}
			checked++
		}
		for _, ws := range badWeightShapes(r, ls) {
			wantCode, wantDim := bruteCompat(ls, ws)
			require.NotEqual(t, reduce.WeightsOK, wantCode, "test bug: ls %v ws %v", ls, ws)
			var wt reduce.Weighting[float64]
			code, k := wt.Init(ls, ws, make([]float64, prod(ws)))
			require.Equal(t, wantCode, code, "ls %v ws %v", ls, ws)
			if code == reduce.WeightsDim {
				require.Equal(t, wantDim, k, "ls %v ws %v: the offending dim", ls, ws)
			}
			checked++
		}
	}
	t.Logf("%d (measurable, weight) shape pairs checked", checked)
}

// weightedOracle is the brute force of one Identity-loss call: l = p.
type weightedOracle struct {
	num     float64
	nonzero int
	wsum    float64
	n       int
	unred   []float64 // w(e)·p(e)
	bw      []float64 // broadcast weights
}

func bruteIdentity[T reduce.Float](ls, ws []int, w, p []T) weightedOracle {
	bw := bruteWeights(ls, ws, w)
	o := weightedOracle{n: len(p), unred: make([]float64, len(p)), bw: make([]float64, len(p))}
	var num, wsum kahan
	for i, v := range p {
		wi := float64(bw[i])
		o.bw[i] = wi
		o.unred[i] = wi * float64(v)
		num.add(o.unred[i])
		wsum.add(wi)
		if wi != 0 {
			o.nonzero++
		}
	}
	o.num, o.wsum = num.value(), wsum.value()
	return o
}

// checkWeightedIdentity runs Elementwise(Identity) under every reduction with
// no outputs, Unreduced only, Gradient only and both, against the brute force.
func checkWeightedIdentity[T reduce.Float](t *testing.T, ks *asm.Kernels[T], ls, ws []int, w, p []T) {
	t.Helper()
	o := bruteIdentity(ls, ws, w, p)
	n := len(p)
	init := func(wt *reduce.Weighting[T]) {
		code, _ := wt.Init(ls, ws, w)
		require.Equal(t, reduce.WeightsOK, code, "ls %v ws %v", ls, ws)
	}
	for _, red := range reductions {
		want, d := reduceOracle(red, o.num, o.nonzero, o.wsum, n)
		msg := fmt.Sprintf("%s ls %v ws %v %s", typeName[T](), ls, ws, red)
		var wt reduce.Weighting[T]
		init(&wt)
		got := reduce.Elementwise(ks, asm.Identity, p, nil, 0, &wt, red, nil, nil, reduce.Exec{})
		// Terms and weights are small multiples of 1/4: every sum is exact.
		require.Equal(t, want, got, msg)

		for _, mode := range []string{"unreduced", "gradient", "both"} {
			var unred, grad []T
			var ubuf, gbuf []T
			if mode != "gradient" {
				unred, ubuf = place(make([]T, n), 3)
			}
			if mode != "unreduced" {
				grad, gbuf = place(make([]T, n), 5)
			}
			init(&wt)
			got := reduce.Elementwise(ks, asm.Identity, p, nil, 0, &wt, red, unred, grad, reduce.Exec{})
			require.Equal(t, want, got, "%s with %s", msg, mode)
			if unred != nil {
				requireGuards(t, ubuf, 3, n, msg)
				for i := range unred {
					if float64(unred[i]) != o.unred[i] {
						require.Failf(t, "unreduced", "%s with %s: unred[%d] = %v, want w·l = %v (w %v)", msg, mode, i, unred[i], o.unred[i], o.bw[i])
					}
				}
			}
			if grad != nil {
				requireGuards(t, gbuf, 5, n, msg)
				if d == 0 {
					requireAllPositiveZero(t, grad, msg+" gradient with D = 0")
					continue
				}
				for i := range grad {
					wantG := T(o.bw[i] / d)
					if ulpDiff(wantG, grad[i]) > 2 {
						require.Failf(t, "gradient", "%s with %s: grad[%d] = %v, want w/D = %v (w %v, D %v)", msg, mode, i, grad[i], wantG, o.bw[i], d)
					}
				}
			}
		}
	}
}

func randQuarterInts[T reduce.Float](r *rand.Rand, n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = T(float64(r.IntN(25)-12) / 4)
	}
	return s
}

func randWeightValues[T reduce.Float](r *rand.Rand, n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = T(weightValues[r.IntN(len(weightValues))])
	}
	return s
}

func TestElementwiseWeightsMatchBruteForceBroadcast(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l *asm.Level) {
		t.Run("float32", func(t *testing.T) { weightsProperty(t, l.F32, 11) })
		t.Run("float64", func(t *testing.T) { weightsProperty(t, l.F64, 12) })
	})
}

func weightsProperty[T reduce.Float](t *testing.T, ks *asm.Kernels[T], seed uint64) {
	r := rand.New(rand.NewPCG(seed, seed))
	pairs := 0
	shapes := 250
	if testing.Short() {
		shapes = 100
	}
	for range shapes {
		ls := randMeasurableShape(r)
		p := randQuarterInts[T](r, prod(ls))
		for _, ws := range weightShapes(ls) {
			w := randWeightValues[T](r, prod(ws))
			checkWeightedIdentity(t, ks, ls, ws, w, p)
			pairs++
			// All-zero and zero-sum weights: the D = 0 paths.
			if len(w) >= 2 && r.IntN(4) == 0 {
				clear(w)
				checkWeightedIdentity(t, ks, ls, ws, w, p)
				w[0], w[1] = 1, -1
				checkWeightedIdentity(t, ks, ls, ws, w, p)
			}
		}
	}
	t.Logf("%d (measurable, weight) shape pairs", pairs)
}

// Shapes that cross reduce.BlockElems in every weight form: elementwise
// (one weight per element), rows shorter than a block, rows longer than one,
// broadcast leading groups, and a uniform scalar.
var largeWeightCases = []struct{ ls, ws []int }{
	{[]int{3, 10000}, []int{3}},
	{[]int{3, 10000}, []int{3, 1}},
	{[]int{3, 10000}, []int{3, 10000}},
	{[]int{3, 10000}, []int{1, 10000}},
	{[]int{5000, 3}, []int{5000}},
	{[]int{5000, 3}, []int{5000, 1}},
	{[]int{5000, 3}, []int{5000, 3}},
	{[]int{5000, 3}, []int{1, 3}},
	{[]int{2, 3, 5000}, []int{1, 3}},
	{[]int{2, 3, 5000}, []int{2, 1, 5000}},
	{[]int{2, 9000, 2}, []int{1, 9000}},
	{[]int{4, 5000, 2}, []int{4, 5000}},
	{[]int{9000, 2, 1}, []int{9000}},
	{[]int{20000}, []int{}},
	{[]int{20000}, []int{1}},
	{[]int{20000}, []int{20000}},
	{[]int{17000, 1}, []int{17000, 1}},
	{[]int{1, 17000}, []int{1, 17000}},
	{[]int{3, 1, 7, 1, 1200}, []int{3, 1, 7}},
	{[]int{3, 1, 7, 1, 1200}, []int{1, 1, 7, 1, 1200}},
	{[]int{8193}, []int{8193}},
	{[]int{2, 8193}, []int{2}},
	{[]int{8192, 2}, []int{8192}},
}

func TestElementwiseWeightsAcrossBlocksMatchBruteForce(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l *asm.Level) {
		for _, c := range largeWeightCases {
			t.Run(fmt.Sprint(c.ls, c.ws), func(t *testing.T) {
				r := rand.New(rand.NewPCG(13, uint64(prod(c.ls))))
				p32 := randQuarterInts[float32](r, prod(c.ls))
				w32 := randWeightValues[float32](r, prod(c.ws))
				if !testing.Short() {
					checkWeightedIdentity(t, l.F32, c.ls, c.ws, w32, p32)
				}
				p64 := randQuarterInts[float64](r, prod(c.ls))
				w64 := randWeightValues[float64](r, prod(c.ws))
				checkWeightedIdentity(t, l.F64, c.ls, c.ws, w64, p64)
			})
		}
	})
}

func TestElementwiseUniformWeightMatchesBruteForce(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l *asm.Level) {
		r := rand.New(rand.NewPCG(14, 14))
		lengths := []int{0, 1, 5, 8191, 8192, 8193, 20000}
		if testing.Short() {
			lengths = []int{0, 1, 5, 8193}
		}
		for _, n := range lengths {
			for _, s := range []float64{1, 0.5, 0, -2} {
				p := randQuarterInts[float64](r, n)
				for _, red := range reductions {
					var wt reduce.Weighting[float64]
					wt.Uniform(n, s)
					var num kahan
					for _, v := range p {
						num.add(s * v)
					}
					nz := n
					if s == 0 {
						nz = 0
					}
					want, d := reduceOracle(red, num.value(), nz, s*float64(n), n)
					grad := make([]float64, n)
					unred := make([]float64, n)
					got := reduce.Elementwise(l.F64, asm.Identity, p, nil, 0, &wt, red, unred, grad, reduce.Exec{})
					msg := fmt.Sprintf("n %d weight %v %s", n, s, red)
					require.Equal(t, want, got, msg)
					require.Equal(t, want, reduce.Elementwise(l.F64, asm.Identity, p, nil, 0, &wt, red, nil, nil, reduce.Exec{}), msg)
					for i := range p {
						require.Equal(t, s*p[i], unred[i], msg)
					}
					if d == 0 {
						requireAllPositiveZero(t, grad, msg)
					} else {
						for i := range p {
							require.InDelta(t, s/d, grad[i], 1e-15*math.Abs(s/d), msg)
						}
					}
				}
			}
		}
	})
}

// SPEC.md section 4: a zero denominator gives exactly 0 even with NaN losses;
// otherwise NaN propagates, also from elements whose weight is 0.
func TestElementwiseZeroDenominatorAndNaN(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l *asm.Level) {
		ks := l.F64
		for _, n := range []int{3, 20000} {
			p := make([]float64, n)
			for i := range p {
				p[i] = 1
			}
			p[n/2] = math.NaN()
			w := make([]float64, n)
			run := func(red reduce.Reduction, unred, grad []float64) float64 {
				var wt reduce.Weighting[float64]
				code, _ := wt.Init([]int{n}, []int{n}, w)
				require.Equal(t, reduce.WeightsOK, code)
				return reduce.Elementwise(ks, asm.Identity, p, nil, 0, &wt, red, unred, grad, reduce.Exec{})
			}
			// All weights zero: SumByNonzeroWeights and Mean have D = 0.
			for _, red := range []reduce.Reduction{reduce.SumByNonzeroWeights, reduce.Mean} {
				g, u := nanSlice[float64](n), nanSlice[float64](n)
				require.Equal(t, 0.0, run(red, nil, nil), "%s all-zero weights with a NaN loss", red)
				got := run(red, u, g)
				require.Equal(t, 0.0, got)
				require.False(t, math.Signbit(got))
				requireAllPositiveZero(t, g, red.String())
				require.True(t, math.IsNaN(u[n/2]), "unreduced w·l = 0·NaN is NaN")
			}
			// Sum and SumOverBatchSize have D != 0: 0·NaN propagates.
			for _, red := range []reduce.Reduction{reduce.Sum, reduce.SumOverBatchSize} {
				require.True(t, math.IsNaN(run(red, nil, nil)), "%s: NaN·0 propagates", red)
			}
			// Weights summing to zero: Mean has D = 0, SumByNonzeroWeights not.
			for i := range w {
				w[i] = float64(1 - 2*(i%2))
			}
			if n%2 == 1 {
				w[n-1] = 0
			}
			require.Equal(t, 0.0, run(reduce.Mean, nil, nil))
			g := nanSlice[float64](n)
			require.Equal(t, 0.0, run(reduce.Mean, nil, g))
			requireAllPositiveZero(t, g, "Mean with Σw = 0")
			require.True(t, math.IsNaN(run(reduce.SumByNonzeroWeights, nil, nil)), "negative weights count as present")
			// Without the NaN: negative weights count in the nonzero count.
			p[n/2] = 1
			wantNZ := n - n%2
			var num float64
			for i := range p {
				num += w[i] * p[i]
			}
			require.Equal(t, num/float64(wantNZ), run(reduce.SumByNonzeroWeights, nil, nil))
		}
	})
}

func TestElementwiseNoMeasurableElementsIsZero(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l *asm.Level) {
		for _, red := range reductions {
			var wt reduce.Weighting[float32]
			code, _ := wt.Init([]int{0, 3}, []int{0}, nil)
			require.Equal(t, reduce.WeightsOK, code)
			require.Equal(t, 0.0, reduce.Elementwise(l.F32, asm.SqDiff, nil, nil, 0, &wt, red, []float32{}, []float32{}, reduce.Exec{}))
			wt.Uniform(0, 1)
			require.Equal(t, 0.0, reduce.Elementwise(l.F32, asm.SqDiff, nil, nil, 0, &wt, red, nil, nil, reduce.Exec{}))
		}
		require.Equal(t, 0.0, reduce.SumOf(l.F32, nil))
		require.Equal(t, 0.0, reduce.SumOf(l.F64, []float64{}))
	})
}
