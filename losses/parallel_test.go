package losses_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simdloss/simdloss/losses"
)

// shardFn computes a loss over the batch rows [lo, hi) with opts.
type shardFn[T losses.Float] func(lo, hi int, opts ...losses.Option) (T, error)

// shardCase is a loss whose inputs split along the batch axis.
type shardCase[T losses.Float] struct {
	name     string
	ls       []int // measurable shape; ls[0] is the batch
	pairwise bool  // MeanPairwiseSquaredError: scalar, [B] and [B,1] weights, no Reduce
	call     shardFn[T]
}

func rowsOf[T any](s []T, rowLen, lo, hi int) []T { return s[lo*rowLen : hi*rowLen] }

// shardCases are every loss that takes PartialInto, over batches of 8 rows
// whose halves are whole blocks of the whole batch.
func shardCases[T losses.Float]() []shardCase[T] {
	r := rand.New(rand.NewPCG(20, 20))
	const b = 8
	rnd := func(n int, lo, hi float64) []T {
		s := make([]T, n)
		for i := range s {
			s[i] = T(lo + (hi-lo)*r.Float64())
		}
		return s
	}
	// Elementwise: [8, 2048], so that 4 rows are one block of 8192.
	const c = 2048
	p, y := rnd(b*c, 0.02, 0.98), rnd(b*c, 0, 1)
	for i := range y {
		y[i] = T(math.Round(float64(y[i])))
	}
	pair := func(name string, f func(p, y losses.Tensor[T], opts ...losses.Option) (T, error)) shardCase[T] {
		return shardCase[T]{name: name, ls: []int{b, c}, call: func(lo, hi int, opts ...losses.Option) (T, error) {
			return f(losses.New(rowsOf(p, c, lo, hi), hi-lo, c), losses.New(rowsOf(y, c, lo, hi), hi-lo, c), opts...)
		}}
	}
	// Row losses: [8, 16, 256] (rows of 256 classes; 32 rows a block).
	const m, k = 16, 256
	x, z := rnd(b*m*k, -3, 3), rnd(b*m*k, 0, 1)
	labels := make([]uint16, b*m)
	for i := range labels {
		labels[i] = uint16(r.IntN(k))
	}
	row := m * k
	return []shardCase[T]{
		pair("AbsoluteDifference", losses.AbsoluteDifference[T]),
		pair("MeanSquaredError", losses.MeanSquaredError[T]),
		pair("LogLoss", losses.LogLoss[T]),
		pair("HingeLoss", losses.HingeLoss[T]),
		pair("SigmoidCrossEntropy", losses.SigmoidCrossEntropy[T]),
		{name: "ComputeWeightedLoss", ls: []int{b, c}, call: func(lo, hi int, opts ...losses.Option) (T, error) {
			return losses.ComputeWeightedLoss(losses.New(rowsOf(p, c, lo, hi), hi-lo, c), opts...)
		}},
		{name: "SoftmaxCrossEntropy", ls: []int{b, m}, call: func(lo, hi int, opts ...losses.Option) (T, error) {
			return losses.SoftmaxCrossEntropy(losses.New(rowsOf(x, row, lo, hi), hi-lo, m, k), losses.New(rowsOf(z, row, lo, hi), hi-lo, m, k), opts...)
		}},
		{name: "SparseSoftmaxCrossEntropy", ls: []int{b, m}, call: func(lo, hi int, opts ...losses.Option) (T, error) {
			return losses.SparseSoftmaxCrossEntropy(losses.New(rowsOf(x, row, lo, hi), hi-lo, m, k), rowsOf(labels, m, lo, hi), opts...)
		}},
		{name: "CosineDistance", ls: []int{b, m}, call: func(lo, hi int, opts ...losses.Option) (T, error) {
			return losses.CosineDistance(losses.New(rowsOf(x, row, lo, hi), hi-lo, m, k), losses.New(rowsOf(z, row, lo, hi), hi-lo, m, k), -1, opts...)
		}},
		{name: "CosineDistance/middle-axis", ls: []int{b, k}, call: func(lo, hi int, opts ...losses.Option) (T, error) {
			return losses.CosineDistance(losses.New(rowsOf(x, row, lo, hi), hi-lo, m, k), losses.New(rowsOf(z, row, lo, hi), hi-lo, m, k), 1, opts...)
		}},
		{name: "MeanPairwiseSquaredError", ls: []int{b}, pairwise: true, call: func(lo, hi int, opts ...losses.Option) (T, error) {
			return losses.MeanPairwiseSquaredError(losses.New(rowsOf(p, c, lo, hi), hi-lo, c), losses.New(rowsOf(y, c, lo, hi), hi-lo, c), opts...)
		}},
	}
}

