package asm

// The softmax cross-entropies of every level: short rows batched at every
// row count, very long rows, and the relative accuracy of tiny losses.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// softmaxRowsCase builds a rowCase of rows rows of c classes (sparse or
// dense), with the weight form and smoothing chosen by variant.
func softmaxRowsCase[T Float](rows, c, variant int, sparse bool) *rowCase[T] {
	r := rand.New(rand.NewPCG(uint64(rows*100+c), uint64(variant)))
	w, wrep, ws := rowWeights[T](r, variant, rows)
	gs, smooth := 0.25, T([]float64{0, 0.1}[variant%2])
	x, z := make([]T, rows*c), make([]T, rows*c)
	for i := range x {
		x[i] = T(logit(r))
	}
	labels := make([]int, rows)
	zs := make([]float64, c)
	pos, neg := 1-smooth, smooth/T(max(c, 1))
	cs := &rowCase[T]{
		desc: fmt.Sprintf("%d rows of %d classes, sparse %v, smoothing %v, wrep %d ws %v w %v", rows, c, sparse, smooth, wrep, ws, w != nil),
		ins:  [][]T{x, z}, insNames: []string{"x", "z"}, w: w,
		nUnred: rows, nGrad: rows * c, unred: variant%3 != 2, grad: variant%4 != 3,
		bound: make([]float64, rows), gmag: make([]float64, rows*c),
	}
	for row := 0; row < rows; row++ {
		labels[row] = r.IntN(c)
		zr := z[row*c : (row+1)*c]
		if row%2 == 0 {
			zr[labels[row]] = 1
		} else {
			for k := range zr {
				zr[k] = T(r.Float64() / float64(c))
			}
		}
		for k := range zs {
			if sparse {
				zs[k] = float64(neg)
				if k == labels[row] {
					zs[k] = float64(neg + pos)
				}
			} else {
				zs[k] = float64(zr[k]*pos + neg)
			}
		}
		cs.bound[row] = softmaxMags(x[row*c:(row+1)*c], zs, omega(w, wrep, row, ws), gs, cs.gmag[row*c:(row+1)*c])
	}
	if sparse {
		cs.ins, cs.insNames, cs.labels = [][]T{x}, []string{"x"}, labels
		cs.call = func(k *Rows[T], ins [][]T, labels []int, w, unred, grad []T) float64 {
			return k.SparseCE(ins[0], c, labels, w, wrep, ws, gs, smooth, unred, grad)
		}
	} else {
		cs.call = func(k *Rows[T], ins [][]T, _ []int, w, unred, grad []T) float64 {
			return k.SoftmaxCE(ins[0], ins[1], rows, c, w, wrep, ws, gs, smooth, unred, grad)
		}
	}
	return cs
}

// Short rows go through the batched kernels in groups of lanes rows: every
// row count from 1 to 40 (full groups and every tail) for every c <= 17
// (a sample of them with -short).
func TestSoftmaxShortRowsAtEveryRowCount(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l *Level) {
		if !hasSoftmaxPrims(l.Name) {
			t.Skip("this level's softmax is the generic kernel")
		}
		classes, rowCounts := lengthRange(1, 17, 1), lengthRange(1, 40, 1)
		if testing.Short() {
			classes, rowCounts = []int{1, 2, 3, 5, 8, 10, 16, 17}, []int{1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 18, 31, 33}
		}
		run := func(t *testing.T, f func(rows, c, v int, sparse bool) error) {
			for _, c := range classes {
				for _, rows := range rowCounts {
					for _, sparse := range []bool{false, true} {
						require.NoError(t, f(rows, c, rows+c, sparse))
					}
				}
			}
		}
		plan := &sweepPlan{lengths: []int{0}, fullUpTo: 0}
		t.Run("float32", func(t *testing.T) {
			ra := newRowArenas[float32](40 * 17)
			run(t, func(rows, c, v int, sparse bool) error {
				cs := softmaxRowsCase[float32](rows, c, v, sparse)
				return rowSweep(&l.F32.Rows, &GenericLevel.F32.Rows, func(int, int) *rowCase[float32] { return cs }, plan, ra)
			})
		})
		t.Run("float64", func(t *testing.T) {
			ra := newRowArenas[float64](40 * 17)
			run(t, func(rows, c, v int, sparse bool) error {
				cs := softmaxRowsCase[float64](rows, c, v, sparse)
				return rowSweep(&l.F64.Rows, &GenericLevel.F64.Rows, func(int, int) *rowCase[float64] { return cs }, plan, ra)
			})
		})
	})
}

