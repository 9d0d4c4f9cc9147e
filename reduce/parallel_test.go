package reduce_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simdloss/simdloss/asm"
	"github.com/simdloss/simdloss/reduce"
)

// parallelOutcome is everything a call produces.
type parallelOutcome[T reduce.Float] struct {
	value       float64
	unred, grad []T
	partial     reduce.Partial
}

// parallelCase is one call, run with a given Exec.
type parallelCase[T reduce.Float] struct {
	name string
	// nUnred and nGrad are the lengths of the outputs (0: none asked).
	nUnred, nGrad int
	call          func(ex reduce.Exec, unred, grad []T) float64
}

func (c parallelCase[T]) run(ex reduce.Exec) (o parallelOutcome[T]) {
	if c.nUnred > 0 {
		o.unred = nanSlice[T](c.nUnred)
	}
	if c.nGrad > 0 {
		o.grad = nanSlice[T](c.nGrad)
	}
	ex.Partial = &o.partial
	o.value = c.call(ex, o.unred, o.grad)
	return o
}

// withThreshold forces the multi-threaded path for every input over 128 KiB.
func withThreshold(t *testing.T, n int) {
	prev := reduce.SetParallelThreshold(n)
	t.Cleanup(func() { reduce.SetParallelThreshold(prev) })
}

func withGOMAXPROCS(t *testing.T, n int) {
	prev := runtime.GOMAXPROCS(n)
	t.Cleanup(func() { runtime.GOMAXPROCS(prev) })
}

// elemParallelCases are elementwise calls over about 40Ki elements (five
// blocks and a bit), in every weight form, reduction and output combination.
func elemParallelCases[T reduce.Float](ks *asm.Kernels[T]) []parallelCase[T] {
	r := rand.New(rand.NewPCG(8, 8))
	n := 5*reduce.BlockElems + 517
	if !isF32[T]() {
		n = 3*reduce.BlockElems + 517 // still over 128 KiB
	}
	p := randSlice[T](r, n, 0.01, 0.99)
	y := randSlice[T](r, n, 0, 1)
	type form struct {
		name   string
		ls, ws []int
		s      T // uniform weight when ws is nil
	}
	n5 := n / 5 * 5
	forms := []form{
		{"uniform", []int{n}, nil, 0.75},
		{"zero-weight", []int{n}, nil, 0},
		{"infinite-weight", []int{n}, nil, T(math.Inf(1))},
		{"full", []int{n}, []int{n}, 0},
		{"rows-short", []int{n5 / 5, 5}, []int{n5 / 5}, 0},
		{"rows-long", []int{2, n5 / 2}, []int{2, 1}, 0},
		{"broadcast-lead", []int{5, 3, n5 / 15}, []int{1, 3}, 0},
	}
	losses, outs := []asm.ElemLoss{asm.SqDiff, asm.LogLoss, asm.Hinge}, []string{"sum", "unred", "grad", "both"}
	if testing.Short() {
		losses, outs = losses[:1], []string{"sum", "both"}
	}
	var cs []parallelCase[T]
	for _, loss := range losses {
		for _, f := range forms {
			m := prod(f.ls)
			var w []T
			if f.ws != nil {
				w = randWeights[T](r, prod(f.ws))
			}
			for _, red := range reductions {
				for _, out := range outs {
					c := parallelCase[T]{name: fmt.Sprintf("%v/%s/%v/%s", loss, f.name, red, out)}
					if out == "unred" || out == "both" {
						c.nUnred = m
					}
					if out == "grad" || out == "both" {
						c.nGrad = m
					}
					c.call = func(ex reduce.Exec, unred, grad []T) float64 {
						var wt reduce.Weighting[T]
						if f.ws == nil {
							wt.Uniform(m, f.s)
						} else {
							wt.Init(f.ls, f.ws, w)
						}
						return reduce.Elementwise(ks, loss, p[:m], y[:m], 1e-7, &wt, red, unred, grad, ex)
					}
					cs = append(cs, c)
				}
			}
		}
	}
	return cs
}

