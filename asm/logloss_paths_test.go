package asm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The float32 log loss takes one of three paths per vector: hard labels
// (one logarithm per element), soft labels (two), and the general path
// (zeros, subnormals, out-of-range p, NaN). A lane's loss must not depend on
// its neighbours: planting a soft label or a NaN in one lane changes the
// path of its whole vector, and every other lane must keep its bits. The
// values include arguments next to the logarithm's reduction boundaries
// (√2/2·2^-k) and p + ε = 1 exactly, where the signs of zeros matter.
func TestLogLossPathsAgreeBitwise(t *testing.T) {
	const n = 256
	r := rand.New(rand.NewPCG(11, 12))
	const eps = float32(1e-7)
	base := make([]float32, 0, n)
	for k := 0; k < 24; k++ {
		b := float32(math.Sqrt2 / 2 * math.Ldexp(1, -k))
		for _, v := range []float32{math.Nextafter32(b, 0), b, math.Nextafter32(b, 2)} {
			base = append(base, v-eps, 1-v+eps)
		}
	}
	base = append(base, 1-eps, 1, 0, eps, 0.5, 1+eps)
	for len(base) < n {
		base = append(base, r.Float32())
	}
	for _, l := range Levels() {
		k := &l.F32.Elem[LogLoss]
		t.Run(l.Name, func(t *testing.T) {
			y := make([]float32, n)
			for i := range y {
				y[i] = float32(r.IntN(2))
				if i%17 == 5 {
					y[i] = float32(math.Copysign(0, -1))
				}
			}
			p := append([]float32(nil), base...)
			ref := make([]float32, n)
			k.Unred(ref, p, y, 1, eps)
			grad := make([]float32, n)
			k.Grad(grad, p, y, 1, eps)
			for _, plant := range []struct {
				name string
				do   func(p, y []float32, j int)
			}{
				{"soft label", func(p, y []float32, j int) { y[j] = 0.25 }},
				{"NaN prediction", func(p, y []float32, j int) { p[j] = float32(math.NaN()) }},
				{"p > 1", func(p, y []float32, j int) { p[j] = 2 }},
			} {
				for j := 0; j < n; j += 3 {
					p2, y2 := append([]float32(nil), p...), append([]float32(nil), y...)
					plant.do(p2, y2, j)
					got := make([]float32, n)
					k.Unred(got, p2, y2, 1, eps)
					for i := range got {
						if i != j && math.Float32bits(got[i]) != math.Float32bits(ref[i]) {
							t.Fatalf("%s at %d: loss %d is %v (%#x), alone %v (%#x); p=%v y=%v",
								plant.name, j, i, got[i], math.Float32bits(got[i]), ref[i], math.Float32bits(ref[i]), p[i], y[i])
						}
					}
				}
			}
			// And the level agrees with generic within the per-element tolerance.
			want := make([]float32, n)
			GenericLevel.F32.Elem[LogLoss].Unred(want, p, y, 1, eps)
			for i := range want {
				if ref[i] != ref[i] && want[i] != want[i] {
					continue // NaN for NaN (payloads may differ between levels)
				}
				if d := ulpDist(ref[i], want[i]); d > 2 {
					t.Errorf("loss %d (p=%v y=%v): %v, generic %v (%d ulp)", i, p[i], y[i], ref[i], want[i], d)
				}
			}
		})
	}
}
