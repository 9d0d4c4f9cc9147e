package reduce

import (
	"math"
	"sync"
	"unsafe"

	"github.com/simdloss/simdloss/asm"
	"github.com/simdloss/simdloss/internal/noescape"
)

// BlockElems is the number of elements one kernel call handles at most
// (whole rows where a row is longer). Blocks fix the order in which partial
// sums combine, so results do not depend on alignment.
const BlockElems = 8192

// Elementwise computes an elementwise loss: Σ w·l(p, y) over all elements,
// reduced by r. y is nil for losses of one argument. When unred is not nil it
// receives w·l per element; when grad is not nil it receives w·g/D (all +0 when
// D is 0). Inputs must be valid: equal lengths, weights built for len(p).
func Elementwise[T Float](ks *asm.Kernels[T], loss asm.ElemLoss, pIn, yIn []T, a T, wt *Weighting[T], r Reduction, unredIn, gradIn []T, ex Exec) float64 {
	if wt.n == 0 {
		ex.report(Partial{})
		return 0
	}
	// New variables: escape analysis is flow-insensitive per variable.
	p, y, unred, grad := noescape.Slice(pIn), noescape.Slice(yIn), noescape.Slice(unredIn), noescape.Slice(gradIn)
	if y == nil {
		y = p
	}
	var st Partial
	known := false
	gs, d := 0.0, 1.0
	// Mean's Σw comes from one pass over the weights whatever else is asked,
	// so the result is the same with or without Unreduced and Gradient (a
	// fused per-block Σw would round differently). The kernels writing
	// Unreduced do not count weights, so a partial with them needs the pass too.
	if grad != nil || (unred != nil && (r.needsStats() || ex.Partial != nil)) || (r == Mean && wt.w != nil) {
		st, known = wt.stats(ks.WeightStats), true
		if grad != nil {
			if d = st.Denominator(r); d == 0 {
				clear(grad)
				grad = nil
			} else {
				gs = 1 / d
			}
		}
	}
	if known && unred == nil && grad == nil && ex.Partial == nil && st.Denominator(r) == 0 {
		return 0
	}
	e := elemCall[T]{k: &ks.Elem[loss], p: p, y: y, unred: unred, grad: grad, a: a, d: d, gs: gs}
	var num acc
	if threads := ex.threads(len(p), costOfElem(loss), unsafe.Sizeof(a)); threads > 1 {
		num = elemParallel(&e, wt, threads, known, &st)
	} else {
		it := wt.blocks(BlockElems)
		for it.next() {
			b := e.block(&it.b)
			num.add(b.s)
			if !known {
				st.Nonzero += b.nz
				st.WSum += b.ws
			}
		}
	}
	st.Num, st.N = num.value(), wt.n
	ex.report(st)
	return st.Value(r)
}

// elemParallel computes the blocks of e on up to threads goroutines and
// combines them as Elementwise's loop does: Σ w·l, and the weight statistics
// into st unless known. p, y, unred and grad hold len(p) elements, more than
// a stack holds (see Exec.threads). Not inlined: its frame would weigh on the
// single-threaded path.
//
//go:noinline
func elemParallel[T Float](e *elemCall[T], wt *Weighting[T], threads int, known bool, st *Partial) acc {
	j := getJob[T]()
	j.kind, j.elem = jobElem, *e
	j.setWeighting(wt, BlockElems)
	var num acc
	for _, b := range j.run(threads) {
		num.add(b.s)
		if !known {
			st.Nonzero += b.nz
			st.WSum += b.ws
		}
	}
	j.release()
	return num
}

// elemCall is what computing one block of an elementwise loss needs.
type elemCall[T Float] struct {
	k                 *asm.Elem[T]
	p, y, unred, grad []T
	a                 T
	d, gs             float64 // the denominator and 1/D, when there is a gradient
}

