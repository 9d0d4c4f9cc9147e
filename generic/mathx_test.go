package generic_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdloss/simdloss/generic"
	"github.com/simdloss/simdloss/internal/ref"
)

func refLog64(x float64) float64 { return ref.Log64(x) }
func refLog32(x float32) float32 { return ref.Log32(x) }
func ulps64(a, b float64) int64  { return ref.ULPs64(a, b) }
func ulps32(a, b float32) int64  { return ref.ULPs32(a, b) }

func TestBigLogReference(t *testing.T) {
	// The reference itself against values known to many digits.
	require.Equal(t, math.Ln2, refLog64(2))
	require.Equal(t, 0.0, refLog64(1))
	require.Equal(t, 2.302585092994046, refLog64(10))
	require.Equal(t, -744.4400719213812, refLog64(math.SmallestNonzeroFloat64))
}

func TestLog64SmallestSubnormal(t *testing.T) {
	x := math.SmallestNonzeroFloat64 // 4.9e-324 = 2^-1074
	got := generic.Log64(x)
	const want = -744.4400719213812 // −1074·ln 2, correctly rounded
	assert.LessOrEqual(t, ulps64(got, want), int64(1), "Log64(2^-1074) = %v, want %v", got, want)
	assert.Equal(t, want, generic.Log[float64](x), "Log[float64] is Log64")
}

// subnormals64 returns every power of two below 2^-1022, the largest
// subnormal, and random subnormal bit patterns of every length.
func subnormals64(r *rand.Rand, random int) []float64 {
	var xs []float64
	for e := -1074; e < -1022; e++ {
		xs = append(xs, math.Ldexp(1, e))
	}
	xs = append(xs, math.Float64frombits(0x000fffffffffffff), math.Float64frombits(0x0008000000000001), math.Float64frombits(3))
	for range random {
		bits := r.Uint64() & 0x000fffffffffffff >> r.IntN(52)
		if bits == 0 {
			bits = 1
		}
		xs = append(xs, math.Float64frombits(bits))
	}
	return xs
}

func TestLog64IsWithinOneUlpOnSubnormals(t *testing.T) {
	r := rand.New(rand.NewPCG(30, 30))
	xs := subnormals64(r, 3000)
	exact, worst := 0, int64(0)
	for _, x := range xs {
		want := refLog64(x)
		got := generic.Log64(x)
		u := ulps64(got, want)
		if u == 0 {
			exact++
		}
		worst = max(worst, u)
		if u > 1 {
			require.Failf(t, "Log64 off", "Log64(%v = 0x%016x) = %v, want %v (%d ulp)", x, math.Float64bits(x), got, want, u)
		}
		if g := generic.Log[float64](x); g != got {
			require.Failf(t, "Log[float64] differs", "Log[float64](%v) = %v, Log64 = %v", x, g, got)
		}
	}
	t.Logf("%d subnormals: %d correctly rounded, worst %d ulp", len(xs), exact, worst)
}

func TestLog64IsWithinOneUlpOnNormals(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 31))
	xs := []float64{0x1p-1022, math.Nextafter(0x1p-1022, 1), 1, math.Nextafter(1, 2), math.Nextafter(1, 0), 2, 0.5, math.E, math.MaxFloat64}
	for range 2000 {
		bits := r.Uint64()&0x000fffffffffffff | uint64(1+r.IntN(0x7fe))<<52 // positive, normal
		xs = append(xs, math.Float64frombits(bits))
	}
	for range 500 { // near 1, where ln is small
		xs = append(xs, 1+(r.Float64()-0.5)/64)
	}
	worst := int64(0)
	for _, x := range xs {
		want, got := refLog64(x), generic.Log64(x)
		u := ulps64(got, want)
		worst = max(worst, u)
		if u > 1 {
			require.Failf(t, "Log64 off", "Log64(%v) = %v, want %v (%d ulp)", x, got, want, u)
		}
	}
	t.Logf("%d normals: worst %d ulp", len(xs), worst)
}

