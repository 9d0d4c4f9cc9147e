package asm

import "sync"

// rowChunk is the number of elements whose row weights are expanded per
// W-kernel call: a row weight never costs one kernel call per row, and the
// sums are Σ w·l exactly as the W form computes them (w·Σl would overflow
// where the W form does not, and lose a NaN·0).
const rowChunk = 1024

var (
	rowBuf32 = sync.Pool{New: func() any { return new([rowChunk]float32) }}
	rowBuf64 = sync.Pool{New: func() any { return new([rowChunk]float64) }}
)

func getRowBuf[T Float]() *[rowChunk]T {
	var z T
	if _, ok := any(z).(float32); ok {
		return rowBuf32.Get().(*[rowChunk]T)
	}
	return rowBuf64.Get().(*[rowChunk]T)
}

func putRowBuf[T Float](b *[rowChunk]T) {
	if b32, ok := any(b).(*[rowChunk]float32); ok {
		rowBuf32.Put(b32)
		return
	}
	rowBuf64.Put(b)
}

// rowSpans calls f for consecutive element ranges [lo, hi) of len(w) rows
// of inner elements, at most rowChunk long, with the row weights expanded
// to one per element in we.
func rowSpans[T Float](w []T, inner int, buf *[rowChunk]T, f func(lo, hi int, we []T)) {
	n := len(w) * inner
	for lo := 0; lo < n; lo += rowChunk {
		hi := min(lo+rowChunk, n)
		we := buf[:hi-lo]
		for k := lo; k < hi; {
			r := k / inner
			end := min((r+1)*inner, hi)
			v := w[r]
			for j := k - lo; j < end-lo; j++ {
				we[j] = v
			}
			k = end
		}
		f(lo, hi, we)
	}
}

// withRows completes e with its Row kernels, built from its W kernels over
// expanded row weights.
func withRows[T Float](e Elem[T]) Elem[T] {
	wsum, wunred, wgrad := e.WSum, e.WUnred, e.WGrad
	e.RowSum = func(p, y, w []T, inner int, a T) (float64, int, float64) {
		var s, ws float64
		nz := 0
		for _, v := range w { // the row statistics, as the contract counts them
			ws += float64(v)
			if v != 0 {
				nz++
			}
		}
		buf := getRowBuf[T]()
		defer putRowBuf(buf)
		rowSpans(w, inner, buf, func(lo, hi int, we []T) {
			v, _, _ := wsum(p[lo:hi], y[lo:hi], we, a)
			s += v
		})
		return s, nz, ws
	}
	e.RowUnred = func(dst, p, y, w []T, inner int, a T) float64 {
		var s float64
		buf := getRowBuf[T]()
		defer putRowBuf(buf)
		rowSpans(w, inner, buf, func(lo, hi int, we []T) {
			s += wunred(dst[lo:hi], p[lo:hi], y[lo:hi], we, a)
		})
		return s
	}
	e.RowGrad = func(dst, p, y, w []T, inner int, sc, a T) float64 {
		var s float64
		buf := getRowBuf[T]()
		defer putRowBuf(buf)
		rowSpans(w, inner, buf, func(lo, hi int, we []T) {
			s += wgrad(dst[lo:hi], p[lo:hi], y[lo:hi], we, sc, a)
		})
		return s
	}
	return e
}
