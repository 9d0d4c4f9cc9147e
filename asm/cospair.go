package asm

import "github.com/simdloss/simdloss/internal/noescape"

// The cosine distance and the mean pairwise squared error of a level
// (generic.Rows' Cosine and Pairwise) from a few generated primitives:
//
//   - the dot products of contiguous slices (axis last, stride 1), one row
//     after another in one call (a row of at most one vector without any
//     loop), or of the columns of outer blocks (stride > 1: the stride
//     consecutive slices of a block lie side by side in memory, so the
//     lanes run across them and the loop along the axis; blocks narrower
//     than half a vector put several of their rows in one vector and fold
//     the lanes into columns afterwards);
//   - per row of the pairwise error, sums of d − c and (d − c)² for a shift
//     c close to the row's d (its mean from a first pass; for short rows
//     its first d, in one pass), which with the compensating term of
//     generic's corrected two-pass algorithm give Σ(d − mean)² exactly to
//     rounding whatever the offset of d;
//   - the finishes: weights, unreduced losses, gradient scales and the sum,
//     vectorised over measurable elements;
//   - the gradients −gs·ω·y and (4ω/n)·(d − mean).
//
// Products and differences are rounded to T as in package generic; sums and
// the gradients' scaling are float64. The primitives run over chunks of up
// to cpChunk measurable elements. A chunk whose sum is not finite is
// finished again here, its infinite or NaN elements as generic computes
// them, so that overflows and NaN follow generic's order of operations.

// cpChunk is the number of measurable elements per primitive call.
const cpChunk = 128

// cosPrims are a level's cosine primitives for one element type.
type cosPrims[T Float] struct {
	// dotRows writes dot(r) = Σ_k p(r·a+k)·y(r·a+k) for r < len(dot).
	dotRows func(dot []float64, p, y []T, a int)
	// dotCols writes dot(b·cols+c) = Σ_k p(b·a·s+k·s+c)·y(…) for c < cols,
	// b < len(dot)/cols.
	dotCols func(dot []float64, p, y []T, s, a, cols int)
	// finish returns Σ ω·(1 − dot) with ω(r) = ws·w(r) (ws when w is empty)
	// and writes unred(r) = T(ω·(1 − dot(r))) and sc(r) = −gs·ω(r) unless
	// those are empty.
	finish func(dot []float64, w []T, ws T, gs float64, unred []T, sc []float64) float64
	// gradRows writes grad(r·a+k) = T(sc(r)·y(r·a+k)) for r < len(sc).
	gradRows func(grad, y []T, sc []float64, a int)
	// gradCols writes grad(b·a·s+k·s+c) = T(sc(b·cols+c)·y(…)) for c < cols,
	// b < len(sc)/cols.
	gradCols func(grad, y []T, sc []float64, s, a, cols int)
	// dotWide (nil: none) is dotCols of whole blocks (cols = s) for
	// s <= lanes/2, several of a block's rows to a vector.
	dotWide func(dot []float64, p, y []T, s, blockLen int)
	// lanes is the number of T lanes of a vector of dotWide and dotT.
	lanes int
	// dotT is dotRows for rows of 1 <= a <= tMax elements (0: none),
	// len(dot) a multiple of lanes: lanes rows at a time, transposed.
	dotT func(dot []float64, p, y []T, a int)
	// gradT is gradRows for such rows, len(sc) a multiple of lanes.
	gradT func(grad, y []T, sc []float64, a int)
	tMax  int
}

