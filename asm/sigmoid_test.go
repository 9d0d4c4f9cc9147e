package asm_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdloss/simdloss/asm"
	"github.com/simdloss/simdloss/internal/ref"
)

// sigmoidTiny lists logits and labels whose sigmoid cross-entropy is
// log1p(e**(−|x|)) alone (max(x, 0) − x·z is exactly 0): the loss of a
// confident right answer, which must keep its relative accuracy rather
// than round to 0 (x = 20, z = 1 gives 2.06e-9), down to subnormal losses.
func sigmoidTiny(f32 bool) [][2]float64 {
	var c [][2]float64
	mags := []float64{0.5, 1, 5, 15, 20, 30, 44, 50, 60, 87, 88, 95, 100, 103}
	lo, hi := 87.0, 103.9 // subnormal losses, densely
	if !f32 {
		mags = append(mags, 200, 354, 400, 700, 708, 720, 740, 744)
		lo, hi = 708.0, 745.1
	}
	for m := lo; m <= hi; m += (hi - lo) / 997 {
		mags = append(mags, m)
	}
	for _, m := range mags {
		c = append(c, [2]float64{m, 1}, [2]float64{-m, 0})
	}
	return c
}

// sigmoidTinyWant is log1p(e**(−|x|)) to 200 bits, rounded to the type.
func sigmoidTinyWant(x float64, f32 bool) float64 {
	t, _ := ref.BigExp(-math.Abs(x)).Float64()
	v := t * (1 - t/2) // log1p(t) = t − t²/2 + …: to far below an ulp for t < 1e-10
	if t > 1e-10 {
		v = ref.Log1p64(t) // t rounded to float64 first: within an ulp
	}
	if f32 {
		return float64(float32(v))
	}
	return v
}

func TestSigmoidCETinyLossesKeepTheirRelativeAccuracy(t *testing.T) {
	for _, l := range asm.Levels() {
		t.Run(l.Name+"/float32", func(t *testing.T) {
			cases := sigmoidTiny(true)
			x, z, dst := make([]float32, len(cases)), make([]float32, len(cases)), make([]float32, len(cases))
			for i, c := range cases {
				x[i], z[i] = float32(c[0]), float32(c[1])
			}
			l.F32.Elem[asm.SigmoidCE].Unred(dst, x, z, 1, 0)
			var worst int64
			for i, c := range cases {
				want := float32(sigmoidTinyWant(float64(x[i]), true))
				require.NotZero(t, dst[i], "loss(%g, %g)", c[0], c[1])
				d := ref.ULPs32(dst[i], want)
				worst = max(worst, d)
				assert.LessOrEqual(t, d, int64(4), "loss(%g, %g) = %g, want %g", c[0], c[1], dst[i], want)
			}
			t.Logf("%s float32: worst %d ulp", l.Name, worst)
		})
		t.Run(l.Name+"/float64", func(t *testing.T) {
			cases := sigmoidTiny(false)
			x, z, dst := make([]float64, len(cases)), make([]float64, len(cases)), make([]float64, len(cases))
			for i, c := range cases {
				x[i], z[i] = c[0], c[1]
			}
			l.F64.Elem[asm.SigmoidCE].Unred(dst, x, z, 1, 0)
			var worst int64
			for i, c := range cases {
				want := sigmoidTinyWant(c[0], false)
				require.NotZero(t, dst[i], "loss(%g, %g)", c[0], c[1])
				d := ref.ULPs64(dst[i], want)
				worst = max(worst, d)
				assert.LessOrEqual(t, d, int64(4), "loss(%g, %g) = %g, want %g", c[0], c[1], dst[i], want)
			}
			t.Logf("%s float64: worst %d ulp", l.Name, worst)
		})
	}
}
