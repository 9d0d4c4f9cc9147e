package losses

import (
	"github.com/simdloss/simdloss/asm"
	"github.com/simdloss/simdloss/reduce"
)

// maxStackRank is the rank up to which reduced shapes live on the stack.
const maxStackRank = 16

// SoftmaxCrossEntropy is tf.contrib.losses.softmax_cross_entropy: per row of
// the last axis (C classes), with the smoothed labels z' = z(1 − L) + L/C,
// Σ_c z'_c·(lse − x_c) where lse = m + ln Σ_c exp(x_c − m), m = max_c x_c.
// logits and onehotLabels have the same shape, rank >= 2. The measurable
// elements are the rows (the leading dims). Gradient: softmax_c·Σz' − z'_c.
func SoftmaxCrossEntropy[T Float](logits, onehotLabels Tensor[T], opts ...Option) (T, error) {
	const fn = "SoftmaxCrossEntropy"
	c, err := parse(fn, esize[T](), allowSmoothing, opts)
	if err == nil {
		err = checkPair(fn, "logits", "onehot_labels", logits, onehotLabels, 2)
	}
	if err != nil {
		return 0, err
	}
	r := len(logits.Shape)
	ls, classes := logits.Shape[:r-1], logits.Shape[r-1]
	if _, err := subElems(fn, "logits", logits.Shape, ls); err != nil {
		return 0, err
	}
	var v float64
	if is32[T]() {
		v, err = runSoftmax(&c, as[float32](logits.Data), as[float32](onehotLabels.Data), ls, classes)
	} else {
		v, err = runSoftmax(&c, as[float64](logits.Data), as[float64](onehotLabels.Data), ls, classes)
	}
	return finish[T](&c, v, err, false)
}

func runSoftmax[E asm.Float](c *config, x, z []E, ls []int, classes int) (float64, error) {
	var wt reduce.Weighting[E]
	if err := weighting(c, ls, &wt); err != nil {
		return 0, err
	}
	if err := c.checkDsts(wt.N(), len(x), spanOf(x), spanOf(z)); err != nil {
		return 0, err
	}
	return reduce.SoftmaxCE(kernels[E](), x, z, classes, E(c.smooth), &wt, c.red, slice[E](c.unred), slice[E](c.grad), c.exec()), nil
}

// SparseSoftmaxCrossEntropy is tf.contrib.losses.sparse_softmax_cross_entropy:
// per row of the last logits axis (C classes), lse − x_label; with
// LabelSmoothing L > 0 it is SoftmaxCrossEntropy of the smoothed one-hot
// labels. len(labels) is the number of rows (the product of all but the last
// logits dim); every label must be in [0, C), checked before anything is
// written. Gradient: softmax_c − onehot_c (smoothed).
func SparseSoftmaxCrossEntropy[T Float, L Integer](logits Tensor[T], labels []L, opts ...Option) (T, error) {
	const fn = "SparseSoftmaxCrossEntropy"
	c, err := parse(fn, esize[T](), allowSmoothing, opts)
	if err == nil {
		err = logits.check(fn, "logits", 1)
	}
	if err != nil {
		return 0, err
	}
	r := len(logits.Shape)
	ls, classes := logits.Shape[:r-1], logits.Shape[r-1]
	rows, err := subElems(fn, "logits", logits.Shape, ls)
	if err != nil {
		return 0, err
	}
	if len(labels) != rows {
		return 0, errorf(ErrShape, fn, "labels has length %d, want %d (the rows of logits shape %s)", len(labels), rows, shapeString(logits.Shape))
	}
	if err := checkLabels(fn, labels, classes); err != nil {
		return 0, err
	}
	var v float64
	if is32[T]() {
		v, err = runSparse(&c, as[float32](logits.Data), labels, ls, classes)
	} else {
		v, err = runSparse(&c, as[float64](logits.Data), labels, ls, classes)
	}
	return finish[T](&c, v, err, false)
}

// checkLabels rejects the first label outside [0, classes).
func checkLabels[L Integer](fn string, labels []L, classes int) error {
	var m L
	m--
	signed := m < 0
	for i, v := range labels {
		if signed && v < 0 {
			return errorf(ErrInvalidLabel, fn, "labels[%d] = %d is negative (classes %d)", i, int64(v), classes)
		}
		if uint64(v) >= uint64(classes) {
			if signed {
				return errorf(ErrInvalidLabel, fn, "labels[%d] = %d is not below the class count %d", i, int64(v), classes)
			}
			return errorf(ErrInvalidLabel, fn, "labels[%d] = %d is not below the class count %d", i, uint64(v), classes)
		}
	}
	return nil
}

func runSparse[E asm.Float, L Integer](c *config, x []E, labels []L, ls []int, classes int) (float64, error) {
	var wt reduce.Weighting[E]
	if err := weighting(c, ls, &wt); err != nil {
		return 0, err
	}
	if err := c.checkDsts(wt.N(), len(x), spanOf(x), spanOf(labels)); err != nil {
		return 0, err
	}
	return reduce.SparseCE(kernels[E](), x, classes, labels, E(c.smooth), &wt, c.red, slice[E](c.unred), slice[E](c.grad), c.exec()), nil
}

