package asm_test

// Accuracy of the levels' exponential and log1p (Kernels.Exp, Kernels.Log1p)
// on arm64: SPEC.md section 6 asks for at most 2 ulp from the correctly
// rounded result, subnormal results included, and Go's math specials. The
// references are independent of the code under test: float32 from the
// float64 function, settled by a 200-bit evaluation where the float64 value
// is too close to a float32 rounding boundary to decide; float64 from the
// 200-bit evaluation alone. The file builds for arm64 only; its helpers
// carry the prefix arm.

import (
	"math"
	"math/big"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdloss/simdloss/asm"
	"github.com/simdloss/simdloss/internal/ref"
)

// armMaxExpULPs is SPEC.md section 6's bound for the vectorised exp and log1p.
const armMaxExpULPs = 2

const armBigPrec = 200

var armBigLn2 = ref.BigLog(2)

func armNewBig() *big.Float { return new(big.Float).SetPrec(armBigPrec) }

// armTiny reports whether the series term t no longer matters at armBigPrec
// against a sum of magnitude about 2^e.
func armTiny(t *big.Float, e int) bool {
	return t.Sign() == 0 || t.MantExp(nil) < e-armBigPrec-8
}

// armBigExp is e**x to about 200 bits: x = n·ln2 + r, e**r by its Taylor series.
func armBigExp(x float64) *big.Float {
	n := math.Round(x / math.Ln2)
	r := armNewBig().SetFloat64(x)
	r.Sub(r, armNewBig().Mul(armBigLn2, armNewBig().SetFloat64(n)))
	sum, term := armNewBig().SetInt64(1), armNewBig().SetInt64(1)
	for k := int64(1); !armTiny(term, 0); k++ {
		term.Mul(term, r)
		term.Quo(term, armNewBig().SetInt64(k))
		sum.Add(sum, term)
	}
	return sum.SetMantExp(sum, int(n))
}

// armBigLogOf is ln v for v > 0 to about 200 bits: v = m·2^e with m in [1, 2),
// ln m = 2·atanh((m − 1)/(m + 1)).
func armBigLogOf(v *big.Float) *big.Float {
	m := armNewBig()
	e := v.MantExp(m) - 1
	m.SetMantExp(m, 1)
	one := armNewBig().SetInt64(1)
	s := armNewBig().Quo(armNewBig().Sub(m, one), armNewBig().Add(m, one))
	s2 := armNewBig().Mul(s, s)
	sum, pow := armNewBig().Set(s), armNewBig().Set(s)
	for k := int64(1); ; k++ {
		pow.Mul(pow, s2)
		term := armNewBig().Quo(pow, armNewBig().SetInt64(2*k+1))
		sum.Add(sum, term)
		if armTiny(term, -2) {
			break
		}
	}
	sum.Mul(sum, armNewBig().SetInt64(2))
	return sum.Add(sum, armNewBig().Mul(armBigLn2, armNewBig().SetInt64(int64(e))))
}

// armBigLog1p is ln(1 + x) for x > −1 to about 200 bits (by its series where
// 1 + x would not hold x exactly).
func armBigLog1p(x float64) *big.Float {
	if math.Abs(x) < 0x1p-20 {
		xb := armNewBig().SetFloat64(x)
		sum, pow := armNewBig().Set(xb), armNewBig().Set(xb)
		for k := int64(2); ; k++ {
			pow.Mul(pow, xb)
			term := armNewBig().Quo(pow, armNewBig().SetInt64(k))
			if k%2 == 0 {
				term.Neg(term)
			}
			sum.Add(sum, term)
			if armTiny(term, xb.MantExp(nil)) {
				return sum
			}
		}
	}
	u := armNewBig().SetFloat64(x)
	return armBigLogOf(u.Add(u, armNewBig().SetInt64(1)))
}

// armRound32 is the float32 nearest to the value whose float64 approximation
// (within 1 ulp) is v, with big the exact value for the undecided cases.
func armRound32(v float64, exact func() *big.Float) float32 {
	a, b := float32(v*(1-0x1p-50)), float32(v*(1+0x1p-50))
	if a == b {
		return a
	}
	f, _ := exact().Float32()
	return f
}