// rowParallelCases are the row losses over about 40Ki input elements, with
// row weights (small enough to be copied), Unreduced and Gradient.
func rowParallelCases[T reduce.Float](ks *asm.Kernels[T]) []parallelCase[T] {
	r := rand.New(rand.NewPCG(9, 9))
	const rows, c = 4500, 9
	x := randSlice[T](r, rows*c, -4, 4)
	z := randSlice[T](r, rows*c, 0, 1)
	w := randWeights[T](r, rows)
	lab32, lab8, labInt := make([]int32, rows), make([]uint8, rows), make([]int, rows)
	for i := range lab32 {
		v := r.IntN(c)
		lab32[i], lab8[i], labInt[i] = int32(v), uint8(v), v
	}
	rowWeights := func(wt *reduce.Weighting[T], ls ...int) {
		wt.Init(ls, []int{ls[0]}, w[:ls[0]])
	}
	var cs []parallelCase[T]
	for _, red := range reductions {
		for _, out := range []string{"sum", "both"} {
			nu, ng := 0, 0
			if out == "both" {
				nu, ng = rows, rows*c
			}
			add := func(name string, call func(ex reduce.Exec, unred, grad []T) float64) {
				cs = append(cs, parallelCase[T]{name: fmt.Sprintf("%s/%v/%s", name, red, out), nUnred: nu, nGrad: ng, call: call})
			}
			add("softmax", func(ex reduce.Exec, unred, grad []T) float64 {
				var wt reduce.Weighting[T]
				rowWeights(&wt, rows)
				return reduce.SoftmaxCE(ks, x, z, c, 0.1, &wt, red, unred, grad, ex)
			})
			add("sparse-int32", func(ex reduce.Exec, unred, grad []T) float64 {
				var wt reduce.Weighting[T]
				rowWeights(&wt, rows)
				return reduce.SparseCE(ks, x, c, lab32, 0, &wt, red, unred, grad, ex)
			})
			add("sparse-uint8-smoothed", func(ex reduce.Exec, unred, grad []T) float64 {
				var wt reduce.Weighting[T]
				wt.Uniform(rows, 1.5)
				return reduce.SparseCE(ks, x, c, lab8, 0.2, &wt, red, unred, grad, ex)
			})
			add("sparse-int", func(ex reduce.Exec, unred, grad []T) float64 {
				var wt reduce.Weighting[T]
				rowWeights(&wt, rows)
				return reduce.SparseCE(ks, x, c, labInt, 0, &wt, red, unred, grad, ex)
			})
			add("cosine-middle-axis", func(ex reduce.Exec, unred, grad []T) float64 {
				// [90, 9, 50] along axis 1: 4500 slices with stride 50.
				var wt reduce.Weighting[T]
				rowWeights(&wt, 90, 50)
				return reduce.Cosine(ks, x, z, c, 50, &wt, red, unred, grad, ex)
			})
			if red == reduce.Sum {
				add("pairwise", func(ex reduce.Exec, unred, grad []T) float64 {
					var wt reduce.Weighting[T]
					rowWeights(&wt, rows)
					return reduce.Pairwise(ks, x, z, c, &wt, unred, grad, ex)
				})
			}
		}
	}
	return cs
}

func requireSameOutcome[T reduce.Float](t *testing.T, want, got parallelOutcome[T], what string) {
	t.Helper()
	require.Equal(t, math.Float64bits(want.value), math.Float64bits(got.value), "%s: value %v vs %v", what, want.value, got.value)
	requireSameBits(t, want.unred, got.unred, what+": unreduced")
	requireSameBits(t, want.grad, got.grad, what+": gradient")
	require.Equal(t, math.Float64bits(want.partial.Num), math.Float64bits(got.partial.Num), "%s: partial Num", what)
	require.Equal(t, want.partial, got.partial, "%s: partial", what)
}

// TestParallelIsBitwiseIdenticalToOneThread pins SPEC.md section 6's
// determinism for multi-threaded calls: the value, Unreduced, Gradient and
// the partial are bitwise the same on one thread and on many, whatever
// GOMAXPROCS (1, 2, 64) and the Threads bound.
func TestParallelIsBitwiseIdenticalToOneThread(t *testing.T) {
	withThreshold(t, 1)
	levels := asm.Levels()
	if testing.Short() {
		levels = levels[:1]
	}
	for _, l := range levels {
		t.Run(l.Name+"/float32", func(t *testing.T) {
			parallelMatchesSerial(t, append(elemParallelCases(l.F32), rowParallelCases(l.F32)...))
		})
		t.Run(l.Name+"/float64", func(t *testing.T) {
			parallelMatchesSerial(t, append(elemParallelCases(l.F64), rowParallelCases(l.F64)...))
		})
	}
}

