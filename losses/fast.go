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
	if y == nil {
		y = p
	}
	sum := ks.Elem[loss].Sum
	var c reduce.Compensated
	for lo := 0; lo < n; lo += reduce.BlockElems {
		hi := min(lo+reduce.BlockElems, n)
		c.Add(sum(p[lo:hi], y[lo:hi], a))
	}
	part := reduce.Partial{Num: c.Value(), Nonzero: n, WSum: float64(n), N: n}
	return part.Value(reduce.SumByNonzeroWeights)
}
