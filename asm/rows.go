package asm

import "sync"

// rowsDirect is the row length from which a row-weighted kernel runs the
// uniform kernel once per row; shorter rows are batched: their weights are
// expanded to one per element and the W kernel runs over many rows at once.
const rowsDirect = 64

// rowChunk is the number of elements expanded per W-kernel call.
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

// rowSpan calls f for consecutive runs of whole rows (at most rowChunk
// elements, at least one row) with the weights expanded per element into buf.
func rowSpan[T Float](w []T, inner int, buf *[rowChunk]T, f func(lo, hi int, we []T)) {
	per := max(rowChunk/inner, 1)
	for r := 0; r < len(w); r += per {
		nr := min(per, len(w)-r)
		we := buf[:nr*inner]
		for j := 0; j < nr; j++ {
			v := w[r+j]
			for k := j * inner; k < (j+1)*inner; k++ {
				we[k] = v
			}
		}
		f(r*inner, (r+nr)*inner, we)
	}
}

// withRows completes e with its Row kernels, built from its uniform and W
// kernels: short rows are batched (see rowsDirect), so a per-row weight
// never costs one kernel call per row.
func withRows[T Float](e Elem[T]) Elem[T] {
	sum, wsum, unred, wunred, grad, wgrad := e.Sum, e.WSum, e.Unred, e.WUnred, e.Grad, e.WGrad
	e.RowSum = func(p, y, w []T, inner int, a T) (float64, int, float64) {
		var s, ws float64
		nz := 0
		if inner >= rowsDirect {
			for r, wr := range w {
				o := r * inner
				s += float64(wr) * sum(p[o:o+inner], y[o:o+inner], a)
				ws += float64(wr)
				if wr != 0 {
					nz++
				}
			}
			return s, nz, ws
		}
		buf := getRowBuf[T]()
		defer putRowBuf(buf)
		rowSpan(w, inner, buf, func(lo, hi int, we []T) {
			v, n, x := wsum(p[lo:hi], y[lo:hi], we, a)
			s, nz, ws = s+v, nz+n, ws+x
		})
		return s, nz / inner, ws / float64(inner)
	}
	e.RowUnred = func(dst, p, y, w []T, inner int, a T) float64 {
		var s float64
		if inner >= rowsDirect {
			for r, wr := range w {
				o := r * inner
				s += float64(wr) * unred(dst[o:o+inner], p[o:o+inner], y[o:o+inner], wr, a)
			}
			return s
		}
		buf := getRowBuf[T]()
		defer putRowBuf(buf)
		rowSpan(w, inner, buf, func(lo, hi int, we []T) {
			s += wunred(dst[lo:hi], p[lo:hi], y[lo:hi], we, a)
		})
		return s
	}
	e.RowGrad = func(dst, p, y, w []T, inner int, sc, a T) float64 {
		var s float64
		if inner >= rowsDirect {
			for r, wr := range w {
				o := r * inner
				s += float64(wr) * grad(dst[o:o+inner], p[o:o+inner], y[o:o+inner], sc*wr, a)
			}
			return s
		}
		buf := getRowBuf[T]()
		defer putRowBuf(buf)
		rowSpan(w, inner, buf, func(lo, hi int, we []T) {
			s += wgrad(dst[lo:hi], p[lo:hi], y[lo:hi], we, sc, a)
		})
		return s
	}
	return e
}
