package asm

// SPEC.md section 5: the sigmoid cross-entropy keeps relative accuracy for
// tiny losses (x = 20, z = 1 gives about 2.06e-9, not 0): where
// max(x, 0) − x·z' is exactly 0 the loss is log1p(exp(−|x|)) alone, which
// every level must give to a few ulp, as the per-element output and as the
// sum, down to where it becomes subnormal.

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func tinySigmoidCE[T Float](t *testing.T, k *Kernels[T], mags []float64) {
	const n = 11 // vector lanes and a tail
	e := &k.Elem[SigmoidCE]
	for _, m := range mags {
		for _, c := range []struct{ x, z float64 }{{m, 1}, {-m, 0}} {
			want := math.Log1p(math.Exp(-m)) // well within 1e-15 relative
			p, y := make([]T, n), make([]T, n)
			for i := range p {
				p[i], y[i] = T(c.x), T(c.z)
			}
			dst := make([]T, n)
			sum := e.Unred(dst, p, y, 1, 0)
			for i, v := range dst {
				assert.LessOrEqual(t, ulpDist(v, T(want)), uint64(4), "x=%v z=%v lane %d: %v, want %v", c.x, c.z, i, v, T(want))
			}
			assert.InEpsilon(t, n*float64(T(want)), sum, 1e-5, "x=%v z=%v: Σ", c.x, c.z)
			assert.InEpsilon(t, n*float64(T(want)), e.Sum(p, y, 0), 1e-5, "x=%v z=%v: Sum", c.x, c.z)
		}
	}
}

func TestSigmoidCEKeepsTinyLossesRelativelyAccurate(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l *Level) {
		forEachType(t, l,
			func(t *testing.T, k, _ *Kernels[float32]) {
				tinySigmoidCE(t, k, []float64{20, 30, 50, 80, 87})
			},
			func(t *testing.T, k, _ *Kernels[float64]) {
				tinySigmoidCE(t, k, []float64{20, 40, 100, 300, 700})
			})
	})
}
