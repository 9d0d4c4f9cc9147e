package asm_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdloss/simdloss/asm"
	"github.com/simdloss/simdloss/internal/ref"
)

// TestLog1p32WithinTwoULPs: every float32 in (−1, 1e10] under make
// accuracy, every 251st otherwise, plus [1e10, MaxFloat32] sampled, at every
// level, against float64 math.Log1p (correctly rounded after rounding to
// float32 but for rare double roundings, which a 200-bit evaluation
// settles).
func TestLog1p32WithinTwoULPs(t *testing.T) {
	step := expSweepStep()
	for _, l := range asm.Levels() {
		t.Run(l.Name, func(t *testing.T) {
			s := &f32Sweep{fn: l.F32.Log1p, ref64: math.Log1p, refBig: ref.Log1p32}
			s.sweep(negZero32, math.Float32frombits(0xbf7fffff), step) // (−1, −0]
			s.sweep(0, 1e10, step)
			// Near −1, densely; the reduction's bounds e = 0 / e = ±1.
			s.sweep(-0.999, math.Float32frombits(0xbf7fffff), max(step/64, 1))
			s.sweep(0.41, 0.42, max(step/64, 1))
			s.sweep(-0.29, -0.30, max(step/64, 1))
			dense := *s
			s.sweep(1e10, math.MaxFloat32, 4099)
			t.Logf("%s: float32 (-1, 1e10] step %d (%d values): worst %d ulp at %g; largest error %.3f ulp at %g",
				l.Name, step, dense.n, dense.worst, dense.worstX, dense.frac, dense.fracX)
			t.Logf("%s: with [1e10, MaxFloat32] sampled (%d values): worst %d ulp at %g; largest error %.3f ulp at %g",
				l.Name, s.n, s.worst, s.worstX, s.frac, s.fracX)
			assert.LessOrEqual(t, s.worst, int64(maxExpULPs), "at %g", s.worstX)
		})
	}
}

// TestLog1p64WithinTwoULPs samples float64 over (−1, MaxFloat64], near 0
// (subnormals included) and near −1, against a 200-bit reference.
func TestLog1p64WithinTwoULPs(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	x := make([]float64, 0, n+16)
	for range n / 5 {
		x = append(x, math.Float64frombits(r.Uint64N(0x7ff0000000000000)))                                  // any positive finite
		x = append(x, -math.Float64frombits(r.Uint64N(0x3ff0000000000000)))                                 // (−1, 0)
		x = append(x, (2*r.Float64()-1)*math.Ldexp(1, -r.IntN(70)))                                         // near 0
		x = append(x, -1+math.Ldexp(0.5+r.Float64()/2, -r.IntN(50)))                                        // near −1
		x = append(x, math.Sqrt2*(1+1e-6*(2*r.Float64()-1))-1+float64(r.IntN(2))*(math.Sqrt2/2-math.Sqrt2)) // the bounds of the reduction
	}
	x = append(x, 0x1p-1074, -0x1p-1074, 0x1p-1022, 1e-300, 1e-30, -1e-30, 1, -0.5, math.MaxFloat64,
		math.Sqrt2-1, math.Sqrt2/2-1, 1-0x1p-53, -1+0x1p-53, 0x1p53, 0x1p53+2, 1e10)
	for _, l := range asm.Levels() {
		f64Samples(t, l.Name, x, l.F64.Log1p, ref.BigLog1p)
	}
}

// TestLog1pSpecialsMatchGo: −1 → −Inf, < −1 → NaN, +Inf → +Inf, NaN → NaN,
// ±0 → ±0 and tiny x → x, at every level and every lane position.
func TestLog1pSpecialsMatchGo(t *testing.T) {
	specials := []float64{0, math.Copysign(0, -1), -1, -1.5, -2, math.Inf(1), math.Inf(-1), math.NaN(),
		-math.MaxFloat64, math.MaxFloat64, math.MaxFloat32, 1e-30, -1e-30, 0x1p-149, -0x1p-149, 0x1p-1074, 1e-300}
	for _, l := range asm.Levels() {
		alone := make([]float64, 1)
		l.F64.Log1p(alone, []float64{0.5})
		require.LessOrEqual(t, ref.ULPs64(alone[0], math.Log1p(0.5)), int64(1))
		eachSpecialLane(t, l.Name, specials, l.F64.Log1p, l.F32.Log1p, alone[0], func(si, k int, got float64) {
			s := specials[si]
			want := math.Log1p(s)
			if k == 1 {
				want = float64(float32(math.Log1p(float64(float32(s)))))
			}
			switch {
			case math.IsNaN(want):
				require.True(t, math.IsNaN(got), "%s log1p(%g) = %g", l.Name, s, got)
			case math.IsInf(want, 0) || math.Abs(s) < 1e-20:
				require.Equal(t, math.Float64bits(want), math.Float64bits(got), "%s log1p(%g) = %g, want %g (float%d)", l.Name, s, got, want, 64/(k+1))
			default:
				u := ref.ULPs64(got, want)
				if k == 1 {
					u = ref.ULPs32(float32(got), float32(want))
				}
				require.LessOrEqual(t, u, int64(1), "%s log1p(%g) = %g, want %g (float%d)", l.Name, s, got, want, 64/(k+1))
			}
		})
	}
}
