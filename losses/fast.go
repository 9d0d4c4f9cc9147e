package losses

import (
	"unsafe"

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
// than the checks): ok is false (and nothing computed) unless both are valid
// tensors of the same shape with at most directMax elements; the general
// path then runs and reports any error. A call of one block (the common
// case) is the shape check, the kernel and the division, nothing else.
func directPair[T Float](loss asm.ElemLoss, p, y *Tensor[T], a float64) (T, bool) {
	n := len(p.Data)
	if len(p.Shape) != 1 || len(y.Shape) != 1 || p.Shape[0] != n || y.Shape[0] != n || len(y.Data) != n || n == 0 || n > reduce.BlockElems {
		return directOther(loss, p, y, a)
	}
	// One block (at most 64 KiB of each input, so never split): the
	// compensated combination of a single partial v is v + 0 (−0 becomes
	// +0; Inf and NaN stay), which is v itself since every kernel's sum
	// starts from +0 and so is never −0; divided by the n weights of 1.
	if is32[T]() {
		return T((kernels[float32]().Elem[loss].Sum(kdata[float32](p), kdata[float32](y), float32(a))) / float64(n)), true
	}
	return T((kernels[float64]().Elem[loss].Sum(kdata[float64](p), kdata[float64](y), a)) / float64(n)), true
}

// directOther is directPair's path for other ranks, for no elements and
// for more than one block: direct over the checked tensors.
//
//go:noinline
func directOther[T Float](loss asm.ElemLoss, p, y *Tensor[T], a float64) (T, bool) {
	n := len(p.Data)
	if !directShape(p.Shape, y.Shape, n, len(y.Data)) {
		return 0, false
	}
	// The blocks' compensated combination (and the general path's split if
	// the threshold was set below directMax).
	return T(direct(loss, kdata[T](p), kdata[T](y), a)), true
}

// kdata returns t.Data as the kernel type E of the same size, without
// checks and hidden from escape analysis: the kernels keep no reference, and
// a tensor whose data a kernel reads must not move to the heap for it.
func kdata[E, T Float](t *Tensor[T]) []E {
	return *(*[]E)(unsafe.Pointer(noescape.Ptr(&t.Data)))
}

// directShape reports whether shapes ps and ys are the same, of np and ny
// elements, valid and at most directMax elements (any rank >= 1).
func directShape(ps, ys []int, np, ny int) bool {
	if np > directMax || ny != np || len(ps) != len(ys) || len(ps) == 0 {
		return false
	}
	m := 1
	for i, d := range ps {
		if d != ys[i] || d < 0 || d > directMax {
			return false
		}
		m *= d // at most directMax·directMax before a 0 dim or an early exit
		if m > directMax {
			m = directMax + 1
		}
	}
	return m == np
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