func armExp32Ref(x float32) float32 {
	return armRound32(math.Exp(float64(x)), func() *big.Float { return armBigExp(float64(x)) })
}

func armLog1p32Ref(x float32) float32 {
	if x == -1 {
		return float32(math.Inf(-1))
	}
	return armRound32(math.Log1p(float64(x)), func() *big.Float { return armBigLog1p(float64(x)) })
}

func armExp64Ref(x float64) float64 { v, _ := armBigExp(x).Float64(); return v }

func armLog1p64Ref(x float64) float64 {
	if x == -1 {
		return math.Inf(-1)
	}
	v, _ := armBigLog1p(x).Float64()
	return v
}

// armOrd32 maps float32 to integers in the order of the values (−0 = +0 = 0).
func armOrd32(f float32) int64 {
	b := math.Float32bits(f)
	if b&(1<<31) != 0 {
		return -int64(b &^ (1 << 31))
	}
	return int64(b)
}

func armUnord32(o int64) float32 {
	if o < 0 {
		return math.Float32frombits(uint32(-o) | 1<<31)
	}
	return math.Float32frombits(uint32(o))
}

// armSweep32 checks every step-th float32 in [lo, hi] (in value order) of f
// against want, split over GOMAXPROCS goroutines, and returns the largest
// ulp distance and where it occurred.
func armSweep32(f func(dst, x []float32), want func(float32) float32, lo, hi float32, step int64) (worst int64, at float32) {
	const chunk = 1 << 14
	olo, ohi := armOrd32(lo), armOrd32(hi)
	workers := int64(runtime.GOMAXPROCS(0))
	span := ((ohi-olo)/step/workers + 1) * step
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := int64(0); w < workers; w++ {
		from, to := olo+w*span, min(olo+(w+1)*span-1, ohi)
		wg.Add(1)
		go func() {
			defer wg.Done()
			x, got := make([]float32, 0, chunk), make([]float32, chunk)
			var ww int64
			var wat float32
			flush := func() {
				f(got[:len(x)], x)
				for i, v := range x {
					if d := ref.ULPs32(got[i], want(v)); d > ww {
						ww, wat = d, v
					}
				}
				x = x[:0]
			}
			for o := from; o <= to; o += step {
				x = append(x, armUnord32(o))
				if len(x) == chunk {
					flush()
				}
			}
			flush()
			mu.Lock()
			if ww > worst {
				worst, at = ww, wat
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return worst, at
}

// armSweep32Range is one float32 range of an accuracy test: the first range of
// a test is swept whole under SIMDLOSS_EXHAUSTIVE (make accuracy-arm64),
// the ones inside it are then skipped, and the others keep their step.
type armSweep32Range struct {
	lo, hi float32
	step   int64
	inside bool // inside the first range
}

func armRunSweeps32(t *testing.T, name string, f func(dst, x []float32), want func(float32) float32, rs []armSweep32Range) {
	for i, r := range rs {
		if exhaustive && i == 0 {
			r.step = 1
		} else if exhaustive && r.inside {
			continue
		}
		worst, at := armSweep32(f, want, r.lo, r.hi, r.step)
		t.Logf("%s float32 [%g, %g] step %d: worst %d ulp at %g", name, r.lo, r.hi, r.step, worst, at)
		assert.LessOrEqual(t, worst, int64(armMaxExpULPs), "%s(%g)", name, at)
	}
}

func TestArm64Exp32WithinTwoULPs(t *testing.T) {
	for _, l := range asm.Levels() {
		t.Run(l.Name, func(t *testing.T) {
			armRunSweeps32(t, l.Name+": exp", l.F32.Exp, armExp32Ref, []armSweep32Range{
				{-104, 89, 1021, false},                // every result from 0 to +Inf
				{-104, -87.33, 97, true},               // subnormal results
				{-1e-3, 1e-3, 4099, true},              // near 1
				{88.5, 89, 7, true},                    // towards overflow
				{-0x1p-20, 0x1p-20, 8191, true},        // tiny arguments: 1 or its neighbours
				{-math.MaxFloat32, -104, 65537, false}, // 0
				{89, math.MaxFloat32, 65537, false},    // +Inf
			})
		})
	}
}

func TestArm64Log1p32WithinTwoULPs(t *testing.T) {
	for _, l := range asm.Levels() {
		t.Run(l.Name, func(t *testing.T) {
			armRunSweeps32(t, l.Name+": log1p", l.F32.Log1p, armLog1p32Ref, []armSweep32Range{
				{math.Nextafter32(-1, 0), 1e10, 1021, false}, // (−1, 1e10]
				{-1e-6, 1e-6, 4099, true},                    // near 0, where u = 1 + x rounds
				{math.Nextafter32(-1, 0), -0.99, 997, true},  // towards −1
				{0.5, 4, 997, true},
				{1e10, math.MaxFloat32, 65537, false},
			})
		})
	}
}

// armSample64 checks f against the reference values want on xs and returns
// the largest ulp distance and where it occurred.
func armSample64(f func(dst, x []float64), want, xs []float64) (worst int64, at float64) {
	got := make([]float64, len(xs))
	f(got, xs)
	for i, x := range xs {
		if d := ref.ULPs64(got[i], want[i]); d > worst {
			worst, at = d, x
		}
	}
	return worst, at
}

func armSamples64() int {
	if testing.Short() {
		return 2000
	}
	return 20000
}

func TestArm64Exp64WithinTwoULPs(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	n := armSamples64()
	var xs []float64
	for range n / 5 {
		xs = append(xs,
			-746+r.Float64()*(710+746),       // every result from 0 to +Inf
			-745.2+r.Float64()*(745.2-708.4), // subnormal results
			(r.Float64()-0.5)*2e-3,           // near 1
			709+r.Float64(),                  // towards overflow
			float64(r.IntN(2000)-1000)*math.Ln2*(1+1e-15*(r.Float64()-0.5)), // near k·ln2, where k flips
		)
	}
	xs = append(xs, 0, 1, -1, 1e-300, -1e-300, 0x1p-1074, 709.782712893384, 709.7827128933841, -745.1332191019411, -745.1332191019412, -708.3964185322641)
	want := make([]float64, len(xs))
	for i, x := range xs {
		want[i] = armExp64Ref(x)
	}
	for _, l := range asm.Levels() {
		worst, at := armSample64(l.F64.Exp, want, xs)
		t.Logf("%s: exp float64, %d samples: worst %d ulp at %v", l.Name, len(xs), worst, at)
		assert.LessOrEqual(t, worst, int64(armMaxExpULPs), "%s: exp(%v)", l.Name, at)
	}
}

func TestArm64Log1p64WithinTwoULPs(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	n := armSamples64()
	var xs []float64
	for range n / 5 {
		xs = append(xs,
			-1+math.Float64frombits(r.Uint64N(0x3ff0000000000000)), // (−1, 0)
			math.Float64frombits(r.Uint64N(0x7ff0000000000000)),    // any positive finite
			(r.Float64()-0.5)*1e-7,                                 // near 0
			r.Float64()*r.Float64(),                                // the sigmoid cross-entropy's (0, 1]
			math.Float64frombits(r.Uint64N(1<<52)+1),               // subnormal
		)
	}
	xs = append(xs, 1e-300, -1e-300, 0x1p-1074, 1, math.MaxFloat64, -0.5, 0x1p-53, -0x1p-54, math.Nextafter(-1, 0))
	want := make([]float64, len(xs))
	for i, x := range xs {
		want[i] = armLog1p64Ref(x)
	}
	for _, l := range asm.Levels() {
		worst, at := armSample64(l.F64.Log1p, want, xs)
		t.Logf("%s: log1p float64, %d samples: worst %d ulp at %v", l.Name, len(xs), worst, at)
		assert.LessOrEqual(t, worst, int64(armMaxExpULPs), "%s: log1p(%v)", l.Name, at)
	}
}

// TestArm64ExpLog1pSpecialsMatchGo: e**±Inf, e**NaN, e**±0, ln(1 + x) at
// ±0, −1, below −1, ±Inf and NaN, at every level and lane position.
func TestArm64ExpLog1pSpecialsMatchGo(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	fns := []struct {
		name     string
		f64      func(*asm.Kernels[float64]) func(dst, x []float64)
		f32      func(*asm.Kernels[float32]) func(dst, x []float32)
		gof      func(float64) float64
		specials []float64
	}{
		{"exp", func(k *asm.Kernels[float64]) func(dst, x []float64) { return k.Exp },
			func(k *asm.Kernels[float32]) func(dst, x []float32) { return k.Exp }, math.Exp,
			[]float64{0, math.Copysign(0, -1), inf, -inf, nan, 1e6, -1e6, math.MaxFloat64, -math.MaxFloat64, math.MaxFloat32, -math.MaxFloat32}},
		{"log1p", func(k *asm.Kernels[float64]) func(dst, x []float64) { return k.Log1p },
			func(k *asm.Kernels[float32]) func(dst, x []float32) { return k.Log1p }, math.Log1p,
			[]float64{0, math.Copysign(0, -1), -1, -1.5, -inf, inf, nan, math.MaxFloat64, math.MaxFloat32, -math.SmallestNonzeroFloat64, 1e-30, -1e-30}},
	}
	for _, fn := range fns {
		for _, l := range asm.Levels() {
			for n := 1; n <= 9; n++ {
				for pos := 0; pos < n; pos++ {
					for _, s := range fn.specials {
						x64, x32 := make([]float64, n), make([]float32, n)
						for i := range x64 {
							x64[i], x32[i] = 0.25, 0.25
						}
						x64[pos], x32[pos] = s, float32(s)
						g64, g32 := make([]float64, n), make([]float32, n)
						fn.f64(l.F64)(g64, x64)
						fn.f32(l.F32)(g32, x32)
						check := func(got, want float64, what string) {
							if math.IsNaN(want) {
								require.True(t, math.IsNaN(got), "%s %s %s(%g) = %g", l.Name, what, fn.name, s, got)
								return
							}
							if want == 0 || math.IsInf(want, 0) {
								require.Equal(t, math.Float64bits(want), math.Float64bits(got), "%s %s %s(%g) = %g, want %g", l.Name, what, fn.name, s, got, want)
								return
							}
							require.InDelta(t, want, got, 2e-6*math.Abs(want), "%s %s %s(%g)", l.Name, what, fn.name, s)
						}
						check(g64[pos], fn.gof(s), "float64")
						check(float64(g32[pos]), float64(float32(fn.gof(float64(float32(s))))), "float32")
						for i := range g64 {
							if i != pos {
								require.Equal(t, fn.gof(0.25), g64[i], "%s %s lane %d next to %g", l.Name, fn.name, i, s)
							}
						}
					}
				}
			}
		}
	}
}

// TestArm64Log1pKeepsTinyArguments: log1p(x) = x to the last bit for x far
// below ε (SPEC.md: log1p(1e-30) = 1e-30), both types.
func TestArm64Log1pKeepsTinyArguments(t *testing.T) {
	for _, l := range asm.Levels() {
		for _, x := range []float64{1e-30, -1e-30, 1e-20, 0x1p-60, 1e-300, math.SmallestNonzeroFloat64} {
			g64 := make([]float64, 5)
			l.F64.Log1p(g64, []float64{x, x, x, x, x})
			for i, v := range g64 {
				assert.Equal(t, x, v, "%s float64 log1p(%g) lane %d", l.Name, x, i)
			}
			x32 := float32(x)
			g32 := make([]float32, 5)
			l.F32.Log1p(g32, []float32{x32, x32, x32, x32, x32})
			for i, v := range g32 {
				assert.Equal(t, x32, v, "%s float32 log1p(%g) lane %d", l.Name, x32, i)
			}
		}
	}
}
