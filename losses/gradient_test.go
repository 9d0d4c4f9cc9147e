package losses_test

// Gradient tests (SPEC.md sections 2, 4, 5 and 6): the fused Gradient of every
// loss is checked against central finite differences of the returned scalar
// in float64 and against an independent float64 oracle, for every reduction
// and many weight forms; Unreduced and Gradient are checked to agree with
// each other and with the plain call; the zero-denominator rule (all +0, even
// with NaN inputs), MeanPairwiseSquaredError's rules and the float32
// gradients (against float64 on the same inputs) are checked too.
//
// Every identifier here starts with gdt so that it cannot collide with the
// helpers of the package's other test files.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdloss/simdloss/losses"
)

// ---------------------------------------------------------------------------
// Weights.

const (
	gdtWNone = iota
	gdtWScalar
	gdtWTensor
)

// gdtWeights is one weight form: none, Weight(s), or Weights(tensor).
type gdtWeights struct {
	name  string
	kind  int
	s     float64
	data  []float64
	shape []int
}

func (w gdtWeights) opts64() []losses.Option {
	switch w.kind {
	case gdtWScalar:
		return []losses.Option{losses.Weight(w.s)}
	case gdtWTensor:
		return []losses.Option{losses.Weights(losses.Tensor[float64]{Data: w.data, Shape: w.shape})}
	}
	return nil
}

func (w gdtWeights) opts32() []losses.Option {
	switch w.kind {
	case gdtWScalar:
		return []losses.Option{losses.Weight(w.s)}
	case gdtWTensor:
		return []losses.Option{losses.Weights(losses.Tensor[float32]{Data: gdtTo32(w.data), Shape: w.shape})}
	}
	return nil
}

// expand returns the weight of every measurable element of shape ls
// (SPEC.md section 3: a trailing 1 is dropped, dims align with the leading
// axes, size-1 dims broadcast).
func (w gdtWeights) expand(ls []int) []float64 {
	n := gdtProd(ls)
	out := make([]float64, n)
	switch w.kind {
	case gdtWNone:
		for i := range out {
			out[i] = 1
		}
	case gdtWScalar:
		for i := range out {
			out[i] = w.s
		}
	default:
		ws := w.shape
		if len(ws) > 1 && ws[len(ws)-1] == 1 {
			ws = ws[:len(ws)-1]
		}
		idx := make([]int, len(ls))
		for e := range out {
			rem := e
			for k := len(ls) - 1; k >= 0; k-- {
				idx[k] = rem % ls[k]
				rem /= ls[k]
			}
			off := 0
			for k, d := range ws {
				i := idx[k]
				if d == 1 {
					i = 0
				}
				off = off*d + i
			}
			out[e] = w.data[off]
		}
	}
	return out
}

// gdtRandW returns n float32-representable weights: mostly in [1, 2], with a
// zero at index 0 and a small negative weight at index 2, so that zero and
// negative weights are always present and Σw stays well away from 0.
func gdtRandW(rng *rand.Rand, n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = gdtU(rng, 1, 2)
	}
	if n >= 2 {
		w[0] = 0
	}
	if n >= 3 {
		w[2] = -gdtU(rng, 0.1, 0.5)
	}
	return w
}

// gdtZeroSumW returns n dyadic weights a, −a, … whose sum is exactly 0 in any
// summation order (Mean then has D = 0), with no zero weight when n is even.
func gdtZeroSumW(n int) []float64 {
	w := make([]float64, n)
	for i := 0; i+1 < n; i += 2 {
		a := float64(i/2%3+1) / 4
		w[i], w[i+1] = a, -a
	}
	return w
}

const (
	gdtModeAll  = iota // every weight form
	gdtModeRows        // MeanPairwiseSquaredError: scalar, [B], [B,1] only
	gdtModeNone        // L1, L2: no weights at all
)

// gdtWeightForms lists the weight forms for measurable shape ls.
func gdtWeightForms(rng *rand.Rand, ls []int, mode int) []gdtWeights {
	fs := []gdtWeights{{name: "none"}}
	if mode == gdtModeNone {
		return fs
	}
	b, n := ls[0], gdtProd(ls)
	wb := gdtRandW(rng, b)
	fs = append(fs,
		gdtWeights{name: "Weight(0.75)", kind: gdtWScalar, s: 0.75},
		gdtWeights{name: "Weight(-1.5)", kind: gdtWScalar, s: -1.5},
		gdtWeights{name: "Weight(0)", kind: gdtWScalar, s: 0},
		gdtWeights{name: "Scalar(1.25)", kind: gdtWTensor, data: []float64{1.25}, shape: []int{}},
		gdtWeights{name: "[B]", kind: gdtWTensor, data: wb, shape: []int{b}},
		gdtWeights{name: "[B,1]", kind: gdtWTensor, data: wb, shape: []int{b, 1}},
		gdtWeights{name: "[B]zeros", kind: gdtWTensor, data: make([]float64, b), shape: []int{b}},
	)
	if mode == gdtModeRows {
		return fs
	}
	fs = append(fs,
		gdtWeights{name: "full", kind: gdtWTensor, data: gdtRandW(rng, n), shape: slices.Clone(ls)},
		gdtWeights{name: "fullZeros", kind: gdtWTensor, data: make([]float64, n), shape: slices.Clone(ls)},
		gdtWeights{name: "fullZeroSum", kind: gdtWTensor, data: gdtZeroSumW(n), shape: slices.Clone(ls)},
	)
	if len(ls) >= 2 {
		bc := append([]int{1}, ls[1:]...)
		fs = append(fs, gdtWeights{name: fmt.Sprint("broadcast", bc), kind: gdtWTensor, data: gdtRandW(rng, gdtProd(bc)), shape: bc})
	}
	if len(ls) >= 3 {
		pre := slices.Clone(ls[:2])
		wp := gdtRandW(rng, gdtProd(pre))
		mid := append([]int{ls[0], 1}, ls[2:]...)
		fs = append(fs,
			gdtWeights{name: fmt.Sprint("prefix", pre), kind: gdtWTensor, data: wp, shape: pre},
			gdtWeights{name: fmt.Sprint("prefix", append(slices.Clone(pre), 1)), kind: gdtWTensor, data: wp, shape: append(slices.Clone(pre), 1)},
			gdtWeights{name: fmt.Sprint("broadcast", mid), kind: gdtWTensor, data: gdtRandW(rng, gdtProd(mid)), shape: mid},
		)
	}
	return fs
}

// ---------------------------------------------------------------------------
// Reductions.

type gdtRed struct {
	name string
	opts []losses.Option
	r    losses.Reduction
}

var gdtReds = []gdtRed{
	{"default", nil, losses.SumByNonzeroWeights},
	{"SumByNonzeroWeights", []losses.Option{losses.Reduce(losses.SumByNonzeroWeights)}, losses.SumByNonzeroWeights},
	{"Sum", []losses.Option{losses.Reduce(losses.Sum)}, losses.Sum},
	{"Mean", []losses.Option{losses.Reduce(losses.Mean)}, losses.Mean},
	{"SumOverBatchSize", []losses.Option{losses.Reduce(losses.SumOverBatchSize)}, losses.SumOverBatchSize},
}

// gdtFixedSum stands for the functions without Reduce (MPSE, L1, L2): D = 1.
var gdtFixedSum = []gdtRed{{"fixed", nil, losses.Sum}}

