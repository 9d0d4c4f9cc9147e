package reduce

import (
	"math"
	"sync"
	"unsafe"

	"github.com/simdloss/simdloss/asm"
	"github.com/simdloss/simdloss/internal/noescape"
)

// Integer is the set of label types of the sparse cross-entropy.
type Integer interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr
}

// rowSetup computes the weight statistics and the gradient scale of a row
// loss. It clears grad and drops it when D is 0; done reports that nothing is
// left to compute (the result is 0 and nothing else is written or reported).
func rowSetup[T Float](ks *asm.Kernels[T], wt *Weighting[T], r Reduction, unred []T, grad *[]T, ex *Exec) (st Partial, gs float64, done bool) {
	st = wt.stats(ks.WeightStats)
	d := st.Denominator(r)
	if d == 0 {
		clear(*grad)
		*grad = nil
		return st, 0, unred == nil && ex.Partial == nil
	}
	return st, 1 / d, false
}

// subnormalGrad writes the gradient of a row loss whose denominator D is so
// small that 1/D overflows float64 (a subnormal D; the loss itself was
// computed without a gradient). Scaling inside the kernels cannot be exact
// then: ω·∂l of a subnormal weight ω, or of a subnormal ∂l, keeps only a few
// bits before any division. So the kernels write ∂l with unit weights, and
// each measurable element's values are multiplied by ω/D, which is computed
// from ω·2^1000 and D·2^1000 (normal numbers; the quotient overflows only
// where the gradient does). labels are the sparse loss's labels, else nil.
func subnormalGrad[T Float, L Integer](kind jobKind, rc *rowCall[T], wt *Weighting[T], per int, d float64, labels []L) {
	const bias = 0x1p1000
	u := *rc
	u.unred, u.gs = nil, 1
	dd := d * bias
	var buf []int
	if labels != nil {
		buf = make([]int, per)
	}
	it := wt.blocks(per)
	for it.next() {
		b := it.b
		one := block[T]{M0: b.M0, N: b.N, S: 1, Inner: 1}
		var l []int
		if labels != nil {
			l = buf[:b.N]
			for i, v := range labels[b.M0 : b.M0+b.N] {
				l[i] = int(v)
			}
		}
		u.block(kind, &one, l)
		for i := 0; i < b.N; i++ {
			om := b.S
			if b.W != nil {
				om = b.W[i/b.Inner]
			}
			f := float64(om) * bias / dd
			m := b.M0 + i
			if kind == jobCosine {
				base := (m/rc.stride)*rc.c*rc.stride + m%rc.stride
				for a, o := 0, base; a < rc.c; a, o = a+1, o+rc.stride {
					scaleGrad(&rc.grad[o], f)
				}
				continue
			}
			for o := m * rc.c; o < (m+1)*rc.c; o++ {
				scaleGrad(&rc.grad[o], f)
			}
		}
	}
}