func parallelMatchesSerial[T reduce.Float](t *testing.T, cs []parallelCase[T]) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	helped := reduce.HelpedBlocks()
	for _, c := range cs {
		want := c.run(reduce.Exec{Threads: 1})
		threadCounts := []int{0, 2, 3, 64}
		if testing.Short() {
			threadCounts = []int{0, 3}
		}
		for _, procs := range []int{1, 2, 64} {
			runtime.GOMAXPROCS(procs)
			for _, threads := range threadCounts {
				got := c.run(reduce.Exec{Threads: threads})
				requireSameOutcome(t, want, got, fmt.Sprintf("%s, GOMAXPROCS %d, Threads %d", c.name, procs, threads))
			}
		}
	}
	require.Greater(t, reduce.HelpedBlocks(), helped, "no block ran on a helper: the multi-threaded path was not exercised")
}

// TestParallelMatchesDefaultThreshold checks that the threshold changes only
// which path runs: below the default threshold a call is single-threaded, and
// with the threshold forced down it gives the same bits.
func TestParallelMatchesDefaultThreshold(t *testing.T) {
	withGOMAXPROCS(t, 4)
	ks := asm.Best().F32
	cs := append(elemParallelCases(ks), rowParallelCases(ks)...)
	for _, c := range cs {
		want := c.run(reduce.Exec{}) // below the default threshold
		prev := reduce.SetParallelThreshold(1)
		got := c.run(reduce.Exec{})
		reduce.SetParallelThreshold(prev)
		requireSameOutcome(t, want, got, c.name)
	}
}

// TestParallelLargeInputMatchesOneThread runs an input over the default
// threshold with the default settings, as users do.
func TestParallelLargeInputMatchesOneThread(t *testing.T) {
	withGOMAXPROCS(t, 2)
	n := reduce.DefaultParallelThreshold + 3*reduce.BlockElems + 5
	r := rand.New(rand.NewPCG(10, 10))
	p := randSlice[float32](r, n, 0, 1)
	y := randSlice[float32](r, n, 0, 1)
	w := randWeights[float32](r, n)
	ks := asm.Best().F32
	c := parallelCase[float32]{name: "sqdiff", nUnred: n, nGrad: n, call: func(ex reduce.Exec, unred, grad []float32) float64 {
		var wt reduce.Weighting[float32]
		wt.Init([]int{n}, []int{n}, w)
		return reduce.Elementwise(ks, asm.SqDiff, p, y, 0, &wt, reduce.Mean, unred, grad, ex)
	}}
	want := c.run(reduce.Exec{Threads: 1})
	for range 3 {
		requireSameOutcome(t, want, c.run(reduce.Exec{}), "default threads")
	}
}

// TestParallelSmallInputsStayOnTheCaller: inputs of 128 KiB or less may lie
// on the caller's stack, so they never reach a helper, whatever the threshold.
func TestParallelSmallInputsStayOnTheCaller(t *testing.T) {
	withThreshold(t, 1)
	withGOMAXPROCS(t, 4)
	ks := asm.Best().F32
	var p [32 << 10]float32 // exactly 128 KiB
	for i := range p {
		p[i] = float32(i%7) / 7
	}
	helped := reduce.HelpedBlocks()
	for range 20 {
		var wt reduce.Weighting[float32]
		wt.Uniform(len(p), 1)
		reduce.Elementwise(ks, asm.SqDiff, p[:], nil, 0, &wt, reduce.Sum, nil, nil, reduce.Exec{})
	}
	require.Equal(t, helped, reduce.HelpedBlocks())
}

