package asm

// Raw-kernel benchmarks, beside the kernels (DESIGN.md): one kernel call per
// iteration on realistic inputs, so "kernel vs public API" overhead shows in
// one go test -bench run. Bytes are those the kernel reads and writes.

import (
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/simdloss/simdloss/internal/cputime"
)

var benchSink float64

var (
	benchLosses  = []ElemLoss{SqDiff, AbsDiff, Hinge, LogLoss, SigmoidCE}
	benchDrivers = []driver{dSum, dWSum, dGrad}
	benchSizes   = []struct {
		name string
		n    int
	}{{"1Ki", 1 << 10}, {"64Ki", 1 << 16}, {"1Mi", 1 << 20}}
)

func benchElem[T Float](b *testing.B, k *Elem[T], spec *elemSpec, d driver, n int) {
	r := rand.New(rand.NewPCG(1, uint64(n)))
	p, y, w, dst := make([]T, n), make([]T, n), make([]T, n), make([]T, n)
	for i := range p {
		pv, yv := spec.gen(r)
		p[i], y[i], w[i] = T(pv), T(yv), T(realisticWeight(r))
	}
	a, s := T(spec.params[0]), T(0.5)
	var z T
	arrays := 2 // p, y
	if d == dWSum {
		arrays++
	}
	if d == dGrad {
		arrays++ // dst
	}
	b.SetBytes(int64(n * arrays * int(unsafe.Sizeof(z))))
	var acc float64
	switch d {
	case dSum:
		cputime.Report(b, func() { acc += k.Sum(p, y, a) })
	case dWSum:
		cputime.Report(b, func() {
			v, _, _ := k.WSum(p, y, w, a)
			acc += v
		})
	case dGrad:
		cputime.Report(b, func() { acc += k.Grad(dst, p, y, s, a) })
	}
	benchSink = acc
}

// BenchmarkElem/<level>/<loss>/<driver>/<type>/n=<size>
func BenchmarkElem(b *testing.B) {
	for _, l := range Levels() {
		b.Run(l.Name, func(b *testing.B) {
			for _, loss := range benchLosses {
				spec := &elemSpecs[loss]
				b.Run(loss.String(), func(b *testing.B) {
					for _, d := range benchDrivers {
						b.Run(d.String(), func(b *testing.B) {
							for _, sz := range benchSizes {
								b.Run("float32/n="+sz.name, func(b *testing.B) { benchElem(b, &l.F32.Elem[loss], spec, d, sz.n) })
							}
							for _, sz := range benchSizes {
								b.Run("float64/n="+sz.name, func(b *testing.B) { benchElem(b, &l.F64.Elem[loss], spec, d, sz.n) })
							}
						})
					}
				})
			}
		})
	}
}
