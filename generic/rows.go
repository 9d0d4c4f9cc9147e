package generic

// Rows is the set of kernels of the losses that reduce a row (or a strided
// slice) of inputs to one measurable element, for one element type.
//
// Weights: measurable element r of a call has weight ω(r) = ws·w[r/wrep], or
// ws alone when w is nil. Each kernel returns Σ ω(r)·l(r) in float64, writes
// ω(r)·l(r) to unred[r] when unred is not nil, and writes gs·ω(r)·∂l(r)/∂x to
// grad (laid out like the input) when grad is not nil; gs (1/D) is a float64 so
// that no denominator over- or underflows it in T.
type Rows[T Float] struct {
	// SoftmaxCE: x and z hold rows·c values; z'(c) = z(c)·(1−smooth) + smooth/c;
	// l(r) = Σ_c z'(c)·(lse − x(c)), ∂l/∂x(c) = softmax(c)·Σz' − z'(c).
	SoftmaxCE func(x, z []T, rows, c int, w []T, wrep int, ws T, gs float64, smooth T, unred, grad []T) float64
	// SparseCE: x holds len(labels) rows of c values and every label is in [0, c);
	// z' is the smoothed one-hot of the label; l and ∂l/∂x as SoftmaxCE.
	SparseCE func(x []T, c int, labels []int, w []T, wrep int, ws T, gs float64, smooth T, unred, grad []T) float64
	// Cosine: measurable element m (m0 <= m < m0+n) is the slice of axisLen
	// values of p and y starting at (m/stride)·axisLen·stride + m%stride with
	// step stride; l = 1 − Σ p·y, ∂l/∂p = −y. p, y and grad are whole tensors;
	// unred holds n values.
	Cosine func(p, y []T, axisLen, stride, m0, n int, w []T, wrep int, ws T, gs float64, unred, grad []T) float64
	// Pairwise: p and y hold rows·n values, d = p − y; a row with ω(r) = 0 has
	// l = 0 and gradient 0 whatever it holds; otherwise l = (2/n)·Σ(d − mean d)²
	// and ∂l/∂p = (4/n)·(d − mean d). There is no gs: the reduction is a sum.
	Pairwise func(p, y []T, rows, n int, w []T, ws T, unred, grad []T) float64
}

// RowKernels returns the generic row kernels.
func RowKernels[T Float]() Rows[T] {
	return Rows[T]{
		SoftmaxCE: softmaxCE[T],
		SparseCE:  sparseCE[T],
		Cosine:    cosine[T],
		Pairwise:  pairwise[T],
	}
}

// rowWeight is ω(r) of the weight convention above.
func rowWeight[T Float](w []T, wrep, r int, ws T) T {
	if w == nil {
		return ws
	}
	return ws * w[r/wrep]
}

// maxNaN is the maximum of a non-empty row; any NaN makes it NaN.
func maxNaN[T Float](x []T) T {
	m := x[0]
	for _, v := range x {
		if v > m || v != v {
			m = v
		}
		if m != m {
			return m
		}
	}
	return m
}

// logSumExp returns m = max(x) and Σ exp(x − m); exp terms are computed in T.
func logSumExp[T Float](x []T) (m T, s float64) {
	m = maxNaN(x)
	for _, v := range x {
		s += float64(Exp(v - m))
	}
	return m, s
}

func softmaxCE[T Float](x, z []T, rows, c int, w []T, wrep int, ws T, gs float64, smooth T, unred, grad []T) float64 {
	var total float64
	pos, neg := 1-smooth, smooth/T(max(c, 1))
	for r := 0; r < rows; r++ {
		om := rowWeight(w, wrep, r, ws)
		var l float64
		if c > 0 {
			xr, zr := x[r*c:(r+1)*c], z[r*c:(r+1)*c]
			m, s := logSumExp(xr)
			// lse − x = (m − x) + ln s: exact however large m is.
			ls := Log64(s)
			var sz float64
			for k, v := range xr {
				zs := zr[k]*pos + neg
				l += float64(zs) * ((float64(m) - float64(v)) + ls)
				sz += float64(zs)
			}
			if grad != nil {
				gr, sc := grad[r*c:(r+1)*c], gs*float64(om)
				for k, v := range xr {
					zs := zr[k]*pos + neg
					sm := float64(Exp(v-m)) / s
					gr[k] = T(sc * (sm*sz - float64(zs)))
				}
			}
		}
		lw := float64(om) * l
		if unred != nil {
			unred[r] = T(lw)
		}
		total += lw
	}
	return total
}

