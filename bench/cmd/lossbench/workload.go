package main

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/simdloss/simdloss/losses"
)

// workload is one group's inputs and the functions that compute its loss.
type workload struct {
	inBytes  int // bytes of the inputs a call reads
	outBytes int // bytes of the gradient a call writes (0 forward)
	// api calls simdloss's public API at the active kernel level.
	api func() (float64, error)
	// plain is a plain one-accumulator Go loop of the same formula (math.Log,
	// math.Exp, math.Log1p for the transcendental parts).
	plain func() float64
	// probeX and probeY view the inputs as float32, for the read probe.
	probeX, probeY []float32
	// gradient returns a copy of the gradient the last call wrote (nil forward).
	gradient func() []float64
}

// The inputs are the same low-discrepancy sequences in lossbench and in
// peers.py, computed in float64 and rounded to the element type, so the
// peers' values can be checked against simdloss's:
//
//	u(i, a) = frac((i+1)·a), i = 0, 1, …
const (
	seqP = 0.6180339887498949  // predictions, logits
	seqY = 0.41421356237309503 // labels
)

func frac(i int, a float64) float64 {
	v := float64(i+1) * a
	return v - math.Floor(v)
}

// label is the 0/1 label of element i.
func label(i int) float64 {
	if frac(i, seqY) < 0.5 {
		return 0
	}
	return 1
}

// class is the class label of row r out of c.
func class(r, c int) int { return min(int(frac(r, seqY)*float64(c)), c-1) }

func newWorkload(g group) (*workload, error) {
	if g.DType == "float32" {
		return build[float32](g)
	}
	return build[float64](g)
}

func asFloat32[T losses.Float](s []T) []float32 {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(s[0]))/4)
}

func fill[T losses.Float](n int, f func(i int) float64) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = T(f(i))
	}
	return s
}

func build[T losses.Float](g group) (*workload, error) {
	n := g.Elements()
	esz := int(unsafe.Sizeof(T(0)))
	shape := g.Shape
	w := &workload{inBytes: 2 * n * esz}
	var grad []T
	var opts []losses.Option
	if g.Grad {
		grad = make([]T, n)
		for i := range grad { // touch the pages, so that no call pays their faults
			grad[i] = 1
		}
		opts = []losses.Option{losses.Gradient(grad)}
		w.outBytes = n * esz
		w.gradient = func() []float64 {
			out := make([]float64, len(grad))
			for i, v := range grad {
				out[i] = float64(v)
			}
			return out
		}
	}
	var p, y []T
	switch g.Loss.Name {
	case "MeanSquaredError", "AbsoluteDifference", "MeanPairwiseSquaredError":
		p = fill[T](n, func(i int) float64 { return frac(i, seqP) })
		y = fill[T](n, func(i int) float64 { return frac(i, seqY) })
	case "CosineDistance":
		p = fill[T](n, func(i int) float64 { return frac(i, seqP) - 0.5 })
		y = fill[T](n, func(i int) float64 { return frac(i, seqY) - 0.5 })
	case "HingeLoss":
		p = fill[T](n, func(i int) float64 { return 4*frac(i, seqP) - 2 })
		y = fill[T](n, label)
	case "LogLoss":
		p = fill[T](n, func(i int) float64 { return 0.01 + 0.98*frac(i, seqP) })
		y = fill[T](n, label)
	case "SigmoidCrossEntropy":
		p = fill[T](n, func(i int) float64 { return 8*frac(i, seqP) - 4 })
		y = fill[T](n, label)
	case "SoftmaxCrossEntropy", "SparseSoftmaxCrossEntropy":
		p = fill[T](n, func(i int) float64 { return 8*frac(i, seqP) - 4 })
	default:
		return nil, fmt.Errorf("no workload for %s", g.Loss.Name)
	}
	w.probeX, w.probeY = asFloat32(p), asFloat32(y)
	P := losses.New(p, shape...)
	Y := losses.New(y, shape...)
	switch g.Loss.Name {
	case "MeanSquaredError":
		w.api = apiPair(losses.MeanSquaredError[T], P, Y, opts)
		w.plain = func() float64 { return plainSquared(p, y, grad) }
	case "AbsoluteDifference":
		w.api = apiPair(losses.AbsoluteDifference[T], P, Y, opts)
		w.plain = func() float64 { return plainAbs(p, y, grad) }
	case "HingeLoss":
		w.api = apiPair(losses.HingeLoss[T], P, Y, opts)
		w.plain = func() float64 { return plainHinge(p, y, grad) }
	case "LogLoss":
		w.api = apiPair(losses.LogLoss[T], P, Y, opts)
		w.plain = func() float64 { return plainLog(p, y, grad) }
	case "SigmoidCrossEntropy":
		w.api = apiPair(losses.SigmoidCrossEntropy[T], P, Y, opts)
		w.plain = func() float64 { return plainSigmoid(p, y, grad) }
	case "CosineDistance":
		w.api = func() (float64, error) {
			v, err := losses.CosineDistance(P, Y, 1, opts...)
			return float64(v), err
		}
		w.plain = func() float64 { return plainCosine(p, y, shape[1], grad) }
	case "MeanPairwiseSquaredError":
		w.api = apiPair(losses.MeanPairwiseSquaredError[T], P, Y, opts)
		w.plain = func() float64 { return plainPairwise(p, y, shape[1], grad) }
	case "SoftmaxCrossEntropy":
		rows, c := shape[0], shape[1]
		z := make([]T, n)
		for r := range rows {
			z[r*c+class(r, c)] = 1
		}
		Z := losses.New(z, shape...)
		w.probeY = asFloat32(z)
		w.api = apiPair(losses.SoftmaxCrossEntropy[T], P, Z, opts)
		w.plain = func() float64 { return plainSoftmax(p, z, c, grad) }
	case "SparseSoftmaxCrossEntropy":
		rows, c := shape[0], shape[1]
		labels := make([]int32, rows)
		for r := range labels {
			labels[r] = int32(class(r, c))
		}
		w.inBytes = n*esz + 4*rows
		all := asFloat32(p)
		w.probeX, w.probeY = all[:len(all)/2], all[len(all)/2:]
		w.api = func() (float64, error) {
			v, err := losses.SparseSoftmaxCrossEntropy(P, labels, opts...)
			return float64(v), err
		}
		w.plain = func() float64 { return plainSparse(p, labels, c, grad) }
	}
	return w, nil
}

