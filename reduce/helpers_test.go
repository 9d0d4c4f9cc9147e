package reduce_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simdloss/simdloss/asm"
	"github.com/simdloss/simdloss/reduce"
)

// kernelsOf returns the kernels of level l for T.
func kernelsOf[T reduce.Float](l *asm.Level) *asm.Kernels[T] {
	var z T
	if _, ok := any(z).(float32); ok {
		return any(l.F32).(*asm.Kernels[T])
	}
	return any(l.F64).(*asm.Kernels[T])
}

func isF32[T reduce.Float]() bool {
	var z T
	_, ok := any(z).(float32)
	return ok
}

func typeName[T reduce.Float]() string {
	if isF32[T]() {
		return "float32"
	}
	return "float64"
}

// forEachLevel runs f once per kernel level available here, generic included.
func forEachLevel(t *testing.T, f func(t *testing.T, l *asm.Level)) {
	t.Helper()
	for _, l := range asm.Levels() {
		t.Run(l.Name, func(t *testing.T) { f(t, l) })
	}
}

// kahan is a Neumaier-compensated float64 accumulator, the oracle's sum.
type kahan struct{ s, c float64 }

func (k *kahan) add(v float64) {
	t := k.s + v
	if math.Abs(k.s) >= math.Abs(v) {
		k.c += (k.s - t) + v
	} else {
		k.c += (v - t) + k.s
	}
	k.s = t
}

func (k *kahan) value() float64 { return k.s + k.c }

// sumTol is SPEC.md section 6's tolerance on a reduced result: relative to
// Σ|w·l| (scale), 1e-5 for float32 and 1e-12 for float64.
func sumTol[T reduce.Float](scale float64) float64 {
	if isF32[T]() {
		return 1e-5 * scale
	}
	return 1e-12 * scale
}

// requireSumClose asserts a reduced result against the oracle within SPEC tolerances.
func requireSumClose[T reduce.Float](t *testing.T, want, got, scale float64, msgAndArgs ...any) {
	t.Helper()
	if math.IsNaN(want) {
		require.True(t, math.IsNaN(got), append([]any{"want NaN, got %v"}, got)...)
		return
	}
	tol := sumTol[T](scale)
	if tol == 0 {
		require.Equal(t, want, got, msgAndArgs...)
		return
	}
	require.InDelta(t, want, got, tol, msgAndArgs...)
}

// ulpsOf returns the distance in units in the last place of T between a and b.
func ulpDiff[T reduce.Float](a, b T) float64 {
	if a == b {
		return 0
	}
	if isF32[T]() {
		x, y := float32(a), float32(b)
		return math.Abs(float64(ord32(x) - ord32(y)))
	}
	return math.Abs(float64(ord64(float64(a)) - ord64(float64(b))))
}

func ord32(f float32) int64 {
	b := int64(math.Float32bits(f))
	if b&(1<<31) != 0 {
		return -(b &^ (1 << 31))
	}
	return b
}

func ord64(f float64) int64 {
	b := math.Float64bits(f)
	if b&(1<<63) != 0 {
		return -int64(b &^ (1 << 63))
	}
	return int64(b)
}

// requireElemsClose asserts per-element outputs (Unreduced, Gradient) against
// float64 oracle values within SPEC tolerances: 4 ulp or rel·max|output|
// (1e-6 float32, 1e-13 float64), whichever is larger.
func requireElemsClose[T reduce.Float](t *testing.T, want []float64, got []T, what string) {
	t.Helper()
	require.Len(t, got, len(want), what)
	maxAbs := 0.0
	for _, v := range want {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			maxAbs = max(maxAbs, math.Abs(v))
		}
	}
	rel := 1e-13
	if isF32[T]() {
		rel = 1e-6
	}
	for i, w := range want {
		g := got[i]
		if math.IsNaN(w) {
			if g == g {
				require.Failf(t, "want NaN", "%s[%d]: want NaN, got %v", what, i, g)
			}
			continue
		}
		if float64(T(w)) == float64(g) {
			continue
		}
		if ulpDiff(T(w), g) <= 4 {
			continue
		}
		if math.Abs(w-float64(g)) > rel*maxAbs {
			require.InDelta(t, w, float64(g), rel*maxAbs, "%s[%d] (of %d)", what, i, len(want))
		}
	}
}

// reductions lists the four reductions.
var reductions = []reduce.Reduction{reduce.SumByNonzeroWeights, reduce.Sum, reduce.Mean, reduce.SumOverBatchSize}

// reduceOracle applies reduction r to the oracle's num, count, weight sum and n.
func reduceOracle(r reduce.Reduction, num float64, nonzero int, wsum float64, n int) (value, denom float64) {
	switch r {
	case reduce.SumByNonzeroWeights:
		denom = float64(nonzero)
	case reduce.Sum:
		denom = 1
	case reduce.Mean:
		denom = wsum
	case reduce.SumOverBatchSize:
		denom = float64(n)
	}
	if denom == 0 {
		return 0, 0
	}
	if r == reduce.Sum {
		return num, 1
	}
	return num / denom, denom
}

// requireAllPositiveZero asserts every value is +0 (SPEC section 2: a zero
// denominator makes the gradient all +0).
func requireAllPositiveZero[T reduce.Float](t *testing.T, g []T, what string) {
	t.Helper()
	for i, v := range g {
		if v != 0 || math.Signbit(float64(v)) {
			require.Failf(t, "want +0", "%s[%d] = %v, want +0", what, i, v)
		}
	}
}

func prod(dims []int) int {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return n
}

func nanSlice[T reduce.Float](n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = T(math.NaN())
	}
	return s
}
