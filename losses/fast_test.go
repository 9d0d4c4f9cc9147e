package losses_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdloss/simdloss/losses"
)

// A call without options takes a direct path for up to 64Ki elements; the
// same call with the default reduction spelled out takes the general path.
// Both must give the same bits, at every level, for sizes around the block
// and direct-path limits, with special values mixed in.
func TestDirectPathMatchesGeneralPath(t *testing.T) {
	for _, level := range losses.Kernels() {
		restore, err := losses.UseKernel(level)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(level, func(t *testing.T) {
			testDirectPath[float32](t)
			testDirectPath[float64](t)
		})
		restore()
	}
}

func testDirectPath[T losses.Float](t *testing.T) {
	t.Helper()
	r := rand.New(rand.NewPCG(3, 4))
	specials := []float64{0, math.Copysign(0, -1), 1, 1e-40, 1e30, math.Inf(1), math.Inf(-1), math.NaN()}
	for _, n := range []int{0, 1, 7, 1000, 8191, 8192, 8193, 20000, 1 << 16, 1<<16 + 1} {
		for _, withSpecials := range []bool{false, true} {
			p, y := make([]T, n), make([]T, n)
			for i := range p {
				p[i], y[i] = T(r.Float64()), T(r.IntN(2))
				if i%2 == 1 {
					p[i] = T(r.NormFloat64() * 3)
				}
			}
			if withSpecials && n > 0 {
				p[r.IntN(n)] = T(specials[r.IntN(len(specials))])
			}
			def := losses.Reduce(losses.SumByNonzeroWeights)
			for _, name := range []string{"AbsoluteDifference", "MeanSquaredError", "LogLoss", "HingeLoss", "SigmoidCrossEntropy"} {
				got, err1 := callPair(name, losses.New(p), losses.New(y))
				want, err2 := callPair(name, losses.New(p), losses.New(y), def)
				if err1 != nil || err2 != nil {
					t.Fatalf("%s n=%d: errors %v, %v", name, n, err1, err2)
				}
				if !sameBits(got, want) {
					t.Errorf("%s n=%d specials=%v: direct %v, general %v", name, n, withSpecials, got, want)
				}
				if n%8 == 0 { // rank 2 takes the direct path's other branch
					got, err1 := callPair(name, losses.New(p, 8, n/8), losses.New(y, 8, n/8))
					if err1 != nil || !sameBits(got, want) {
						t.Errorf("%s [8,%d] specials=%v: direct %v (%v), general %v", name, n/8, withSpecials, got, err1, want)
					}
				}
			}
			got, err1 := losses.ComputeWeightedLoss(losses.New(p))
			want, err2 := losses.ComputeWeightedLoss(losses.New(p), def)
			if err1 != nil || err2 != nil || !sameBits(got, want) {
				t.Errorf("ComputeWeightedLoss n=%d: direct %v (%v), general %v (%v)", n, got, err1, want, err2)
			}
		}
	}
	// Invalid tensors still report errors without options.
	if _, err := losses.MeanSquaredError(losses.New(make([]T, 3), 2), losses.New(make([]T, 2))); err == nil {
		t.Error("MeanSquaredError with a malformed tensor and no options: no error")
	}
	if _, err := losses.MeanSquaredError(losses.New(make([]T, 3)), losses.New(make([]T, 2))); err == nil {
		t.Error("MeanSquaredError with different shapes and no options: no error")
	}
}

func sameBits[T losses.Float](a, b T) bool {
	if a != a && b != b {
		return true
	}
	return a == b && math.Signbit(float64(a)) == math.Signbit(float64(b))
}
