package fuzz

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/simdloss/simdloss/asm"
)

// The harness must catch what it is there to catch: each test below runs
// the kernel checks with a deliberately broken level next to the generic
// one and requires a failure naming the fault.

// recorder is a fataler that records instead of failing.
type recorder struct {
	failed bool
	msg    string
}

func (r *recorder) Helper()                   {}
func (r *recorder) Logf(string, ...any)       {}
func (r *recorder) Fatalf(f string, a ...any) { r.failed, r.msg = true, fmt.Sprintf(f, a...) }

// withLevels makes the kernel checks see exactly these levels.
func withLevels(t *testing.T, ls ...*asm.Level) {
	prev := levelsToTest
	levelsToTest = func() []*asm.Level { return ls }
	t.Cleanup(func() { levelsToTest = prev })
}

// brokenLevel is the generic level with break applied to copies of its
// kernels.
func brokenLevel(break32 func(*asm.Kernels[float32]), break64 func(*asm.Kernels[float64])) *asm.Level {
	k32, k64 := *asm.GenericLevel.F32, *asm.GenericLevel.F64
	if break32 != nil {
		break32(&k32)
	}
	if break64 != nil {
		break64(&k64)
	}
	return &asm.Level{Name: "broken", F32: &k32, F64: &k64}
}

func benignElemCase[T Float](k asm.ElemLoss, n int) *elemCase[T] {
	rng := rand.New(rand.NewPCG(uint64(n), uint64(k)))
	pr, yr := elemRoles(k)
	if pr == roleLogit {
		pr = roleReal
	}
	c := &elemCase[T]{k: k, inner: 3, a: 1e-7, s: 0.5}
	c.p = fromF64[T](benign(rng, n, pr))
	c.y = fromF64[T](benign(rng, n, yr))
	if oneArg(k) {
		c.y = c.p
	}
	c.w = fromF64[T](benign(rng, n, roleWeight))
	c.wr = fromF64[T](benign(rng, n/3, roleWeight))
	return c
}

// past returns the element just after s, inside its guarded buffer.
func past[T Float](s []T) *T {
	return (*T)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(s)), uintptr(len(s))*unsafe.Sizeof(T(0))))
}

func TestHarnessCatchesBrokenElemKernels(t *testing.T) {
	gen := asm.GenericLevel.F32.Elem[asm.SqDiff]
	for _, tc := range []struct {
		name string
		brk  func(*asm.Kernels[float32])
		want string
	}{
		{"sum off by 1e-4", func(k *asm.Kernels[float32]) {
			k.Elem[asm.SqDiff].Sum = func(p, y []float32, a float32) float64 { return gen.Sum(p, y, a) * (1 + 1e-4) }
		}, "broken Sum"},
		{"nonzero count off by one", func(k *asm.Kernels[float32]) {
			k.Elem[asm.SqDiff].WSum = func(p, y, w []float32, a float32) (float64, int, float64) {
				s, nz, ws := gen.WSum(p, y, w, a)
				return s, nz + 1, ws
			}
		}, "broken WSum: nonzero"},
		{"last element not written", func(k *asm.Kernels[float32]) {
			k.Elem[asm.SqDiff].Unred = func(dst, p, y []float32, s, a float32) float64 {
				return gen.Unred(dst[:len(dst)-1], p[:len(p)-1], y[:len(y)-1], s, a) + float64(p[len(p)-1]-y[len(y)-1])*float64(p[len(p)-1]-y[len(y)-1])
			}
		}, "was not written"},
		{"writes one past the end", func(k *asm.Kernels[float32]) {
			k.Elem[asm.SqDiff].Grad = func(dst, p, y []float32, s, a float32) float64 {
				*past(dst) = 1
				return gen.Grad(dst, p, y, s, a)
			}
		}, "wrote outside dst"},
		{"reads one past the end", func(k *asm.Kernels[float32]) {
			k.Elem[asm.SqDiff].WUnred = func(dst, p, y, w []float32, a float32) float64 {
				return gen.WUnred(dst, p, y, w, a) + float64(*past(p))
			}
		}, "broken WUnred"},
		{"largest gradient element 1e-5 off", func(k *asm.Kernels[float32]) {
			k.Elem[asm.SqDiff].RowGrad = func(dst, p, y, w []float32, inner int, s, a float32) float64 {
				r := gen.RowGrad(dst, p, y, w, inner, s, a)
				m := 0
				for i, v := range dst {
					if math.Abs(float64(v)) > math.Abs(float64(dst[m])) {
						m = i
					}
				}
				dst[m] *= 1 + 1e-5
				return r
			}
		}, "broken RowGrad dst"},
		{"modifies an input", func(k *asm.Kernels[float32]) {
			k.Elem[asm.SqDiff].WGrad = func(dst, p, y, w []float32, s, a float32) float64 {
				r := gen.WGrad(dst, p, y, w, s, a)
				w[0]++
				return r
			}
		}, "modified input w"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			withLevels(t, brokenLevel(tc.brk, nil), asm.GenericLevel)
			var r recorder
			checkElem(&r, benignElemCase[float32](asm.SqDiff, 100))
			require.True(t, r.failed, "the harness missed it")
			require.Contains(t, r.msg, tc.want)
		})
	}
}