func sparseCE[T Float](x []T, c int, labels []int, w []T, wrep int, ws T, gs float64, smooth T, unred, grad []T) float64 {
	var total float64
	pos, neg := 1-smooth, smooth/T(max(c, 1))
	for r, lab := range labels {
		om := rowWeight(w, wrep, r, ws)
		xr := x[r*c : (r+1)*c]
		m, s := logSumExp(xr)
		ls := Log64(s) // lse − x = (m − x) + ln s, as in softmaxCE
		var l float64
		if smooth == 0 {
			l = (float64(m) - float64(xr[lab])) + ls
		} else {
			for k, v := range xr {
				zs := neg
				if k == lab {
					zs += pos
				}
				l += float64(zs) * ((float64(m) - float64(v)) + ls)
			}
		}
		if grad != nil {
			gr, sc := grad[r*c:(r+1)*c], gs*float64(om)
			for k, v := range xr {
				zs := neg
				if k == lab {
					zs += pos
				}
				sm := float64(Exp(v-m)) / s
				gr[k] = T(sc * (sm - float64(zs)))
			}
		}
		lw := float64(om) * l
		if unred != nil {
			unred[r] = T(lw)
		}
		total += lw
	}
	return total
}

func cosine[T Float](p, y []T, axisLen, stride, m0, n int, w []T, wrep int, ws T, gs float64, unred, grad []T) float64 {
	var total float64
	for j := 0; j < n; j++ {
		m := m0 + j
		base := (m/stride)*axisLen*stride + m%stride
		om := rowWeight(w, wrep, j, ws)
		var dot float64
		for a, o := 0, base; a < axisLen; a, o = a+1, o+stride {
			dot += float64(p[o] * y[o])
		}
		l := float64(om) * (1 - dot)
		if unred != nil {
			unred[j] = T(l)
		}
		if grad != nil {
			sc := -gs * float64(om)
			for a, o := 0, base; a < axisLen; a, o = a+1, o+stride {
				grad[o] = T(sc * float64(y[o]))
			}
		}
		total += l
	}
	return total
}

func pairwise[T Float](p, y []T, rows, n int, w []T, ws T, unred, grad []T) float64 {
	var total float64
	for r := 0; r < rows; r++ {
		om := rowWeight(w, 1, r, ws)
		pr, yr := p[r*n:(r+1)*n], y[r*n:(r+1)*n]
		var l float64
		if om != 0 && n > 0 {
			var sd float64
			for k, v := range pr {
				sd += float64(v - yr[k])
			}
			mean := sd / float64(n)
			// Two passes with the compensating term of the corrected two-pass
			// algorithm: exact up to rounding whatever the offset of d.
			var ss, sc float64
			for k, v := range pr {
				e := float64(v-yr[k]) - mean
				ss += e * e
				sc += e
			}
			l = 2 * (ss - sc*sc/float64(n)) / float64(n)
			mean += sc / float64(n) // the same correction, for the gradient's d − mean
			if grad != nil {
				gr, f := grad[r*n:(r+1)*n], float64(om)*4/float64(n)
				for k, v := range pr {
					gr[k] = T(f * (float64(v-yr[k]) - mean))
				}
			}
		} else if grad != nil {
			clear(grad[r*n : (r+1)*n])
		}
		lw := float64(om) * l
		if om == 0 {
			lw = 0
		}
		if unred != nil {
			unred[r] = T(lw)
		}
		total += lw
	}
	return total
}
