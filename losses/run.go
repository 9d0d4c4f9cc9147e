package losses

import (
	"github.com/simdloss/simdloss/asm"
	"github.com/simdloss/simdloss/internal/noescape"
	"github.com/simdloss/simdloss/reduce"
)

// tfNames are the default Named values: TensorFlow's function names.
var tfNames = map[string]string{
	"AbsoluteDifference":        "absolute_difference",
	"MeanSquaredError":          "mean_squared_error",
	"LogLoss":                   "log_loss",
	"HingeLoss":                 "hinge_loss",
	"SigmoidCrossEntropy":       "sigmoid_cross_entropy",
	"SoftmaxCrossEntropy":       "softmax_cross_entropy",
	"SparseSoftmaxCrossEntropy": "sparse_softmax_cross_entropy",
	"CosineDistance":            "cosine_distance",
	"MeanPairwiseSquaredError":  "mean_pairwise_squared_error",
	"ComputeWeightedLoss":       "compute_weighted_loss",
	"L1":                        "l1_regularizer",
	"L2":                        "l2_regularizer",
}

func tfName(fn string) string { return tfNames[fn] }

// esize is the size in bytes of T's elements.
func esize[T Float]() uint8 {
	if is32[T]() {
		return 4
	}
	return 8
}

// weighting builds the broadcast of the options' weights over the
// measurable dims ls (n elements).
func weighting[E asm.Float](c *config, ls []int, wt *reduce.Weighting[E]) error {
	n, _ := elems(ls)
	switch c.weights.kind {
	case optWeight:
		wt.Uniform(n, E(c.weights.f))
		return nil
	case optWeights:
	default:
		wt.Uniform(n, 1)
		return nil
	}
	if err := c.checkWeightsTensor(); err != nil {
		return err
	}
	o := &c.weights
	w := slice[E](dst{ptr: o.ptr, n: o.n, on: true})
	switch e, k := wt.Init(ls, o.shape, w); e {
	case reduce.WeightsOK:
		return nil
	case reduce.WeightsRank:
		return errorf(ErrWeights, c.fn, "weights shape %s has more dims than the losses %s", shapeString(o.shape), shapeString(ls))
	case reduce.WeightsDim:
		return errorf(ErrWeights, c.fn, "weights shape %s: dim %d is %d, want 1 or %d (losses %s)", shapeString(o.shape), k, o.shape[k], ls[k], shapeString(ls))
	default:
		return errorf(ErrWeights, c.fn, "weights shape %s does not broadcast to %s", shapeString(o.shape), shapeString(ls))
	}
}

// checkWeightsTensor validates the Weights tensor itself.
func (c *config) checkWeightsTensor() error {
	o := &c.weights
	if nw, ok := elems(o.shape); !ok || nw != o.n {
		return errorf(errWeightsShape, c.fn, "weights shape %s is not a valid tensor of %d elements", shapeString(o.shape), o.n)
	}
	return nil
}

// errWeightsShape is an invalid weights tensor: both ErrWeights and ErrShape.
var errWeightsShape = joinSentinels{ErrWeights, ErrShape}

type joinSentinels [2]error

func (j joinSentinels) Error() string   { return j[0].Error() + " (" + j[1].Error() + ")" }
func (j joinSentinels) Unwrap() []error { return j[:] }

// collect records v in the Into collection, if any.
func (c *config) collect(v float64, regularization bool) {
	if c.coll == nil {
		return
	}
	// The collection is only written to, never retained; hiding it keeps the
	// whole config (and so the caller's option shapes) off the heap.
	coll := noescape.Ptr(c.coll)
	name := c.name
	if !c.named {
		name = tfName(c.fn)
	}
	if regularization {
		coll.AddRegularizationLoss(name, v)
	} else {
		coll.AddLoss(name, v)
	}
}

// finish converts a float64 result to T and collects it.
func finish[T Float](c *config, v float64, err error, regularization bool) (T, error) {
	if err != nil {
		return 0, err
	}
	r := T(v)
	c.collect(float64(r), regularization) // the returned value, as SPEC.md section 7 says
	return r, nil
}

// elemLoss computes an elementwise loss of p (and y, nil for losses of one
// argument) with measurable dims ls and parameter a.
func elemLoss[T Float](c *config, loss asm.ElemLoss, p, y []T, ls []int, a float64) (float64, error) {
	if is32[T]() {
		return runElem(c, loss, as[float32](p), as[float32](y), ls, float32(a))
	}
	return runElem(c, loss, as[float64](p), as[float64](y), ls, a)
}

func runElem[E asm.Float](c *config, loss asm.ElemLoss, p, y []E, ls []int, a E) (float64, error) {
	var wt reduce.Weighting[E]
	if err := weighting(c, ls, &wt); err != nil {
		return 0, err
	}
	if err := c.checkDsts(wt.N(), len(p), spanOf(p), spanOf(y)); err != nil {
		return 0, err
	}
	return reduce.Elementwise(kernels[E](), loss, p, y, a, &wt, c.red, slice[E](c.unred), slice[E](c.grad)), nil
}

// pairLoss is an elementwise loss of two tensors of the same shape.
func pairLoss[T Float](fn string, allowed allow, loss asm.ElemLoss, pName, yName string, p, y Tensor[T], opts []Option) (T, error) {
	if len(opts) == 0 && len(p.Data) <= directMax && checkPair(fn, pName, yName, p, y, 1) == nil {
		a := 0.0
		if loss == asm.LogLoss {
			a = defaultEpsilon
		}
		return T(direct(loss, p.Data, y.Data, a)), nil
	}
	return pairLossGeneral(fn, allowed, loss, pName, yName, p, y, opts)
}

// pairLossGeneral is pairLoss with options. Not inlined: its frame (the
// parsed options, the weight broadcast) would otherwise be set up on the
// direct path too.
//
//go:noinline
func pairLossGeneral[T Float](fn string, allowed allow, loss asm.ElemLoss, pName, yName string, p, y Tensor[T], opts []Option) (T, error) {
	c, err := parse(fn, esize[T](), allowed, opts)
	if err == nil {
		err = checkPair(fn, pName, yName, p, y, 1)
	}
	if err != nil {
		return 0, err
	}
	a := 0.0
	switch loss {
	case asm.LogLoss:
		a = c.eps
	case asm.SigmoidCE:
		a = c.smooth
	}
	v, err := elemLoss(&c, loss, p.Data, y.Data, p.Shape, a)
	return finish[T](&c, v, err, false)
}

// checkPair validates two tensors of rank >= minRank and equal shapes.
func checkPair[T Float](fn, pName, yName string, p, y Tensor[T], minRank int) error {
	if err := p.check(fn, pName, minRank); err != nil {
		return err
	}
	if err := y.check(fn, yName, minRank); err != nil {
		return err
	}
	if !sameShape(p.Shape, y.Shape) {
		return errorf(ErrShape, fn, "%s shape %s and %s shape %s differ", pName, shapeString(p.Shape), yName, shapeString(y.Shape))
	}
	return nil
}
