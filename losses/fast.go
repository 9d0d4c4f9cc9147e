package losses

import (
	"github.com/simdloss/simdloss/asm"
	"github.com/simdloss/simdloss/internal/noescape"
	"github.com/simdloss/simdloss/reduce"
)

// directMax is the largest element count a call without options computes on
// the direct path: the kernels' Sum blocks, combined exactly as
// reduce.Elementwise combines them, with no option parsing and no weight
// broadcast. Above it the per-call cost is negligible beside the kernels and
// the general path runs (it may split the work across goroutines).
const directMax = 1 << 16

// directPair is the direct path of an elementwise loss of two tensors
// (passed by pointer: copying two tensors through the stack again costs more
// than the checks): ok
// is false (and nothing computed) unless both are valid tensors of the same
// shape with at most directMax elements; the general path then runs and
// reports any error.
func directPair[T Float](loss asm.ElemLoss, p, y *Tensor[T], a float64) (T, bool) {
	n := len(p.Data)
	if n > directMax || len(y.Data) != n || len(p.Shape) != len(y.Shape) || len(p.Shape) == 0 {
		return 0, false
	}
	m := 1
	for i, d := range p.Shape {
		if d != y.Shape[i] || d < 0 || d > directMax {
			return 0, false
		}
		m *= d // at most directMax·directMax before a 0 dim or an early exit
		if m > directMax {
			m = directMax + 1
		}
	}
	if m != n {
		return 0, false
	}
	if is32[T]() {
		return T(directSum(kernels[float32](), loss, as[float32](p.Data), as[float32](y.Data), float32(a))), true
	}
	return T(directSum(kernels[float64](), loss, as[float64](p.Data), as[float64](y.Data), a)), true
}

// direct returns the default reduction (SumByNonzeroWeights with the
// implicit weight 1: the mean) of an elementwise loss over n <= directMax
// valid elements. It is bitwise the general path's result for the same call.
func direct[T Float](loss asm.ElemLoss, p, y []T, a float64) float64 {
	if is32[T]() {
		return directSum(kernels[float32](), loss, as[float32](p), as[float32](y), float32(a))
	}
	return directSum(kernels[float64](), loss, as[float64](p), as[float64](y), a)
}

func directSum[E asm.Float](ks *asm.Kernels[E], loss asm.ElemLoss, pIn, yIn []E, a E) float64 {
	n := len(pIn)
	if n == 0 {
		return 0
	}
	p, y := noescape.Slice(pIn), noescape.Slice(yIn)
	if n >= reduce.ParallelThreshold() {
		// The threshold was set below directMax: the general path may split
		// the work (with the same result).
		return directSplit(ks, loss, p, y, a)
	}
	if y == nil {
		y = p
	}
	sum := ks.Elem[loss].Sum
	if n <= reduce.BlockElems {
		// One block: the compensated combination of a single partial v is
		// v + 0 (−0 becomes +0; Inf and NaN stay).
		return (sum(p, y, a) + 0) / float64(n)
	}
	var c reduce.Compensated
	for lo := 0; lo < n; lo += reduce.BlockElems {
		hi := min(lo+reduce.BlockElems, n)
		c.Add(sum(p[lo:hi], y[lo:hi], a))
	}
	// Partial.Value(SumByNonzeroWeights) with n non-zero weights of 1.
	return c.Value() / float64(n)
}

// directSplit is the general path of a call without options. Not inlined:
// its weight broadcast would enlarge directSum's frame.
//
//go:noinline
func directSplit[E asm.Float](ks *asm.Kernels[E], loss asm.ElemLoss, p, y []E, a E) float64 {
	var wt reduce.Weighting[E]
	wt.Uniform(len(p), 1)
	return reduce.Elementwise(ks, loss, p, y, a, &wt, reduce.SumByNonzeroWeights, nil, nil, reduce.Exec{})
}