// pairPrims are a level's pairwise primitives for one element type.
type pairPrims[T Float] struct {
	// stats writes, per row r < len(mean) of n > 0 elements, a shift c
	// close to the row's d (the mean of d; for short rows, at most one
	// vector on amd64 and 8 elements on arm64, the row's first d: Σ(d − c)²
	// then exceeds Σ(d − mean)² at most n+1 times) as mean(r), se(r) =
	// Σ(d − c) and sq(r) = Σ(d − c)².
	stats func(mean, se, sq []float64, p, y []T, n int)
	// finish returns Σ ω·l and the count of rows of ω = 0, with ω(r) =
	// ws·w(r) (ws when w is empty) and l = 2·(sq − se²/n)/n (the shifted
	// sums' exact Σ(d − mean)², up to rounding); it writes unred(r) =
	// T(ω·l) (0 where ω = 0) unless unred is empty, mean(r) += se(r)/n (the
	// mean of d) and f(r) = ω·4/n.
	finish func(mean, se, sq []float64, w []T, ws T, n int, unred []T, f []float64) (float64, int)
	// grad writes grad(r·n+k) = T(f(r)·(d − mean(r))) for r < len(mean).
	grad func(grad, p, y []T, mean, f []float64, n int)
	// ref is generic's Pairwise, for the rows that are not finite.
	ref func(p, y []T, rows, n int, w []T, ws T, unred, grad []T) float64
	// statsT is stats for rows of 1 <= n <= tMax elements (0: none),
	// len(mean) a multiple of lanes: lanes rows at a time, transposed, in
	// one pass shifted by each row's first d.
	statsT func(mean, se, sq []float64, p, y []T, n int)
	// gradT is grad for such rows, len(mean) a multiple of lanes.
	gradT       func(grad, p, y []T, mean, f []float64, n int)
	lanes, tMax int
}

// cosFinishGo turns the dot products of measurable elements j0.. into
// ω·(1 − dot), written to unred when not nil, and the gradient scales
// −gs·ω into sc when not nil; it returns Σ ω·(1 − dot). A dot product that
// is not finite (an infinite or NaN input, or an overflow whose outcome
// depends on the order of the sum) is left out, and bad is set: the caller
// recomputes those elements as generic does.
func cosFinishGo[T Float](dot, sc []float64, j0 int, w []T, wrep int, ws T, gs float64, unred []T) (total float64, bad bool) {
	if w == nil {
		om := float64(ws)
		for i, d := range dot {
			if !finite(d) {
				bad = true
				continue
			}
			l := om * (1 - d)
			if unred != nil {
				unred[j0+i] = T(l)
			}
			total += l
		}
		if sc != nil {
			s := -gs * om
			for i := range dot {
				sc[i] = s
			}
		}
		return total, bad
	}
	q, r := j0/wrep, j0%wrep
	for i, d := range dot {
		om := ws * w[q]
		if r++; r == wrep {
			q, r = q+1, 0
		}
		if sc != nil {
			sc[i] = -gs * float64(om)
		}
		if !finite(d) {
			bad = true
			continue
		}
		l := float64(om) * (1 - d)
		if unred != nil {
			unred[j0+i] = T(l)
		}
		total += l
	}
	return total, bad
}

// cosRedo computes, as generic does, the loss of the measurable elements
// j0.. whose dot product in dot is not finite; it returns their Σ ω·l.
func cosRedo[T Float](dot []float64, p, y []T, axisLen, stride, m0, j0 int, w []T, wrep int, ws T, unred []T) float64 {
	var total float64
	for i, d := range dot {
		if finite(d) {
			continue
		}
		j := j0 + i
		m := m0 + j
		om := ws
		if w != nil {
			om = ws * w[j/wrep]
		}
		var g float64
		for a, o := 0, (m/stride)*axisLen*stride+m%stride; a < axisLen; a, o = a+1, o+stride {
			g += float64(p[o] * y[o])
		}
		l := float64(om) * (1 - g)
		if unred != nil {
			unred[j] = T(l)
		}
		total += l
	}
	return total
}

// chunk finishes a chunk of dot products of the measurable elements
// j0.. (see cosFinishGo): with the level's finish where the weights allow,
// in Go when they repeat (wrep > 1) or when the chunk's sum is not finite
// (then the elements whose dot product is not finite are recomputed as
// generic does). sc, when not nil, receives the gradient scales.
func (k *cosPrims[T]) chunk(dot, sc []float64, p, y []T, axisLen, stride, m0, j0 int, w []T, wrep int, ws T, gs float64, unred []T) float64 {
	cnt := len(dot)
	if w == nil || wrep == 1 {
		var wc, u []T
		if w != nil {
			wc = w[j0 : j0+cnt]
		}
		if unred != nil {
			u = unred[j0 : j0+cnt]
		}
		if t := k.finish(dot, wc, ws, gs, u, sc); finite(t) {
			return t
		}
	}
	t, bad := cosFinishGo(dot, sc, j0, w, wrep, ws, gs, unred)
	if bad {
		t += cosRedo(dot, p, y, axisLen, stride, m0, j0, w, wrep, ws, unred)
	}
	return t
}