// gdtDenom is the reduction's denominator D over the expanded weights.
func gdtDenom(r losses.Reduction, we []float64) float64 {
	switch r {
	case losses.SumByNonzeroWeights:
		c := 0
		for _, w := range we {
			if w != 0 {
				c++
			}
		}
		return float64(c)
	case losses.Mean:
		s := 0.0
		for _, w := range we {
			s += w
		}
		return s
	case losses.SumOverBatchSize:
		return float64(len(we))
	}
	return 1
}

// ---------------------------------------------------------------------------
// Cases: one loss function on fixed inputs, differentiated in its first input.

type gdtCase struct {
	name  string
	ls    []int     // measurable shape
	x     []float64 // the differentiated input (float32-representable)
	wmode int
	red   bool // accepts Reduce
	unred bool // accepts Unreduced
	// zeroRowsEmpty: an element of weight 0 contributes nothing at all, even
	// when its loss is NaN (MeanPairwiseSquaredError's n_b = 0 rule).
	zeroRowsEmpty bool
	f64           func(x []float64, opts ...losses.Option) (float64, error)
	f32           func(x []float32, opts ...losses.Option) (float32, error)
	// ref returns the per-measurable-element loss and the per-input-element
	// gradient before weight and denominator.
	ref  func(x []float64) (l, g []float64)
	meas func(i int) int // the measurable element of input element i
}

// gdtOracle is the float64 oracle of a call: the value, the unreduced
// w·l, the gradient w·g/D, D, and Σ|w·l|/|D| (the scale of the value).
type gdtOracle struct {
	value, d, scale float64
	unred, grad     []float64
}

func (c *gdtCase) oracle(x []float64, w gdtWeights, r losses.Reduction) gdtOracle {
	we := w.expand(c.ls)
	l, g := c.ref(x)
	o := gdtOracle{d: gdtDenom(r, we), unred: make([]float64, len(l)), grad: make([]float64, len(g))}
	num, abs := 0.0, 0.0
	for e := range l {
		if c.zeroRowsEmpty && we[e] == 0 {
			continue
		}
		o.unred[e] = we[e] * l[e]
		num += o.unred[e]
		abs += math.Abs(o.unred[e])
	}
	if o.d == 0 {
		return o
	}
	o.value = num / o.d
	o.scale = abs / math.Abs(o.d)
	for i := range g {
		e := c.meas(i)
		if c.zeroRowsEmpty && we[e] == 0 {
			continue
		}
		o.grad[i] = we[e] * g[i] / o.d
	}
	return o
}

func (c *gdtCase) forms(rng *rand.Rand) []gdtWeights { return gdtWeightForms(rng, c.ls, c.wmode) }

func (c *gdtCase) reds() []gdtRed {
	if c.red {
		return gdtReds
	}
	return gdtFixedSum
}

// Per-element losses of the elementwise functions: loss and d/dx of the first input.
type gdtElemFn func(x, y float64) (l, g float64)

func gdtAbs(p, y float64) (float64, float64) {
	d := p - y
	s := 0.0
	if d > 0 {
		s = 1
	} else if d < 0 {
		s = -1
	}
	return math.Abs(d), s
}

func gdtSq(p, y float64) (float64, float64) { d := p - y; return d * d, 2 * d }

func gdtLog(eps float64) gdtElemFn {
	return func(p, y float64) (float64, float64) {
		return -y*math.Log(p+eps) - (1-y)*math.Log(1-p+eps), -y/(p+eps) + (1-y)/(1-p+eps)
	}
}

func gdtHinge(x, y float64) (float64, float64) {
	yp := 2*y - 1
	m := 1 - yp*x
	if m > 0 {
		return m, -yp
	}
	return 0, 0
}

func gdtSigmoid(ls float64) gdtElemFn {
	return func(x, z float64) (float64, float64) {
		zs := z*(1-ls) + ls/2
		return math.Max(x, 0) - x*zs + math.Log1p(math.Exp(-math.Abs(x))), 1/(1+math.Exp(-x)) - zs
	}
}

type gdtPairFn[T losses.Float] func(p, y losses.Tensor[T], opts ...losses.Option) (T, error)

// gdtPairCase is an elementwise loss of p (differentiated) and y.
func gdtPairCase(name string, shape []int, p, y []float64, extra []losses.Option,
	f64 gdtPairFn[float64], f32 gdtPairFn[float32], fn gdtElemFn) gdtCase {
	y32 := gdtTo32(y)
	return gdtCase{
		name: fmt.Sprint(name, shape), ls: shape, x: p, wmode: gdtModeAll, red: true, unred: true,
		f64: func(x []float64, opts ...losses.Option) (float64, error) {
			return f64(losses.New(x, shape...), losses.New(y, shape...), gdtCat(extra, opts)...)
		},
		f32: func(x []float32, opts ...losses.Option) (float32, error) {
			return f32(losses.New(x, shape...), losses.New(y32, shape...), gdtCat(extra, opts)...)
		},
		ref: func(x []float64) ([]float64, []float64) {
			l, g := make([]float64, len(x)), make([]float64, len(x))
			for i := range x {
				l[i], g[i] = fn(x[i], y[i])
			}
			return l, g
		},
		meas: func(i int) int { return i },
	}
}

func gdtCWLCase(shape []int, x []float64) gdtCase {
	return gdtCase{
		name: fmt.Sprint("ComputeWeightedLoss", shape), ls: shape, x: x, wmode: gdtModeAll, red: true, unred: true,
		f64: func(x []float64, opts ...losses.Option) (float64, error) {
			return losses.ComputeWeightedLoss(losses.New(x, shape...), opts...)
		},
		f32: func(x []float32, opts ...losses.Option) (float32, error) {
			return losses.ComputeWeightedLoss(losses.New(x, shape...), opts...)
		},
		ref: func(x []float64) ([]float64, []float64) {
			g := make([]float64, len(x))
			for i := range g {
				g[i] = 1
			}
			return slices.Clone(x), g
		},
		meas: func(i int) int { return i },
	}
}

// gdtSoftmaxRef is the softmax cross-entropy of rows of c classes with
// (already smoothed) labels zs.
func gdtSoftmaxRef(x, zs []float64, c int) (l, g []float64) {
	rows := len(x) / max(c, 1)
	l, g = make([]float64, rows), make([]float64, len(x))
	for r := 0; r < rows; r++ {
		xr, zr := x[r*c:(r+1)*c], zs[r*c:(r+1)*c]
		m := math.Inf(-1)
		for _, v := range xr {
			m = math.Max(m, v)
		}
		s := 0.0
		for _, v := range xr {
			s += math.Exp(v - m)
		}
		lse := m + math.Log(s)
		zsum := 0.0
		for k := range xr {
			l[r] += zr[k] * (lse - xr[k])
			zsum += zr[k]
		}
		for k := range xr {
			g[r*c+k] = math.Exp(xr[k]-lse)*zsum - zr[k]
		}
	}
	return l, g
}

func gdtSmooth(z []float64, c int, ls float64) []float64 {
	zs := make([]float64, len(z))
	for i, v := range z {
		zs[i] = v*(1-ls) + ls/float64(c)
	}
	return zs
}

func gdtSoftmaxCase(shape []int, x, z []float64, ls float64) gdtCase {
	r := len(shape)
	c := shape[r-1]
	z32 := gdtTo32(z)
	var extra []losses.Option
	name := fmt.Sprint("SoftmaxCrossEntropy", shape)
	if ls != 0 {
		extra = []losses.Option{losses.LabelSmoothing(ls)}
		name += fmt.Sprintf(",LabelSmoothing(%g)", ls)
	}
	return gdtCase{
		name: name, ls: shape[:r-1], x: x, wmode: gdtModeAll, red: true, unred: true,
		f64: func(x []float64, opts ...losses.Option) (float64, error) {
			return losses.SoftmaxCrossEntropy(losses.New(x, shape...), losses.New(z, shape...), gdtCat(extra, opts)...)
		},
		f32: func(x []float32, opts ...losses.Option) (float32, error) {
			return losses.SoftmaxCrossEntropy(losses.New(x, shape...), losses.New(z32, shape...), gdtCat(extra, opts)...)
		},
		ref:  func(x []float64) ([]float64, []float64) { return gdtSoftmaxRef(x, gdtSmooth(z, c, ls), c) },
		meas: func(i int) int { return i / c },
	}
}

