package losses

import (
	"math"

	"github.com/simdloss/simdloss/asm"
	"github.com/simdloss/simdloss/reduce"
)

// AbsoluteDifference is tf.contrib.losses.absolute_difference: the reduced
// weighted |p − y|. Gradient: sign(p − y), 0 at equality.
func AbsoluteDifference[T Float](predictions, labels Tensor[T], opts ...Option) (T, error) {
	if len(opts) == 0 {
		if v, ok := directPair(asm.AbsDiff, &predictions, &labels, 0); ok {
			return v, nil
		}
	}
	return pairLoss("AbsoluteDifference", allowCommon, asm.AbsDiff, "predictions", "labels", predictions, labels, opts)
}

// MeanSquaredError is tf.contrib.losses.mean_squared_error: the reduced
// weighted (p − y)². Gradient: 2(p − y).
func MeanSquaredError[T Float](predictions, labels Tensor[T], opts ...Option) (T, error) {
	if len(opts) == 0 {
		if v, ok := directPair(asm.SqDiff, &predictions, &labels, 0); ok {
			return v, nil
		}
	}
	return pairLoss("MeanSquaredError", allowCommon, asm.SqDiff, "predictions", "labels", predictions, labels, opts)
}

// LogLoss is tf.contrib.losses.log_loss, with TensorFlow's exact formula
// −y·ln(p + ε) − (1 − y)·ln(1 − p + ε) (ε from Epsilon, default 1e-7): a
// perfect prediction gives about −1e-7, not 0, and p outside [0, 1] gives NaN.
// Gradient: −y/(p + ε) + (1 − y)/(1 − p + ε).
func LogLoss[T Float](predictions, labels Tensor[T], opts ...Option) (T, error) {
	if len(opts) == 0 {
		if v, ok := directPair(asm.LogLoss, &predictions, &labels, defaultEpsilon); ok {
			return v, nil
		}
	}
	return pairLoss("LogLoss", allowLog, asm.LogLoss, "predictions", "labels", predictions, labels, opts)
}

// HingeLoss is tf.contrib.losses.hinge_loss: with y' = 2y − 1, max(0, 1 − y'·x).
// contrib returned the per-element tensor; Unreduced(dst) gives exactly that,
// and the returned scalar applies the weights and reduction (as tf.losses v1).
// Gradient: −y' where 1 − y'·x > 0, else 0.
func HingeLoss[T Float](logits, labels Tensor[T], opts ...Option) (T, error) {
	if len(opts) == 0 {
		if v, ok := directPair(asm.Hinge, &logits, &labels, 0); ok {
			return v, nil
		}
	}
	return pairLoss("HingeLoss", allowCommon, asm.Hinge, "logits", "labels", logits, labels, opts)
}

// SigmoidCrossEntropy is tf.contrib.losses.sigmoid_cross_entropy in
// TensorFlow's stable form max(x, 0) − x·z' + log1p(exp(−|x|)), with the
// smoothed labels z' = z(1 − L) + L/2 (LabelSmoothing). Gradient: sigmoid(x) − z'.
func SigmoidCrossEntropy[T Float](logits, multiClassLabels Tensor[T], opts ...Option) (T, error) {
	if len(opts) == 0 {
		if v, ok := directPair(asm.SigmoidCE, &logits, &multiClassLabels, 0); ok {
			return v, nil
		}
	}
	return pairLoss("SigmoidCrossEntropy", allowSmoothing, asm.SigmoidCE, "logits", "multi_class_labels", logits, multiClassLabels, opts)
}

// ComputeWeightedLoss is tf.contrib.losses.compute_weighted_loss: the given
// losses (any rank), weighted and reduced. Gradient (with respect to the
// losses): w/D.
func ComputeWeightedLoss[T Float](losses Tensor[T], opts ...Option) (T, error) {
	const fn = "ComputeWeightedLoss"
	if len(opts) == 0 && len(losses.Data) <= directMax && losses.check(fn, "losses", 0) == nil {
		return T(direct(asm.Identity, losses.Data, nil, 0)), nil
	}
	c, err := parse(fn, esize[T](), allowCommon, opts)
	if err == nil {
		err = losses.check(fn, "losses", 0)
	}
	if err != nil {
		return 0, err
	}
	v, err := elemLoss(&c, asm.Identity, losses.Data, nil, losses.Shape, 0)
	return finish[T](&c, v, err, false)
}

// L1 is tf.contrib.layers.l1_regularizer applied to params: scale·Σ|w|.
// Gradient: scale·sign(w), 0 at 0. Into(c) adds the result to c's
// regularisation losses. Only Gradient, Into and Named apply.
func L1[T Float](params Tensor[T], scale float64, opts ...Option) (T, error) {
	return regularizer("L1", asm.L1, params, scale, opts)
}

// L2 is tf.contrib.layers.l2_regularizer applied to params: scale·Σw²/2 (the
// tf.nn.l2_loss convention). Gradient: scale·w. Into(c) adds the result to
// c's regularisation losses. Only Gradient, Into and Named apply.
func L2[T Float](params Tensor[T], scale float64, opts ...Option) (T, error) {
	return regularizer("L2", asm.L2, params, scale, opts)
}

func regularizer[T Float](fn string, loss asm.ElemLoss, params Tensor[T], scale float64, opts []Option) (T, error) {
	c, err := parse(fn, esize[T](), allowRegular, opts)
	if err == nil {
		err = params.check(fn, "params", 0)
	}
	if err != nil {
		return 0, err
	}
	if !(scale >= 0) || math.IsInf(scale, 0) {
		return 0, errorf(ErrOption, fn, "scale %v must be finite and >= 0", scale)
	}
	// The regulariser is the elementwise sum with the scale as its one weight.
	c.weights, c.red = Weight(scale), reduce.Sum
	v, err := elemLoss(&c, loss, params.Data, nil, params.Shape, 0)
	return finish[T](&c, v, err, true)
}

// SumOfSquares is MeanSquaredError under its deprecated contrib name.
//
// Deprecated: use MeanSquaredError.
func SumOfSquares[T Float](predictions, labels Tensor[T], opts ...Option) (T, error) {
	return MeanSquaredError(predictions, labels, opts...)
}

// Log is LogLoss under its deprecated contrib name.
//
// Deprecated: use LogLoss.
func Log[T Float](predictions, labels Tensor[T], opts ...Option) (T, error) {
	return LogLoss(predictions, labels, opts...)
}