// cosine is generic.Rows.Cosine on the level's primitives.
func (k *cosPrims[T]) cosine(p, y []T, axisLen, stride, m0, n int, w []T, wrep int, ws T, gs float64, unred, grad []T) float64 {
	if n <= 0 {
		return 0
	}
	// The buffers stay on the stack: the primitives never retain them.
	var dotArr, scArr [cpChunk]float64
	dot, scb := noescape.Slice(dotArr[:]), noescape.Slice(scArr[:])
	var total float64
	if axisLen == 0 {
		// Empty slices: dot = 0 and nothing to write to grad.
		for j0 := 0; j0 < n; j0 += cpChunk {
			total += k.chunk(dot[:min(cpChunk, n-j0)], nil, p, y, axisLen, stride, m0, j0, w, wrep, ws, gs, unred)
		}
		return total
	}
	raceRead(p)
	raceRead(y)
	if unred != nil {
		raceWrite(unred[:n])
	}
	// One gradient scale for every element when there are no weights.
	single := w == nil
	if single {
		scb[0] = -gs * float64(ws)
	}
	if stride == 1 {
		for j0 := 0; j0 < n; j0 += cpChunk {
			cnt := min(cpChunk, n-j0)
			lo, hi := (m0+j0)*axisLen, (m0+j0+cnt)*axisLen
			if full := cnt - cnt%max(k.lanes, 1); axisLen <= k.tMax && full > 0 {
				mid := lo + full*axisLen
				k.dotT(dot[:full], p[lo:mid], y[lo:mid], axisLen)
				k.dotRows(dot[full:cnt], p[mid:hi], y[mid:hi], axisLen)
			} else {
				k.dotRows(dot[:cnt], p[lo:hi], y[lo:hi], axisLen)
			}
			var sc []float64
			if grad != nil && !single {
				sc = scb[:cnt]
			}
			total += k.chunk(dot[:cnt], sc, p, y, axisLen, stride, m0, j0, w, wrep, ws, gs, unred)
			if grad != nil {
				raceWrite(grad[lo:hi])
				switch full := cnt - cnt%max(k.lanes, 1); {
				case single:
					k.gradRows(grad[lo:hi], y[lo:hi], scb[:1], hi-lo)
				case axisLen <= k.tMax && full > 0:
					mid := lo + full*axisLen
					k.gradT(grad[lo:mid], y[lo:mid], sc[:full], axisLen)
					k.gradRows(grad[mid:hi], y[mid:hi], sc[full:], axisLen)
				default:
					k.gradRows(grad[lo:hi], y[lo:hi], sc, axisLen)
				}
			}
		}
		return total
	}
	// Strided: measurable m is column m%stride of outer block m/stride.
	// Whole blocks go several to a call; a block cut by the chunk or by the
	// call's range goes by its columns.
	blockLen := axisLen * stride
	for j := 0; j < n; {
		m := m0 + j
		o, c := m/stride, m%stride
		cols, nb := min(stride-c, n-j, cpChunk), 1
		if cols == stride {
			nb = min((n-j)/stride, cpChunk/stride)
		}
		lo := o*blockLen + c
		wide := cols == stride && 2*stride <= k.lanes && k.dotWide != nil
		if wide {
			// Blocks narrower than half a vector: several of a block's
			// rows to a vector.
			k.dotWide(dot[:nb*stride], p[lo:lo+nb*blockLen], y[lo:lo+nb*blockLen], stride, blockLen)
		}
		hi := lo + (nb-1)*blockLen + (axisLen-1)*stride + cols
		cnt := nb * cols
		if !wide {
			k.dotCols(dot[:cnt], p[lo:hi], y[lo:hi], stride, axisLen, cols)
		}
		var sc []float64
		if grad != nil && !single {
			sc = scb[:cnt]
		}
		total += k.chunk(dot[:cnt], sc, p, y, axisLen, stride, m0, j, w, wrep, ws, gs, unred)
		if grad != nil {
			if single && cols == stride {
				// Whole blocks: every element of [lo, hi) is theirs.
				raceWrite(grad[lo:hi])
				k.gradRows(grad[lo:hi], y[lo:hi], scb[:1], hi-lo)
			} else {
				if raceEnabled {
					for b := 0; b < nb; b++ {
						for a := 0; a < axisLen; a++ {
							o := lo + b*blockLen + a*stride
							raceWrite(grad[o : o+cols])
						}
					}
				}
				if single {
					for i := 1; i < cnt; i++ {
						scb[i] = scb[0]
					}
					sc = scb[:cnt]
				}
				k.gradCols(grad[lo:hi], y[lo:hi], sc, stride, axisLen, cols)
			}
		}
		j += cnt
	}
	return total
}