func gdtSparseCase[L losses.Integer](shape []int, x []float64, labels []L, ls float64) gdtCase {
	r := len(shape)
	c := shape[r-1]
	z := make([]float64, len(x))
	for row, lab := range labels {
		z[row*c+int(lab)] = 1
	}
	var extra []losses.Option
	name := fmt.Sprintf("SparseSoftmaxCrossEntropy%v,labels%T", shape, labels)
	if ls != 0 {
		extra = []losses.Option{losses.LabelSmoothing(ls)}
		name += fmt.Sprintf(",LabelSmoothing(%g)", ls)
	}
	return gdtCase{
		name: name, ls: shape[:r-1], x: x, wmode: gdtModeAll, red: true, unred: true,
		f64: func(x []float64, opts ...losses.Option) (float64, error) {
			return losses.SparseSoftmaxCrossEntropy(losses.New(x, shape...), labels, gdtCat(extra, opts)...)
		},
		f32: func(x []float32, opts ...losses.Option) (float32, error) {
			return losses.SparseSoftmaxCrossEntropy(losses.New(x, shape...), labels, gdtCat(extra, opts)...)
		},
		ref:  func(x []float64) ([]float64, []float64) { return gdtSoftmaxRef(x, gdtSmooth(z, c, ls), c) },
		meas: func(i int) int { return i / c },
	}
}

func gdtCosineCase(shape []int, axis int, p, y []float64) gdtCase {
	r := len(shape)
	a := axis
	if a < 0 {
		a += r
	}
	outer, alen, inner := gdtProd(shape[:a]), shape[a], gdtProd(shape[a+1:])
	ls := append(slices.Clone(shape[:a]), shape[a+1:]...)
	y32 := gdtTo32(y)
	return gdtCase{
		name: fmt.Sprintf("CosineDistance%v,axis%d", shape, axis), ls: ls, x: p, wmode: gdtModeAll, red: true, unred: true,
		f64: func(x []float64, opts ...losses.Option) (float64, error) {
			return losses.CosineDistance(losses.New(x, shape...), losses.New(y, shape...), axis, opts...)
		},
		f32: func(x []float32, opts ...losses.Option) (float32, error) {
			return losses.CosineDistance(losses.New(x, shape...), losses.New(y32, shape...), axis, opts...)
		},
		ref: func(x []float64) ([]float64, []float64) {
			l, g := make([]float64, outer*inner), make([]float64, len(x))
			for o := 0; o < outer; o++ {
				for i := 0; i < inner; i++ {
					s := 0.0
					for k := 0; k < alen; k++ {
						j := (o*alen+k)*inner + i
						s += x[j] * y[j]
						g[j] = -y[j]
					}
					l[o*inner+i] = 1 - s
				}
			}
			return l, g
		},
		meas: func(j int) int {
			o, i := j/(alen*inner), j%inner
			return o*inner + i
		},
	}
}

func gdtMPSECase(shape []int, p, y []float64) gdtCase {
	b := shape[0]
	n := gdtProd(shape[1:])
	y32 := gdtTo32(y)
	return gdtCase{
		name: fmt.Sprint("MeanPairwiseSquaredError", shape), ls: []int{b}, x: p, wmode: gdtModeRows, unred: true, zeroRowsEmpty: true,
		f64: func(x []float64, opts ...losses.Option) (float64, error) {
			return losses.MeanPairwiseSquaredError(losses.New(x, shape...), losses.New(y, shape...), opts...)
		},
		f32: func(x []float32, opts ...losses.Option) (float32, error) {
			return losses.MeanPairwiseSquaredError(losses.New(x, shape...), losses.New(y32, shape...), opts...)
		},
		ref: func(x []float64) ([]float64, []float64) {
			l, g := make([]float64, b), make([]float64, len(x))
			if n == 0 {
				return l, g
			}
			for r := 0; r < b; r++ {
				d := make([]float64, n)
				mean := 0.0
				for k := range d {
					d[k] = x[r*n+k] - y[r*n+k]
					mean += d[k]
				}
				mean /= float64(n)
				for k := range d {
					c := d[k] - mean
					l[r] += c * c
					g[r*n+k] = 4 / float64(n) * c
				}
				l[r] *= 2 / float64(n)
			}
			return l, g
		},
		meas: func(i int) int { return i / max(n, 1) },
	}
}

func gdtRegCase(name string, shape []int, x []float64, scale float64,
	f64 func(losses.Tensor[float64], float64, ...losses.Option) (float64, error),
	f32 func(losses.Tensor[float32], float64, ...losses.Option) (float32, error),
	fn func(x float64) (l, g float64)) gdtCase {
	return gdtCase{
		name: fmt.Sprintf("%s%v,scale%g", name, shape, scale), ls: []int{len(x)}, x: x, wmode: gdtModeNone,
		f64: func(x []float64, opts ...losses.Option) (float64, error) {
			return f64(losses.New(x, shape...), scale, opts...)
		},
		f32: func(x []float32, opts ...losses.Option) (float32, error) {
			return f32(losses.New(x, shape...), scale, opts...)
		},
		ref: func(x []float64) ([]float64, []float64) {
			l, g := make([]float64, len(x)), make([]float64, len(x))
			for i, v := range x {
				l[i], g[i] = fn(v)
				l[i] *= scale
				g[i] *= scale
			}
			return l, g
		},
		meas: func(i int) int { return i },
	}
}

