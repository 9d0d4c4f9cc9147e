package fuzz

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simdloss/simdloss/asm"
	"github.com/simdloss/simdloss/losses"
)

// SPEC.md section 6: for the same inputs and level, results are bitwise
// identical whatever the slices' alignment, whatever GOMAXPROCS, and
// whatever ran before.

// apiCalls are public-API calls on inputs of about n elements (n large
// enough crosses the library's blocks), as kcalls whose kernels argument is
// ignored: they run on the active level.
func apiCalls[T Float](n int) []kcall[T] {
	rng := rand.New(rand.NewPCG(uint64(n), 11))
	vec := func(n int, r role) []T { return fromF64[T](benign(rng, n, r)) }
	cols := 7
	rows := max(n/cols, 1)
	m := rows * cols
	res := func(v T, err error) []float64 {
		if err != nil {
			panic(err)
		}
		return []float64{float64(v)}
	}
	api := func(name string, ins [][]T, outs []int, f func(in [][]T, out [][]T) []float64) kcall[T] {
		return kcall[T]{name: fmt.Sprintf("%s n=%d", name, n), ins: ins, outs: outs,
			run: func(_ *asm.Kernels[T], in [][]T, _ []int, out [][]T) []float64 { return f(in, out) }}
	}
	labels := make([]int32, rows)
	for i := range labels {
		labels[i] = int32(rng.IntN(cols))
	}
	return []kcall[T]{
		api("MeanSquaredError full weights", [][]T{vec(m, roleReal), vec(m, roleReal), vec(m, roleWeight)}, []int{m, m},
			func(in, out [][]T) []float64 {
				return res(losses.MeanSquaredError(losses.New(in[0], rows, cols), losses.New(in[1], rows, cols),
					losses.Weights(losses.New(in[2], rows, cols)), losses.Unreduced(out[0]), losses.Gradient(out[1])))
			}),
		api("LogLoss row weights, Mean", [][]T{vec(m, roleProb), vec(m, roleLabel01), vec(rows, roleWeight)}, []int{m},
			func(in, out [][]T) []float64 {
				return res(losses.LogLoss(losses.New(in[0], rows, cols), losses.New(in[1], rows, cols),
					losses.Weights(losses.New(in[2], rows, 1)), losses.Reduce(losses.Mean), losses.Gradient(out[0])))
			}),
		api("SigmoidCrossEntropy column-broadcast weights", [][]T{vec(m, roleLogit), vec(m, roleLabel01), vec(cols, roleWeight)}, []int{m},
			func(in, out [][]T) []float64 {
				return res(losses.SigmoidCrossEntropy(losses.New(in[0], rows, cols), losses.New(in[1], rows, cols),
					losses.Weights(losses.New(in[2], 1, cols)), losses.LabelSmoothing(0.1), losses.Unreduced(out[0])))
			}),
		api("HingeLoss", [][]T{vec(m, roleLogit), vec(m, roleLabel01)}, []int{m},
			func(in, out [][]T) []float64 {
				return res(losses.HingeLoss(losses.New(in[0], m), losses.New(in[1], m), losses.Gradient(out[0]), losses.Reduce(losses.SumOverBatchSize)))
			}),
		api("AbsoluteDifference", [][]T{vec(m, roleReal), vec(m, roleReal)}, []int{m},
			func(in, out [][]T) []float64 {
				return res(losses.AbsoluteDifference(losses.New(in[0], m), losses.New(in[1], m), losses.Gradient(out[0]), losses.Weight(0.5)))
			}),
		api("SoftmaxCrossEntropy", [][]T{vec(m, roleLogit), vec(m, roleLabel01), vec(rows, roleWeight)}, []int{rows, m},
			func(in, out [][]T) []float64 {
				return res(losses.SoftmaxCrossEntropy(losses.New(in[0], rows, cols), losses.New(in[1], rows, cols),
					losses.Weights(losses.New(in[2], rows)), losses.Unreduced(out[0]), losses.Gradient(out[1])))
			}),
		api("SparseSoftmaxCrossEntropy", [][]T{vec(m, roleLogit)}, []int{m},
			func(in, out [][]T) []float64 {
				return res(losses.SparseSoftmaxCrossEntropy(losses.New(in[0], rows, cols), labels, losses.LabelSmoothing(0.2), losses.Gradient(out[0])))
			}),
		api("CosineDistance axis 0", [][]T{vec(m, roleUnit), vec(m, roleUnit)}, []int{cols, m},
			func(in, out [][]T) []float64 {
				return res(losses.CosineDistance(losses.New(in[0], rows, cols), losses.New(in[1], rows, cols), 0,
					losses.Unreduced(out[0]), losses.Gradient(out[1])))
			}),
		api("MeanPairwiseSquaredError", [][]T{vec(m, roleReal), vec(m, roleReal), vec(rows, roleWeight)}, []int{rows, m},
			func(in, out [][]T) []float64 {
				return res(losses.MeanPairwiseSquaredError(losses.New(in[0], rows, cols), losses.New(in[1], rows, cols),
					losses.Weights(losses.New(in[2], rows)), losses.Unreduced(out[0]), losses.Gradient(out[1])))
			}),
		api("ComputeWeightedLoss", [][]T{vec(m, roleReal), vec(m, roleWeight)}, []int{m},
			func(in, out [][]T) []float64 {
				return res(losses.ComputeWeightedLoss(losses.New(in[0], m), losses.Weights(losses.New(in[1], m)), losses.Gradient(out[0])))
			}),
		api("L1", [][]T{vec(m, roleReal)}, []int{m},
			func(in, out [][]T) []float64 {
				return res(losses.L1(losses.New(in[0], m), 0.01, losses.Gradient(out[0])))
			}),
		api("L2", [][]T{vec(m, roleReal)}, []int{m},
			func(in, out [][]T) []float64 {
				return res(losses.L2(losses.New(in[0], m), 0.01, losses.Gradient(out[0])))
			}),
	}
}

