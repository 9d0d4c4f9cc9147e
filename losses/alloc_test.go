package losses_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simdloss/simdloss/losses"
)

// allocCase is one hot call, built the way users write it: tensors and
// options constructed inside the measured closure.
type allocCase struct {
	name string
	call func()
}

func allocCases[T losses.Float]() []allocCase {
	const b, c = 4, 6
	p, y := make([]T, b*c), make([]T, b*c)
	for i := range p {
		p[i], y[i] = T(i%5)/7+0.1, T(i%2)
	}
	w, wFull := make([]T, b), make([]T, b*c)
	for i := range w {
		w[i] = 1
	}
	for i := range wFull {
		wFull[i] = T(i % 3)
	}
	grad, unred, rows := make([]T, b*c), make([]T, b*c), make([]T, b)
	lab32, lab8 := make([]int32, b), make([]uint8, b)
	// Rows long enough for the per-row path of the SIMD softmax kernels.
	const lb, lc = 3, 40
	lx, lz, lgrad, lrows := make([]T, lb*lc), make([]T, lb*lc), make([]T, lb*lc), make([]T, lb)
	for i := range lx {
		lx[i], lz[i] = T(i%7)/3, T(i%lc/(lc-1))
	}
	llab := []int{1, 39, 7}
	lw := []T{1, 0.5, 2}
	var sink T
	keep := func(v T, err error) {
		if err != nil {
			panic(err)
		}
		sink += v
	}
	var cs []allocCase
	for _, name := range []string{"AbsoluteDifference", "MeanSquaredError", "LogLoss", "HingeLoss", "SigmoidCrossEntropy"} {
		cs = append(cs,
			allocCase{name + "/scalar", func() { keep(callPair(name, losses.New(p, b, c), losses.New(y, b, c))) }},
			allocCase{name + "/Weights[B,1]", func() {
				keep(callPair(name, losses.New(p, b, c), losses.New(y, b, c), losses.Weights(losses.New(w, b, 1)), losses.Reduce(losses.Mean)))
			}},
			allocCase{name + "/WeightsFull", func() {
				keep(callPair(name, losses.New(p, b, c), losses.New(y, b, c), losses.Weights(losses.New(wFull, b, c))))
			}},
			allocCase{name + "/Gradient", func() {
				keep(callPair(name, losses.New(p, b, c), losses.New(y, b, c), losses.Weight(2), losses.Gradient(grad)))
			}},
			allocCase{name + "/Unreduced", func() {
				keep(callPair(name, losses.New(p, b, c), losses.New(y, b, c), losses.Unreduced(unred)))
			}},
			allocCase{name + "/1-D", func() { keep(callPair(name, losses.New(p), losses.New(y))) }},
		)
	}
	cs = append(cs,
		allocCase{"SoftmaxCrossEntropy/Gradient+Unreduced", func() {
			keep(losses.SoftmaxCrossEntropy(losses.New(p, b, c), losses.New(y, b, c), losses.LabelSmoothing(0.1),
				losses.Weights(losses.New(w, b)), losses.Gradient(grad), losses.Unreduced(rows)))
		}},
		allocCase{"SparseSoftmaxCrossEntropy/int32", func() { keep(losses.SparseSoftmaxCrossEntropy(losses.New(p, b, c), lab32)) }},
		allocCase{"SparseSoftmaxCrossEntropy/uint8+Gradient", func() {
			keep(losses.SparseSoftmaxCrossEntropy(losses.New(p, b, c), lab8, losses.Gradient(grad), losses.Weights(losses.New(w, b))))
		}},
		allocCase{"SoftmaxCrossEntropy/long rows/Gradient+Unreduced", func() {
			keep(losses.SoftmaxCrossEntropy(losses.New(lx, lb, lc), losses.New(lz, lb, lc), losses.Gradient(lgrad), losses.Unreduced(lrows)))
		}},
		allocCase{"SparseSoftmaxCrossEntropy/long rows/int+Gradient+Weights", func() {
			keep(losses.SparseSoftmaxCrossEntropy(losses.New(lx, lb, lc), llab, losses.LabelSmoothing(0.1),
				losses.Gradient(lgrad), losses.Weights(losses.New(lw, lb))))
		}},
		allocCase{"SparseSoftmaxCrossEntropy/[2,2,6]+Weights[2,1]+Gradient", func() {
			keep(losses.SparseSoftmaxCrossEntropy(losses.New(p, 2, 2, c), lab32, losses.Weights(losses.New(w[:2], 2, 1)), losses.Gradient(grad)))
		}},
		allocCase{"CosineDistance/middle-axis", func() {
			keep(losses.CosineDistance(losses.New(p, b, 2, 3), losses.New(y, b, 2, 3), 1,
				losses.Weights(losses.New(w, b, 1)), losses.Gradient(grad), losses.Unreduced(unred[:b*3])))
		}},
		allocCase{"MeanPairwiseSquaredError/Weights", func() {
			keep(losses.MeanPairwiseSquaredError(losses.New(p, b, c), losses.New(y, b, c),
				losses.Weights(losses.New(w, b)), losses.Gradient(grad), losses.Unreduced(rows)))
		}},
		allocCase{"ComputeWeightedLoss/Weights", func() {
			keep(losses.ComputeWeightedLoss(losses.New(p, b, c), losses.Weights(losses.New(w, b)), losses.Gradient(grad)))
		}},
		allocCase{"L1/Gradient", func() { keep(losses.L1(losses.New(p, b, c), 0.01, losses.Gradient(grad))) }},
		allocCase{"L2", func() { keep(losses.L2(losses.New(p, b, c), 0.01)) }},
	)
	return cs
}

// callPair calls the named two-tensor loss directly: a call through a
// function value would make its arguments escape, which is not what users do.
func callPair[T losses.Float](name string, p, y losses.Tensor[T], opts ...losses.Option) (T, error) {
	switch name {
	case "AbsoluteDifference":
		return losses.AbsoluteDifference(p, y, opts...)
	case "MeanSquaredError":
		return losses.MeanSquaredError(p, y, opts...)
	case "LogLoss":
		return losses.LogLoss(p, y, opts...)
	case "HingeLoss":
		return losses.HingeLoss(p, y, opts...)
	case "SigmoidCrossEntropy":
		return losses.SigmoidCrossEntropy(p, y, opts...)
	}
	panic("unknown loss " + name)
}

func testNoAllocs[T losses.Float](t *testing.T) {
	for _, c := range allocCases[T]() {
		t.Run(c.name, func(t *testing.T) {
			c.call() // warm up pools
			require.Zero(t, testing.AllocsPerRun(100, c.call), "allocations per call")
		})
	}
}

// TestHotCallsDoNotAllocate pins SPEC's zero-allocation promise for scalar,
// weighted, Gradient and Unreduced calls of every loss.
func TestHotCallsDoNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation behaviour; covered by the non-race run")
	}
	t.Run("float32", testNoAllocs[float32])
	t.Run("float64", testNoAllocs[float64])
}