// gdtCases builds every case on fixed-seed inputs, all float32-representable
// and away from the non-differentiable points. With nan, input element 0 and
// a label element are NaN (for the zero-denominator tests).
func gdtCases(seed uint64, nan bool) []gdtCase {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	u := func(n int, lo, hi float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = gdtU(rng, lo, hi)
		}
		return v
	}
	poison := func(vs ...[]float64) {
		if !nan {
			return
		}
		for k, v := range vs {
			if len(v) > k {
				v[len(v)-1-k] = math.NaN()
			}
		}
	}
	var cs []gdtCase
	for _, shape := range [][]int{{3, 7}, {4, 2, 5}, {41}} {
		n := gdtProd(shape)

		// AbsoluteDifference: |p − y| >= 0.05.
		y := u(n, -2, 2)
		p := make([]float64, n)
		for i := range p {
			d := gdtU(rng, 0.05, 1.5)
			if rng.IntN(2) == 0 {
				d = -d
			}
			p[i] = gdtR32(y[i] + d)
		}
		poison(p, y)
		cs = append(cs, gdtPairCase("AbsoluteDifference", shape, p, y, nil,
			losses.AbsoluteDifference[float64], losses.AbsoluteDifference[float32], gdtAbs))

		p, y = u(n, -2, 2), u(n, -2, 2)
		poison(p, y)
		cs = append(cs, gdtPairCase("MeanSquaredError", shape, p, y, nil,
			losses.MeanSquaredError[float64], losses.MeanSquaredError[float32], gdtSq))

		// LogLoss: p in (0.05, 0.95); labels in [0, 1], some exactly 0 or 1.
		p, y = u(n, 0.05, 0.95), u(n, 0, 1)
		for i := 0; i < n; i += 3 {
			y[i] = float64(i / 3 % 2)
		}
		poison(p, y)
		cs = append(cs, gdtPairCase("LogLoss", shape, p, y, nil,
			losses.LogLoss[float64], losses.LogLoss[float32], gdtLog(1e-7)))
		c := gdtPairCase("LogLoss", shape, p, y, []losses.Option{losses.Epsilon(0.0625)},
			losses.LogLoss[float64], losses.LogLoss[float32], gdtLog(0.0625))
		c.name += ",Epsilon(0.0625)"
		cs = append(cs, c)

		// HingeLoss: labels 0/1, margins |1 − y'x| >= 0.05 of both signs.
		x, y := make([]float64, n), make([]float64, n)
		for i := range x {
			y[i] = float64(rng.IntN(2))
			m := gdtU(rng, 0.05, 1.5)
			if rng.IntN(2) == 0 {
				m = -m
			}
			x[i] = gdtR32((2*y[i] - 1) * (1 - m))
		}
		poison(x, y)
		cs = append(cs, gdtPairCase("HingeLoss", shape, x, y, nil,
			losses.HingeLoss[float64], losses.HingeLoss[float32], gdtHinge))

		x, y = u(n, -4, 4), u(n, 0, 1)
		for i := 1; i < n; i += 4 {
			y[i] = float64(i / 4 % 2)
		}
		poison(x, y)
		cs = append(cs, gdtPairCase("SigmoidCrossEntropy", shape, x, y, nil,
			losses.SigmoidCrossEntropy[float64], losses.SigmoidCrossEntropy[float32], gdtSigmoid(0)))
		c = gdtPairCase("SigmoidCrossEntropy", shape, x, y, []losses.Option{losses.LabelSmoothing(0.25)},
			losses.SigmoidCrossEntropy[float64], losses.SigmoidCrossEntropy[float32], gdtSigmoid(0.25))
		c.name += ",LabelSmoothing(0.25)"
		cs = append(cs, c)

		x = u(n, -1, 3)
		poison(x)
		cs = append(cs, gdtCWLCase(shape, x))
	}

	// Softmax and sparse softmax: rank 2 and rank 3 logits.
	for _, shape := range [][]int{{4, 6}, {3, 2, 5}, {2, 17}} {
		n := gdtProd(shape)
		c := shape[len(shape)-1]
		rows := n / c
		x := make([]float64, n)
		for i := range x {
			x[i] = gdtU(rng, -3, 3)
		}
		z := make([]float64, n)
		labels := make([]int32, rows)
		for r := 0; r < rows; r++ {
			labels[r] = int32(rng.IntN(c))
			if r%2 == 0 { // one-hot
				z[r*c+int(labels[r])] = 1
			} else { // soft labels, not summing to 1
				for k := 0; k < c; k++ {
					z[r*c+k] = gdtU(rng, 0, 1)
				}
			}
		}
		if nan {
			x[0] = math.NaN()
			z[n-1] = math.NaN()
		}
		for _, ls := range []float64{0, 0.125} {
			cs = append(cs, gdtSoftmaxCase(shape, x, z, ls))
			// Different label types take different paths (int is read in place).
			switch c {
			case 6:
				cs = append(cs, gdtSparseCase(shape, x, labels, ls))
			case 5:
				cs = append(cs, gdtSparseCase(shape, x, gdtConvLabels[uint8](labels), ls))
			default:
				cs = append(cs, gdtSparseCase(shape, x, gdtConvLabels[int](labels), ls))
			}
		}
	}

	// CosineDistance at every axis of rank 2 and rank 3 inputs.
	for _, sa := range []struct {
		shape []int
		axes  []int
	}{
		{[]int{4, 6}, []int{0, 1, -1}},
		{[]int{3, 4, 5}, []int{0, 1, 2, -2}},
	} {
		n := gdtProd(sa.shape)
		for _, axis := range sa.axes {
			p := make([]float64, n)
			y := make([]float64, n)
			for i := range p {
				p[i], y[i] = gdtU(rng, -1, 1), gdtU(rng, -1, 1)
			}
			poison(p, y)
			cs = append(cs, gdtCosineCase(sa.shape, axis, p, y))
		}
	}

	// MeanPairwiseSquaredError.
	for _, shape := range [][]int{{3, 7}, {4, 2, 3}, {2, 1}} {
		n := gdtProd(shape)
		p, y := make([]float64, n), make([]float64, n)
		for i := range p {
			p[i], y[i] = gdtU(rng, -2, 2), gdtU(rng, -2, 2)
		}
		poison(p, y)
		cs = append(cs, gdtMPSECase(shape, p, y))
	}

	// L1 and L2: params away from 0 for L1.
	for _, shape := range [][]int{{5, 3}, {23}} {
		n := gdtProd(shape)
		x := make([]float64, n)
		for i := range x {
			x[i] = gdtU(rng, 0.05, 2)
			if rng.IntN(2) == 0 {
				x[i] = -x[i]
			}
		}
		poison(x)
		for _, scale := range []float64{0.3, 1.75} {
			cs = append(cs,
				gdtRegCase("L1", shape, x, scale, losses.L1[float64], losses.L1[float32], func(v float64) (float64, float64) {
					s := 0.0
					if v > 0 {
						s = 1
					} else if v < 0 {
						s = -1
					}
					return math.Abs(v), s
				}),
				gdtRegCase("L2", shape, x, scale, losses.L2[float64], losses.L2[float32], func(v float64) (float64, float64) {
					return v * v / 2, v
				}))
		}
	}
	return cs
}

// ---------------------------------------------------------------------------
// Helpers.

func gdtU(rng *rand.Rand, lo, hi float64) float64 { return gdtR32(lo + (hi-lo)*rng.Float64()) }

func gdtR32(v float64) float64 { return float64(float32(v)) }

func gdtProd(dims []int) int {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return n
}

func gdtConvLabels[L losses.Integer](v []int32) []L {
	out := make([]L, len(v))
	for i, x := range v {
		out[i] = L(x)
	}
	return out
}

func gdtTo32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// gdtCat returns a fresh slice holding a then b.
func gdtCat(a []losses.Option, b ...[]losses.Option) []losses.Option {
	out := slices.Clone(a)
	for _, x := range b {
		out = append(out, x...)
	}
	return out
}

func gdtMaxAbs[T losses.Float](v []T) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, math.Abs(float64(x)))
	}
	return m
}

func gdtFill[T losses.Float](v []T, x T) []T {
	for i := range v {
		v[i] = x
	}
	return v
}

// gdtSame reports bitwise equality (so NaN equals NaN and +0 differs from −0).
func gdtSame[T losses.Float](a, b T) bool {
	if _, ok := any(a).(float32); ok {
		return math.Float32bits(float32(a)) == math.Float32bits(float32(b))
	}
	return math.Float64bits(float64(a)) == math.Float64bits(float64(b))
}

// gdtCheckVec asserts |got[i] − want[i]| <= tol(i) for every i (NaN only
// matches NaN) and reports the first failure and the number of failures.
func gdtCheckVec[T losses.Float](t *testing.T, what string, got []T, want []float64, tol func(i int) float64) bool {
	t.Helper()
	if !assert.Len(t, got, len(want), what) {
		return false
	}
	bad, first := 0, -1
	for i := range want {
		g, w := float64(got[i]), want[i]
		if math.IsNaN(w) && math.IsNaN(g) {
			continue
		}
		if !(math.Abs(g-w) <= tol(i)) {
			if first < 0 {
				first = i
			}
			bad++
		}
	}
	if bad == 0 {
		return true
	}
	i := first
	return assert.Failf(t, what, "%d of %d elements differ; first [%d]: got %.17g, want %.17g (diff %.3g, tol %.3g)",
		bad, len(want), i, float64(got[i]), want[i], math.Abs(float64(got[i])-want[i]), tol(i))
}

