package losses

import (
	"math"
	"unsafe"

	"github.com/simdloss/simdloss/reduce"
)

// Reduction selects how the weighted losses become a scalar (SPEC.md section 4).
type Reduction int

// The reductions. num = Σ w(e)·l(e) over the measurable elements e; when the
// denominator is 0 the result is exactly 0.
const (
	// SumByNonzeroWeights is num / count(e: w(e) != 0), the default and the only contrib mode.
	SumByNonzeroWeights Reduction = Reduction(reduce.SumByNonzeroWeights)
	// Sum is num.
	Sum Reduction = Reduction(reduce.Sum)
	// Mean is num / Σ w(e).
	Mean Reduction = Reduction(reduce.Mean)
	// SumOverBatchSize is num / (number of measurable elements).
	SumOverBatchSize Reduction = Reduction(reduce.SumOverBatchSize)
)

func (r Reduction) String() string { return reduce.Reduction(r).String() }

type optKind uint8

const (
	optInvalid optKind = iota // the zero Option
	optWeights
	optWeight
	optReduce
	optEpsilon
	optSmoothing
	optUnreduced
	optGradient
	optInto
	optNamed
)

var optNames = [...]string{"zero Option", "Weights", "Weight", "Reduce", "Epsilon", "LabelSmoothing", "Unreduced", "Gradient", "Into", "Named"}

// Option configures a loss. It is a plain value: passing options allocates nothing.
type Option struct {
	kind  optKind
	esize uint8 // element size of the Weights or destination slice
	f     float64
	ptr   unsafe.Pointer // Weights data or destination
	n     int            // its length
	shape []int          // Weights shape
	coll  *Collection
	name  string
}

// Weights weighs the measurable elements with w, broadcast as in SPEC.md
// section 3: w's dims align with the leading dims of the losses, each equal
// or 1, and a trailing 1 is dropped (so [B,1] means [B]). w must have the
// loss's element type.
func Weights[T Float](w Tensor[T]) Option {
	return Option{kind: optWeights, esize: uint8(unsafe.Sizeof(T(0))), ptr: unsafe.Pointer(unsafe.SliceData(w.Data)), n: len(w.Data), shape: w.Shape}
}

// Weight weighs every measurable element with w.
func Weight(w float64) Option { return Option{kind: optWeight, f: w} }

// Reduce selects the reduction (default SumByNonzeroWeights).
func Reduce(r Reduction) Option { return Option{kind: optReduce, f: float64(r)} }

// Epsilon sets LogLoss's ε (finite, >= 0; default 1e-7).
func Epsilon(e float64) Option { return Option{kind: optEpsilon, f: e} }

// LabelSmoothing sets the label smoothing L in [0, 1] of the sigmoid, softmax
// and sparse softmax cross-entropies (default 0).
func LabelSmoothing(s float64) Option { return Option{kind: optSmoothing, f: s} }

// Unreduced also writes each measurable element's weighted loss w(e)·l(e) to
// dst, never divided by the reduction's denominator. len(dst) must be the
// number of measurable elements.
func Unreduced[T Float](dst []T) Option {
	return Option{kind: optUnreduced, esize: uint8(unsafe.Sizeof(T(0))), ptr: unsafe.Pointer(unsafe.SliceData(dst)), n: len(dst)}
}

// Gradient also writes the gradient of the returned value with respect to
// the predictions (or logits, losses or params) to dst, in the same pass:
// w(e)·g(e)/D with D the reduction's denominator, all +0 when D is 0.
// len(dst) must equal the length of the predictions.
func Gradient[T Float](dst []T) Option {
	return Option{kind: optGradient, esize: uint8(unsafe.Sizeof(T(0))), ptr: unsafe.Pointer(unsafe.SliceData(dst)), n: len(dst)}
}

// Into appends the result to c (its losses, or its regularisation losses for
// L1 and L2), under the function's TensorFlow name or the one of Named.
func Into(c *Collection) Option { return Option{kind: optInto, coll: c} }

// Named sets the name Into records the result under.
func Named(name string) Option { return Option{kind: optNamed, name: name} }

// allow is a set of option kinds a function accepts.
type allow uint16

func allowOf(kinds ...optKind) allow {
	var a allow
	for _, k := range kinds {
		a |= 1 << k
	}
	return a
}

var (
	allowCommon    = allowOf(optWeights, optWeight, optReduce, optUnreduced, optGradient, optInto, optNamed)
	allowLog       = allowCommon | allowOf(optEpsilon)
	allowSmoothing = allowCommon | allowOf(optSmoothing)
	allowPairwise  = allowOf(optWeights, optWeight, optUnreduced, optGradient, optInto, optNamed)
	allowRegular   = allowOf(optGradient, optInto, optNamed)
)

// dst is a destination slice given by an option.
type dst struct {
	ptr unsafe.Pointer
	n   int
	on  bool
}

// defaultEpsilon is LogLoss's ε when no Epsilon option is given.
const defaultEpsilon = 1e-7

