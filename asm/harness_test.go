package asm

// The harness must catch what it is there to catch: each broken kernel
// below, a generic kernel with one defect, fails the sweep that should see it.

import (
	"math"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

func brokenKernels(edit func(k *Kernels[float32])) *Kernels[float32] {
	k := *GenericLevel.F32 // a copy: the arrays of kernels are values
	edit(&k)
	return &k
}

func TestSweepCatchesBrokenKernels(t *testing.T) {
	g := GenericLevel.F32
	gsum, gunred, ggrad, gwsum := g.Elem[SqDiff].Sum, g.Elem[SqDiff].Unred, g.Elem[SqDiff].Grad, g.Elem[SqDiff].WSum
	plan := &sweepPlan{lengths: concat(lengthRange(0, 20, 1), []int{100}), fullUpTo: 20}
	cases := []struct {
		name    string
		d       driver
		special bool
		edit    func(k *Kernels[float32])
		want    string
	}{
		{"a write one past dst is an out-of-bounds write", dUnred, false, func(k *Kernels[float32]) {
			k.Elem[SqDiff].Unred = func(dst, p, y []float32, s, a float32) float64 {
				*at(dst, len(dst)) = 0
				return gunred(dst, p, y, s, a)
			}
		}, "out-of-bounds write: guard element len+0"},
		{"a write before dst is an out-of-bounds write", dGrad, false, func(k *Kernels[float32]) {
			k.Elem[SqDiff].Grad = func(dst, p, y []float32, s, a float32) float64 {
				*at(dst, -3) = 1
				return ggrad(dst, p, y, s, a)
			}
		}, "out-of-bounds write: guard element -3"},
		{"a read past p gives NaN where generic is finite", dSum, false, func(k *Kernels[float32]) {
			k.Elem[SqDiff].Sum = func(p, y []float32, a float32) float64 {
				return gsum(p, y, a) + float64(*at(p, len(p)))
			}
		}, "got NaN, generic gives"},
		{"a kernel writing to its input is caught", dSum, false, func(k *Kernels[float32]) {
			k.Elem[SqDiff].Sum = func(p, y []float32, a float32) float64 {
				s := gsum(p, y, a)
				if len(y) > 0 {
					y[len(y)-1]++
				}
				return s
			}
		}, "input y modified"},
		{"a result that depends on alignment is caught", dSum, false, func(k *Kernels[float32]) {
			k.Elem[SqDiff].Sum = func(p, y []float32, a float32) float64 {
				s := gsum(p, y, a)
				if uintptr(unsafe.Pointer(unsafe.SliceData(p)))%vecAlign != 0 {
					s = math.Nextafter(s, math.Inf(1))
				}
				return s
			}
		}, "result depends on alignment"},
		{"an inaccurate element is caught", dGrad, false, func(k *Kernels[float32]) {
			k.Elem[SqDiff].Grad = func(dst, p, y []float32, s, a float32) float64 {
				r := ggrad(dst, p, y, s, a)
				if len(dst) > 0 && s != 0 {
					dst[len(dst)-1] += 1e-3
				}
				return r
			}
		}, "off by"},
		{"an inaccurate sum is caught", dSum, false, func(k *Kernels[float32]) {
			k.Elem[SqDiff].Sum = func(p, y []float32, a float32) float64 { return gsum(p, y, a) * (1 + 1e-5) }
		}, "returned sum: got"},
		{"an element left unwritten is caught", dUnred, false, func(k *Kernels[float32]) {
			k.Elem[SqDiff].Unred = func(dst, p, y []float32, s, a float32) float64 {
				if len(dst) > 0 {
					last := dst[len(dst)-1]
					r := gunred(dst, p, y, s, a)
					dst[len(dst)-1] = last
					return r
				}
				return gunred(dst, p, y, s, a)
			}
		}, "not written"},
		{"a NaN input dropped from a sum is caught", dSum, true, func(k *Kernels[float32]) {
			k.Elem[SqDiff].Sum = func(p, y []float32, a float32) float64 {
				var s float64
				for i := range p {
					if d := p[i] - y[i]; d == d {
						s += float64(d * d)
					}
				}
				return s
			}
		}, "want NaN as generic"},
		{"a NaN weight not counted as nonzero is caught", dWSum, true, func(k *Kernels[float32]) {
			k.Elem[SqDiff].WSum = func(p, y, w []float32, a float32) (float64, int, float64) {
				s, nz, ws := gwsum(p, y, w, a)
				for _, v := range w {
					if v != v {
						nz--
					}
				}
				return s, nz, ws
			}
		}, "nonzero count"},
		{"a panicking kernel fails its test, not the binary", dSum, false, func(k *Kernels[float32]) {
			k.Elem[SqDiff].Sum = func(p, y []float32, a float32) float64 { return gsum(p, y, a) + float64(p[len(p)-1]) }
		}, "kernel panicked"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := brokenKernels(c.edit)
			ar := newElemArenas[float32](3 * plan.maxLength())
			err := elemSweep(k, g, &elemSpecs[SqDiff], c.d, 0, 0, c.special, plan, ar)
			require.Error(t, err)
			require.Contains(t, err.Error(), c.want)
		})
	}
}

func TestRowSweepCatchesBrokenKernels(t *testing.T) {
	g := GenericLevel.F64
	plan := &sweepPlan{lengths: lengthRange(0, 20, 1), fullUpTo: 20}
	softmax, cosine := g.Rows.SoftmaxCE, g.Rows.Cosine
	t.Run("a softmax writing past grad is an out-of-bounds write", func(t *testing.T) {
		k := *g
		k.Rows.SoftmaxCE = func(x, z []float64, rows, c int, w []float64, wrep int, ws, gs, smooth float64, unred, grad []float64) float64 {
			if grad != nil {
				*at(grad, len(grad)) = 0
			}
			return softmax(x, z, rows, c, w, wrep, ws, gs, smooth, unred, grad)
		}
		err := rowSweep(&k.Rows, &g.Rows, func(L, v int) *rowCase[float64] { return makeSoftmaxCase[float64](L, v, false) }, plan, newRowArenas[float64](1000))
		require.ErrorContains(t, err, "grad: out-of-bounds write")
	})
	t.Run("a cosine writing grad outside its slices is caught", func(t *testing.T) {
		k := *g
		k.Rows.Cosine = func(p, y []float64, axisLen, stride, m0, n int, w []float64, wrep int, ws, gs float64, unred, grad []float64) float64 {
			if grad != nil {
				clear(grad)
			}
			return cosine(p, y, axisLen, stride, m0, n, w, wrep, ws, gs, unred, grad)
		}
		err := rowSweep(&k.Rows, &g.Rows, func(L, v int) *rowCase[float64] { return makeCosineCase[float64](L, v, false) }, plan, newRowArenas[float64](1000))
		require.ErrorContains(t, err, "where generic writes nothing")
	})
	t.Run("WeightStats reading past w is caught", func(t *testing.T) {
		k := *g
		k.WeightStats = func(w []float64) (int, float64) {
			nz, s := g.WeightStats(w)
			return nz, s + *at(w, len(w))
		}
		err := weightStatsSweep(&k, g, false, &sweepPlan{lengths: lengthRange(0, 20, 1)}, guarded[float64](20))
		require.ErrorContains(t, err, "got NaN, generic gives")
	})
}
