package asm

// The cosine distance and the mean pairwise squared error of a level
// (generic.Rows' Cosine and Pairwise) from a few generated primitives:
//
//   - the dot products of contiguous slices (axis last, stride 1), one row
//     after another in one call, or of the columns of outer blocks (stride >
//     1: the stride consecutive slices of a block lie side by side in
//     memory, so the lanes run across them and the loop along the axis);
//   - per row of the pairwise error, the mean of d = p − y and the sums of
//     d − mean and its square (a shifted second pass: exact to rounding
//     whatever the offset of d, with the compensating term of generic's
//     corrected two-pass algorithm);
//   - the gradients −gs·ω·y and (4ω/n)·(d − mean), vectorised.
//
// Products and differences are rounded to T as in package generic; sums and
// the gradients' scaling are float64. The primitives run over chunks of up
// to cpChunk measurable elements; the weights, the losses and their sum are
// finished here in float64 exactly as generic does.

// cpChunk is the number of measurable elements per primitive call.
const cpChunk = 128

// cosPrims are a level's cosine primitives for one element type.
type cosPrims[T Float] struct {
	// dotRows writes dot(r) = Σ_k p(r·a+k)·y(r·a+k) for r < len(dot).
	dotRows func(dot []float64, p, y []T, a int)
	// dotCols writes dot(b·cols+c) = Σ_k p(b·a·s+k·s+c)·y(…) for c < cols,
	// b < len(dot)/cols.
	dotCols func(dot []float64, p, y []T, s, a, cols int)
	// gradRows writes grad(r·a+k) = T(sc(r)·y(r·a+k)) for r < len(sc).
	gradRows func(grad, y []T, sc []float64, a int)
	// gradCols writes grad(b·a·s+k·s+c) = T(sc(b·cols+c)·y(…)) for c < cols,
	// b < len(sc)/cols.
	gradCols func(grad, y []T, sc []float64, s, a, cols int)
}

// pairPrims are a level's pairwise primitives for one element type.
type pairPrims[T Float] struct {
	// stats writes, per row r < len(st)/3 of n elements, the mean of d, Σ(d −
	// mean) and Σ(d − mean)².
	stats func(st []float64, p, y []T, n int)
	// grad writes grad(r·n+k) = T(mf(2r+1)·(d − mf(2r))) for r < len(mf)/2.
	grad func(grad, p, y []T, mf []float64, n int)
	// ref is generic's Pairwise, for the rows that are not finite.
	ref func(p, y []T, rows, n int, w []T, ws T, unred, grad []T) float64
}

