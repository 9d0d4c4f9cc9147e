package reduce

import (
	"github.com/simdloss/simdloss/internal/noescape"
	"sync"
	"unsafe"

	"github.com/simdloss/simdloss/asm"
)

// Integer is the set of label types of the sparse cross-entropy.
type Integer interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr
}

// rowSetup computes the weight statistics and the gradient scale of a row
// loss. It clears grad and drops it when D is 0; done reports that nothing is
// left to compute (the result is 0 and nothing else is written).
func rowSetup[T Float](ks *asm.Kernels[T], wt *Weighting[T], r Reduction, unred []T, grad *[]T) (st Partial, gs float64, done bool) {
	st = wt.stats(ks.WeightStats)
	d := st.Denominator(r)
	if d == 0 {
		clear(*grad)
		*grad = nil
		return st, 0, unred == nil
	}
	return st, 1 / d, false
}

// rescaleGrad finishes a row loss's gradient when 1/D overflows float64 (a
// subnormal D): the kernels ran with gs = 1, and each value is divided by D.
func rescaleGrad[T Float](grad []T, d float64) {
	for i, v := range grad {
		grad[i] = T(float64(v) / d)
	}
}

// weightArgs maps a block's weight form to the row kernels' (w, wrep, ws).
func weightArgs[T Float](b *block[T]) ([]T, int, T) {
	if b.W == nil {
		return nil, 1, b.S
	}
	return noescape.Slice(b.W), b.Inner, 1
}

func rowsPerBlock(rowLen int) int { return max(1, BlockElems/max(rowLen, 1)) }

// SoftmaxCE computes the softmax cross-entropy of rows of c classes (x and z
// hold wt.N()·c values), reduced by r.
func SoftmaxCE[T Float](ks *asm.Kernels[T], xIn, zIn []T, c int, smooth T, wt *Weighting[T], r Reduction, unredIn, gradIn []T) float64 {
	if wt.n == 0 {
		return 0
	}
	x, z, unred, grad := noescape.Slice(xIn), noescape.Slice(zIn), noescape.Slice(unredIn), noescape.Slice(gradIn)
	st, gs, done := rowSetup(ks, wt, r, unred, &grad)
	if done {
		return 0
	}
	rescale := grad != nil && !finite(gs) // a subnormal D: divide afterwards
	if rescale {
		gs = 1
	}
	var num acc
	it := wt.blocks(rowsPerBlock(c))
	for it.next() {
		b := &it.b
		w, wrep, ws := weightArgs(b)
		lo, hi := b.M0*c, (b.M0+b.N)*c
		var ub, gb []T
		if unred != nil {
			ub = unred[b.M0 : b.M0+b.N]
		}
		if grad != nil {
			gb = grad[lo:hi]
		}
		num.add(ks.Rows.SoftmaxCE(x[lo:hi], z[lo:hi], b.N, c, w, wrep, ws, gs, smooth, ub, gb))
	}
	if rescale {
		rescaleGrad(grad, st.Denominator(r))
	}
	st.Num = num.value()
	return st.Value(r)
}

var labelBuf = sync.Pool{New: func() any { return new([BlockElems]int) }}