// gdtCheckPlusZero asserts every element is +0.
func gdtCheckPlusZero[T losses.Float](t *testing.T, what string, got []T) bool {
	t.Helper()
	for i, v := range got {
		if v != 0 || math.Signbit(float64(v)) {
			return assert.Failf(t, what, "gradient[%d] = %v (signbit %v), want +0 (denominator is 0)", i, v, math.Signbit(float64(v)))
		}
	}
	return true
}

// gdtCheckBitwise asserts a and b are bitwise equal element by element.
func gdtCheckBitwise[T losses.Float](t *testing.T, what string, a, b []T) bool {
	t.Helper()
	if !assert.Len(t, a, len(b), what) {
		return false
	}
	for i := range a {
		if !gdtSame(a[i], b[i]) {
			return assert.Failf(t, what, "element %d: %v vs %v (not bitwise equal)", i, a[i], b[i])
		}
	}
	return true
}

// gdtCheckScalar asserts two returned scalars are bitwise equal, or within
// 1e-15 relative.
func gdtCheckScalar[T losses.Float](t *testing.T, what string, a, b T) bool {
	t.Helper()
	if gdtSame(a, b) || math.Abs(float64(a)-float64(b)) <= 1e-15*math.Abs(float64(b)) {
		return true
	}
	return assert.Failf(t, what, "%.17g vs %.17g", float64(a), float64(b))
}

// gdtFD returns the central finite difference of f at x in each coordinate of
// idx (all when idx is nil), with h = hRel·max(1, |x_i|), and the largest h.
func gdtFD(t *testing.T, f func([]float64) (float64, error), x []float64, idx []int, hRel float64) (fd []float64, hMax float64) {
	t.Helper()
	fd = make([]float64, len(x))
	if idx == nil {
		idx = make([]int, len(x))
		for i := range idx {
			idx[i] = i
		}
	}
	xx := slices.Clone(x)
	for _, i := range idx {
		if math.IsNaN(x[i]) {
			continue
		}
		h := hRel * math.Max(1, math.Abs(x[i]))
		xp, xm := x[i]+h, x[i]-h
		xx[i] = xp
		fp, err := f(xx)
		require.NoError(t, err)
		xx[i] = xm
		fm, err := f(xx)
		require.NoError(t, err)
		xx[i] = x[i]
		fd[i] = (fp - fm) / (xp - xm)
		hMax = math.Max(hMax, h)
	}
	return fd, hMax
}

// gdtForKernels runs body once per available kernel level.
func gdtForKernels(t *testing.T, body func(t *testing.T)) {
	for _, k := range losses.Kernels() {
		t.Run(k, func(t *testing.T) {
			restore, err := losses.UseKernel(k)
			require.NoError(t, err)
			defer restore()
			body(t)
		})
	}
}

// gdtFDTol is the finite-difference tolerance: 1e-6 relative, plus the
// rounding noise of the scalar (≈ ε·scale/h) and 1e-9 of the largest entry.
func gdtFDTol(fd []float64, scale, h float64) func(i int) float64 {
	m := gdtMaxAbs(fd)
	return func(i int) float64 {
		return 1e-6*math.Abs(fd[i]) + 1e-9*m + 64*0x1p-52*scale/h + 1e-300
	}
}

// ---------------------------------------------------------------------------
// Tests.

// TestGradientFiniteDifference checks the fused float64 gradient of every
// loss, weight form and reduction against central finite differences of the
// returned scalar and against the oracle w·g/D; the returned value is checked
// against the oracle too (SPEC.md section 6: 1e-12 of Σ|w·l|).
func TestGradientFiniteDifference(t *testing.T) {
	cases := gdtCases(1, false)
	gdtForKernels(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(2, 3))
		for ci := range cases {
			c := &cases[ci]
			t.Run(c.name, func(t *testing.T) {
				for _, w := range c.forms(rng) {
					for _, r := range c.reds() {
						what := fmt.Sprintf("%s weights=%s reduce=%s", c.name, w.name, r.name)
						opts := gdtCat(w.opts64(), r.opts)
						grad := gdtFill(make([]float64, len(c.x)), 12345)
						v, err := c.f64(c.x, gdtCat(opts, []losses.Option{losses.Gradient(grad)})...)
						require.NoError(t, err, what)
						o := c.oracle(c.x, w, r.r)
						if o.d == 0 {
							assert.Zero(t, v, what+": value with D = 0")
							gdtCheckPlusZero(t, what, grad)
						} else {
							assert.InDelta(t, o.value, v, 1e-12*o.scale+1e-300, what+": value vs oracle")
						}
						gm := gdtMaxAbs(o.grad)
						gdtCheckVec(t, what+": gradient vs oracle w·g/D", grad, o.grad, func(int) float64 { return 1e-13*gm + 1e-300 })
						fd, h := gdtFD(t, func(x []float64) (float64, error) { return c.f64(x, opts...) }, c.x, nil, 1e-6)
						gdtCheckVec(t, what+": gradient vs central finite difference", grad, fd, gdtFDTol(fd, o.scale+math.Abs(o.value), h))
					}
				}
			})
		}
	})
}

// TestGradientUnreducedFused checks that Gradient does not change the
// returned scalar, that Unreduced and Gradient together give the same values
// as each alone (bitwise), and that Unreduced is w·l (never divided by D), in
// float64 and float32.
func TestGradientUnreducedFused(t *testing.T) {
	cases := gdtCases(4, false)
	gdtForKernels(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(5, 6))
		for ci := range cases {
			c := &cases[ci]
			t.Run(c.name, func(t *testing.T) {
				x32 := gdtTo32(c.x)
				for _, w := range c.forms(rng) {
					for _, r := range c.reds() {
						what := fmt.Sprintf("%s weights=%s reduce=%s", c.name, w.name, r.name)
						o := c.oracle(c.x, w, r.r)
						nu := len(o.unred)

						opts := gdtCat(w.opts64(), r.opts)
						v0, err := c.f64(c.x, opts...)
						require.NoError(t, err, what)
						g1 := gdtFill(make([]float64, len(c.x)), -7)
						vg, err := c.f64(c.x, gdtCat(opts, []losses.Option{losses.Gradient(g1)})...)
						require.NoError(t, err, what)
						gdtCheckScalar(t, what+": float64 value with Gradient vs without", vg, v0)
						if !c.unred {
							_, err := c.f64(c.x, gdtCat(opts, []losses.Option{losses.Unreduced(make([]float64, len(c.x)))})...)
							require.ErrorIs(t, err, losses.ErrOption, what+": Unreduced must not apply")
						} else {
							u1 := gdtFill(make([]float64, nu), -7)
							vu, err := c.f64(c.x, gdtCat(opts, []losses.Option{losses.Unreduced(u1)})...)
							require.NoError(t, err, what)
							u2, g2 := gdtFill(make([]float64, nu), -9), gdtFill(make([]float64, len(c.x)), -9)
							vb, err := c.f64(c.x, gdtCat(opts, []losses.Option{losses.Unreduced(u2), losses.Gradient(g2)})...)
							require.NoError(t, err, what)
							gdtCheckScalar(t, what+": float64 value with Unreduced vs without", vu, v0)
							gdtCheckScalar(t, what+": float64 value with Unreduced+Gradient vs without", vb, v0)
							gdtCheckBitwise(t, what+": float64 Gradient alone vs with Unreduced", g1, g2)
							gdtCheckBitwise(t, what+": float64 Unreduced alone vs with Gradient", u1, u2)
							um := gdtMaxAbs(o.unred)
							gdtCheckVec(t, what+": float64 Unreduced vs oracle w·l", u1, o.unred, func(int) float64 { return 1e-13*um + 1e-300 })
						}

						opts32 := gdtCat(w.opts32(), r.opts)
						w0, err := c.f32(x32, opts32...)
						require.NoError(t, err, what)
						h1 := gdtFill(make([]float32, len(c.x)), -7)
						wg, err := c.f32(x32, gdtCat(opts32, []losses.Option{losses.Gradient(h1)})...)
						require.NoError(t, err, what)
						gdtCheckScalar(t, what+": float32 value with Gradient vs without", wg, w0)
						if c.unred {
							u1 := gdtFill(make([]float32, nu), -7)
							wu, err := c.f32(x32, gdtCat(opts32, []losses.Option{losses.Unreduced(u1)})...)
							require.NoError(t, err, what)
							u2, h2 := gdtFill(make([]float32, nu), -9), gdtFill(make([]float32, len(c.x)), -9)
							wb, err := c.f32(x32, gdtCat(opts32, []losses.Option{losses.Unreduced(u2), losses.Gradient(h2)})...)
							require.NoError(t, err, what)
							gdtCheckScalar(t, what+": float32 value with Unreduced vs without", wu, w0)
							gdtCheckScalar(t, what+": float32 value with Unreduced+Gradient vs without", wb, w0)
							gdtCheckBitwise(t, what+": float32 Gradient alone vs with Unreduced", h1, h2)
							gdtCheckBitwise(t, what+": float32 Unreduced alone vs with Gradient", u1, u2)
						}
					}
				}
			})
		}
	})
}