func apiPair[T losses.Float](f func(p, y losses.Tensor[T], opts ...losses.Option) (T, error), p, y losses.Tensor[T], opts []losses.Option) func() (float64, error) {
	return func() (float64, error) {
		v, err := f(p, y, opts...)
		return float64(v), err
	}
}

// The plain Go loops: what a Go programmer writes without a library. Each
// has one accumulator of the element type (the row losses accumulate the
// exponentials in float64, as math.Exp returns them); g, when not nil,
// receives the gradient of the mean.

func plainSquared[T losses.Float](p, y, g []T) float64 {
	y = y[:len(p)]
	var s T
	if g == nil {
		for i := range p {
			d := p[i] - y[i]
			s += d * d
		}
	} else {
		g = g[:len(p)]
		sc := 2 / T(len(p))
		for i := range p {
			d := p[i] - y[i]
			s += d * d
			g[i] = sc * d
		}
	}
	return float64(s) / float64(len(p))
}

func plainAbs[T losses.Float](p, y, g []T) float64 {
	y = y[:len(p)]
	var s T
	if g == nil {
		for i := range p {
			s += T(math.Abs(float64(p[i] - y[i])))
		}
	} else {
		g = g[:len(p)]
		sc := 1 / T(len(p))
		for i := range p {
			d := p[i] - y[i]
			s += T(math.Abs(float64(d)))
			switch {
			case d > 0:
				g[i] = sc
			case d < 0:
				g[i] = -sc
			default:
				g[i] = 0
			}
		}
	}
	return float64(s) / float64(len(p))
}

func plainHinge[T losses.Float](x, y, g []T) float64 {
	y = y[:len(x)]
	var s T
	if g == nil {
		for i := range x {
			s += max(0, 1-(2*y[i]-1)*x[i])
		}
	} else {
		g = g[:len(x)]
		sc := 1 / T(len(x))
		for i := range x {
			t := 2*y[i] - 1
			m := 1 - t*x[i]
			if m > 0 {
				s += m
				g[i] = -t * sc
			} else {
				g[i] = 0
			}
		}
	}
	return float64(s) / float64(len(x))
}

const logEps = 1e-7