// SparseCE computes the sparse softmax cross-entropy of len(labels) rows of c
// classes, reduced by r. Every label must be in [0, c).
func SparseCE[T Float, L Integer](ks *asm.Kernels[T], xIn []T, c int, labelsIn []L, smooth T, wt *Weighting[T], r Reduction, unredIn, gradIn []T) float64 {
	if wt.n == 0 {
		return 0
	}
	x, labels, unred, grad := noescape.Slice(xIn), noescape.Slice(labelsIn), noescape.Slice(unredIn), noescape.Slice(gradIn)
	st, gs, done := rowSetup(ks, wt, r, unred, &grad)
	if done {
		return 0
	}
	rescale := grad != nil && !finite(gs) // a subnormal D: divide afterwards
	if rescale {
		gs = 1
	}
	var buf *[BlockElems]int
	var wide []int
	if unsafe.Sizeof(labels[0]) == unsafe.Sizeof(int(0)) {
		// Validated labels are in [0, c), so their bits read as int unchanged.
		wide = unsafe.Slice((*int)(unsafe.Pointer(unsafe.SliceData(labels))), len(labels))
	} else {
		buf = labelBuf.Get().(*[BlockElems]int)
		defer labelBuf.Put(buf)
	}
	var num acc
	it := wt.blocks(rowsPerBlock(c))
	for it.next() {
		b := &it.b
		w, wrep, ws := weightArgs(b)
		var lab []int
		if wide != nil {
			lab = noescape.Slice(wide[b.M0 : b.M0+b.N])
		} else {
			lab = buf[:b.N]
			for i, v := range labels[b.M0 : b.M0+b.N] {
				lab[i] = int(v)
			}
		}
		lo, hi := b.M0*c, (b.M0+b.N)*c
		var ub, gb []T
		if unred != nil {
			ub = unred[b.M0 : b.M0+b.N]
		}
		if grad != nil {
			gb = grad[lo:hi]
		}
		num.add(ks.Rows.SparseCE(x[lo:hi], c, lab, w, wrep, ws, gs, smooth, ub, gb))
	}
	if rescale {
		rescaleGrad(grad, st.Denominator(r))
	}
	st.Num = num.value()
	return st.Value(r)
}

// Cosine computes the cosine distance along an axis of axisLen values with
// stride elements after it (wt.N() slices in all), reduced by r. grad, when
// not nil, is laid out like p.
func Cosine[T Float](ks *asm.Kernels[T], pIn, yIn []T, axisLen, stride int, wt *Weighting[T], r Reduction, unredIn, gradIn []T) float64 {
	if wt.n == 0 {
		return 0
	}
	p, y, unred, grad := noescape.Slice(pIn), noescape.Slice(yIn), noescape.Slice(unredIn), noescape.Slice(gradIn)
	st, gs, done := rowSetup(ks, wt, r, unred, &grad)
	if done {
		return 0
	}
	rescale := grad != nil && !finite(gs) // a subnormal D: divide afterwards
	if rescale {
		gs = 1
	}
	var num acc
	it := wt.blocks(rowsPerBlock(axisLen))
	for it.next() {
		b := &it.b
		w, wrep, ws := weightArgs(b)
		var ub []T
		if unred != nil {
			ub = unred[b.M0 : b.M0+b.N]
		}
		num.add(ks.Rows.Cosine(p, y, axisLen, stride, b.M0, b.N, w, wrep, ws, gs, ub, grad))
	}
	if rescale {
		rescaleGrad(grad, st.Denominator(r))
	}
	st.Num = num.value()
	return st.Value(r)
}

// Pairwise computes Σ_b ω_b·L_b of the mean pairwise squared error over
// wt.N() rows of n elements (weights scalar or one per row).
func Pairwise[T Float](ks *asm.Kernels[T], pIn, yIn []T, n int, wt *Weighting[T], unredIn, gradIn []T) float64 {
	if wt.n == 0 {
		return 0
	}
	p, y, unred, grad := noescape.Slice(pIn), noescape.Slice(yIn), noescape.Slice(unredIn), noescape.Slice(gradIn)
	var num acc
	it := wt.blocks(rowsPerBlock(n))
	for it.next() {
		b := &it.b
		w, _, ws := weightArgs(b)
		lo, hi := b.M0*n, (b.M0+b.N)*n
		var ub, gb []T
		if unred != nil {
			ub = unred[b.M0 : b.M0+b.N]
		}
		if grad != nil {
			gb = grad[lo:hi]
		}
		num.add(ks.Rows.Pairwise(p[lo:hi], y[lo:hi], b.N, n, w, ws, ub, gb))
	}
	return num.value()
}