// TestGradientFloat32 checks the float32 gradient against the float64
// gradient of the same (float32-representable) inputs within SPEC.md
// section 6's per-element tolerance, max(4 ulp, 1e-6·max|output|), and the
// float32 value within 1e-5 of Σ|w·l|.
func TestGradientFloat32(t *testing.T) {
	cases := gdtCases(7, false)
	gdtForKernels(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(8, 9))
		for ci := range cases {
			c := &cases[ci]
			t.Run(c.name, func(t *testing.T) {
				x32 := gdtTo32(c.x)
				for _, w := range c.forms(rng) {
					for _, r := range c.reds() {
						what := fmt.Sprintf("%s weights=%s reduce=%s", c.name, w.name, r.name)
						g64 := make([]float64, len(c.x))
						v64, err := c.f64(c.x, gdtCat(w.opts64(), r.opts, []losses.Option{losses.Gradient(g64)})...)
						require.NoError(t, err, what)
						g32 := gdtFill(make([]float32, len(c.x)), 12345)
						v32, err := c.f32(x32, gdtCat(w.opts32(), r.opts, []losses.Option{losses.Gradient(g32)})...)
						require.NoError(t, err, what)
						o := c.oracle(c.x, w, r.r)
						if o.d == 0 {
							assert.Zero(t, v32, what+": float32 value with D = 0")
							gdtCheckPlusZero(t, what+": float32", g32)
							continue
						}
						assert.InDelta(t, v64, float64(v32), 1e-5*o.scale+1e-30, what+": float32 value vs float64")
						m := gdtMaxAbs(g64)
						gdtCheckVec(t, what+": float32 gradient vs float64", g32, g64, func(i int) float64 {
							e := float32(math.Abs(g64[i]))
							ulp := float64(math.Nextafter32(e, float32(math.Inf(1))) - e)
							return math.Max(4*ulp, 1e-6*m)
						})
					}
				}
			})
		}
	})
}

// TestGradientZeroDenominator checks SPEC.md section 2's rule: when the
// reduction's denominator is 0 (all weights 0 under SumByNonzeroWeights or
// Mean, or Σw = 0 under Mean) the value is 0 and the gradient is all +0, even
// when the inputs hold NaN, with and without Unreduced, in both precisions.
func TestGradientZeroDenominator(t *testing.T) {
	cases := gdtCases(10, true)
	gdtForKernels(t, func(t *testing.T) {
		for ci := range cases {
			c := &cases[ci]
			if !c.red {
				continue
			}
			t.Run(c.name, func(t *testing.T) {
				b, n := c.ls[0], gdtProd(c.ls)
				forms := []gdtWeights{
					{name: "Weight(0)", kind: gdtWScalar, s: 0},
					{name: "Scalar(0)", kind: gdtWTensor, data: []float64{0}, shape: []int{}},
					{name: "[B]zeros", kind: gdtWTensor, data: make([]float64, b), shape: []int{b}},
					{name: "[B,1]zeros", kind: gdtWTensor, data: make([]float64, b), shape: []int{b, 1}},
					{name: "fullZeros", kind: gdtWTensor, data: make([]float64, n), shape: slices.Clone(c.ls)},
					{name: "fullZeroSum", kind: gdtWTensor, data: gdtZeroSumW(n), shape: slices.Clone(c.ls)},
				}
				if b%2 == 0 {
					forms = append(forms, gdtWeights{name: "[B]zeroSum", kind: gdtWTensor, data: gdtZeroSumW(b), shape: []int{b}})
				}
				for _, w := range forms {
					for _, r := range gdtReds {
						if gdtDenom(r.r, w.expand(c.ls)) != 0 {
							continue
						}
						what := fmt.Sprintf("%s (NaN inputs) weights=%s reduce=%s", c.name, w.name, r.name)
						g := gdtFill(make([]float64, len(c.x)), math.NaN())
						v, err := c.f64(c.x, gdtCat(w.opts64(), r.opts, []losses.Option{losses.Gradient(g)})...)
						require.NoError(t, err, what)
						assert.Zero(t, v, what+": float64 value")
						gdtCheckPlusZero(t, what+": float64", g)

						u := make([]float64, len(c.oracle(c.x, w, r.r).unred))
						gdtFill(g, -1)
						v, err = c.f64(c.x, gdtCat(w.opts64(), r.opts, []losses.Option{losses.Unreduced(u), losses.Gradient(g)})...)
						require.NoError(t, err, what)
						assert.Zero(t, v, what+": float64 value with Unreduced")
						gdtCheckPlusZero(t, what+": float64 with Unreduced", g)

						g32 := gdtFill(make([]float32, len(c.x)), float32(math.NaN()))
						v32, err := c.f32(gdtTo32(c.x), gdtCat(w.opts32(), r.opts, []losses.Option{losses.Gradient(g32)})...)
						require.NoError(t, err, what)
						assert.Zero(t, v32, what+": float32 value")
						gdtCheckPlusZero(t, what+": float32", g32)
					}
				}
			})
		}
	})
}