// alignmentSweep checks that moving one argument at a time to element
// offsets 1..15 changes nothing, and that repeating a call changes nothing.
func alignmentSweep[T Float](t *testing.T, ks *asm.Kernels[T], level string, calls []kcall[T]) {
	for i := range calls {
		c := &calls[i]
		base := runPlaced(ks, c, heapPlace[T](func(int) int { return 0 }), heapInts)
		if again := runPlaced(ks, c, heapPlace[T](func(int) int { return 0 }), heapInts); !again.equal(base) {
			t.Fatalf("%s [%s] %s: a repeated call gives another result: %v, then %v", level, typeName[T](), c.name, base.scalars, again.scalars)
		}
		nargs := len(c.ins) + len(c.outs)
		if c.labels != nil {
			nargs++
		}
		for slot := 0; slot < nargs; slot++ {
			for off := 1; off < 16; off++ {
				place := heapPlace[T](func(i int) int {
					if i == slot {
						return off
					}
					return 0
				})
				placeInt := func(n int) []int {
					o := 0
					if slot == nargs-1 && c.labels != nil {
						o = off
					}
					b := make([]int, n+o)
					return b[o:]
				}
				if got := runPlaced(ks, c, place, placeInt); !got.equal(base) {
					t.Fatalf("%s [%s] %s: argument %d at element offset %d changes the result: %v, want %v",
						level, typeName[T](), c.name, slot, off, got.scalars, base.scalars)
				}
			}
		}
	}
}

func TestDeterminismAlignment(t *testing.T) {
	lengths := []int{0, 1, 7, 9, 17, 33, 65, 257, 1031}
	if testing.Short() {
		lengths = []int{0, 1, 9, 65, 257}
	}
	for _, lv := range levelsToTest() {
		for _, n := range lengths {
			alignmentSweep(t, kernelsOf[float32](lv), lv.Name, kernelCalls[float32](n))
			alignmentSweep(t, kernelsOf[float64](lv), lv.Name, kernelCalls[float64](n))
		}
	}
}

func TestDeterminismAlignmentAPI(t *testing.T) {
	lengths := []int{5, 300, 20000}
	if testing.Short() {
		lengths = []int{5, 9000}
	}
	for _, lv := range losses.Kernels() {
		restore, err := losses.UseKernel(lv)
		require.NoError(t, err)
		for _, n := range lengths {
			alignmentSweep(t, nil, lv, apiCalls[float32](n))
			alignmentSweep(t, nil, lv, apiCalls[float64](n))
		}
		restore()
	}
}

// everything runs every kernel and API call of the determinism tests once
// at every level and returns the results in order.
func everything(t *testing.T, lengths []int) []any {
	var out []any
	zero := heapPlace[float32](func(int) int { return 0 })
	zero64 := heapPlace[float64](func(int) int { return 0 })
	for _, lv := range levelsToTest() {
		for _, n := range lengths {
			for _, c := range kernelCalls[float32](n) {
				out = append(out, runPlaced(kernelsOf[float32](lv), &c, zero, heapInts))
			}
			for _, c := range kernelCalls[float64](n) {
				out = append(out, runPlaced(kernelsOf[float64](lv), &c, zero64, heapInts))
			}
		}
		restore, err := losses.UseKernel(lv.Name)
		require.NoError(t, err)
		for _, n := range lengths {
			for _, c := range apiCalls[float32](n * 10) {
				out = append(out, runPlaced(nil, &c, zero, heapInts))
			}
			for _, c := range apiCalls[float64](n * 10) {
				out = append(out, runPlaced(nil, &c, zero64, heapInts))
			}
		}
		restore()
	}
	return out
}

func sameResults(a, b []any) int {
	for i := range a {
		switch x := a[i].(type) {
		case result[float32]:
			if !x.equal(b[i].(result[float32])) {
				return i
			}
		case result[float64]:
			if !x.equal(b[i].(result[float64])) {
				return i
			}
		}
	}
	return -1
}

// TestDeterminismGOMAXPROCS: GOMAXPROCS 1 and 2, and a second run after
// everything else ran, give bitwise identical results.
func TestDeterminismGOMAXPROCS(t *testing.T) {
	lengths := []int{3, 100, 1500}
	if testing.Short() {
		lengths = []int{3, 100}
	}
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	one := everything(t, lengths)
	runtime.GOMAXPROCS(2)
	two := everything(t, lengths)
	again := everything(t, lengths)
	require.Len(t, two, len(one))
	require.Equal(t, -1, sameResults(one, two), "GOMAXPROCS 1 and 2 differ")
	require.Equal(t, -1, sameResults(two, again), "a repeated run differs")
}
