package asm

import (
	"math"
	"sync"

	"github.com/simdloss/simdloss/generic"
)

// The softmax and sparse softmax cross-entropies of a SIMD level are built
// here from a few vector primitives (softmaxPrims), with the contracts of
// generic.Rows.
//
// Long rows (c > shortMax) take three primitive calls each: the row maximum
// m; the sum of exp(x − m) (optionally storing each exp into the gradient)
// together with what the loss needs; after the row's scalars are known, the
// gradient in place. The sum leaves out the terms of the elements equal to m
// (each exactly 1) and counts them instead, so that ln s = log1p(ones − 1 +
// rest) keeps the relative accuracy of tiny losses (a confident correct
// prediction) that a float32 lane holding 1 + rest would round away.
//
// Short rows (2 <= c <= short.max) are batched across rows: one call
// computes the losses of many rows with one row per vector lane, and a
// second, over the contiguous gradient, expands each row's scalars to its
// elements. Rows of one class (and no class) are the generic kernel's.
//
// softmax_ref_test.go holds Go versions of every primitive with exactly the
// semantics stated here: what a new level's primitives must compute.
//
// A row whose fast-path intermediates are not finite (NaN or infinite logits
// or labels, a float32 difference m − x that overflows, a weight or gradient
// scale too large or too small for the type) is computed again by the generic
// kernel, which then writes that row's outputs: every result is the generic
// one wherever the fast path could round differently in class, and agrees
// within SPEC.md's tolerances elsewhere.
type softmaxPrims[T Float] struct {
	// rowMax returns the largest value of x (len(x) > 0). A NaN need not
	// propagate: it reaches the sums below.
	rowMax func(x []T) T
	// expSum computes e(i) = exp(x(i) − m) for a finite m, stores e into dst
	// when len(dst) > 0 (len(dst) == len(x)), and returns rest, the sum of
	// the e(i) of the elements with x(i) != m (NaN included), and ones, the
	// number of elements with x(i) == m. Float32 lanes drain to float64.
	expSum func(dst, x []T, m T) (rest float64, ones int)
	// expSumDist is expSum that also returns dist = Σ (m − x(i)), each
	// difference rounded in T.
	expSumDist func(dst, x []T, m T) (rest, dist float64, ones int)
	// expSumDense is expSum that also returns a = Σ z'(i)·(m − x(i)) and
	// b = Σ z'(i), z'(i) = z(i)·pos + neg rounded in T as generic rounds it
	// (len(z) == len(x)).
	expSumDense func(dst, x, z []T, m, pos, neg T) (rest, a, b float64, ones int)
	// gradSparse writes g(i) = g(i)·p − q.
	gradSparse func(g []T, p, q T)
	// gradDense writes g(i) = (g(i)·p − (z(i)·pos + neg)·r)·q, z(i)·pos + neg
	// rounded in T (len(z) == len(g)).
	gradDense func(g, z []T, pos, neg, p, r, q T)

	// The short-row kernels; nil where the level has none (then short rows
	// take the long-row path).
	short *softmaxShort[T]
}