// pairwise is generic.Rows.Pairwise on the level's primitives. A row whose
// mean or loss is not finite (an infinite or NaN input, or an overflow
// whose outcome depends on the order of the sums) is computed by generic.
func (k *pairPrims[T]) pairwise(p, y []T, rows, n int, w []T, ws T, unred, grad []T) float64 {
	if n <= 0 {
		// Empty rows: l = 0, so ω·0 (NaN for an infinite or NaN ω) as generic.
		var total float64
		for r := 0; r < rows; r++ {
			total += k.ref(nil, nil, 1, 0, nil, rowWeight(w, 1, r, ws), unredAt(unred, r), nil)
		}
		return total
	}
	// The buffers stay on the stack: the primitives never retain them.
	var meanArr, seArr, sqArr, fArr [cpChunk]float64
	mean, se, sq, f := noescape.Slice(meanArr[:]), noescape.Slice(seArr[:]), noescape.Slice(sqArr[:]), noescape.Slice(fArr[:])
	raceRead(p[:rows*n])
	raceRead(y[:rows*n])
	if unred != nil {
		raceWrite(unred[:rows])
	}
	if grad != nil {
		raceWrite(grad[:rows*n])
	}
	var total float64
	nf := float64(n)
	for r0 := 0; r0 < rows; r0 += cpChunk {
		cnt := min(cpChunk, rows-r0)
		lo, hi := r0*n, (r0+cnt)*n
		if full := cnt - cnt%max(k.lanes, 1); n <= k.tMax && full > 0 {
			mid := lo + full*n
			k.statsT(mean[:full], se[:full], sq[:full], p[lo:mid], y[lo:mid], n)
			k.stats(mean[full:cnt], se[full:cnt], sq[full:cnt], p[mid:hi], y[mid:hi], n)
		} else {
			k.stats(mean[:cnt], se[:cnt], sq[:cnt], p[lo:hi], y[lo:hi], n)
		}
		var wc, u []T
		if w != nil {
			wc = w[r0 : r0+cnt]
		}
		if unred != nil {
			u = unred[r0 : r0+cnt]
		}
		t, zeros := k.finish(mean[:cnt], se[:cnt], sq[:cnt], wc, ws, n, u, f[:cnt])
		if grad != nil {
			if full := cnt - cnt%max(k.lanes, 1); n <= k.tMax && full > 0 {
				mid := lo + full*n
				k.gradT(grad[lo:mid], p[lo:mid], y[lo:mid], mean[:full], f[:full], n)
				k.grad(grad[mid:hi], p[mid:hi], y[mid:hi], mean[full:cnt], f[full:cnt], n)
			} else {
				k.grad(grad[lo:hi], p[lo:hi], y[lo:hi], mean[:cnt], f[:cnt], n)
			}
		}
		if finite(t) && zeros == 0 {
			total += t
			continue
		}
		// Rows of weight 0 have gradient 0 whatever they hold; rows that
		// are not finite are generic's; the chunk's sum is added again.
		t = 0
		for i := 0; i < cnt; i++ {
			r := r0 + i
			om := rowWeight(w, 1, r, ws)
			if om == 0 {
				if grad != nil {
					clear(grad[r*n : (r+1)*n])
				}
				continue
			}
			l := 2 * (sq[i] - se[i]*se[i]/nf) / nf
			if !finite(l) || !finite(mean[i]) {
				var g []T
				if grad != nil {
					g = grad[r*n : (r+1)*n]
				}
				t += k.ref(p[r*n:(r+1)*n], y[r*n:(r+1)*n], 1, n, nil, om, unredAt(unred, r), g)
				continue
			}
			t += float64(om) * l
		}
		total += t
	}
	return total
}

// unredAt is unred[r:r+1], or nil.
func unredAt[T Float](unred []T, r int) []T {
	if unred == nil {
		return nil
	}
	return unred[r : r+1]
}
