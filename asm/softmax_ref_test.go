package asm

// Go versions of the softmax primitives (softmaxPrims, softmaxShort), with
// exactly the semantics the vector kernels implement: the orchestration of
// softmax.go is tested with them against generic on its own, and they state
// what a new level's primitives must compute.

import (
	"math"
	"testing"

	"github.com/simdloss/simdloss/generic"
	"github.com/stretchr/testify/require"
)

func refRowMax[T Float](x []T) T {
	m := x[0]
	for _, v := range x {
		if v > m {
			m = v
		}
	}
	return m
}

func refExpSum[T Float](dst, x []T, m T) (rest, dist float64, ones int) {
	for i, v := range x {
		d := v - m
		e := generic.Exp(d)
		if len(dst) > 0 {
			dst[i] = e
		}
		if d == 0 {
			ones++
		} else {
			rest += float64(e)
		}
		dist += float64(m - v)
	}
	return rest, dist, ones
}

func refPrims[T Float](short bool) *softmaxPrims[T] {
	p := &softmaxPrims[T]{
		rowMax: refRowMax[T],
		expSum: func(dst, x []T, m T) (float64, int) {
			rest, _, ones := refExpSum(dst, x, m)
			return rest, ones
		},
		expSumDist: refExpSum[T],
		expSumDense: func(dst, x, z []T, m, pos, neg T) (rest, a, b float64, ones int) {
			rest, _, ones = refExpSum(dst, x, m)
			for i, v := range x {
				zs := z[i]*pos + neg
				a += float64(zs * (m - v))
				b += float64(zs)
			}
			return rest, a, b, ones
		},
		gradSparse: func(g []T, p, q T) {
			for i, e := range g {
				g[i] = e*p - q
			}
		},
		gradDense: func(g, z []T, pos, neg, p, r, q T) {
			for i, e := range g {
				g[i] = (e*p - (z[i]*pos+neg)*r) * q
			}
		},
	}
	if short {
		p.short = refShort[T]()
	}
	return p
}

// refShortRow is what the short kernels compute for one row in T: m, s and
// ln s (log1p of ones − 1 + rest), and the sums of the dense or smoothed
// loss.
func refShortRow[T Float](xr []T) (m, rest, ones, dist T) {
	m = refRowMax(xr)
	for _, v := range xr {
		d := v - m
		if d == 0 {
			ones++
		} else {
			rest += generic.Exp(d)
		}
		dist += m - v
	}
	return m, rest, ones, dist
}

// refFinite reports whether v is finite. The conversion rounds v: v − v of
// an inlined product could otherwise fuse into the product's rounding
// error (arm64's FMSUB), nonzero for finite v.
func refFinite[T Float](v T) bool {
	f := float64(v)
	return !math.IsInf(f, 0) && f == f
}

