package asm

import (
	"math"
	"sync"
)

// Row kernels (one weight per row of inner elements) are built from a
// level's uniform and W kernels:
//   - inner == 1: the W kernel on the weights as they are;
//   - inner >= rowsDirect: the uniform kernel once per row, scaled by the
//     row's weight (a row whose scaled sum is not finite is summed again in
//     the W form, so overflow and NaN·0 behave exactly as there);
//   - otherwise the level's fused row kernels, which expand the weights in
//     registers (a variable permute per vector).
//
// No form costs one kernel call per short row.
const (
	rowsDirect = 64
	rowChunk   = 1024 // elements per W-kernel call of the exact fallback
)

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

// expandTable holds, per row length inner (2 <= inner < rowsDirect), what the
// fused row kernels need: per phase k % inner, 16 int32 permute
// indices (the weight of each lane, relative to the current row; pairs of
// 32-bit halves for float64 lanes) and the step: rows to advance, next phase.
type expandTable struct {
	idx  [rowsDirect][]int32
	step [rowsDirect][]int32
}

func newExpandTable(vecBytes, size int) *expandTable {
	lanes := vecBytes / size
	t := &expandTable{}
	for inner := 2; inner < rowsDirect; inner++ {
		idx := make([]int32, 16*inner)
		step := make([]int32, 2*inner)
		for ph := 0; ph < inner; ph++ {
			for j := 0; j < lanes; j++ {
				e := int32((ph + j) / inner)
				if size == 8 {
					idx[16*ph+2*j], idx[16*ph+2*j+1] = 2*e, 2*e+1
				} else {
					idx[16*ph+j] = e
				}
			}
			step[2*ph], step[2*ph+1] = int32((ph+lanes)/inner), int32((ph+lanes)%inner)
		}
		t.idx[inner], t.step[inner] = idx, step
	}
	return t
}

// expandTables by 2·(vector bytes / 64) + size/8: AVX2 float32, AVX2 float64,
// AVX-512 float32, AVX-512 float64.
var expandTables = [4]func() *expandTable{
	sync.OnceValue(func() *expandTable { return newExpandTable(32, 4) }),
	sync.OnceValue(func() *expandTable { return newExpandTable(32, 8) }),
	sync.OnceValue(func() *expandTable { return newExpandTable(64, 4) }),
	sync.OnceValue(func() *expandTable { return newExpandTable(64, 8) }),
}

// rowFused are a level's row kernels for 2 <= inner < rowsDirect (same
// contracts as Elem's Row kernels).
type rowFused[T Float] struct {
	sum   func(p, y, w []T, inner int, a T) (float64, int, float64)
	unred func(dst, p, y, w []T, inner int, a T) float64
	grad  func(dst, p, y, w []T, inner int, s, a T) float64
}

// rowStats is the row-weight statistics of RowSum's contract.
func rowStats[T Float](w []T) (nz int, ws float64) {
	for _, v := range w {
		ws += float64(v)
		if v != 0 {
			nz++
		}
	}
	return nz, ws
}

// finite reports whether v is neither infinite nor NaN.
func finite(v float64) bool { return !math.IsInf(v, 0) && !math.IsNaN(v) }

// withRows completes e with its Row kernels (see above); fused holds the
// level's fused row kernels.
func withRows[T Float](fused *rowFused[T], e Elem[T]) Elem[T] {
	sum, wsum, unred, wunred, grad, wgrad := e.Sum, e.WSum, e.Unred, e.WUnred, e.Grad, e.WGrad
	// rowW is Σ w·l of one row in the W form, the exact fallback.
	rowW := func(p, y []T, wr, a T, buf *[rowChunk]T) float64 {
		var s float64
		for lo := 0; lo < len(p); lo += rowChunk {
			hi := min(lo+rowChunk, len(p))
			we := buf[:hi-lo]
			for j := range we {
				we[j] = wr
			}
			v, _, _ := wsum(p[lo:hi], y[lo:hi], we, a)
			s += v
		}
		return s
	}
	// scaled is wr·rowSum, or the W form's sum where that is not finite.
	scaled := func(rowSum float64, p, y []T, wr, a T, buf **[rowChunk]T) float64 {
		v := float64(wr) * rowSum
		if finite(v) {
			return v
		}
		if *buf == nil {
			*buf = getRowBuf[T]()
		}
		return rowW(p, y, wr, a, *buf)
	}
	e.RowSum = func(p, y, w []T, inner int, a T) (float64, int, float64) {
		if inner == 1 {
			return wsum(p, y, w, a)
		}
		if inner > 0 && inner < rowsDirect {
			return fused.sum(p, y, w, inner, a)
		}
		var s float64
		var buf *[rowChunk]T
		nz, ws := rowStats(w)
		for r, wr := range w {
			o := r * inner
			pr, yr := p[o:o+inner], y[o:o+inner]
			s += scaled(sum(pr, yr, a), pr, yr, wr, a, &buf)
		}
		if buf != nil {
			putRowBuf(buf)
		}
		return s, nz, ws
	}
	e.RowUnred = func(dst, p, y, w []T, inner int, a T) float64 {
		if inner == 1 {
			return wunred(dst, p, y, w, a)
		}
		if inner > 0 && inner < rowsDirect {
			return fused.unred(dst, p, y, w, inner, a)
		}
		var s float64
		var buf *[rowChunk]T
		for r, wr := range w {
			o := r * inner
			pr, yr := p[o:o+inner], y[o:o+inner]
			s += scaled(unred(dst[o:o+inner], pr, yr, wr, a), pr, yr, wr, a, &buf)
		}
		if buf != nil {
			putRowBuf(buf)
		}
		return s
	}
	e.RowGrad = func(dst, p, y, w []T, inner int, sc, a T) float64 {
		if inner == 1 {
			return wgrad(dst, p, y, w, sc, a)
		}
		if inner > 0 && inner < rowsDirect {
			return fused.grad(dst, p, y, w, inner, sc, a)
		}
		var s float64
		var buf *[rowChunk]T
		for r, wr := range w {
			o := r * inner
			pr, yr := p[o:o+inner], y[o:o+inner]
			s += scaled(grad(dst[o:o+inner], pr, yr, sc*wr, a), pr, yr, wr, a, &buf)
		}
		if buf != nil {
			putRowBuf(buf)
		}
		return s
	}
	return e
}
