package asm_test

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdloss/simdloss/asm"
	"github.com/simdloss/simdloss/internal/ref"
)

var negZero32 = math.Float32frombits(1 << 31)

// maxExpULPs is SPEC.md section 6's bound for the vectorised exponential
// and log1p: distance in ulps from the correctly rounded result.
const maxExpULPs = 2

// ulp32At is the float32 ulp at the magnitude of v (2^-149 among the
// subnormals), in float64.
func ulp32At(v float64) float64 {
	v = math.Abs(v)
	if v < 0x1p-126 {
		return 0x1p-149
	}
	_, e := math.Frexp(v) // v in [2^(e−1), 2^e)
	return math.Ldexp(1, e-24)
}

// nearMidpoint32 reports whether e lies within a few float64 ulps of a
// midpoint between two float32 values, where rounding e (itself within an
// ulp of the exact value) to float32 may not give the correctly rounded
// result.
func nearMidpoint32(e float64) bool {
	if math.IsInf(e, 0) || math.IsNaN(e) {
		return false
	}
	a := float32(e)
	if math.IsInf(float64(a), 0) {
		return true // near the overflow threshold: settle it exactly
	}
	b := math.Nextafter32(a, float32(math.Copysign(math.Inf(1), e-float64(a))))
	if e == float64(a) {
		b = math.Nextafter32(a, float32(math.Inf(1)))
	}
	mid := (float64(a) + float64(b)) / 2 // exact: float32 values have spare float64 bits
	return math.Abs(e-mid) <= 4*(math.Nextafter(math.Abs(e), math.Inf(1))-math.Abs(e))
}

// f32Sweep measures a float32 function of the kernel table against a
// float64 reference over every step-th float32 in [lo, hi] (by bit
// pattern, negative ranges included).
type f32Sweep struct {
	fn     func(dst, x []float32)
	ref64  func(x float64) float64 // within 1 float64 ulp
	refBig func(x float32) float32 // correctly rounded, for the rare double rounding of ref64
	worst  int64                   // ulps from the correctly rounded result
	worstX float32
	frac   float64 // largest |got − exact| in ulps of the exact value
	fracX  float32
	n      int
}

func (s *f32Sweep) check(x, got []float32) {
	for i, v := range x {
		e := s.ref64(float64(v))
		cr := float32(e)
		if s.refBig != nil && nearMidpoint32(e) {
			// float32(e) is the correctly rounded value unless e lies within
			// a float64 ulp of a float32 rounding boundary.
			cr = s.refBig(v)
		}
		d := ref.ULPs32(got[i], cr)
		if d > s.worst {
			s.worst, s.worstX = d, v
		}
		if !math.IsInf(e, 0) && !math.IsInf(float64(got[i]), 0) {
			if f := math.Abs(float64(got[i])-e) / ulp32At(e); f > s.frac {
				s.frac, s.fracX = f, v
			}
		}
		s.n++
	}
}

// sweep runs s over the float32 values from lo to hi whose bit patterns are
// step apart (lo and hi of the same sign).
func (s *f32Sweep) sweep(lo, hi float32, step uint32) {
	const chunk = 1 << 14
	x, got := make([]float32, 0, chunk), make([]float32, chunk)
	flush := func() {
		s.fn(got[:len(x)], x)
		s.check(x, got[:len(x)])
		x = x[:0]
	}
	a, b := math.Float32bits(lo), math.Float32bits(hi)
	if a > b {
		a, b = b, a // negative range: larger magnitude has the larger pattern
	}
	for u := a; u <= b && u >= a; u += step {
		x = append(x, math.Float32frombits(u))
		if len(x) == chunk {
			flush()
		}
	}
	flush()
}

// expSweepStep is the stride through the float32 bit patterns in a normal
// run; make accuracy (SIMDLOSS_EXHAUSTIVE) takes every value.
func expSweepStep() uint32 {
	switch {
	case exhaustive:
		return 1
	case testing.Short():
		return 1021
	}
	return 251
}

// TestExp32WithinTwoULPs: every float32 in [−104, 89] under make accuracy
// (e^x rounds to 0 below and overflows above), every 251st otherwise, at
// every level, against float64 math.Exp (correctly rounded after rounding
// to float32 but for rare double roundings, which a 200-bit evaluation
// settles).
func TestExp32WithinTwoULPs(t *testing.T) {
	step := expSweepStep()
	for _, l := range asm.Levels() {
		t.Run(l.Name, func(t *testing.T) {
			s := &f32Sweep{fn: l.F32.Exp, ref64: math.Exp, refBig: ref.Exp32}
			s.sweep(negZero32, -104, step)
			s.sweep(0, 89, step)
			// Subnormal results and the thresholds, densely.
			s.sweep(-87.33, -104, max(step/64, 1))
			s.sweep(88.5, 89, 1)
			t.Logf("%s: float32 [-104, 89] step %d (%d values): worst %d ulp at %g; largest error %.3f ulp at %g",
				l.Name, step, s.n, s.worst, s.worstX, s.frac, s.fracX)
			assert.LessOrEqual(t, s.worst, int64(maxExpULPs), "at %g", s.worstX)
		})
	}
}