// softmaxShort are the batched kernels of rows of 2 <= c <= max classes,
// computed in T. Per row r of a call (rows = len(dst)): m its maximum,
// rest and ones as expSum's, ln s = log1p(ones − 1 + rest); l the row's
// loss (sparse: (m − x(lab)) + ln s without smoothing, else
// (zl − neg)·(m − x(lab)) + ln s·(neg·(c − 1) + zl) + neg·Σ(m − x); dense:
// a + ln s·b as expSumDense's); ω = ws·w(r) (ws when w is nil), lw = ω·l.
// dst(r) = lw, or NaN where the row must be computed again: lw not finite,
// |b| < labelFloor (dense), or with par a gradient factor out of
// fastLimits (|gs·ω| outside [lo, hi], |p|, |q| or |Σz'/s| above hi). The
// call returns Σ lw over the other rows, in float64, and their count. gs is
// the gradient scale 1/D rounded to T.
type softmaxShort[T Float] struct {
	max int
	// sparse: rows of x with their labels (checked to lie in [0, c)). With
	// par (4·rows values) it also writes, per row, m, p = gs·ω/s,
	// q = gs·ω·neg and the label's own gradient (exp(x(lab) − m)·p −
	// gs·ω·zl), in four runs of rows values.
	sparse func(x []T, c int, labels []int, w []T, ws, gs, neg, zl T, dst, par []T) (float64, int)
	// sparseGrad writes the gradient of the rows of x from par (as written
	// by sparse): g(i) = exp(x(i) − m)·p − q, the label's element from par.
	// idx and step expand the per-row values to the elements (see
	// expandTable).
	sparseGrad func(g, x []T, c int, labels []int, par []T, idx, step []int32)
	// dense: rows of x and z. With par (4·rows values) it also writes, per
	// row, m and the factors p, r, q of the gradient
	// (e·p − z'·r)·q = gs·ω·(e·Σz'/s − z'): with sc = gs·ω and k = Σz'/s,
	// (sc·k, sc, 1) where |sc| <= 1, else (k, 1, sc).
	dense func(x, z []T, c int, w []T, ws, gs, pos, neg T, dst, par []T) (float64, int)
	// denseGrad writes g(i) = (exp(x(i) − m)·p − (z(i)·pos + neg)·r)·q from par.
	denseGrad func(g, x, z []T, c int, pos, neg T, par []T, idx, step []int32)
	// table returns the expansion tables of the level's vector width and
	// element size; nil where the gradient kernels need none (then idx and
	// step are nil).
	table func() *expandTable
}

// expand returns the expansion tables of rows of c classes (nil without a
// table).
func (k *softmaxShort[T]) expand(c int) (idx, step []int32) {
	if k.table == nil {
		return nil, nil
	}
	t := k.table()
	return t.idx[c], t.step[c]
}

// limits of the fast path: the factors of a gradient lie within
// [fastLo, fastHi] in magnitude (fastHi also bounds the other scalars), so
// that no product of the vector loops overflows or loses relative accuracy
// to underflow where generic's float64 arithmetic would not.
func fastLimits[T Float]() (lo, hi float64) {
	var z T
	if _, ok := any(z).(float32); ok {
		return 0x1p-60, math.MaxFloat32 / 16
	}
	return 0x1p-500, math.MaxFloat64 / 16
}

// labelFloor is the smallest |Σ z'| of a dense row the fast path takes:
// below it the products z'·(m − x) underflow in T where generic's float64
// terms do not (float32), or round each to a few subnormal steps where
// generic adds ln s first (float64); such rows go to the generic kernel.
func labelFloor[T Float]() float64 {
	var z T
	if _, ok := any(z).(float32); ok {
		return 0x1p-90
	}
	return 0x1p-960
}

// inRange reports whether lo <= |v| <= hi (false for NaN).
func inRange(v, lo, hi float64) bool {
	a := math.Abs(v)
	return a >= lo && a <= hi
}

// rowWeight is ω(r) = ws·w[r/wrep] of the row kernels' weight convention,
// or ws when w is nil.
func rowWeight[T Float](w []T, wrep, r int, ws T) T {
	if w == nil {
		return ws
	}
	return ws * w[r/wrep]
}

