package asm

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/simdloss/simdloss/internal/cputime"
)

// BenchmarkCosPair/<loss>/<shape>/<level>: the float32 Cosine and Pairwise
// row kernels called directly on one block-sized call per shape (the whole
// tensor in one call), forward and with the gradient.
func BenchmarkCosPair(b *testing.B) {
	type shape struct {
		name                  string
		outer, axisLen, strid int
	}
	cos := []shape{{"1024x1000", 1024, 1000, 1}, {"65536x3", 65536, 3, 1}, {"64x256x64", 64, 256, 64},
		{"1x1000x1024", 1, 1000, 1024}, {"16384x16x4", 16384, 16, 4}}
	for _, s := range cos {
		n := s.outer * s.axisLen * s.strid
		r := rand.New(rand.NewPCG(1, uint64(n)))
		p, y, g := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range p {
			p[i], y[i] = float32(r.NormFloat64()), float32(r.NormFloat64())
		}
		m := s.outer * s.strid
		u := make([]float32, m)
		for _, l := range Levels() {
			for _, grad := range []bool{false, true} {
				gr, tag := []float32(nil), "forward"
				if grad {
					gr, tag = g, "Gradient"
				}
				b.Run(fmt.Sprintf("Cosine/%s/%s/%s", s.name, tag, l.Name), func(b *testing.B) {
					b.SetBytes(int64(8 * n))
					cputime.Report(b, func() {
						benchSink += l.F32.Rows.Cosine(p, y, s.axisLen, s.strid, 0, m, nil, 1, 1, 1e-3, u, gr)
					})
				})
			}
		}
	}
	pair := []shape{{"1024x1000", 1024, 1000, 1}, {"65536x3", 65536, 3, 1}, {"64x16384", 64, 16384, 1}}
	for _, s := range pair {
		n := s.outer * s.axisLen
		r := rand.New(rand.NewPCG(2, uint64(n)))
		p, y, g := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range p {
			p[i], y[i] = float32(r.NormFloat64()), float32(r.NormFloat64())
		}
		u := make([]float32, s.outer)
		for _, l := range Levels() {
			for _, grad := range []bool{false, true} {
				gr, tag := []float32(nil), "forward"
				if grad {
					gr, tag = g, "Gradient"
				}
				b.Run(fmt.Sprintf("Pairwise/%s/%s/%s", s.name, tag, l.Name), func(b *testing.B) {
					b.SetBytes(int64(8 * n))
					cputime.Report(b, func() {
						benchSink += l.F32.Rows.Pairwise(p, y, s.outer, s.axisLen, nil, 1, u, gr)
					})
				})
			}
		}
	}
}