// scaleGrad multiplies *g by f; a zero stays zero whatever f (the exact
// product, where f overflowed to ±Inf).
func scaleGrad[T Float](g *T, f float64) {
	if *g != 0 {
		*g = T(float64(*g) * f)
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

// rowCall is what computing one block of a row loss needs.
type rowCall[T Float] struct {
	ks          *asm.Kernels[T]
	x, z        []T   // softmax: logits and labels; sparse: logits; cosine and pairwise: p and y
	labels      []int // sparse
	c           int   // classes; cosine: the axis length; pairwise: the row length
	stride      int   // cosine
	smooth      T
	gs          float64
	unred, grad []T
}

// block computes the block b of the row loss kind; lab, when not nil, holds
// the block's labels (sparse).
func (rc *rowCall[T]) block(kind jobKind, b *block[T], lab []int) float64 {
	w, wrep, ws := weightArgs(b)
	var ub []T
	if rc.unred != nil {
		ub = rc.unred[b.M0 : b.M0+b.N]
	}
	if kind == jobCosine {
		return rc.ks.Rows.Cosine(rc.x, rc.z, rc.c, rc.stride, b.M0, b.N, w, wrep, ws, rc.gs, ub, rc.grad)
	}
	lo, hi := b.M0*rc.c, (b.M0+b.N)*rc.c
	var gb []T
	if rc.grad != nil {
		gb = rc.grad[lo:hi]
	}
	switch kind {
	case jobSoftmax:
		return rc.ks.Rows.SoftmaxCE(rc.x[lo:hi], rc.z[lo:hi], b.N, rc.c, w, wrep, ws, rc.gs, rc.smooth, ub, gb)
	case jobSparse:
		if lab == nil {
			lab = noescape.Slice(rc.labels[b.M0 : b.M0+b.N])
		}
		return rc.ks.Rows.SparseCE(rc.x[lo:hi], rc.c, lab, w, wrep, ws, rc.gs, rc.smooth, ub, gb)
	}
	return rc.ks.Rows.Pairwise(rc.x[lo:hi], rc.z[lo:hi], b.N, rc.c, w, ws, ub, gb)
}

// rowsSerial computes every block on the caller and returns Σ w·l.
func rowsSerial[T Float](kind jobKind, rc *rowCall[T], wt *Weighting[T], per int) float64 {
	var num acc
	it := wt.blocks(per)
	for it.next() {
		num.add(rc.block(kind, &it.b, nil))
	}
	return num.value()
}

// rowsParallel computes every block on up to threads goroutines and returns
// Σ w·l combined as rowsSerial does. x, z and grad hold more than a stack
// does (see Exec.threads); the weights and unred are copied where they may
// not, and rc.labels must be heap-safe already. It releases j.
func rowsParallel[T Float](j *job[T], kind jobKind, rc *rowCall[T], wt *Weighting[T], per, threads int) float64 {
	j.kind, j.rows = kind, *rc
	j.setWeighting(wt, per)
	unred := rc.unred
	if unred != nil && uintptr(len(unred))*unsafe.Sizeof(unred[0]) <= stackSafeBytes {
		j.ubuf = grow(j.ubuf, len(unred))
		j.rows.unred = j.ubuf
	}
	var num acc
	for _, b := range j.run(threads) {
		num.add(b.s)
	}
	if unred != nil && len(unred) > 0 && &j.rows.unred[0] != &unred[0] {
		copy(unred, j.rows.unred)
	}
	j.release()
	return num.value()
}

// rowsRun computes a row loss on one thread or several (see Exec).
func rowsRun[T Float](kind jobKind, rc *rowCall[T], wt *Weighting[T], per, work int, ex *Exec) float64 {
	if threads := ex.threads(work, rowCost[kind], unsafe.Sizeof(rc.smooth)); threads > 1 {
		return rowsParallel(getJob[T](), kind, rc, wt, per, threads)
	}
	return rowsSerial(kind, rc, wt, per)
}

// SoftmaxCE computes the softmax cross-entropy of rows of c classes (x and z
// hold wt.N()·c values), reduced by r.
func SoftmaxCE[T Float](ks *asm.Kernels[T], xIn, zIn []T, c int, smooth T, wt *Weighting[T], r Reduction, unredIn, gradIn []T, ex Exec) float64 {
	if wt.n == 0 {
		ex.report(Partial{})
		return 0
	}
	x, z, unred, grad := noescape.Slice(xIn), noescape.Slice(zIn), noescape.Slice(unredIn), noescape.Slice(gradIn)
	st, gs, done := rowSetup(ks, wt, r, unred, &grad, &ex)
	if done {
		return 0
	}
	rc := rowCall[T]{ks: ks, x: x, z: z, c: c, smooth: smooth, gs: gs, unred: unred, grad: grad}
	return rowsReduced(jobSoftmax, &rc, wt, rowsPerBlock(c), len(x), st, r, &ex)
}

// rowsReduced runs the row loss of rc (with rowsRun) and returns its
// reduction by r from the partial st of rowSetup. With a subnormal
// denominator (an infinite gradient scale) the loss runs without the
// gradient and subnormalGrad writes it.
func rowsReduced[T Float](kind jobKind, rc *rowCall[T], wt *Weighting[T], per, work int, st Partial, r Reduction, ex *Exec) float64 {
	grad := rc.grad
	rescale := grad != nil && math.IsInf(rc.gs, 0)
	if rescale {
		rc.grad = nil
	}
	st.Num = rowsRun(kind, rc, wt, per, work, ex)
	if rescale {
		rc.grad = grad
		subnormalGrad[T, int](kind, rc, wt, per, st.Denominator(r), nil)
	}
	ex.report(st)
	return st.Value(r)
}

var labelBuf = sync.Pool{New: func() any { return new([BlockElems]int) }}

// SparseCE computes the sparse softmax cross-entropy of len(labels) rows of c
// classes, reduced by r. Every label must be in [0, c).
func SparseCE[T Float, L Integer](ks *asm.Kernels[T], xIn []T, c int, labelsIn []L, smooth T, wt *Weighting[T], r Reduction, unredIn, gradIn []T, ex Exec) float64 {
	if wt.n == 0 {
		ex.report(Partial{})
		return 0
	}
	x, labels, unred, grad := noescape.Slice(xIn), noescape.Slice(labelsIn), noescape.Slice(unredIn), noescape.Slice(gradIn)
	st, gs, done := rowSetup(ks, wt, r, unred, &grad, &ex)
	if done {
		return 0
	}
	rescale := grad != nil && math.IsInf(gs, 0) // a subnormal D: see subnormalGrad
	rc := rowCall[T]{ks: ks, x: x, c: c, smooth: smooth, gs: gs, unred: unred, grad: grad}
	if rescale {
		rc.grad = nil
	}
	var wide []int
	if unsafe.Sizeof(labels[0]) == unsafe.Sizeof(int(0)) {
		// Validated labels are in [0, c), so their bits read as int unchanged.
		wide = unsafe.Slice((*int)(unsafe.Pointer(unsafe.SliceData(labels))), len(labels))
	}
	per := rowsPerBlock(c)
	if threads := ex.threads(len(x), rowCost[jobSparse], unsafe.Sizeof(smooth)); threads > 1 {
		j := getJob[T]()
		if wide != nil && uintptr(len(wide))*unsafe.Sizeof(wide[0]) > stackSafeBytes {
			rc.labels = wide
		} else {
			j.lbuf = grow(j.lbuf, len(labels))
			for i, v := range labels {
				j.lbuf[i] = int(v)
			}
			rc.labels = j.lbuf
		}
		st.Num = rowsParallel(j, jobSparse, &rc, wt, per, threads)
	} else if wide != nil {
		rc.labels = wide
		st.Num = rowsSerial(jobSparse, &rc, wt, per)
	} else {
		buf := labelBuf.Get().(*[BlockElems]int)
		var num acc
		it := wt.blocks(per)
		for it.next() {
			b := &it.b
			lab := buf[:b.N]
			for i, v := range labels[b.M0 : b.M0+b.N] {
				lab[i] = int(v)
			}
			num.add(rc.block(jobSparse, b, lab))
		}
		labelBuf.Put(buf)
		st.Num = num.value()
	}
	if rescale {
		rc.grad, rc.labels = grad, nil
		subnormalGrad(jobSparse, &rc, wt, per, st.Denominator(r), labels)
	}
	ex.report(st)
	return st.Value(r)
}

// Cosine computes the cosine distance along an axis of axisLen values with
// stride elements after it (wt.N() slices in all), reduced by r. grad, when
// not nil, is laid out like p.
func Cosine[T Float](ks *asm.Kernels[T], pIn, yIn []T, axisLen, stride int, wt *Weighting[T], r Reduction, unredIn, gradIn []T, ex Exec) float64 {
	if wt.n == 0 {
		ex.report(Partial{})
		return 0
	}
	p, y, unred, grad := noescape.Slice(pIn), noescape.Slice(yIn), noescape.Slice(unredIn), noescape.Slice(gradIn)
	st, gs, done := rowSetup(ks, wt, r, unred, &grad, &ex)
	if done {
		return 0
	}
	rc := rowCall[T]{ks: ks, x: p, z: y, c: axisLen, stride: stride, gs: gs, unred: unred, grad: grad}
	return rowsReduced(jobCosine, &rc, wt, rowsPerBlock(axisLen), len(p), st, r, &ex)
}

// Pairwise computes Σ_b ω_b·L_b of the mean pairwise squared error over
// wt.N() rows of n elements (weights scalar or one per row).
func Pairwise[T Float](ks *asm.Kernels[T], pIn, yIn []T, n int, wt *Weighting[T], unredIn, gradIn []T, ex Exec) float64 {
	if wt.n == 0 {
		ex.report(Partial{})
		return 0
	}
	p, y, unred, grad := noescape.Slice(pIn), noescape.Slice(yIn), noescape.Slice(unredIn), noescape.Slice(gradIn)
	var st Partial
	if ex.Partial != nil {
		st = wt.stats(ks.WeightStats)
	}
	rc := rowCall[T]{ks: ks, x: p, z: y, c: n, unred: unred, grad: grad}
	st.Num = rowsRun(jobPairwise, &rc, wt, rowsPerBlock(n), len(p), &ex)
	ex.report(st)
	return st.Num
}