// softmaxRows returns the level's SoftmaxCE and SparseCE built from p.
func softmaxRows[T Float](p *softmaxPrims[T], rows Rows[T]) Rows[T] {
	g := generic.RowKernels[T]()
	rows.SoftmaxCE = func(x, z []T, n, c int, w []T, wrep int, ws T, gs float64, smooth T, unred, grad []T) float64 {
		if c == 0 || c == 1 {
			return g.SoftmaxCE(x, z, n, c, w, wrep, ws, gs, smooth, unred, grad)
		}
		if p.short != nil && c <= p.short.max {
			return softmaxShortDense(p.short, &g, x, z, n, c, w, wrep, ws, gs, smooth, unred, grad)
		}
		return softmaxLongDense(p, &g, x, z, n, c, w, wrep, ws, gs, smooth, unred, grad)
	}
	rows.SparseCE = func(x []T, c int, labels []int, w []T, wrep int, ws T, gs float64, smooth T, unred, grad []T) float64 {
		if c == 1 {
			return g.SparseCE(x, c, labels, w, wrep, ws, gs, smooth, unred, grad)
		}
		if p.short != nil && c <= p.short.max {
			return softmaxShortSparse(p.short, &g, x, c, labels, w, wrep, ws, gs, smooth, unred, grad)
		}
		return softmaxLongSparse(p, &g, x, c, labels, w, wrep, ws, gs, smooth, unred, grad)
	}
	return rows
}

// rowGeneric computes row r alone with the generic kernel (weight om) and
// returns its ω·l; it writes unred[r] and the row's gradient like the rest.
func rowGenericSparse[T Float](g *Rows[T], x []T, c int, labels []int, r int, om T, gs float64, smooth T, unred, grad []T) float64 {
	var u, gr []T
	if unred != nil {
		u = unred[r : r+1]
	}
	if grad != nil {
		gr = grad[r*c : (r+1)*c]
	}
	return g.SparseCE(x[r*c:(r+1)*c], c, labels[r:r+1], nil, 1, om, gs, smooth, u, gr)
}

func rowGenericDense[T Float](g *Rows[T], x, z []T, c, r int, om T, gs float64, smooth T, unred, grad []T) float64 {
	var u, gr []T
	if unred != nil {
		u = unred[r : r+1]
	}
	if grad != nil {
		gr = grad[r*c : (r+1)*c]
	}
	return g.SoftmaxCE(x[r*c:(r+1)*c], z[r*c:(r+1)*c], 1, c, nil, 1, om, gs, smooth, u, gr)
}

// logSum returns ln s for s = ones + rest, computed as log1p(ones − 1 + rest)
// (ones >= 1 is an exact count).
func logSum(rest float64, ones int) float64 {
	return math.Log1p(float64(ones-1) + rest)
}

func softmaxLongSparse[T Float](p *softmaxPrims[T], g *Rows[T], x []T, c int, labels []int, w []T, wrep int, ws T, gs float64, smooth T, unred, grad []T) float64 {
	lo, hi := fastLimits[T]()
	pos, neg := 1-smooth, smooth/T(c)
	zl := neg + pos // the label's smoothed value, rounded as generic rounds it
	nb := float64(neg)*float64(c-1) + float64(zl)
	var total float64
	for r, lab := range labels {
		xr := x[r*c : (r+1)*c]
		om := rowWeight(w, wrep, r, ws)
		xl := xr[lab]
		var gr []T
		if grad != nil {
			gr = grad[r*c : (r+1)*c]
		}
		m := p.rowMax(xr)
		var l, rest, dist float64
		var ones int
		ok := finite(float64(m))
		if ok {
			if smooth == 0 {
				rest, ones = p.expSum(gr, xr, m)
			} else {
				rest, dist, ones = p.expSumDist(gr, xr, m)
			}
			ok = finite(rest) && finite(dist) && ones > 0
		}
		var s, sc, pr, q float64
		if ok {
			ls := logSum(rest, ones)
			dl := float64(m) - float64(xl)
			if smooth == 0 {
				l = dl + ls
			} else {
				l = float64(neg)*dist + (float64(zl)-float64(neg))*dl + ls*nb
			}
			if gr != nil {
				s = float64(ones) + rest
				sc = gs * float64(om)
				pr, q = sc/s, sc*float64(neg)
				ok = inRange(sc, lo, hi) && math.Abs(pr) <= hi && math.Abs(q) <= hi
			}
		}
		if !ok {
			total += rowGenericSparse(g, x, c, labels, r, om, gs, smooth, unred, grad)
			continue
		}
		lw := float64(om) * l
		if unred != nil {
			unred[r] = T(lw)
		}
		total += lw
		if gr != nil {
			el := gr[lab]
			p.gradSparse(gr, T(pr), T(q))
			gr[lab] = T(sc * (float64(el)/s - float64(zl)))
		}
	}
	return total
}

