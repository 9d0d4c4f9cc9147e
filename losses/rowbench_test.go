package losses_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdloss/simdloss/internal/cputime"
	"github.com/simdloss/simdloss/losses"
)

// rowBenchShape is one tensor shape of BenchmarkRowLosses: the cosine
// distance along axis, or (pairwise) one batch row per leading index.
type rowBenchShape struct {
	name  string
	shape []int
	axis  int
}

var (
	cosineBenchShapes = []rowBenchShape{
		{"1024x1000", []int{1024, 1000}, 1},
		{"65536x3", []int{65536, 3}, 1},
		{"64x256x64/axis1", []int{64, 256, 64}, 1}, // stride 64
		{"1000x1024/axis0", []int{1000, 1024}, 0},  // stride 1024, one outer block
		{"16384x16x4/axis1", []int{16384, 16, 4}, 1},
	}
	pairwiseBenchShapes = []rowBenchShape{
		{"1024x1000", []int{1024, 1000}, 0},
		{"65536x3", []int{65536, 3}, 0},
		{"64x16384", []int{64, 16384}, 0},
	}
)

// plainCosine32 is the cosine distance written as a plain Go loop: float32
// dot products, the mean over the slices, and the gradient −y/rows.
func plainCosine32(p, y []float32, outer, axisLen, stride int, grad []float32) float64 {
	var s float32
	for o := 0; o < outer; o++ {
		for c := 0; c < stride; c++ {
			var dot float32
			for k, i := 0, o*axisLen*stride+c; k < axisLen; k, i = k+1, i+stride {
				dot += p[i] * y[i]
			}
			s += 1 - dot
		}
	}
	n := float32(outer * stride)
	if grad != nil {
		for i, v := range y {
			grad[i] = -v / n
		}
	}
	return float64(s / n)
}

// plainPairwise32 is the mean pairwise squared error as a plain two-pass Go
// loop in float32.
func plainPairwise32(p, y []float32, rows, n int, grad []float32) float64 {
	var s float32
	for r := 0; r < rows; r++ {
		pr, yr := p[r*n:(r+1)*n], y[r*n:(r+1)*n]
		var sd float32
		for k := range pr {
			sd += pr[k] - yr[k]
		}
		mean := sd / float32(n)
		var ss float32
		for k := range pr {
			d := pr[k] - yr[k] - mean
			ss += d * d
		}
		s += 2 / float32(n) * ss
		if grad != nil {
			gr, f := grad[r*n:(r+1)*n], 4/float32(n)
			for k := range pr {
				gr[k] = f * (pr[k] - yr[k] - mean)
			}
		}
	}
	return float64(s)
}

// BenchmarkRowLosses/<loss>/<shape>[/Gradient]/<plain-go or level>: float32
// CosineDistance and MeanPairwiseSquaredError on one thread at every
// available level next to a plain Go loop, in one run: compare within it.
func BenchmarkRowLosses(b *testing.B) {
	run := func(b *testing.B, loss string, s rowBenchShape) {
		n := 1
		for _, d := range s.shape {
			n *= d
		}
		r := rand.New(rand.NewPCG(3, uint64(n)))
		p, y, grad := make([]float32, n), make([]float32, n), make([]float32, n)
		outer, axisLen, stride := 1, s.shape[s.axis], 1
		for i, d := range s.shape {
			if i < s.axis {
				outer *= d
			} else if i > s.axis {
				stride *= d
			}
		}
		sc := 1 / math.Sqrt(float64(axisLen))
		for i := range p {
			if loss == "CosineDistance" {
				p[i], y[i] = float32(sc*r.NormFloat64()), float32(sc*r.NormFloat64())
			} else {
				p[i], y[i] = float32(r.NormFloat64()), float32(r.NormFloat64())
			}
		}
		rows, rowLen := s.shape[0], n/max(s.shape[0], 1)
		for _, withGrad := range []bool{false, true} {
			name := "forward"
			var g []float32
			if withGrad {
				name = "Gradient"
				g = grad
			}
			b.Run(name+"/plain-go", func(b *testing.B) {
				b.SetBytes(int64(8 * n))
				cputime.Report(b, func() {
					if loss == "CosineDistance" {
						benchSink += plainCosine32(p, y, outer, axisLen, stride, g)
					} else {
						benchSink += plainPairwise32(p, y, rows, rowLen, g)
					}
				})
			})
			for _, level := range losses.Kernels() {
				b.Run(name+"/"+level, func(b *testing.B) {
					restore, err := losses.UseKernel(level)
					if err != nil {
						b.Fatal(err)
					}
					defer restore()
					b.SetBytes(int64(8 * n))
					var v float32
					cputime.Report(b, func() {
						P, Y := losses.New(p, s.shape...), losses.New(y, s.shape...)
						switch {
						case loss == "CosineDistance" && withGrad:
							v, err = losses.CosineDistance(P, Y, s.axis, losses.Threads(1), losses.Gradient(g))
						case loss == "CosineDistance":
							v, err = losses.CosineDistance(P, Y, s.axis, losses.Threads(1))
						case withGrad:
							v, err = losses.MeanPairwiseSquaredError(P, Y, losses.Threads(1), losses.Gradient(g))
						default:
							v, err = losses.MeanPairwiseSquaredError(P, Y, losses.Threads(1))
						}
						benchSink += float64(v)
					})
					if err != nil {
						b.Fatal(err)
					}
				})
			}
		}
	}
	for _, s := range cosineBenchShapes {
		b.Run(fmt.Sprintf("CosineDistance/%s", s.name), func(b *testing.B) { run(b, "CosineDistance", s) })
	}
	for _, s := range pairwiseBenchShapes {
		b.Run(fmt.Sprintf("MeanPairwiseSquaredError/%s", s.name), func(b *testing.B) { run(b, "MeanPairwiseSquaredError", s) })
	}
}