// cosFinish turns the dot products of measurable elements j0.. into
// ω·(1 − dot), written to unred when not nil, and the gradient scales
// −gs·ω into sc when not nil; it returns Σ ω·(1 − dot). A dot product that
// is not finite (an infinite or NaN input, or an overflow whose outcome
// depends on the order of the sum) is left out, and bad is set: the caller
// recomputes those elements as generic does.
func cosFinish[T Float](dot, sc []float64, j0 int, w []T, wrep int, ws T, gs float64, unred []T) (total float64, bad bool) {
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

// cosine is generic.Rows.Cosine on the level's primitives.
func (k *cosPrims[T]) cosine(p, y []T, axisLen, stride, m0, n int, w []T, wrep int, ws T, gs float64, unred, grad []T) float64 {
	if n <= 0 {
		return 0
	}
	var dot, scb [cpChunk]float64
	var sc []float64
	if grad != nil {
		sc = scb[:]
	}
	var total float64
	if axisLen == 0 {
		// Empty slices: dot = 0 and nothing to write to grad.
		for j0 := 0; j0 < n; j0 += cpChunk {
			t, _ := cosFinish(dot[:min(cpChunk, n-j0)], nil, j0, w, wrep, ws, gs, unred)
			total += t
		}
		return total
	}
	raceRead(p)
	raceRead(y)
	if unred != nil {
		raceWrite(unred[:n])
	}
	if stride == 1 {
		for j0 := 0; j0 < n; j0 += cpChunk {
			cnt := min(cpChunk, n-j0)
			lo, hi := (m0+j0)*axisLen, (m0+j0+cnt)*axisLen
			k.dotRows(dot[:cnt], p[lo:hi], y[lo:hi], axisLen)
			var s []float64
			if sc != nil {
				s = sc[:cnt]
			}
			t, bad := cosFinish(dot[:cnt], s, j0, w, wrep, ws, gs, unred)
			total += t
			if s != nil {
				raceWrite(grad[lo:hi])
				k.gradRows(grad[lo:hi], y[lo:hi], s, axisLen)
			}
			if bad {
				total += cosRedo(dot[:cnt], p, y, axisLen, stride, m0, j0, w, wrep, ws, unred)
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
		hi := lo + (nb-1)*blockLen + (axisLen-1)*stride + cols
		cnt := nb * cols
		k.dotCols(dot[:cnt], p[lo:hi], y[lo:hi], stride, axisLen, cols)
		var s []float64
		if sc != nil {
			s = sc[:cnt]
		}
		t, bad := cosFinish(dot[:cnt], s, j, w, wrep, ws, gs, unred)
		total += t
		if s != nil {
			if raceEnabled {
				for b := 0; b < nb; b++ {
					for a := 0; a < axisLen; a++ {
						o := lo + b*blockLen + a*stride
						raceWrite(grad[o : o+cols])
					}
				}
			}
			k.gradCols(grad[lo:hi], y[lo:hi], s, stride, axisLen, cols)
		}
		if bad {
			total += cosRedo(dot[:cnt], p, y, axisLen, stride, m0, j, w, wrep, ws, unred)
		}
		j += cnt
	}
	return total
}

// pairwise is generic.Rows.Pairwise on the level's primitives. A row whose
// mean or loss is not finite (an infinite or NaN input, or an overflow
// whose outcome depends on the order of the sums) is computed by generic.
func (k *pairPrims[T]) pairwise(p, y []T, rows, n int, w []T, ws T, unred, grad []T) float64 {
	var st [3 * cpChunk]float64
	var mf [2 * cpChunk]float64
	var mark [cpChunk]uint8 // 1: weight 0, 2: computed by generic
	if n > 0 {
		raceRead(p[:rows*n])
		raceRead(y[:rows*n])
	}
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
		if n > 0 {
			k.stats(st[:3*cnt], p[lo:hi], y[lo:hi], n)
		}
		marked := false
		for i := 0; i < cnt; i++ {
			om := ws
			if w != nil {
				om = ws * w[r0+i]
			}
			var l float64
			mf[2*i], mf[2*i+1] = 0, 0
			if om != 0 && n > 0 {
				mean, se, sq := st[3*i], st[3*i+1], st[3*i+2]
				l = 2 * (sq - se*se/nf) / nf
				mean += se / nf
				if !finite(l) || !finite(mean) {
					mark[i], marked = 2, true
					continue
				}
				mf[2*i], mf[2*i+1] = mean, float64(om)*4/nf
			} else {
				mark[i], marked = 1, true
			}
			lw := float64(om) * l
			if om == 0 {
				lw = 0
			}
			if unred != nil {
				unred[r0+i] = T(lw)
			}
			total += lw
		}
		if grad != nil && n > 0 {
			k.grad(grad[lo:hi], p[lo:hi], y[lo:hi], mf[:2*cnt], n)
		}
		if !marked {
			continue
		}
		for i := 0; i < cnt; i++ {
			switch mark[i] {
			case 1: // a row of weight 0 has gradient 0 whatever it holds
				if grad != nil {
					clear(grad[lo+i*n : lo+(i+1)*n])
				}
			case 2:
				r := r0 + i
				om := ws
				if w != nil {
					om = ws * w[r]
				}
				var u, g []T
				if unred != nil {
					u = unred[r : r+1]
				}
				if grad != nil {
					g = grad[r*n : (r+1)*n]
				}
				total += k.ref(p[r*n:(r+1)*n], y[r*n:(r+1)*n], 1, n, nil, om, u, g)
			}
			mark[i] = 0
		}
	}
	return total
}