// f64Samples measures a float64 function against a 200-bit reference.
func f64Samples(t *testing.T, name string, x []float64, fn func(dst, x []float64), exact func(float64) *big.Float) {
	t.Helper()
	want := make([]float64, len(x))
	ex := make([]*big.Float, len(x))
	for i, v := range x {
		ex[i] = exact(v)
		want[i], _ = ex[i].Float64()
	}
	got := make([]float64, len(x))
	fn(got, x)
	var worst int64
	var frac float64
	var at, fracAt float64
	for i := range x {
		if d := ref.ULPs64(got[i], want[i]); d > worst {
			worst, at = d, x[i]
		}
		if !math.IsInf(want[i], 0) && !math.IsInf(got[i], 0) {
			if f := ref.ULPErr64(got[i], ex[i]); f > frac {
				frac, fracAt = f, x[i]
			}
		}
	}
	t.Logf("%s: %d float64 samples: worst %d ulp at %g; largest error %.3f ulp at %g", name, len(x), worst, at, frac, fracAt)
	assert.LessOrEqual(t, worst, int64(maxExpULPs), "%s at %g", name, at)
}

// TestExp64WithinTwoULPs samples float64 over the whole finite range of
// e^x, subnormal results and both thresholds included, against a 200-bit
// reference.
func TestExp64WithinTwoULPs(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	x := make([]float64, 0, n+16)
	for range n / 5 {
		x = append(x, -746+1456*r.Float64())                                        // the whole range
		x = append(x, -745.2+(745.2-708.3)*r.Float64())                             // subnormal results
		x = append(x, 709.7+0.1*r.Float64())                                        // near overflow
		x = append(x, (2*r.Float64()-1)*math.Ldexp(1, -r.IntN(60)))                 // near 0
		x = append(x, float64(r.IntN(2000)-1000)*math.Ln2/2+1e-9*(2*r.Float64()-1)) // near the ties of k
	}
	x = append(x, 0, 1, -1, 709.782712893384, 709.7827128933841, -708.3964185322641, -708.4,
		-745.1332191019411, -745.1332191019412, -744.44007192138126, -745, 0x1p-1074, -0x1p-1074, 1e-300)
	for _, l := range asm.Levels() {
		f64Samples(t, l.Name, x, l.F64.Exp, ref.BigExp)
	}
}

// TestExpSpecialsMatchGo: ±Inf, NaN, ±0, the thresholds and huge inputs
// as Go's math.Exp, at every level and every lane position.
func TestExpSpecialsMatchGo(t *testing.T) {
	specials := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 1e30, -1e30,
		math.MaxFloat64, -math.MaxFloat64, math.MaxFloat32, -math.MaxFloat32, 710, -746, 89, -104,
		88.72283, 88.72284, -103.97208, -103.97209, 709.782712893384, 709.7827128933841}
	// References once: the 200-bit ones for finite inputs (Go's amd64
	// math.Exp overflows early), math.Exp for the rest.
	want64, want32 := make([]float64, len(specials)), make([]float32, len(specials))
	for i, s := range specials {
		want64[i], want32[i] = math.Exp(s), float32(math.Exp(float64(float32(s))))
		if !math.IsInf(s, 0) && !math.IsNaN(s) {
			want64[i], want32[i] = ref.Exp64(s), ref.Exp32(float32(s))
		}
	}
	for _, l := range asm.Levels() {
		alone := make([]float64, 1)
		l.F64.Exp(alone, []float64{0.5})
		require.LessOrEqual(t, ref.ULPs64(alone[0], math.Exp(0.5)), int64(1))
		eachSpecialLane(t, l.Name, specials, l.F64.Exp, l.F32.Exp, alone[0], func(si, k int, got float64) {
			s, want := specials[si], want64[si]
			if k == 1 {
				want = float64(want32[si])
			}
			switch {
			case math.IsNaN(want):
				require.True(t, math.IsNaN(got), "%s e**%g = %g", l.Name, s, got)
			case math.IsInf(want, 0) || want == 0 || s == 0:
				require.Equal(t, want, got, "%s e**%g (float%d)", l.Name, s, 64/(k+1))
			default:
				u := ref.ULPs64(got, want)
				if k == 1 {
					u = ref.ULPs32(float32(got), float32(want))
				}
				require.LessOrEqual(t, u, int64(1), "%s e**%g = %g, want %g (float%d)", l.Name, s, got, want, 64/(k+1))
			}
		})
	}
}