// config is the parsed options of one call.
type config struct {
	fn      string
	weights Option // optWeights, or optWeight, or optInvalid for none
	red     reduce.Reduction
	eps     float64
	smooth  float64
	unred   dst
	grad    dst
	coll    *Collection
	name    string // set by Named; otherwise the TensorFlow name
	named   bool
	esize   uint8
}

// parse checks opts against the function fn's allowed set for element size esize.
func parse(fn string, esize uint8, allowed allow, opts []Option) (config, error) {
	c := config{fn: fn, eps: defaultEpsilon, esize: esize}
	var seen allow
	for i := range opts {
		o := &opts[i]
		k := o.kind
		if k == optInvalid || int(k) >= len(optNames) {
			return c, errorf(ErrOption, fn, "option %d is the zero Option", i)
		}
		if allowed&(1<<k) == 0 {
			return c, errorf(ErrOption, fn, "option %s does not apply", optNames[k])
		}
		group := allow(1) << k
		if k == optWeight || k == optWeights {
			group = allowOf(optWeight, optWeights)
		}
		if seen&group != 0 {
			return c, errorf(ErrOption, fn, "option %s given twice (Weight and Weights count as one)", optNames[k])
		}
		seen |= group
		switch k {
		case optWeights:
			if o.esize != esize {
				return c, errorf(ErrOption, fn, "Weights of %d-byte elements for %d-byte inputs", o.esize, esize)
			}
			c.weights = *o
		case optWeight:
			c.weights = *o
		case optReduce:
			r := reduce.Reduction(o.f)
			if !r.Valid() || float64(r) != o.f {
				return c, errorf(ErrOption, fn, "Reduce(%v) is not a reduction", o.f)
			}
			c.red = r
		case optEpsilon:
			if !(o.f >= 0) || math.IsInf(o.f, 0) {
				return c, errorf(ErrOption, fn, "Epsilon(%v) must be finite and >= 0", o.f)
			}
			c.eps = o.f
		case optSmoothing:
			if !(o.f >= 0 && o.f <= 1) {
				return c, errorf(ErrOption, fn, "LabelSmoothing(%v) must be in [0, 1]", o.f)
			}
			c.smooth = o.f
		case optUnreduced, optGradient:
			if o.esize != esize {
				return c, errorf(ErrOption, fn, "%s destination of %d-byte elements for %d-byte inputs", optNames[k], o.esize, esize)
			}
			d := dst{ptr: o.ptr, n: o.n, on: true}
			if k == optUnreduced {
				c.unred = d
			} else {
				c.grad = d
			}
		case optInto:
			if o.coll == nil {
				return c, errorf(ErrOption, fn, "Into(nil)")
			}
			c.coll = o.coll
		case optNamed:
			c.name, c.named = o.name, true
		}
	}
	return c, nil
}

// span is a byte range of an input, for overlap checks.
type span struct{ lo, hi uintptr }

func spanOf[T any](s []T) span {
	if len(s) == 0 {
		return span{}
	}
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	return span{lo, lo + uintptr(len(s))*unsafe.Sizeof(s[0])}
}

func (d dst) span(esize uint8) span {
	if d.n == 0 {
		return span{}
	}
	lo := uintptr(d.ptr)
	return span{lo, lo + uintptr(d.n)*uintptr(esize)}
}

func (a span) overlaps(b span) bool { return a.lo < b.hi && b.lo < a.hi }

// checkDsts validates the destinations: unreduced must hold nUnred values and
// the gradient nGrad; neither may overlap an input or the other.
func (c *config) checkDsts(nUnred, nGrad int, inputs ...span) error {
	if c.unred.on && c.unred.n != nUnred {
		return errorf(ErrOption, c.fn, "Unreduced destination has length %d, want %d (measurable elements)", c.unred.n, nUnred)
	}
	if c.grad.on && c.grad.n != nGrad {
		return errorf(ErrOption, c.fn, "Gradient destination has length %d, want %d", c.grad.n, nGrad)
	}
	u, g := c.unred.span(c.esize), c.grad.span(c.esize)
	var w span
	if c.weights.kind == optWeights {
		w = dst{ptr: c.weights.ptr, n: c.weights.n}.span(c.esize)
	}
	for i := -1; i < len(inputs); i++ {
		in := w
		if i >= 0 {
			in = inputs[i]
		}
		if c.unred.on && u.overlaps(in) {
			return errorf(ErrOption, c.fn, "Unreduced destination overlaps an input")
		}
		if c.grad.on && g.overlaps(in) {
			return errorf(ErrOption, c.fn, "Gradient destination overlaps an input")
		}
	}
	if c.unred.on && c.grad.on && u.overlaps(g) {
		return errorf(ErrOption, c.fn, "Unreduced and Gradient destinations overlap")
	}
	return nil
}

// slice returns the destination as a []E, nil when the option is absent.
func slice[E Float](d dst) []E {
	if !d.on {
		return nil
	}
	if d.n == 0 {
		return []E{}
	}
	return unsafe.Slice((*E)(d.ptr), d.n)
}