func TestLogFloat32IsWithinOneUlpOnSubnormals(t *testing.T) {
	r := rand.New(rand.NewPCG(32, 32))
	var xs []float32
	for e := -149; e < -126; e++ {
		xs = append(xs, float32(math.Ldexp(1, e)))
	}
	xs = append(xs, math.Float32frombits(0x007fffff), math.Float32frombits(1), math.Float32frombits(0x00400001))
	for range 3000 {
		bits := r.Uint32() & 0x007fffff >> r.IntN(23)
		xs = append(xs, math.Float32frombits(max(bits, 1)))
	}
	exact, worst := 0, int64(0)
	for _, x := range xs {
		want, got := refLog32(x), generic.Log(x)
		u := ulps32(got, want)
		if u == 0 {
			exact++
		}
		worst = max(worst, u)
		if u > 1 {
			require.Failf(t, "Log[float32] off", "Log[float32](%v = 0x%08x) = %v, want %v (%d ulp)", x, math.Float32bits(x), got, want, u)
		}
	}
	require.Equal(t, float32(-103.27893), generic.Log(math.Float32frombits(1)), "ln(2^-149)")
	t.Logf("%d float32 subnormals: %d correctly rounded, worst %d ulp", len(xs), exact, worst)
}

func TestLogSpecialValues(t *testing.T) {
	negZero := math.Copysign(0, -1)
	cases := []struct {
		x    float64
		want float64
	}{
		{0, math.Inf(-1)},
		{negZero, math.Inf(-1)},
		{math.Inf(1), math.Inf(1)},
		{math.Inf(-1), math.NaN()},
		{-1, math.NaN()},
		{-math.SmallestNonzeroFloat64, math.NaN()},
		{-0x1p-1030, math.NaN()},
		{math.NaN(), math.NaN()},
		{1, 0},
	}
	for _, c := range cases {
		check := func(name string, got float64) {
			if math.IsNaN(c.want) {
				assert.True(t, math.IsNaN(got), "%s(%v) = %v, want NaN", name, c.x, got)
				return
			}
			assert.Equal(t, c.want, got, "%s(%v)", name, c.x)
			assert.Equal(t, math.Log(c.x), got, "%s(%v) as Go's math.Log", name, c.x)
		}
		check("Log64", generic.Log64(c.x))
		check("Log[float64]", generic.Log(c.x))
	}
	smallest32 := math.Float32frombits(1)
	for _, c := range []struct{ x, want float32 }{
		{0, float32(math.Inf(-1))},
		{float32(negZero), float32(math.Inf(-1))},
		{float32(math.Inf(1)), float32(math.Inf(1))},
		{float32(math.Inf(-1)), float32(math.NaN())},
		{-1, float32(math.NaN())},
		{-smallest32, float32(math.NaN())},
		{float32(math.NaN()), float32(math.NaN())},
		{1, 0},
	} {
		got := generic.Log(c.x)
		if c.want != c.want {
			assert.True(t, got != got, "Log[float32](%v) = %v, want NaN", c.x, got)
			continue
		}
		assert.Equal(t, c.want, got, "Log[float32](%v)", c.x)
	}
	// -Inf for ±0 also in the sign of the result.
	assert.True(t, math.IsInf(generic.Log64(negZero), -1))
}

func TestSigmoidExpLog1p(t *testing.T) {
	for _, x := range []float64{-1e300, -1000, -746, -100, -89, 0, 89, 100, 746, 1000, 1e300} {
		s64 := generic.Sigmoid(x)
		assert.False(t, math.IsNaN(s64) || s64 < 0 || s64 > 1, "Sigmoid(%v) = %v", x, s64)
		s32 := generic.Sigmoid(float32(x))
		assert.False(t, s32 != s32 || s32 < 0 || s32 > 1, "Sigmoid[float32](%v) = %v", x, s32)
		want := 1 / (1 + math.Exp(-x))
		assert.InDelta(t, want, s64, 1e-16)
		assert.InDelta(t, want, float64(s32), 1e-7)
	}
	assert.Equal(t, 0.5, generic.Sigmoid(0.0))
	assert.True(t, math.IsNaN(generic.Sigmoid(math.NaN())))
	assert.True(t, generic.Sigmoid(float32(math.NaN())) != generic.Sigmoid(float32(math.NaN())))
	assert.Equal(t, 1.0, generic.Sigmoid(math.Inf(1)))
	assert.Equal(t, 0.0, generic.Sigmoid(math.Inf(-1)))
	assert.Equal(t, float32(math.Inf(1)), generic.Exp(float32(89)), "float32 exp overflows above ~88.7")
	assert.Equal(t, float32(0), generic.Exp(float32(-104)))
	assert.True(t, math.IsInf(generic.Log1p(-1.0), -1))
	assert.True(t, math.IsNaN(generic.Log1p(-2.0)))
	assert.Equal(t, 1e-300, generic.Log1p(1e-300))
}