// Very long rows: 1000 classes and 2^18 (several float32 flush blocks; not
// with -short).
func TestSoftmaxVeryLongRows(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l *Level) {
		if !hasSoftmaxPrims(l.Name) {
			t.Skip("this level's softmax is the generic kernel")
		}
		classes := []int{1000, 1 << 18}
		if testing.Short() {
			classes = classes[:1]
		}
		for _, c := range classes {
			rows := 2
			plan := &sweepPlan{lengths: []int{0}, only: []int{1}}
			for _, sparse := range []bool{false, true} {
				for v := 0; v < 2; v++ {
					ra32 := newRowArenas[float32](rows * c)
					cs32 := softmaxRowsCase[float32](rows, c, v, sparse)
					require.NoError(t, rowSweep(&l.F32.Rows, &GenericLevel.F32.Rows, func(int, int) *rowCase[float32] { return cs32 }, plan, ra32))
					ra64 := newRowArenas[float64](rows * c)
					cs64 := softmaxRowsCase[float64](rows, c, v, sparse)
					require.NoError(t, rowSweep(&l.F64.Rows, &GenericLevel.F64.Rows, func(int, int) *rowCase[float64] { return cs64 }, plan, ra64))
				}
			}
		}
	})
}

// A confident correct prediction has a tiny loss, ln(1 + (c − 1)·e^−t) for
// logits t (the label) and 0 elsewhere; the SIMD levels keep its relative
// accuracy, where a float32 lane holding 1 + rest would round it to 0.
func testTinyLosses[T Float](t *testing.T, k *Rows[T]) {
	tol, tmax := 1e-5, 80.0 // float32: the loss stays a normal number
	if !isF32[T]() {
		tol, tmax = 1e-12, 700
	}
	for _, c := range []int{2, 10, 17, 1000} {
		for _, tv := range []float64{1, 5, 15, 20, 30, 60, 80, 300, 700} {
			if tv > tmax {
				continue
			}
			x, z := make([]T, c), make([]T, c)
			lab := c / 3
			x[lab], z[lab] = T(tv), 1
			// The exact loss of the rounded logit, and of its exp rounded to T
			// (the level computes e^−t in T, as generic does).
			e := float64(T(math.Exp(-float64(T(tv)))))
			want := math.Log1p(float64(c-1) * e)
			unred := make([]T, 1)
			got := k.SparseCE(x, c, []int{lab}, nil, 1, 1, 1, 0, unred, nil)
			desc := fmt.Sprintf("c=%d t=%v", c, tv)
			require.InEpsilon(t, want, got, tol, "sparse sum %s", desc)
			require.InEpsilon(t, want, float64(unred[0]), tol, "sparse unred %s", desc)
			got = k.SoftmaxCE(x, z, 1, c, nil, 1, 1, 1, 0, unred, nil)
			require.InEpsilon(t, want, got, tol, "dense sum %s", desc)
			require.InEpsilon(t, want, float64(unred[0]), tol, "dense unred %s", desc)
			// Batched short rows: the same row 20 times.
			if c <= 17 {
				xs, zs, labs := make([]T, 20*c), make([]T, 20*c), make([]int, 20)
				for r := range labs {
					copy(xs[r*c:], x)
					copy(zs[r*c:], z)
					labs[r] = lab
				}
				unreds := make([]T, 20)
				got = k.SparseCE(xs, c, labs, nil, 1, 1, 1, 0, unreds, nil)
				require.InEpsilon(t, 20*want, got, tol, "batched sparse sum %s", desc)
				for _, u := range unreds {
					require.InEpsilon(t, want, float64(u), tol, "batched sparse unred %s", desc)
				}
				got = k.SoftmaxCE(xs, zs, 20, c, nil, 1, 1, 1, 0, unreds, nil)
				require.InEpsilon(t, 20*want, got, tol, "batched dense sum %s", desc)
			}
		}
	}
}

func TestSoftmaxTinyLossesKeepRelativeAccuracy(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l *Level) {
		if !hasSoftmaxPrims(l.Name) {
			t.Skip("this level's softmax is the generic kernel, which sums 1 + rest in float64")
		}
		t.Run("float32", func(t *testing.T) { testTinyLosses(t, &l.F32.Rows) })
		t.Run("float64", func(t *testing.T) { testTinyLosses(t, &l.F64.Rows) })
	})
}