// TestPartialReportsEveryField: the partial holds Num, the non-zero weight
// count, the weight sum and the element count whatever the reduction and
// outputs, also when the denominator is 0.
func TestPartialReportsEveryField(t *testing.T) {
	ks := asm.Best().F64
	const n = 1000
	r := rand.New(rand.NewPCG(11, 11))
	p, y := randSlice[float64](r, n, 0, 1), randSlice[float64](r, n, 0, 1)
	w := randWeights[float64](r, n)
	var num, ws kahan
	nz := 0
	for i := range p {
		num.add(w[i] * (p[i] - y[i]) * (p[i] - y[i]))
		ws.add(w[i])
		if w[i] != 0 {
			nz++
		}
	}
	for _, red := range reductions {
		for _, out := range []string{"sum", "unred", "grad"} {
			var unred, grad []float64
			switch out {
			case "unred":
				unred = make([]float64, n)
			case "grad":
				grad = make([]float64, n)
			}
			var wt reduce.Weighting[float64]
			wt.Init([]int{n}, []int{n}, w)
			var part reduce.Partial
			v := reduce.Elementwise(ks, asm.SqDiff, p, y, 0, &wt, red, unred, grad, reduce.Exec{Partial: &part})
			what := fmt.Sprintf("%v/%s", red, out)
			require.Equal(t, nz, part.Nonzero, what)
			require.Equal(t, n, part.N, what)
			require.InDelta(t, ws.value(), part.WSum, 1e-12*n, what)
			require.InDelta(t, num.value(), part.Num, 1e-12*n, what)
			require.Equal(t, v, part.Value(red), what)
		}
	}
	// A zero denominator still reports the numerator (NaN·0 is NaN).
	zero := make([]float64, n)
	pn := append([]float64(nil), p...)
	pn[3] = math.NaN()
	for _, red := range []reduce.Reduction{reduce.SumByNonzeroWeights, reduce.Mean} {
		var wt reduce.Weighting[float64]
		wt.Init([]int{n}, []int{n}, zero)
		var part reduce.Partial
		v := reduce.Elementwise(ks, asm.SqDiff, pn, y, 0, &wt, red, nil, nil, reduce.Exec{Partial: &part})
		require.Zero(t, v)
		require.True(t, math.IsNaN(part.Num), "Num of a shard with zero weights and a NaN loss")
		require.Equal(t, []any{0, 0.0, n}, []any{part.Nonzero, part.WSum, part.N})
		var rwt reduce.Weighting[float64]
		rwt.Init([]int{n / 10}, []int{n / 10}, zero[:n/10])
		part = reduce.Partial{}
		v = reduce.SoftmaxCE(ks, pn, y, 10, 0, &rwt, red, nil, nil, reduce.Exec{Partial: &part})
		require.Zero(t, v)
		require.True(t, math.IsNaN(part.Num), "softmax: Num of a shard with zero weights and a NaN loss")
	}
}

// TestPartialMergeOfBlockAlignedShardsMatchesWhole: shards cut at block
// boundaries have the same blocks as the whole, so merging their partials
// gives the whole's to float64 rounding, for every reduction.
func TestPartialMergeOfBlockAlignedShardsMatchesWhole(t *testing.T) {
	ks := asm.Best().F32
	const rows, c = 6, 2 * reduce.BlockElems
	n := rows * c
	r := rand.New(rand.NewPCG(12, 12))
	p, y := randSlice[float32](r, n, 0, 1), randSlice[float32](r, n, 0, 1)
	w := randWeights[float32](r, rows)
	partOf := func(lo, hi int) reduce.Partial {
		var wt reduce.Weighting[float32]
		wt.Init([]int{hi - lo, c}, []int{hi - lo}, w[lo:hi])
		var part reduce.Partial
		reduce.Elementwise(ks, asm.AbsDiff, p[lo*c:hi*c], y[lo*c:hi*c], 0, &wt, reduce.Sum, nil, nil, reduce.Exec{Partial: &part})
		return part
	}
	whole := partOf(0, rows)
	a, b := partOf(0, 2), partOf(2, rows)
	merged := a.Merge(b)
	for _, red := range reductions {
		require.InEpsilon(t, whole.Value(red), merged.Value(red), 1e-15, "%v", red)
	}
	require.Equal(t, whole.Nonzero, merged.Nonzero)
	require.Equal(t, whole.N, merged.N)
}