// weightForm gives the weight option of the batch rows [lo, hi).
type weightForm[T losses.Float] struct {
	name string
	opt  func(lo, hi int) []losses.Option
}

// weightForms are SPEC.md section 3's weight forms for measurable shape ls:
// none, a scalar (option and rank-0 tensor), [B], [B,1], broadcast over the
// batch ([1, ls[1]]) and full; weights in [-0.5, 2) with about one in four 0.
func weightForms[T losses.Float](ls []int, pairwise bool) []weightForm[T] {
	r := rand.New(rand.NewPCG(21, 21))
	rnd := func(n int) []T {
		s := make([]T, n)
		for i := range s {
			if r.IntN(4) > 0 {
				s[i] = T(-0.5 + 2.5*r.Float64())
			}
		}
		return s
	}
	b := ls[0]
	perRow := rnd(b)
	fs := []weightForm[T]{
		{"none", func(lo, hi int) []losses.Option { return nil }},
		{"Weight", func(lo, hi int) []losses.Option { return []losses.Option{losses.Weight(0.7)} }},
		{"Weights-scalar", func(lo, hi int) []losses.Option {
			return []losses.Option{losses.Weights(losses.Scalar(T(1.5)))}
		}},
		{"Weights[B]", func(lo, hi int) []losses.Option {
			return []losses.Option{losses.Weights(losses.New(perRow[lo:hi], hi-lo))}
		}},
		{"Weights[B,1]", func(lo, hi int) []losses.Option {
			return []losses.Option{losses.Weights(losses.New(perRow[lo:hi], hi-lo, 1))}
		}},
	}
	if pairwise || len(ls) < 2 {
		return fs
	}
	inner := prodOf(ls[1:])
	lead, full := rnd(ls[1]), rnd(b*inner)
	return append(fs,
		weightForm[T]{"Weights[1,d1]", func(lo, hi int) []losses.Option {
			return []losses.Option{losses.Weights(losses.New(lead, 1, ls[1]))}
		}},
		weightForm[T]{"Weights-full", func(lo, hi int) []losses.Option {
			shape := append([]int{hi - lo}, ls[1:]...)
			return []losses.Option{losses.Weights(losses.New(full[lo*inner:hi*inner], shape...))}
		}},
	)
}

func prodOf(dims []int) int {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return n
}

var allReductions = []losses.Reduction{losses.SumByNonzeroWeights, losses.Sum, losses.Mean, losses.SumOverBatchSize}

// TestPartialMergeEqualsWholeBatch: for every loss taking PartialInto, every
// weight form and every reduction, the partials of two shards of a batch,
// merged, give the whole batch's loss. Shards whose cut is a block boundary of
// the whole have the same blocks, so they agree to float64 rounding; other
// cuts agree within SPEC.md section 6's tolerance of a reduced result.
func TestPartialMergeEqualsWholeBatch(t *testing.T) {
	t.Run("float32", testPartialMerge[float32])
	t.Run("float64", testPartialMerge[float64])
}