func plainLog[T losses.Float](p, y, g []T) float64 {
	y = y[:len(p)]
	var s T
	if g == nil {
		for i := range p {
			pp, yy := float64(p[i]), float64(y[i])
			s += T(-yy*math.Log(pp+logEps) - (1-yy)*math.Log(1-pp+logEps))
		}
	} else {
		g = g[:len(p)]
		sc := 1 / float64(len(p))
		for i := range p {
			pp, yy := float64(p[i]), float64(y[i])
			s += T(-yy*math.Log(pp+logEps) - (1-yy)*math.Log(1-pp+logEps))
			g[i] = T((-yy/(pp+logEps) + (1-yy)/(1-pp+logEps)) * sc)
		}
	}
	return float64(s) / float64(len(p))
}

func plainSigmoid[T losses.Float](x, z, g []T) float64 {
	z = z[:len(x)]
	var s T
	if g == nil {
		for i := range x {
			xx, zz := float64(x[i]), float64(z[i])
			s += T(max(xx, 0) - xx*zz + math.Log1p(math.Exp(-math.Abs(xx))))
		}
	} else {
		g = g[:len(x)]
		sc := 1 / float64(len(x))
		for i := range x {
			xx, zz := float64(x[i]), float64(z[i])
			e := math.Exp(-math.Abs(xx))
			s += T(max(xx, 0) - xx*zz + math.Log1p(e))
			sig := 1 / (1 + e)
			if xx < 0 {
				sig = e / (1 + e)
			}
			g[i] = T((sig - zz) * sc)
		}
	}
	return float64(s) / float64(len(x))
}

// lse returns max(x) + ln Σ exp(x − max).
func lse[T losses.Float](x []T) float64 {
	m := x[0]
	for _, v := range x[1:] {
		if v > m {
			m = v
		}
	}
	var se float64
	for _, v := range x {
		se += math.Exp(float64(v - m))
	}
	return float64(m) + math.Log(se)
}

func plainSoftmax[T losses.Float](x, z []T, c int, g []T) float64 {
	rows := len(x) / c
	var s T
	for r := range rows {
		xr, zr := x[r*c:(r+1)*c], z[r*c:(r+1)*c]
		l := lse(xr)
		var lr, sz T
		for k := range xr {
			lr += zr[k] * T(l-float64(xr[k]))
			sz += zr[k]
		}
		s += lr
		if g != nil {
			gr := g[r*c : (r+1)*c]
			for k := range xr {
				gr[k] = T((math.Exp(float64(xr[k])-l)*float64(sz) - float64(zr[k])) / float64(rows))
			}
		}
	}
	return float64(s) / float64(rows)
}

func plainSparse[T losses.Float](x []T, labels []int32, c int, g []T) float64 {
	rows := len(x) / c
	var s T
	for r := range rows {
		xr := x[r*c : (r+1)*c]
		l := lse(xr)
		s += T(l - float64(xr[labels[r]]))
		if g != nil {
			gr := g[r*c : (r+1)*c]
			for k := range xr {
				gr[k] = T(math.Exp(float64(xr[k])-l) / float64(rows))
			}
			gr[labels[r]] -= T(1 / float64(rows))
		}
	}
	return float64(s) / float64(rows)
}

func plainCosine[T losses.Float](p, y []T, dim int, g []T) float64 {
	rows := len(p) / dim
	var s T
	for r := range rows {
		pr, yr := p[r*dim:(r+1)*dim], y[r*dim:(r+1)*dim]
		var dot T
		for k := range pr {
			dot += pr[k] * yr[k]
		}
		s += 1 - dot
	}
	if g != nil {
		sc := -1 / T(rows)
		for i := range y {
			g[i] = sc * y[i]
		}
	}
	return float64(s) / float64(rows)
}

func plainPairwise[T losses.Float](p, y []T, dim int, g []T) float64 {
	rows := len(p) / dim
	var s T
	for r := range rows {
		pr, yr := p[r*dim:(r+1)*dim], y[r*dim:(r+1)*dim]
		var sd T
		for k := range pr {
			sd += pr[k] - yr[k]
		}
		mean := sd / T(dim)
		var ss T
		for k := range pr {
			d := pr[k] - yr[k] - mean
			ss += d * d
		}
		s += 2 / T(dim) * ss
		if g != nil {
			gr := g[r*dim : (r+1)*dim]
			sc := 4 / T(dim)
			for k := range pr {
				gr[k] = sc * (pr[k] - yr[k] - mean)
			}
		}
	}
	return float64(s)
}