func softmaxLongDense[T Float](p *softmaxPrims[T], g *Rows[T], x, z []T, rows, c int, w []T, wrep int, ws T, gs float64, smooth T, unred, grad []T) float64 {
	lo, hi := fastLimits[T]()
	pos, neg := 1-smooth, smooth/T(c)
	var total float64
	for r := 0; r < rows; r++ {
		xr, zr := x[r*c:(r+1)*c], z[r*c:(r+1)*c]
		om := rowWeight(w, wrep, r, ws)
		var gr []T
		if grad != nil {
			gr = grad[r*c : (r+1)*c]
		}
		m := p.rowMax(xr)
		var rest, a, b float64
		var ones int
		ok := finite(float64(m))
		if ok {
			rest, a, b, ones = p.expSumDense(gr, xr, zr, m, pos, neg)
			ok = finite(rest) && finite(a) && finite(b) && ones > 0 && math.Abs(b) >= labelFloor[T]()
		}
		var l, pr, rr, qq float64
		if ok {
			ls := logSum(rest, ones)
			l = a + ls*b
			if gr != nil {
				s := float64(ones) + rest
				sc := gs * float64(om)
				k := b / s
				if math.Abs(sc) <= 1 {
					pr, rr, qq = sc*k, sc, 1
				} else {
					pr, rr, qq = k, 1, sc
				}
				ok = inRange(sc, lo, hi) && math.Abs(k) <= hi && math.Abs(pr) <= hi
			}
			ok = ok && finite(l)
		}
		if !ok {
			total += rowGenericDense(g, x, z, c, r, om, gs, smooth, unred, grad)
			continue
		}
		lw := float64(om) * l
		if unred != nil {
			unred[r] = T(lw)
		}
		total += lw
		if gr != nil {
			p.gradDense(gr, zr, pos, neg, T(pr), T(rr), T(qq))
		}
	}
	return total
}

// shortChunk is the most rows one short-row kernel call takes: its scratch
// (per-row losses, gradient factors and expanded weights) comes from a pool.
const shortChunk = 1024

type shortScratch[T Float] struct {
	dst [shortChunk]T
	w   [shortChunk]T
	par [4 * shortChunk]T
}

var (
	shortPool32 = sync.Pool{New: func() any { return new(shortScratch[float32]) }}
	shortPool64 = sync.Pool{New: func() any { return new(shortScratch[float64]) }}
)

func getShort[T Float]() *shortScratch[T] {
	var z T
	if _, ok := any(z).(float32); ok {
		return shortPool32.Get().(*shortScratch[T])
	}
	return shortPool64.Get().(*shortScratch[T])
}

func putShort[T Float](s *shortScratch[T]) {
	if s32, ok := any(s).(*shortScratch[float32]); ok {
		shortPool32.Put(s32)
		return
	}
	shortPool64.Put(s)
}

// shortWeights returns the per-row weights of rows [r0, r0+n) for the short
// kernels: nil (ws alone), w itself (wrep 1), or w expanded into buf.
func shortWeights[T Float](w []T, wrep, r0, n int, buf []T) []T {
	switch {
	case w == nil:
		return nil
	case wrep == 1:
		return w[r0 : r0+n]
	}
	buf = buf[:n]
	for i := range buf {
		buf[i] = w[(r0+i)/wrep]
	}
	return buf
}

// shortGS returns gs rounded to T and whether the kernels may use it: a
// gradient scale outside the type's comfortable range sends the rows to the
// generic kernel (never the case for a reduction's 1/D of ordinary sizes).
func shortGS[T Float](gs float64) (T, bool) {
	lo, hi := fastLimits[T]()
	return T(gs), gs == 0 || inRange(gs, lo*lo, hi)
}