// CosineDistance is tf.contrib.losses.cosine_distance: per slice along axis,
// 1 − Σ p·y. Inputs are assumed unit-normalised, as in TensorFlow; nothing
// normalises them. axis may be negative (counted from the end). The
// measurable shape is the input's without axis; weights broadcast against
// it. Gradient: −y.
func CosineDistance[T Float](predictions, labels Tensor[T], axis int, opts ...Option) (T, error) {
	const fn = "CosineDistance"
	c, err := parse(fn, esize[T](), allowCommon, opts)
	if err == nil {
		err = checkPair(fn, "predictions", "labels", predictions, labels, 1)
	}
	if err != nil {
		return 0, err
	}
	shape := predictions.Shape
	r := len(shape)
	if axis < -r || axis >= r {
		return 0, errorf(ErrAxis, fn, "axis %d out of range for rank %d", axis, r)
	}
	if axis < 0 {
		axis += r
	}
	var buf [maxStackRank]int
	var ls []int
	if r-1 <= maxStackRank {
		ls = buf[:r-1]
	} else {
		ls = make([]int, r-1)
	}
	copy(ls, shape[:axis])
	copy(ls[axis:], shape[axis+1:])
	m, err := subElems(fn, "predictions", shape, ls)
	if err != nil {
		return 0, err
	}
	stride := 1 // the stride matters only when there are slices
	if m > 0 {
		if stride, err = subElems(fn, "predictions", shape, shape[axis+1:]); err != nil {
			return 0, err
		}
	}
	if is32[T]() {
		v, err := runCosine(&c, as[float32](predictions.Data), as[float32](labels.Data), ls, shape[axis], stride)
		return finish[T](&c, v, err, false)
	}
	v, err := runCosine(&c, as[float64](predictions.Data), as[float64](labels.Data), ls, shape[axis], stride)
	return finish[T](&c, v, err, false)
}

func runCosine[E asm.Float](c *config, p, y []E, ls []int, axisLen, stride int) (float64, error) {
	var wt reduce.Weighting[E]
	if err := weighting(c, ls, &wt); err != nil {
		return 0, err
	}
	if err := c.checkDsts(wt.N(), len(p), spanOf(p), spanOf(y)); err != nil {
		return 0, err
	}
	return reduce.Cosine(kernels[E](), p, y, axisLen, max(stride, 1), &wt, c.red, slice[E](c.unred), slice[E](c.grad), c.exec()), nil
}

// MeanPairwiseSquaredError is tf.contrib.losses.mean_pairwise_squared_error
// with contrib's normalisation over all n² ordered pairs: per batch row b,
// with d = p − y over its n elements, L_b = (2/n)·Σ(d − mean d)², computed
// stably. The result is Σ_b w_b·L_b, a sum over the batch; a row with weight 0
// counts as empty (L_b = 0 even when it holds NaN). Weights: scalar, [B] or
// [B,1]; Reduce does not apply. Unreduced takes B values w_b·L_b.
// Gradient: w_b·(4/n)·(d_i − mean_b d).
func MeanPairwiseSquaredError[T Float](predictions, labels Tensor[T], opts ...Option) (T, error) {
	const fn = "MeanPairwiseSquaredError"
	c, err := parse(fn, esize[T](), allowPairwise, opts)
	if err == nil {
		err = checkPair(fn, "predictions", "labels", predictions, labels, 1)
	}
	if err != nil {
		return 0, err
	}
	ls := predictions.Shape[:1]
	if w := &c.weights; w.kind == optWeights {
		if err := c.checkWeightsTensor(); err != nil {
			return 0, err
		}
		ok := len(w.shape) == 0 || // scalar
			(len(w.shape) == 1 && w.shape[0] == ls[0]) ||
			(len(w.shape) == 2 && w.shape[0] == ls[0] && w.shape[1] == 1)
		if !ok {
			return 0, errorf(ErrWeights, fn, "weights shape %s: want a scalar, [%d] or [%d 1]", shapeString(w.shape), ls[0], ls[0])
		}
	}
	n := 0 // the row length matters only when there are rows
	if ls[0] > 0 {
		if n, err = subElems(fn, "predictions", predictions.Shape, predictions.Shape[1:]); err != nil {
			return 0, err
		}
	}
	c.red = reduce.Sum
	var v float64
	if is32[T]() {
		v, err = runPairwise(&c, as[float32](predictions.Data), as[float32](labels.Data), ls, n)
	} else {
		v, err = runPairwise(&c, as[float64](predictions.Data), as[float64](labels.Data), ls, n)
	}
	return finish[T](&c, v, err, false)
}

func runPairwise[E asm.Float](c *config, p, y []E, ls []int, n int) (float64, error) {
	var wt reduce.Weighting[E]
	if err := weighting(c, ls, &wt); err != nil {
		return 0, err
	}
	if err := c.checkDsts(wt.N(), len(p), spanOf(p), spanOf(y)); err != nil {
		return 0, err
	}
	return reduce.Pairwise(kernels[E](), p, y, n, &wt, slice[E](c.unred), slice[E](c.grad), c.exec()), nil
}

// SumOfPairwiseSquares is MeanPairwiseSquaredError under its deprecated contrib name.
//
// Deprecated: use MeanPairwiseSquaredError.
func SumOfPairwiseSquares[T Float](predictions, labels Tensor[T], opts ...Option) (T, error) {
	return MeanPairwiseSquaredError(predictions, labels, opts...)
}