// block computes b: its Σ w·l, and its weight statistics where the kernels
// count them.
func (e *elemCall[T]) block(b *block[T]) (res blockRes) {
	k, a, d, gs := e.k, e.a, e.d, e.gs
	lo, hi := b.M0, b.M0+b.N
	pb, yb := e.p[lo:hi], e.y[lo:hi]
	var ub, gb []T
	if e.unred != nil {
		ub = e.unred[lo:hi]
	}
	if e.grad != nil {
		gb = e.grad[lo:hi]
	}
	if b.W == nil { // the statistics of a uniform block
		if b.S != 0 {
			res.nz = b.N
		}
		res.ws = float64(b.S) * float64(b.N)
	}
	switch {
	case !b.fast(gb != nil, d):
		res.s = exactBlock(k, b, pb, yb, ub, gb, a, d)
	case b.W == nil:
		var s float64
		switch {
		case gb != nil:
			s = k.Grad(gb, pb, yb, T(float64(b.S)/d), a)
			if ub != nil {
				k.Unred(ub, pb, yb, b.S, a)
			}
		case ub != nil:
			s = k.Unred(ub, pb, yb, b.S, a)
		default:
			s = k.Sum(pb, yb, a)
		}
		res.s = s * float64(b.S)
	case b.Inner == 1:
		w := noescape.Slice(b.W)
		switch {
		case gb != nil:
			res.s = k.WGrad(gb, pb, yb, w, T(gs), a)
			if ub != nil {
				k.WUnred(ub, pb, yb, w, a)
			}
		case ub != nil:
			res.s = k.WUnred(ub, pb, yb, w, a)
		default:
			res.s, res.nz, res.ws = k.WSum(pb, yb, w, a)
		}
	default:
		w := noescape.Slice(b.W)
		switch {
		case gb != nil:
			res.s = k.RowGrad(gb, pb, yb, w, b.Inner, T(gs), a)
			if ub != nil {
				k.RowUnred(ub, pb, yb, w, b.Inner, a)
			}
		case ub != nil:
			res.s = k.RowUnred(ub, pb, yb, w, b.Inner, a)
		default:
			var nz int
			var ws float64
			res.s, nz, ws = k.RowSum(pb, yb, w, b.Inner, a)
			res.nz, res.ws = nz*b.Inner, ws*float64(b.Inner)
		}
	}
	return res
}

// fast reports whether the kernels' fast forms compute b exactly as the
// per-element products would: a uniform weight must be finite (Inf·l takes
// the sign of each l, and Inf·0 is NaN), and with a gradient the scale
// handed to the kernels (1/D, or S/D) must be a normal number of T.
func (b *block[T]) fast(withGrad bool, d float64) bool {
	if b.W == nil && !finite(float64(b.S)) {
		return false
	}
	if !withGrad {
		return true
	}
	v := 1 / d
	if b.W == nil {
		v = float64(b.S) / d
	}
	return v == 0 || normal[T](v)
}

// normal reports whether v, rounded to T, is finite and not subnormal.
func normal[T Float](v float64) bool {
	t := float64(T(v))
	if !finite(t) {
		return false
	}
	var z T
	if _, ok := any(z).(float32); ok {
		return math.Abs(t) >= 0x1p-126
	}
	return math.Abs(t) >= 0x1p-1022
}

func finite(v float64) bool { return !math.IsInf(v, 0) && !math.IsNaN(v) }

var (
	weightBuf32 = sync.Pool{New: func() any { return new([BlockElems]float32) }}
	weightBuf64 = sync.Pool{New: func() any { return new([BlockElems]float64) }}
)

// exactBlock computes a block the fast forms cannot (see fast): with its
// weights written out one per element, and the gradient scaled in float64.
func exactBlock[T Float](k *asm.Elem[T], b *block[T], pb, yb, ub, gb []T, a T, d float64) float64 {
	var z T
	var pool *sync.Pool
	if _, ok := any(z).(float32); ok {
		pool = &weightBuf32
	} else {
		pool = &weightBuf64
	}
	buf := pool.Get()
	defer pool.Put(buf)
	we := noescape.Slice(buf.(*[BlockElems]T)[:b.N])
	for i := range we {
		if b.W == nil {
			we[i] = b.S
		} else {
			we[i] = b.W[i/b.Inner]
		}
	}
	var s float64
	if ub != nil {
		s = k.WUnred(ub, pb, yb, we, a)
	} else {
		s, _, _ = k.WSum(pb, yb, we, a)
	}
	if gb != nil {
		k.Grad(gb, pb, yb, 1, a) // the bare gradient, then w/D in float64
		for i, g := range gb {
			gb[i] = T(float64(we[i]) / d * float64(g))
		}
	}
	return s
}

// SumOf returns Σ x accumulated in blocks combined in float64 on the kernels ks.
func SumOf[T Float](ks *asm.Kernels[T], xIn []T) float64 {
	x := noescape.Slice(xIn)
	sum := ks.Elem[asm.Identity].Sum
	var a acc
	for lo := 0; lo < len(x); lo += BlockElems {
		b := x[lo:min(lo+BlockElems, len(x))]
		a.add(sum(b, b, 0))
	}
	return a.value()
}