// shortChunks runs a batched short-row loss over rows in chunks of
// shortChunk rows: call computes the rows [r0, r0+n) of a chunk, writing
// their weighted losses into dst (NaN for a row it leaves out) and, with a
// gradient, their parameters into par; it returns the chunk's sum and its
// count of good rows. Each row left out is computed again by again(r) (the
// generic kernel), which returns its weighted loss.
func shortChunks[T Float](k *softmaxShort[T], rows, c int, w []T, wrep int, unred, grad []T,
	call func(r0, n int, wr, dst, par []T, idx, step []int32) (float64, int), again func(r int) float64) float64 {
	sc := getShort[T]()
	var idx, step []int32
	if grad != nil {
		idx, step = k.expand(c)
	}
	var total float64
	for r0 := 0; r0 < rows; r0 += shortChunk {
		n := min(shortChunk, rows-r0)
		dst := sc.dst[:n]
		if unred != nil {
			dst = unred[r0 : r0+n]
		}
		var par []T
		if grad != nil {
			par = sc.par[:4*n]
		}
		wr := shortWeights(w, wrep, r0, n, sc.w[:])
		sum, good := call(r0, n, wr, dst, par, idx, step)
		if good < n {
			for i, v := range dst {
				if v != v {
					sum += again(r0 + i)
				}
			}
		}
		total += sum
	}
	putShort(sc)
	return total
}

func softmaxShortSparse[T Float](k *softmaxShort[T], g *Rows[T], x []T, c int, labels []int, w []T, wrep int, ws T, gs float64, smooth T, unred, grad []T) float64 {
	gsT, ok := shortGS[T](gs)
	if !ok && grad != nil {
		return g.SparseCE(x, c, labels, w, wrep, ws, gs, smooth, unred, grad)
	}
	for _, lab := range labels {
		if uint(lab) >= uint(c) {
			panic("asm: label out of range")
		}
	}
	pos, neg := 1-smooth, smooth/T(c)
	zl := neg + pos
	return shortChunks(k, len(labels), c, w, wrep, unred, grad,
		func(r0, n int, wr, dst, par []T, idx, step []int32) (float64, int) {
			lab, xs := labels[r0:r0+n], x[r0*c:(r0+n)*c]
			sum, good := k.sparse(xs, c, lab, wr, ws, gsT, neg, zl, dst, par)
			if grad != nil {
				k.sparseGrad(grad[r0*c:(r0+n)*c], xs, c, lab, par, idx, step)
			}
			return sum, good
		},
		func(r int) float64 {
			return rowGenericSparse(g, x, c, labels, r, rowWeight(w, wrep, r, ws), gs, smooth, unred, grad)
		})
}

func softmaxShortDense[T Float](k *softmaxShort[T], g *Rows[T], x, z []T, rows, c int, w []T, wrep int, ws T, gs float64, smooth T, unred, grad []T) float64 {
	gsT, ok := shortGS[T](gs)
	if !ok && grad != nil {
		return g.SoftmaxCE(x, z, rows, c, w, wrep, ws, gs, smooth, unred, grad)
	}
	pos, neg := 1-smooth, smooth/T(c)
	return shortChunks(k, rows, c, w, wrep, unred, grad,
		func(r0, n int, wr, dst, par []T, idx, step []int32) (float64, int) {
			xs, zs := x[r0*c:(r0+n)*c], z[r0*c:(r0+n)*c]
			sum, good := k.dense(xs, zs, c, wr, ws, gsT, pos, neg, dst, par)
			if grad != nil {
				k.denseGrad(grad[r0*c:(r0+n)*c], xs, zs, c, pos, neg, par, idx, step)
			}
			return sum, good
		},
		func(r int) float64 {
			return rowGenericDense(g, x, z, c, r, rowWeight(w, wrep, r, ws), gs, smooth, unred, grad)
		})
}