func testPartialMerge[T losses.Float](t *testing.T) {
	is32 := sizeOf[T]() == 4
	for _, c := range shardCases[T]() {
		b := c.ls[0]
		reds := allReductions
		if c.pairwise {
			reds = []losses.Reduction{losses.Sum}
		}
		for _, wf := range weightForms[T](c.ls, c.pairwise) {
			for _, red := range reds {
				opts := func(lo, hi int, extra ...losses.Option) []losses.Option {
					o := append(wf.opt(lo, hi), extra...)
					if !c.pairwise {
						o = append(o, losses.Reduce(red))
					}
					return o
				}
				what := fmt.Sprintf("%s/%s/%v", c.name, wf.name, red)
				var whole losses.Partial
				v, err := c.call(0, b, opts(0, b, losses.PartialInto(&whole))...)
				require.NoError(t, err, what)
				require.Equal(t, v, T(whole.Loss(red)), "%s: the call returns its partial's loss", what)
				// Σ|w·l| bounds cancellation (SPEC.md section 6).
				n := prodOf(c.ls)
				unred := make([]T, n)
				_, err = c.call(0, b, opts(0, b, losses.Unreduced(unred))...)
				require.NoError(t, err, what)
				scale := 0.0
				for _, u := range unred {
					scale += math.Abs(float64(u))
				}
				for _, cut := range []int{b / 2, 3} {
					var lo, hi losses.Partial
					_, err := c.call(0, cut, opts(0, cut, losses.PartialInto(&lo))...)
					require.NoError(t, err, what)
					_, err = c.call(cut, b, opts(cut, b, losses.PartialInto(&hi))...)
					require.NoError(t, err, what)
					merged := lo.Merge(hi)
					msg := fmt.Sprintf("%s, cut at row %d", what, cut)
					require.Equal(t, whole.Count, merged.Count, msg)
					require.Equal(t, whole.Nonzero, merged.Nonzero, msg)
					// float32 weights are summed as the kernels sum float32 terms.
					wtol := 1e-13 * float64(n)
					if is32 {
						wtol = 1e-5 * float64(n)
					}
					require.InDelta(t, whole.WeightSum, merged.WeightSum, wtol, msg)
					tol := 1e-13 * scale // the same blocks: float64 rounding only
					if is32 && cut != b/2 {
						tol = 1e-5 * scale
					} else if !is32 && cut != b/2 {
						tol = 1e-12 * scale
					}
					require.InDelta(t, whole.WeightedSum, merged.WeightedSum, tol, msg)
					d := whole.Denominator(red)
					if d == 0 {
						require.Zero(t, merged.Loss(red), msg)
						continue
					}
					require.InDelta(t, whole.Loss(red), merged.Loss(red), tol/math.Abs(d)+1e-15*math.Abs(whole.Loss(red)), msg)
				}
			}
		}
	}
}

// Two workers each hold half of a batch. Each computes its shard's partial;
// the partials are merged (over whatever transport the trainer uses) and
// give the loss of the whole batch.
func ExamplePartial() {
	predictions := []float32{0.9, 0.2, 0.7, 0.4, 0.1, 0.8}
	labels := []float32{1, 0, 1, 1, 0, 0}
	weights := []float32{1, 0, 2, 1, 1, 0.5} // one per row

	shard := func(lo, hi int) losses.Partial {
		var part losses.Partial
		_, err := losses.MeanSquaredError(
			losses.New(predictions[lo:hi], hi-lo, 1), losses.New(labels[lo:hi], hi-lo, 1),
			losses.Weights(losses.New(weights[lo:hi], hi-lo)), losses.Reduce(losses.Mean),
			losses.PartialInto(&part))
		if err != nil {
			panic(err)
		}
		return part
	}
	merged := shard(0, 3).Merge(shard(3, 6))

	whole, _ := losses.MeanSquaredError(losses.New(predictions, 6, 1), losses.New(labels, 6, 1),
		losses.Weights(losses.New(weights, 6)), losses.Reduce(losses.Mean))
	fmt.Printf("merged %.6f, whole batch %.6f\n", merged.Loss(losses.Mean), whole)
	fmt.Printf("%d elements, %d with non-zero weight, weight sum %.1f\n", merged.Count, merged.Nonzero, merged.WeightSum)
	// Output:
	// merged 0.160000, whole batch 0.160000
	// 6 elements, 5 with non-zero weight, weight sum 5.5
}