func refShort[T Float]() *softmaxShort[T] {
	lo, hi := fastLimits[T]()
	inR := func(v T) bool { return inRange(float64(v), lo, hi) }
	omega := func(w []T, r int, ws T) T {
		if w == nil {
			return ws
		}
		return ws * w[r]
	}
	nan := T(math.NaN())
	return &softmaxShort[T]{
		max: 16,
		sparse: func(x []T, c int, labels []int, w []T, ws, gs, neg, zl T, dst, par []T) (float64, int) {
			rows := len(labels)
			var sum float64
			good := 0
			for r, lab := range labels {
				xr := x[r*c : (r+1)*c]
				m, rest, ones, dist := refShortRow(xr)
				ls := generic.Log1p(ones - 1 + rest)
				dl := m - xr[lab]
				l := dl + ls
				if neg != 0 {
					l = (zl-neg)*dl + ls*(neg*T(c-1)+zl) + neg*dist
				}
				om := omega(w, r, ws)
				lw := om * l
				bad := !refFinite(lw)
				if par != nil {
					s := ones + rest
					sc := gs * om
					p, q := sc/s, sc*neg
					par[r], par[rows+r], par[2*rows+r] = m, p, q
					par[3*rows+r] = generic.Exp(xr[lab]-m)*p - sc*zl
					bad = bad || !inR(sc) || !(math.Abs(float64(p)) <= hi) || !(math.Abs(float64(q)) <= hi)
				}
				if bad {
					dst[r] = nan
					continue
				}
				dst[r] = lw
				sum += float64(lw)
				good++
			}
			return sum, good
		},
		sparseGrad: func(g, x []T, c int, labels []int, par []T, _, _ []int32) {
			rows := len(labels)
			for i, v := range x {
				r := i / c
				g[i] = generic.Exp(v-par[r])*par[rows+r] - par[2*rows+r]
			}
			for r, lab := range labels {
				g[r*c+lab] = par[3*rows+r]
			}
		},
		dense: func(x, z []T, c int, w []T, ws, gs, pos, neg T, dst, par []T) (float64, int) {
			rows := len(dst)
			var sum float64
			good := 0
			for r := 0; r < rows; r++ {
				xr, zr := x[r*c:(r+1)*c], z[r*c:(r+1)*c]
				m, rest, ones, _ := refShortRow(xr)
				var a, b T
				for k, v := range xr {
					zs := zr[k]*pos + neg
					a += zs * (m - v)
					b += zs
				}
				ls := generic.Log1p(ones - 1 + rest)
				l := a + ls*b
				om := omega(w, r, ws)
				lw := om * l
				bad := !refFinite(lw) || !(math.Abs(float64(b)) >= labelFloor[T]())
				if par != nil {
					s := ones + rest
					sc := gs * om
					k := b / s
					p, rr, q := sc*k, sc, T(1)
					if math.Abs(float64(sc)) > 1 {
						p, rr, q = k, 1, sc
					}
					par[r], par[rows+r], par[2*rows+r], par[3*rows+r] = m, p, rr, q
					bad = bad || !inR(sc) || !(math.Abs(float64(k)) <= hi) || !(math.Abs(float64(p)) <= hi)
				}
				if bad {
					dst[r] = nan
					continue
				}
				dst[r] = lw
				sum += float64(lw)
				good++
			}
			return sum, good
		},
		denseGrad: func(g, x, z []T, c int, pos, neg T, par []T, _, _ []int32) {
			rows := len(x) / c
			for i, v := range x {
				r := i / c
				g[i] = (generic.Exp(v-par[r])*par[rows+r] - (z[i]*pos+neg)*par[2*rows+r]) * par[3*rows+r]
			}
		},
		table: expandTables[0],
	}
}

func refRowKernels[T Float](short bool) *Kernels[T] {
	k := *genericKernels[T]()
	k.Rows = softmaxRows(refPrims[T](short), k.Rows)
	return &k
}

// The orchestration, with primitives of the right semantics, agrees with
// generic: long rows, batched short rows, and every fallback.
func TestSoftmaxOrchestrationWithReferencePrimitives(t *testing.T) {
	for _, short := range []bool{false, true} {
		name := "long"
		if short {
			name = "short"
		}
		t.Run(name, func(t *testing.T) {
			for _, special := range []bool{false, true} {
				plan := &sweepPlan{lengths: concat(lengthRange(0, 40, 1), []int{63, 64, 100, 257, 1000}), fullUpTo: 2}
				for _, rk := range rowKernels[:2] {
					ra := newRowArenas[float32](maxRowLen(plan))
					k32, g32 := refRowKernels[float32](short), GenericLevel.F32
					require.NoError(t, rowSweep(&k32.Rows, &g32.Rows, func(L, v int) *rowCase[float32] { return rk.mk32(L, v, special) }, plan, ra), "%s float32 special=%v", rk.name, special)
					ra64 := newRowArenas[float64](maxRowLen(plan))
					k64, g64 := refRowKernels[float64](short), GenericLevel.F64
					require.NoError(t, rowSweep(&k64.Rows, &g64.Rows, func(L, v int) *rowCase[float64] { return rk.mk64(L, v, special) }, plan, ra64), "%s float64 special=%v", rk.name, special)
				}
			}
		})
	}
}
