package asm_test

import (
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdloss/simdloss/asm"
	"github.com/simdloss/simdloss/internal/ref"
)

// maxLogULPs is SPEC.md section 6's bound for the vectorised logarithm.
const maxLogULPs = 2

// exhaustive runs the every-float32 sweep (make accuracy sets it).
var exhaustive = os.Getenv("SIMDLOSS_EXHAUSTIVE") != ""

// log32Ref is the correctly rounded float32 logarithm, but for the rare
// double-rounding case (math.Log is within 1 ulp in float64).
func log32Ref(x float32) float32 { return float32(math.Log(float64(x))) }

// sweepLog32 checks every step-th float32 in [lo, hi] at one level and
// returns the largest ulp distance and where it occurred.
func sweepLog32(t *testing.T, l *asm.Level, lo, hi float32, step uint32) (worst int64, at float32) {
	const chunk = 1 << 14
	x, got := make([]float32, 0, chunk), make([]float32, chunk)
	flush := func() {
		l.F32.Log(got[:len(x)], x)
		for i, v := range x {
			if d := ref.ULPs32(got[i], log32Ref(v)); d > worst {
				worst, at = d, v
			}
		}
		x = x[:0]
	}
	for b := math.Float32bits(lo); b <= math.Float32bits(hi); b += step {
		x = append(x, math.Float32frombits(b))
		if len(x) == chunk {
			flush()
		}
	}
	flush()
	return worst, at
}

// TestLog32WithinTwoULPs sweeps float32 in [1e-7, 1] — every value under
// SIMDLOSS_EXHAUSTIVE (make accuracy), every 61st otherwise — plus the
// subnormals and the whole positive range sampled, at every level.
func TestLog32WithinTwoULPs(t *testing.T) {
	for _, l := range asm.Levels() {
		t.Run(l.Name, func(t *testing.T) {
			step := uint32(61)
			if exhaustive {
				step = 1
			}
			worst, at := sweepLog32(t, l, 1e-7, 1, step)
			t.Logf("%s: [1e-7, 1] step %d: worst %d ulp at %g", l.Name, step, worst, at)
			assert.LessOrEqual(t, worst, int64(maxLogULPs), "at %g", at)

			// Subnormals (the reference scales them: float64 holds them as normals).
			sub, subAt := sweepLog32(t, l, math.Float32frombits(1), math.Float32frombits(0x007fffff), 997)
			t.Logf("%s: subnormals: worst %d ulp at %g", l.Name, sub, subAt)
			assert.LessOrEqual(t, sub, int64(maxLogULPs), "subnormal %g", subAt)

			all, allAt := sweepLog32(t, l, math.Float32frombits(0x00800000), math.MaxFloat32, 4099)
			t.Logf("%s: normals: worst %d ulp at %g", l.Name, all, allAt)
			assert.LessOrEqual(t, all, int64(maxLogULPs), "%g", allAt)
		})
	}
}

// TestLog64WithinTwoULPs samples float64 over the whole positive range,
// subnormals included, against a 200-bit reference.
func TestLog64WithinTwoULPs(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	x := make([]float64, 0, n+8)
	for range n / 4 {
		x = append(x, math.Float64frombits(r.Uint64N(0x7ff0000000000000))) // any positive finite
		x = append(x, 1+r.Float64()*r.Float64()-0.5)                       // around 1, where cancellation bites
		x = append(x, math.Float64frombits(r.Uint64N(1<<52)+1))            // subnormal
		x = append(x, r.Float64())                                         // (0, 1), the log loss's range
	}
	x = append(x, math.SmallestNonzeroFloat64, 0x1p-1022, math.MaxFloat64, 1, 2, math.E, 0.5, 1-0x1p-53)
	want := make([]float64, len(x))
	for i, v := range x {
		want[i] = ref.Log64(v)
	}
	for _, l := range asm.Levels() {
		got := make([]float64, len(x))
		l.F64.Log(got, x)
		var worst int64
		var at float64
		for i := range x {
			if d := ref.ULPs64(got[i], want[i]); d > worst {
				worst, at = d, x[i]
			}
		}
		t.Logf("%s: %d samples: worst %d ulp at %g", l.Name, len(x), worst, at)
		assert.LessOrEqual(t, worst, int64(maxLogULPs), "%s at %g", l.Name, at)
	}
}

// TestLogSpecialsMatchGo: 0 → −Inf, negatives → NaN, +Inf → +Inf, NaN → NaN,
// at every level and at every lane position.
func TestLogSpecialsMatchGo(t *testing.T) {
	specials := []float64{0, math.Copysign(0, -1), -1, -math.SmallestNonzeroFloat64, math.Inf(1), math.Inf(-1), math.NaN(), 1}
	for _, l := range asm.Levels() {
		eachSpecialLane(t, l.Name, specials, l.F64.Log, l.F32.Log, math.Log(0.5), func(si, k int, got float64) {
			s := specials[si]
			want := math.Log(s)
			if k == 1 {
				want = math.Log(float64(float32(s))) // −5e-324 is −0 in float32
			}
			if math.IsNaN(want) {
				require.True(t, math.IsNaN(got), "%s ln(%g) = %g", l.Name, s, got)
			} else {
				require.Equal(t, want, got, "%s ln(%g)", l.Name, s)
			}
		})
	}
}