// TestGradientDenominatorHeldConstant checks that the gradient is w·g/D with
// D the reduction's denominator taken as a constant (weights are not
// differentiated): for ComputeWeightedLoss the gradient with respect to the
// losses is exactly w/D.
func TestGradientDenominatorHeldConstant(t *testing.T) {
	gdtForKernels(t, func(t *testing.T) {
		losses64 := []float64{0.5, 3, -1, 2, 7, 0.25, 1, 4}
		w := []float64{2, 0, -1, 0.5, 1, 3, 0, 1.5} // Σw = 7, 6 nonzero
		cases := []struct {
			r losses.Reduction
			d float64
		}{{losses.SumByNonzeroWeights, 6}, {losses.Sum, 1}, {losses.Mean, 7}, {losses.SumOverBatchSize, 8}}
		for _, shape := range [][]int{{8}, {2, 4}, {4, 2}} {
			for _, cs := range cases {
				what := fmt.Sprintf("ComputeWeightedLoss%v reduce=%v", shape, cs.r)
				g := make([]float64, 8)
				v, err := losses.ComputeWeightedLoss(losses.New(losses64, shape...),
					losses.Weights(losses.New(w, shape...)), losses.Reduce(cs.r), losses.Gradient(g))
				require.NoError(t, err, what)
				num := 0.0
				for i := range w {
					num += w[i] * losses64[i]
				}
				assert.InDelta(t, num/cs.d, v, 1e-15*math.Abs(num/cs.d), what)
				for i := range g {
					assert.InDelta(t, w[i]/cs.d, g[i], 1e-16, "%s: gradient[%d]", what, i)
				}
			}
		}
	})
}

// TestGradientMeanPairwise checks MeanPairwiseSquaredError's gradient rules:
// w_b·(4/n_b)·(d_i − mean_b d); rows of weight 0 get exactly 0 even when they
// hold NaN (and contribute 0 to the value and to Unreduced); an offset of
// 1000 on d loses no accuracy.
func TestGradientMeanPairwise(t *testing.T) {
	gdtForKernels(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(11, 12))
		const b, n = 4, 6
		p, y := make([]float64, b*n), make([]float64, b*n)
		for i := range p {
			p[i], y[i] = gdtU(rng, -2, 2), gdtU(rng, -2, 2)
		}
		p[1], y[4] = math.NaN(), math.NaN() // row 0
		y[3*n+2] = math.NaN()               // row 3
		w := []float64{0, 1.5, -0.5, 0}
		for _, ws := range [][]int{{b}, {b, 1}} {
			what := fmt.Sprintf("MeanPairwiseSquaredError weights%v with NaN in the weight-0 rows", ws)
			g := gdtFill(make([]float64, b*n), 12345)
			u := gdtFill(make([]float64, b), 12345)
			v, err := losses.MeanPairwiseSquaredError(losses.New(p, b, n), losses.New(y, b, n),
				losses.Weights(losses.New(w, ws...)), losses.Unreduced(u), losses.Gradient(g))
			require.NoError(t, err, what)
			want := 0.0
			for r := 0; r < b; r++ {
				d := make([]float64, n)
				mean := 0.0
				for k := range d {
					d[k] = p[r*n+k] - y[r*n+k]
					mean += d[k]
				}
				mean /= n
				lb := 0.0
				for k := range d {
					lb += (d[k] - mean) * (d[k] - mean)
				}
				lb *= 2.0 / n
				if w[r] == 0 {
					for k := 0; k < n; k++ {
						assert.Zero(t, g[r*n+k], "%s: gradient[%d] of weight-0 row %d", what, r*n+k, r)
					}
					assert.Zero(t, u[r], "%s: Unreduced[%d] of weight-0 row", what, r)
					continue
				}
				want += w[r] * lb
				assert.InDelta(t, w[r]*lb, u[r], 1e-14, "%s: Unreduced[%d]", what, r)
				for k := 0; k < n; k++ {
					assert.InDelta(t, w[r]*4/n*(d[k]-mean), g[r*n+k], 1e-14, "%s: gradient[%d]", what, r*n+k)
				}
			}
			assert.InDelta(t, want, v, 1e-13, what+": value")
			fd, _ := gdtFD(t, func(x []float64) (float64, error) {
				return losses.MeanPairwiseSquaredError(losses.New(x, b, n), losses.New(y, b, n), losses.Weights(losses.New(w, ws...)))
			}, p, nil, 1e-6)
			gdtCheckVec(t, what+": gradient vs finite difference", g, fd, gdtFDTol(fd, math.Abs(v), 1e-6))
		}

		// All weights 0: the value and the whole gradient are 0.
		g := gdtFill(make([]float64, b*n), 12345)
		v, err := losses.MeanPairwiseSquaredError(losses.New(p, b, n), losses.New(y, b, n), losses.Weight(0), losses.Gradient(g))
		require.NoError(t, err)
		assert.Zero(t, v, "Weight(0): value")
		for i, gi := range g {
			assert.Zero(t, gi, "Weight(0): gradient[%d]", i)
		}

		// Offset 1000 on d: the gradient stays accurate (relative to its size).
		q := make([]float64, b*n)
		for i := range q {
			y[i] = gdtU(rng, -1, 1)
			q[i] = y[i] + 1000 + gdtU(rng, -1, 1)
		}
		g = make([]float64, b*n)
		v, err = losses.MeanPairwiseSquaredError(losses.New(q, b, n), losses.New(y, b, n), losses.Gradient(g))
		require.NoError(t, err)
		want := make([]float64, b*n)
		lsum := 0.0
		for r := 0; r < b; r++ {
			// Two-pass mean with a compensated first pass.
			s, cpn := 0.0, 0.0
			for k := 0; k < n; k++ {
				d := q[r*n+k] - y[r*n+k]
				sum := s + d
				cpn += (s - sum) + d
				s = sum
			}
			mean := (s + cpn) / n
			for k := 0; k < n; k++ {
				c := q[r*n+k] - y[r*n+k] - mean
				want[r*n+k] = 4.0 / n * c
				lsum += 2.0 / n * c * c
			}
		}
		m := gdtMaxAbs(want)
		gdtCheckVec(t, "offset 1000: gradient", g, want, func(int) float64 { return 1e-10 * m })
		assert.InDelta(t, lsum, v, 1e-10*lsum, "offset 1000: value")
		fd, _ := gdtFD(t, func(x []float64) (float64, error) {
			return losses.MeanPairwiseSquaredError(losses.New(x, b, n), losses.New(y, b, n))
		}, q, nil, 1e-7)
		gdtCheckVec(t, "offset 1000: gradient vs finite difference", g, fd, func(i int) float64 { return 1e-5*math.Abs(fd[i]) + 1e-6*m })
	})
}

// TestGradientRegularizerScaleZero checks L1 and L2 with scale 0: value 0,
// gradient 0, and that Weights, Weight and Unreduced do not apply.
func TestGradientRegularizerScaleZero(t *testing.T) {
	x := []float64{1, -2, 0.5, 0, -0.25}
	for _, f := range []struct {
		name string
		fn   func(losses.Tensor[float64], float64, ...losses.Option) (float64, error)
	}{{"L1", losses.L1[float64]}, {"L2", losses.L2[float64]}} {
		g := gdtFill(make([]float64, len(x)), 12345)
		v, err := f.fn(losses.New(x), 0, losses.Gradient(g))
		require.NoError(t, err, f.name)
		assert.Zero(t, v, f.name)
		for i, gi := range g {
			assert.Zero(t, gi, "%s: gradient[%d]", f.name, i)
		}
		// The gradient at an exact 0 parameter is 0 (sign(0) = 0).
		v, err = f.fn(losses.New(x), 2, losses.Gradient(g))
		require.NoError(t, err, f.name)
		assert.Zero(t, g[3], "%s: gradient at param 0", f.name)
		_, err = f.fn(losses.New(x), 2, losses.Gradient(g), losses.Weight(1))
		assert.ErrorIs(t, err, losses.ErrOption, f.name+" with Weight")
		_, err = f.fn(losses.New(x), 2, losses.Gradient(g), losses.Unreduced(make([]float64, len(x))))
		assert.ErrorIs(t, err, losses.ErrOption, f.name+" with Unreduced")
		_ = v
	}
}