func TestHarnessCatchesNaNHandling(t *testing.T) {
	gen := asm.GenericLevel.F64.Elem[asm.AbsDiff]
	// A level whose absolute difference drops NaN (as x86 MAXPD's operand
	// order would).
	broken := brokenLevel(nil, func(k *asm.Kernels[float64]) {
		k.Elem[asm.AbsDiff].Unred = func(dst, p, y []float64, s, a float64) float64 {
			gen.Unred(dst, p, y, s, a)
			var t float64
			for i := range dst {
				if dst[i] != dst[i] {
					dst[i] = 0
				}
				t += dst[i] / s
			}
			return t
		}
	})
	withLevels(t, broken, asm.GenericLevel)
	c := benignElemCase[float64](asm.AbsDiff, 40)
	c.p[7] = math.NaN()
	var r recorder
	checkElem(&r, c)
	require.True(t, r.failed)
	require.Contains(t, r.msg, "broken Unred")
}

func TestHarnessCatchesBrokenRowKernels(t *testing.T) {
	gen := asm.GenericLevel.F64.Rows
	broken := brokenLevel(nil, func(k *asm.Kernels[float64]) {
		k.Rows.SoftmaxCE = func(x, z []float64, rows, c int, w []float64, wrep int, ws, gs, smooth float64, unred, grad []float64) float64 {
			r := gen.SoftmaxCE(x, z, rows, c, w, wrep, ws, gs, smooth, unred, grad)
			if grad != nil {
				grad[0] *= 1 + 1e-9
			}
			return r
		}
		k.WeightStats = func(w []float64) (int, float64) {
			nz, s := asm.GenericLevel.F64.WeightStats(w)
			return nz, s + 1e-6
		}
	})
	withLevels(t, broken, asm.GenericLevel)
	rng := rand.New(rand.NewPCG(1, 2))
	c := &rowsCase[float64]{kind: kSoftmax, rows: 6, c: 5, wrep: 1, ws: 1, gs: 0.5}
	c.a = fromF64[float64](benign(rng, 30, roleLogit))
	c.b = fromF64[float64](benign(rng, 30, roleLabel01))
	var r recorder
	checkRows(&r, c)
	require.True(t, r.failed)
	require.Contains(t, r.msg, "broken SoftmaxCE (unred false, grad true) grad[0]")

	r = recorder{}
	checkWeightStats(&r, fromF64[float64](benign(rng, 50, roleWeight)), 3)
	require.True(t, r.failed)
	require.Contains(t, r.msg, "broken weight sum")
}

func TestHarnessGenericAloneStillChecks(t *testing.T) {
	// With only the generic level the comparison is generic against itself,
	// and the oracle and guard checks still run: a correct case passes.
	withLevels(t, asm.GenericLevel)
	var r recorder
	checkElem(&r, benignElemCase[float32](asm.LogLoss, 257))
	require.False(t, r.failed, r.msg)
}