func TestThreadsAndPartialIntoOptions(t *testing.T) {
	p, y := losses.New([]float32{1, 2}), losses.New([]float32{0, 0})
	for _, n := range []int{0, -1, math.MinInt} {
		_, err := losses.MeanSquaredError(p, y, losses.Threads(n))
		require.ErrorIs(t, err, losses.ErrOption, "Threads(%d)", n)
	}
	_, err := losses.MeanSquaredError(p, y, losses.Threads(2), losses.Threads(2))
	require.ErrorIs(t, err, losses.ErrOption, "Threads twice")
	_, err = losses.MeanSquaredError(p, y, losses.PartialInto(nil))
	require.ErrorIs(t, err, losses.ErrOption, "PartialInto(nil)")
	var part losses.Partial
	_, err = losses.L2(p, 0.1, losses.PartialInto(&part))
	require.ErrorIs(t, err, losses.ErrOption, "PartialInto on L2")
	v, err := losses.L2(p, 0.1, losses.Threads(1))
	require.NoError(t, err)
	require.InDelta(t, 0.25, float64(v), 1e-7)

	// Nothing is written on error.
	part = losses.Partial{WeightedSum: 42}
	_, err = losses.MeanSquaredError(p, losses.New([]float32{0, 0, 0}), losses.PartialInto(&part))
	require.ErrorIs(t, err, losses.ErrShape)
	require.Equal(t, losses.Partial{WeightedSum: 42}, part)

	// Threads(1) and Threads(n) give the same result on small inputs too.
	one, err := losses.MeanSquaredError(p, y, losses.Threads(1), losses.PartialInto(&part))
	require.NoError(t, err)
	require.Equal(t, losses.Partial{WeightedSum: 5, Nonzero: 2, WeightSum: 2, Count: 2}, part)
	many, err := losses.MeanSquaredError(p, y, losses.Threads(64))
	require.NoError(t, err)
	require.Equal(t, one, many)
}

// TestPartialOfAnEmptyBatch: no measurable elements give the zero partial.
func TestPartialOfAnEmptyBatch(t *testing.T) {
	part := losses.Partial{WeightedSum: 1, Count: 3}
	v, err := losses.SoftmaxCrossEntropy(losses.New[float64](nil, 0, 5), losses.New[float64](nil, 0, 5), losses.PartialInto(&part))
	require.NoError(t, err)
	require.Zero(t, v)
	require.Equal(t, losses.Partial{}, part)
	require.Zero(t, part.Loss(losses.Mean))
}

// largeCalls are calls over the default parallel threshold, with the options
// given, as users make them.
func largeCalls(opts ...losses.Option) map[string]func(grad []float32) (float32, error) {
	const rows, classes = 1024, 1024 // the default threshold of the cheapest losses
	r := rand.New(rand.NewPCG(22, 22))
	x := make([]float32, rows*classes)
	y := make([]float32, rows*classes)
	for i := range x {
		x[i], y[i] = float32(r.NormFloat64()), float32(r.Float64())
	}
	labels := make([]int16, rows)
	w := make([]float32, rows)
	for i := range labels {
		labels[i], w[i] = int16(r.IntN(classes)), float32(r.IntN(3))
	}
	return map[string]func(grad []float32) (float32, error){
		"MeanSquaredError": func(grad []float32) (float32, error) {
			return losses.MeanSquaredError(losses.New(x, rows, classes), losses.New(y, rows, classes),
				append([]losses.Option{losses.Weights(losses.New(w, rows)), losses.Gradient(grad)}, opts...)...)
		},
		"SparseSoftmaxCrossEntropy": func(grad []float32) (float32, error) {
			return losses.SparseSoftmaxCrossEntropy(losses.New(x, rows, classes), labels,
				append([]losses.Option{losses.Weights(losses.New(w, rows)), losses.Gradient(grad), losses.LabelSmoothing(0.1)}, opts...)...)
		},
	}
}