// TestGradientLarge checks inputs spanning several reduction blocks (more
// than 8192 measurable elements, and single weight rows longer than a block)
// against the oracle everywhere and finite differences at sampled indices.
func TestGradientLarge(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	u := func(n int, lo, hi float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = gdtU(rng, lo, hi)
		}
		return v
	}
	var cs []gdtCase
	for _, shape := range [][]int{{2, 9000}, {1500, 7}} {
		n := gdtProd(shape)
		cs = append(cs,
			gdtPairCase("MeanSquaredError", shape, u(n, -2, 2), u(n, -2, 2), nil,
				losses.MeanSquaredError[float64], losses.MeanSquaredError[float32], gdtSq),
			gdtCWLCase(shape, u(n, -1, 3)),
		)
	}
	{
		shape := []int{2, 9000}
		cs = append(cs,
			gdtPairCase("LogLoss", shape, u(18000, 0.05, 0.95), u(18000, 0, 1), nil,
				losses.LogLoss[float64], losses.LogLoss[float32], gdtLog(1e-7)),
			gdtPairCase("SigmoidCrossEntropy", []int{1500, 7}, u(10500, -4, 4), u(10500, 0, 1), nil,
				losses.SigmoidCrossEntropy[float64], losses.SigmoidCrossEntropy[float32], gdtSigmoid(0)),
		)
	}
	{
		shape := []int{1400, 7}
		labels := make([]int32, 1400)
		z := make([]float64, 1400*7)
		for r := range labels {
			labels[r] = int32(rng.IntN(7))
			z[r*7+int(labels[r])] = 1
		}
		x := u(1400*7, -3, 3)
		cs = append(cs, gdtSoftmaxCase(shape, x, z, 0.125), gdtSparseCase(shape, x, labels, 0),
			gdtSparseCase(shape, x, gdtConvLabels[int](labels), 0.125))
		cs = append(cs, gdtCosineCase([]int{3, 3000, 3}, 1, u(27000, -1, 1), u(27000, -1, 1)))
		cs = append(cs, gdtMPSECase([]int{2, 9000}, u(18000, -2, 2), u(18000, -2, 2)))
	}
	gdtForKernels(t, func(t *testing.T) {
		for ci := range cs {
			c := &cs[ci]
			t.Run(c.name, func(t *testing.T) {
				b, n := c.ls[0], gdtProd(c.ls)
				forms := []gdtWeights{
					{name: "none"},
					{name: "[B]", kind: gdtWTensor, data: gdtRandW(rng, b), shape: []int{b}},
				}
				if c.wmode == gdtModeAll {
					forms = append(forms, gdtWeights{name: "full", kind: gdtWTensor, data: gdtRandW(rng, n), shape: slices.Clone(c.ls)})
				}
				idx := make([]int, 6)
				for i := range idx {
					idx[i] = rng.IntN(len(c.x))
				}
				idx[0], idx[1] = 0, len(c.x)-1
				for _, w := range forms {
					for _, r := range c.reds() {
						if r.name == "default" {
							continue
						}
						what := fmt.Sprintf("%s weights=%s reduce=%s", c.name, w.name, r.name)
						opts := gdtCat(w.opts64(), r.opts)
						g := make([]float64, len(c.x))
						v, err := c.f64(c.x, gdtCat(opts, []losses.Option{losses.Gradient(g)})...)
						require.NoError(t, err, what)
						o := c.oracle(c.x, w, r.r)
						assert.InDelta(t, o.value, v, 1e-12*o.scale, what+": value vs oracle")
						gm := gdtMaxAbs(o.grad)
						gdtCheckVec(t, what+": gradient vs oracle", g, o.grad, func(int) float64 { return 1e-13 * gm })
						fd, h := gdtFD(t, func(x []float64) (float64, error) { return c.f64(x, opts...) }, c.x, idx, 1e-5)
						tol := gdtFDTol(fd, o.scale+math.Abs(o.value), h)
						for _, i := range idx {
							assert.InDelta(t, fd[i], g[i], tol(i)+1e-7*gm, "%s: gradient[%d] vs finite difference", what, i)
						}
					}
				}
			})
		}
	})
}

// TestGradientEmpty checks Gradient with zero-length destinations: empty
// inputs (a loss over zero measurable elements is 0), softmax rows of zero
// classes (each row's loss is 0) and cosine slices of length 0 (each loss is
// 1 − 0 = 1), under every reduction.
func TestGradientEmpty(t *testing.T) {
	gdtForKernels(t, func(t *testing.T) {
		empty := losses.New[float64](nil)
		for _, r := range gdtReds {
			g := []float64{}
			opts := gdtCat(r.opts, []losses.Option{losses.Gradient(g)})
			for name, call := range map[string]func() (float64, error){
				"AbsoluteDifference":  func() (float64, error) { return losses.AbsoluteDifference(empty, empty, opts...) },
				"MeanSquaredError":    func() (float64, error) { return losses.MeanSquaredError(empty, empty, opts...) },
				"LogLoss":             func() (float64, error) { return losses.LogLoss(empty, empty, opts...) },
				"HingeLoss":           func() (float64, error) { return losses.HingeLoss(empty, empty, opts...) },
				"SigmoidCrossEntropy": func() (float64, error) { return losses.SigmoidCrossEntropy(empty, empty, opts...) },
				"ComputeWeightedLoss": func() (float64, error) { return losses.ComputeWeightedLoss(empty, opts...) },
				"SoftmaxCrossEntropy[0,4]": func() (float64, error) {
					return losses.SoftmaxCrossEntropy(losses.New[float64](nil, 0, 4), losses.New[float64](nil, 0, 4), opts...)
				},
				"SparseSoftmaxCrossEntropy[0,4]": func() (float64, error) {
					return losses.SparseSoftmaxCrossEntropy(losses.New[float64](nil, 0, 4), []int{}, opts...)
				},
				"SoftmaxCrossEntropy[3,0]": func() (float64, error) {
					return losses.SoftmaxCrossEntropy(losses.New[float64](nil, 3, 0), losses.New[float64](nil, 3, 0), opts...)
				},
				"CosineDistance[0,3]": func() (float64, error) {
					return losses.CosineDistance(losses.New[float64](nil, 0, 3), losses.New[float64](nil, 0, 3), 1, opts...)
				},
			} {
				v, err := call()
				require.NoError(t, err, "%s reduce=%s", name, r.name)
				assert.Zero(t, v, "%s reduce=%s", name, r.name)
			}
			// Cosine over an axis of length 0: three slices of loss 1.
			v, err := losses.CosineDistance(losses.New[float64](nil, 3, 0), losses.New[float64](nil, 3, 0), 1, opts...)
			require.NoError(t, err, "CosineDistance[3,0] reduce=%s", r.name)
			want := 1.0
			if r.r == losses.Sum {
				want = 3
			}
			assert.InDelta(t, want, v, 1e-15, "CosineDistance[3,0] reduce=%s", r.name)
		}
		for _, f := range []func(losses.Tensor[float64], float64, ...losses.Option) (float64, error){losses.L1[float64], losses.L2[float64]} {
			v, err := f(empty, 1, losses.Gradient([]float64{}))
			require.NoError(t, err)
			assert.Zero(t, v)
		}
		g := []float64{}
		v, err := losses.MeanPairwiseSquaredError(losses.New[float64](nil, 3, 0), losses.New[float64](nil, 3, 0), losses.Gradient(g))
		require.NoError(t, err, "MeanPairwiseSquaredError[3,0]")
		assert.Zero(t, v, "MeanPairwiseSquaredError[3,0]")
	})
}