// TestThreadsDoNotChangeResults: a large call gives bitwise the same loss and
// gradient with Threads(1) and with the default, whatever GOMAXPROCS.
func TestThreadsDoNotChangeResults(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	one := largeCalls(losses.Threads(1))
	for name, call := range largeCalls() {
		grad1 := make([]float32, 1024*1024)
		want, err := one[name](grad1)
		require.NoError(t, err)
		for _, procs := range []int{1, 2, 64} {
			runtime.GOMAXPROCS(procs)
			grad := make([]float32, len(grad1))
			got, err := call(grad)
			require.NoError(t, err)
			require.Equal(t, math.Float32bits(want), math.Float32bits(got), "%s, GOMAXPROCS %d", name, procs)
			for i := range grad {
				if math.Float32bits(grad[i]) != math.Float32bits(grad1[i]) {
					require.Failf(t, "gradient differs", "%s, GOMAXPROCS %d: grad[%d] %v vs %v", name, procs, i, grad[i], grad1[i])
				}
			}
		}
	}
}

// TestMultiThreadedCallsDoNotAllocate: in the steady state a multi-threaded
// call allocates nothing either (its job, block list and copies are reused).
func TestMultiThreadedCallsDoNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation behaviour; covered by the non-race run")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	defer losses.SetParallelThreshold(1)()
	const b, c = 64, 1024 // 256 KiB of float32
	r := rand.New(rand.NewPCG(23, 23))
	p, y := make([]float32, b*c), make([]float32, b*c)
	for i := range p {
		p[i], y[i] = float32(r.Float64()), float32(r.IntN(2))
	}
	w, wFull := make([]float32, b), make([]float32, b*c)
	for i := range w {
		w[i] = float32(i % 3)
	}
	for i := range wFull {
		wFull[i] = float32(i % 4)
	}
	grad, unred, rowsOut := make([]float32, b*c), make([]float32, b*c), make([]float32, b)
	lab8 := make([]uint8, b)
	var sink float32
	var part losses.Partial
	keep := func(v float32, err error) {
		if err != nil {
			panic(err)
		}
		sink += v
	}
	cases := map[string]func(){
		"MeanSquaredError": func() { keep(losses.MeanSquaredError(losses.New(p, b, c), losses.New(y, b, c))) },
		"MeanSquaredError/Weights[B]+Gradient+Unreduced+Partial": func() {
			keep(losses.MeanSquaredError(losses.New(p, b, c), losses.New(y, b, c), losses.Weights(losses.New(w, b)),
				losses.Gradient(grad), losses.Unreduced(unred), losses.PartialInto(&part)))
		},
		"LogLoss/WeightsFull": func() {
			keep(losses.LogLoss(losses.New(p, b, c), losses.New(y, b, c), losses.Weights(losses.New(wFull, b, c)), losses.Reduce(losses.Mean)))
		},
		"SoftmaxCrossEntropy/Gradient+Unreduced": func() {
			keep(losses.SoftmaxCrossEntropy(losses.New(p, b, c), losses.New(y, b, c), losses.Weights(losses.New(w, b)),
				losses.Gradient(grad), losses.Unreduced(rowsOut)))
		},
		"SparseSoftmaxCrossEntropy/uint8": func() {
			keep(losses.SparseSoftmaxCrossEntropy(losses.New(p, b, c), lab8, losses.Gradient(grad)))
		},
		"CosineDistance/middle-axis": func() {
			keep(losses.CosineDistance(losses.New(p, b, 4, c/4), losses.New(y, b, 4, c/4), 1, losses.Unreduced(unred[:b*c/4])))
		},
		"MeanPairwiseSquaredError": func() {
			keep(losses.MeanPairwiseSquaredError(losses.New(p, b, c), losses.New(y, b, c), losses.Weights(losses.New(w, b)), losses.Unreduced(rowsOut)))
		},
	}
	for name, call := range cases {
		t.Run(name, func(t *testing.T) {
			for range 20 {
				call() // warm up the pool, its jobs and their buffers
			}
			require.Zero(t, testing.AllocsPerRun(200, call), "allocations per call")
		})
	}
	_ = sink
}
