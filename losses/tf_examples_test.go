package losses_test

// tf_examples_test.go: the worked examples of SPEC.md, of the TensorFlow
// documentation and of contrib's own unit tests (losses_test.py), as tests.
// Expected values are computed by hand (the arithmetic is written out) or,
// where a transcendental function is involved, in float64 with package math
// straight from the formula. Every test runs for float32 and float64 under
// every available kernel level.
//
// Top-level identifiers start with "tfx"; the "val" helpers of
// values_test.go (tensors, tolerances, kernel loops) are shared.

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdloss/simdloss/losses"
)

// tfxCheck compares got with a hand-computed want under SPEC.md section 6's
// reduced tolerance, with Σ|w·l|/|D| = scale (|want| when every term is >= 0).
func tfxCheck[T losses.Float](t *testing.T, want, scale float64, got T, err error, format string, args ...any) {
	t.Helper()
	msg := valTypeName[T]() + " " + fmt.Sprintf(format, args...)
	if assert.NoError(t, err, msg) {
		valCheckScalar(t, msg, want, scale, got)
	}
}

// tfxPos is tfxCheck for results whose terms are all >= 0.
func tfxPos[T losses.Float](t *testing.T, want float64, got T, err error, format string, args ...any) {
	t.Helper()
	tfxCheck(t, want, math.Abs(want), got, err, format, args...)
}

// tfxW is a weights option of the given shape.
func tfxW[T losses.Float](data []float64, shape ...int) losses.Option {
	return losses.Weights(valTensor[T](data, shape...))
}

// ---------------------------------------------------------------------------
// SPEC.md / tf.contrib docs: SumByNonzeroWeights.

func TestSumByNonzeroWeightsDividesByTheCountOfNonzeroWeights(t *testing.T) {
	valEachKernelAndType(t, tfxSumByNonzero[float32], tfxSumByNonzero[float64])
}

func tfxSumByNonzero[T losses.Float](t *testing.T) {
	l := valTensor[T]([]float64{4, 1, 2, 3}, 4)
	w := []float64{1, 0.5, 3, 9}
	num := 4*1 + 1*0.5 + 2*3 + 3*9.0 // 37.5
	for _, c := range []struct {
		red  losses.Reduction
		want float64
	}{
		{losses.SumByNonzeroWeights, num / 4}, // 9.375, the documented example
		{losses.Sum, num},
		{losses.Mean, num / (1 + 0.5 + 3 + 9)},
		{losses.SumOverBatchSize, num / 4},
	} {
		got, err := losses.ComputeWeightedLoss(l, tfxW[T](w, 4), losses.Reduce(c.red))
		tfxPos(t, c.want, got, err, "compute_weighted_loss %v", c.red)
	}
	// SumByNonzeroWeights is the default.
	got, err := losses.ComputeWeightedLoss(l, tfxW[T](w, 4))
	tfxPos(t, 9.375, got, err, "default reduction")
	// The same losses as |p − y|.
	got, err = losses.AbsoluteDifference(valTensor[T]([]float64{5, 2, 4, 6}, 4), valTensor[T]([]float64{1, 1, 2, 3}, 4), tfxW[T](w, 4))
	tfxPos(t, 9.375, got, err, "absolute_difference of the same losses")
	// A zero weight leaves the denominator: (4·1 + 2·3 + 3·9)/3.
	got, err = losses.ComputeWeightedLoss(l, tfxW[T]([]float64{1, 0, 3, 9}, 4))
	tfxPos(t, 37.0/3, got, err, "a zero weight")
	// Unreduced is w·l, never divided.
	dst := make([]T, 4)
	_, err = losses.ComputeWeightedLoss(l, tfxW[T](w, 4), losses.Unreduced(dst))
	require.NoError(t, err)
	assert.Equal(t, []T{4, 0.5, 6, 27}, dst)
}

// ---------------------------------------------------------------------------
// tf.contrib.losses docs: depth prediction with missing pixels.

func TestDepthPredictionAveragesOverPresentPixelsOnly(t *testing.T) {
	valEachKernelAndType(t, tfxDepth[float32], tfxDepth[float64])
}

func tfxDepth[T losses.Float](t *testing.T) {
	// [B, H, W] = [2, 2, 3]; a label of 0 is a missing pixel.
	labels := []float64{
		1.0, 0, 2.0, // b0 row 0
		3.0, 4.0, 0, // b0 row 1
		0, 0, 1.5, // b1 row 0
		2.5, 0, 0.5, // b1 row 1
	}
	preds := []float64{
		1.5, 9, 1.0,
		3.0, 5.0, 7,
		4, 2, 1.0,
		3.5, 8, 0.0,
	}
	// The TF recipe: weights = 1 where the label is present, 0 elsewhere.
	w := make([]float64, len(labels))
	for i, v := range labels {
		if v != 0 {
			w[i] = 1
		}
	}
	P, Y := valTensor[T](preds, 2, 2, 3), valTensor[T](labels, 2, 2, 3)
	// Present pixels' errors: 0.5, −1, 0, 1 (b0) and −0.5, 1, −0.5 (b1):
	// squares 0.25 + 1 + 0 + 1 + 0.25 + 1 + 0.25 = 3.75 over 7 present pixels.
	present := 3.75
	got, err := losses.MeanSquaredError(P, Y, tfxW[T](w, 2, 2, 3))
	tfxPos(t, present/7, got, err, "depth MSE over present pixels")
	got, err = losses.MeanSquaredError(P, Y, tfxW[T](w, 2, 2, 3, 1))
	tfxPos(t, present/7, got, err, "weights [B,H,W,1]")
	got, err = losses.MeanSquaredError(P, Y, tfxW[T](w, 2, 2, 3), losses.Reduce(losses.Mean))
	tfxPos(t, present/7, got, err, "Mean with 0/1 weights")
	got, err = losses.MeanSquaredError(P, Y, tfxW[T](w, 2, 2, 3), losses.Reduce(losses.SumOverBatchSize))
	tfxPos(t, present/12, got, err, "SumOverBatchSize divides by all 12 pixels")
	// Unweighted, the missing pixels (errors 9, 7, 4, 2, 8) would dominate.
	got, err = losses.MeanSquaredError(P, Y)
	tfxPos(t, (present+81+49+16+4+64)/12, got, err, "unweighted")
	// Missing pixels must be finite: a NaN label with weight 0 still poisons
	// the mean (NaN·0 = NaN, SPEC.md section 4, as in TensorFlow).
	nanLabels := append([]float64{}, labels...)
	nanLabels[1] = math.NaN()
	got, err = losses.MeanSquaredError(P, valTensor[T](nanLabels, 2, 2, 3), tfxW[T](w, 2, 2, 3))
	require.NoError(t, err)
	assert.True(t, math.IsNaN(float64(got)), "NaN in a weight-0 pixel: got %v", got)
}

// ---------------------------------------------------------------------------
// TF docs: "if class 3 is 5x more important".

func TestClassThreeWeightedFiveTimes(t *testing.T) {
	valEachKernelAndType(t, tfxClass3[float32], tfxClass3[float64])
}

func tfxClass3[T losses.Float](t *testing.T) {
	const B, C = 6, 5
	// Logits are multiples of 1/4 (exact in float32).
	x := make([]float64, B*C)
	for b := 0; b < B; b++ {
		for c := 0; c < C; c++ {
			x[b*C+c] = float64((b*3+c*5)%7)/4 - 0.5
		}
	}
	labels := []int{3, 0, 3, 1, 4, 2}
	// weights[b] = 1 + 4·(labels[b] == 3)
	w := make([]float64, B)
	wsum := 0.0
	for b, l := range labels {
		w[b] = 1
		if l == 3 {
			w[b] = 5
		}
		wsum += w[b]
	}
	require.Equal(t, 14.0, wsum)
	num := 0.0
	for b, l := range labels {
		s := 0.0
		for c := 0; c < C; c++ {
			s += math.Exp(x[b*C+c])
		}
		num += w[b] * (math.Log(s) - x[b*C+l])
	}
	X := valTensor[T](x, B, C)
	got, err := losses.SparseSoftmaxCrossEntropy(X, labels, tfxW[T](w, B))
	tfxPos(t, num/B, got, err, "sparse CE, class 3 ×5, SumByNonzeroWeights")
	got, err = losses.SparseSoftmaxCrossEntropy(X, labels, tfxW[T](w, B), losses.Reduce(losses.Mean))
	tfxPos(t, num/wsum, got, err, "sparse CE, class 3 ×5, Mean")
	// Mean with weight 5 is the plain mean over a batch holding each class-3
	// row five times.
	var xr []float64
	var lr []int
	for b, l := range labels {
		for k := 0; k < int(w[b]); k++ {
			xr = append(xr, x[b*C:(b+1)*C]...)
			lr = append(lr, l)
		}
	}
	rep, err := losses.SparseSoftmaxCrossEntropy(valTensor[T](xr, len(lr), C), lr)
	tfxPos(t, num/wsum, rep, err, "class-3 rows repeated five times, unweighted")
	// The dense form with the same per-row weights.
	got, err = losses.SoftmaxCrossEntropy(X, valTensor[T](valOneHot(labels, C), B, C), tfxW[T](w, B))
	tfxPos(t, num/B, got, err, "dense softmax CE, class 3 ×5")

	// Multi-label (sigmoid, absolute difference): a per-class weight on
	// [B, C] losses must be given as [1, C]: weights align with the leading axes.
	const MB = 4
	xs := make([]float64, MB*C)
	zs := make([]float64, MB*C)
	ps := make([]float64, MB*C)
	for b := 0; b < MB; b++ {
		for c := 0; c < C; c++ {
			xs[b*C+c] = float64((b*2+c*3)%9)/2 - 2
			zs[b*C+c] = float64((b + c) % 2)
			ps[b*C+c] = float64((b*5+c*3)%8) / 8
		}
	}
	wc := []float64{1, 1, 1, 5, 1}
	var sig, abs float64
	for b := 0; b < MB; b++ {
		for c := 0; c < C; c++ {
			v, z := xs[b*C+c], zs[b*C+c]
			sig += wc[c] * (math.Max(v, 0) - v*z + math.Log1p(math.Exp(-math.Abs(v))))
			abs += wc[c] * math.Abs(ps[b*C+c]-z)
		}
	}
	XS, ZS, PS := valTensor[T](xs, MB, C), valTensor[T](zs, MB, C), valTensor[T](ps, MB, C)
	got, err = losses.SigmoidCrossEntropy(XS, ZS, tfxW[T](wc, 1, C))
	tfxPos(t, sig/(MB*C), got, err, "sigmoid CE with [1,C] class weights")
	got, err = losses.SigmoidCrossEntropy(XS, ZS, tfxW[T](wc, 1, C), losses.Reduce(losses.Mean))
	tfxPos(t, sig/(MB*9), got, err, "sigmoid CE with [1,C] class weights, Mean (Σw = 4·9)")
	got, err = losses.AbsoluteDifference(PS, ZS, tfxW[T](wc, 1, C))
	tfxPos(t, abs/(MB*C), got, err, "absolute difference with [1,C] class weights")
	// [C] is per batch row, so with B = 4 != C = 5 it does not broadcast.
	_, err = losses.SigmoidCrossEntropy(XS, ZS, tfxW[T](wc, C))
	assert.ErrorIs(t, err, losses.ErrWeights, "[C] weights on [B,C] with B != C")

	// With B = C = 5, [C] is accepted but weighs rows, not classes.
	sq := make([]float64, C*C)
	for i := range sq {
		sq[i] = float64(i%7)/4 - 0.75
	}
	var byClass, byRow float64
	for b := 0; b < C; b++ {
		for c := 0; c < C; c++ {
			l := math.Abs(sq[b*C+c])
			byClass += wc[c] * l
			byRow += wc[b] * l
		}
	}
	SQ, Z0 := valTensor[T](sq, C, C), valTensor[T](make([]float64, C*C), C, C)
	gotClass, err := losses.AbsoluteDifference(SQ, Z0, tfxW[T](wc, 1, C))
	tfxPos(t, byClass/(C*C), gotClass, err, "square batch, [1,C] weighs classes")
	gotRow, err := losses.AbsoluteDifference(SQ, Z0, tfxW[T](wc, C))
	tfxPos(t, byRow/(C*C), gotRow, err, "square batch, [C] weighs rows")
	assert.NotEqual(t, gotClass, gotRow)
}

// ---------------------------------------------------------------------------
// SPEC.md section 3: the deliberate difference from contrib.

func TestBroadcastWeightsCountEveryElementUnlikeContrib(t *testing.T) {
	valEachKernelAndType(t, tfxBroadcastCount[float32], tfxBroadcastCount[float64])
}

func tfxBroadcastCount[T losses.Float](t *testing.T) {
	L := valTensor[T]([]float64{1, 2, 3, 4, 5, 6}, 2, 3) // Σ = 21
	cases := []struct {
		name string
		opt  losses.Option
		red  losses.Reduction
		want float64
	}{
		// contrib's denominator was 3 here (twice the weighted mean); SPEC
		// counts all 6 broadcast weights.
		{"[1] = {2}", tfxW[T]([]float64{2}, 1), losses.SumByNonzeroWeights, 2 * 21.0 / 6},
		{"[1,1] = {2}", tfxW[T]([]float64{2}, 1, 1), losses.SumByNonzeroWeights, 2 * 21.0 / 6},
		{"rank 0 = 2", tfxW[T]([]float64{2}), losses.SumByNonzeroWeights, 2 * 21.0 / 6},
		{"Weight(2)", losses.Weight(2), losses.SumByNonzeroWeights, 2 * 21.0 / 6},
		{"[1] = {2}, Mean", tfxW[T]([]float64{2}, 1), losses.Mean, 2 * 21.0 / 12},
		{"[1] = {1}", tfxW[T]([]float64{1}, 1), losses.SumByNonzeroWeights, 21.0 / 6},
		// [1,3] = {1,2,3}: 1·1+2·2+3·3 + 4·1+5·2+6·3 = 46 over 6.
		{"[1,3]", tfxW[T]([]float64{1, 2, 3}, 1, 3), losses.SumByNonzeroWeights, 46.0 / 6},
		{"[1,3], Mean", tfxW[T]([]float64{1, 2, 3}, 1, 3), losses.Mean, 46.0 / 12},
		// [1,3] = {0,1,0}: (2 + 5) over the 2 broadcast non-zero weights.
		{"[1,3] with zeros", tfxW[T]([]float64{0, 1, 0}, 1, 3), losses.SumByNonzeroWeights, 7.0 / 2},
		// Per-row weights {2,0}: 2·(1+2+3) over 3.
		{"[2] = {2,0}", tfxW[T]([]float64{2, 0}, 2), losses.SumByNonzeroWeights, 12.0 / 3},
		{"[2,1] = {2,0}", tfxW[T]([]float64{2, 0}, 2, 1), losses.SumByNonzeroWeights, 12.0 / 3},
		{"[1] = {0}", tfxW[T]([]float64{0}, 1), losses.SumByNonzeroWeights, 0},
	}
	for _, c := range cases {
		got, err := losses.ComputeWeightedLoss(L, c.opt, losses.Reduce(c.red))
		tfxPos(t, c.want, got, err, "%s %v", c.name, c.red)
	}
	got, err := losses.ComputeWeightedLoss(L, tfxW[T]([]float64{2}, 1))
	require.NoError(t, err)
	assert.NotEqual(t, T(2*21.0/3), got, "contrib's result (denominator 3) is not ours")
}

// ---------------------------------------------------------------------------
// contrib's unit tests (tensorflow/contrib/losses/python/losses/loss_ops_test.py).

// contrib's shared data: predictions [[4,8,12],[8,1,3]], labels [[1,9,2],[-5,-2,6]].
var (
	tfxContribP = []float64{4, 8, 12, 8, 1, 3}
	tfxContribY = []float64{1, 9, 2, -5, -2, 6}
)

func TestContribAbsoluteDifferenceValues(t *testing.T) {
	valEachKernelAndType(t, tfxContribAbs[float32], tfxContribAbs[float64])
}

func tfxContribAbs[T losses.Float](t *testing.T) {
	P, Y := valTensor[T](tfxContribP, 2, 3), valTensor[T](tfxContribY, 2, 3)
	// |d| = 3, 1, 10 | 13, 3, 3: Σ = 33 (rows 14 and 19), mean 5.5.
	got, err := losses.AbsoluteDifference(P, Y)
	tfxPos(t, 5.5, got, err, "no weights")
	got, err = losses.AbsoluteDifference(P, Y, losses.Weight(5.5))
	tfxPos(t, 5.5*5.5, got, err, "Weight(5.5)")
	got, err = losses.AbsoluteDifference(P, Y, tfxW[T]([]float64{1.2, 0}, 2))
	tfxPos(t, 1.2*14/3, got, err, "batch weights [1.2, 0]") // 5.6
	got, err = losses.AbsoluteDifference(P, Y, tfxW[T]([]float64{1.2, 0}, 2, 1))
	tfxPos(t, 1.2*14/3, got, err, "batch weights [[1.2], [0]]")
	got, err = losses.AbsoluteDifference(P, Y, tfxW[T]([]float64{3, 6, 5, 0, 4, 2}, 2, 3))
	tfxPos(t, (9+6+50+0+12+6)/5.0, got, err, "sample weights") // 16.6
	got, err = losses.AbsoluteDifference(P, Y, tfxW[T]([]float64{0, 0, 0, 0, 0, 2}, 2, 3))
	tfxPos(t, 6, got, err, "sample weights mostly zero")
	got, err = losses.AbsoluteDifference(P, Y, losses.Weight(0))
	tfxPos(t, 0, got, err, "zero weight")
}

func TestContribMeanSquaredErrorValues(t *testing.T) {
	valEachKernelAndType(t, tfxContribMSE[float32], tfxContribMSE[float64])
}

func tfxContribMSE[T losses.Float](t *testing.T) {
	P, Y := valTensor[T](tfxContribP, 2, 3), valTensor[T](tfxContribY, 2, 3)
	// d² = 9, 1, 100 | 169, 9, 9: rows 110 and 187, Σ = 297, mean 49.5.
	got, err := losses.MeanSquaredError(P, Y)
	tfxPos(t, 49.5, got, err, "no weights")
	got, err = losses.MeanSquaredError(P, Y, losses.Weight(2.3))
	tfxPos(t, 49.5*2.3, got, err, "Weight(2.3)")
	got, err = losses.MeanSquaredError(P, Y, tfxW[T]([]float64{1.2, 3.4}, 2, 1))
	tfxPos(t, (110*1.2+187*3.4)/6, got, err, "batch weights") // 767.8/6
	got, err = losses.MeanSquaredError(P, Y, tfxW[T]([]float64{3, 6, 5, 0, 4, 2}, 2, 3))
	tfxPos(t, (27+6+500+0+36+18)/5.0, got, err, "sample weights") // 587/5
	got, err = losses.MeanSquaredError(P, Y, tfxW[T]([]float64{0, 0, 0, 0, 0, 2}, 2, 3))
	tfxPos(t, 18, got, err, "sample weights mostly zero")
	got, err = losses.SumOfSquares(P, Y, losses.Weight(2.3))
	tfxPos(t, 49.5*2.3, got, err, "deprecated SumOfSquares")
}

func TestContribMeanPairwiseSquaredErrorValues(t *testing.T) {
	valEachKernelAndType(t, tfxContribPairwise[float32], tfxContribPairwise[float64])
}

func tfxContribPairwise[T losses.Float](t *testing.T) {
	P := valTensor[T]([]float64{4, 8, 12, 8, 1, 3}, 2, 3)
	Y := valTensor[T]([]float64{1, 9, 2, -5, -5, 7}, 2, 3)
	// Row 0: d = 3, −1, 10: Σd² = 110, Σd = 12: L = 2·110/3 − 2·144/9 = 124/3.
	// Row 1: d = 13, 6, −4: Σd² = 221, Σd = 15: L = 2·221/3 − 2·225/9 = 292/3.
	// (= Σ over all 9 ordered pairs of (d_i − d_j)², over 9: 372/9 and 876/9.)
	l0, l1 := 124.0/3, 292.0/3
	got, err := losses.MeanPairwiseSquaredError(P, Y)
	tfxPos(t, l0+l1, got, err, "no weights: a SUM over the batch") // 138.67
	got, err = losses.MeanPairwiseSquaredError(P, Y, losses.Weight(3.3))
	tfxPos(t, 3.3*(l0+l1), got, err, "Weight(3.3)")
	got, err = losses.MeanPairwiseSquaredError(P, Y, tfxW[T]([]float64{2, 1}, 2))
	tfxPos(t, 2*l0+l1, got, err, "batch weights [2,1]")
	got, err = losses.MeanPairwiseSquaredError(P, Y, tfxW[T]([]float64{0, 1}, 2, 1))
	tfxPos(t, l1, got, err, "batch weights [[0],[1]]")
	got, err = losses.MeanPairwiseSquaredError(P, Y, losses.Weight(0))
	tfxPos(t, 0, got, err, "zero weight")
	dst := make([]T, 2)
	_, err = losses.MeanPairwiseSquaredError(P, Y, tfxW[T]([]float64{2, 1}, 2), losses.Unreduced(dst))
	require.NoError(t, err)
	valCheckElems(t, "Unreduced w_b·L_b", []float64{2 * l0, l1}, dst)
	// Reduce does not apply.
	_, err = losses.MeanPairwiseSquaredError(P, Y, losses.Reduce(losses.Sum))
	assert.ErrorIs(t, err, losses.ErrOption)
	// contrib's docs: pairs are drawn within each image of a [B, H, W]
	// batch, never across images. Two 2×2 images whose d differ by a
	// constant shift: each row's L ignores the shift.
	img := valTensor[T]([]float64{1, 2, 3, 4, 101, 102, 103, 104}, 2, 2, 2)
	zero := valTensor[T](make([]float64, 8), 2, 2, 2)
	// d = 1,2,3,4: mean 2.5, Σ(d − mean)² = 5, L = (2/4)·5 = 2.5 for both images.
	got, err = losses.MeanPairwiseSquaredError(img, zero)
	tfxPos(t, 5, got, err, "[B,H,W] images")
}

func TestContribSigmoidCrossEntropyValues(t *testing.T) {
	valEachKernelAndType(t, tfxContribSigmoid[float32], tfxContribSigmoid[float64])
}

func tfxContribSigmoid[T losses.Float](t *testing.T) {
	X := valTensor[T]([]float64{100, -100, -100, -100, 100, -100, -100, -100, 100}, 3, 3)
	eye := valTensor[T]([]float64{1, 0, 0, 0, 1, 0, 0, 0, 1}, 3, 3)
	tiny := math.Log1p(math.Exp(-100)) // 3.7e-44 per element
	got, err := losses.SigmoidCrossEntropy(X, eye)
	tfxPos(t, tiny, got, err, "all correct")
	// All wrong: 6 of 9 elements lose 100 each.
	wrong := valTensor[T]([]float64{0, 0, 1, 1, 0, 0, 0, 1, 0}, 3, 3)
	got, err = losses.SigmoidCrossEntropy(X, wrong)
	tfxPos(t, 600.0/9+tiny, got, err, "all wrong")
	// Measurement-specific weights: row 0 ×10 (its wrong elements 1 and 3
	// weigh 10 each), the rest 1, every weight non-zero.
	wts := []float64{10, 10, 10, 1, 1, 1, 1, 1, 1}
	got, err = losses.SigmoidCrossEntropy(X, wrong, tfxW[T](wts, 3, 3))
	tfxPos(t, (2*10*100+4*100)/9.0, got, err, "all wrong, weighted")
	// Label smoothing 0.1 on logits [100, −100, −100], labels [1, 0, 1]:
	// z' = 0.95, 0.05, 0.95: losses 100 − 95 = 5, 0 + 5 = 5, 0 + 95 = 95; mean 35
	// (contrib: (100 + 50·L)/3).
	got, err = losses.SigmoidCrossEntropy(valTensor[T]([]float64{100, -100, -100}, 1, 3), valTensor[T]([]float64{1, 0, 1}, 1, 3), losses.LabelSmoothing(0.1))
	tfxPos(t, 35, got, err, "label smoothing 0.1")
}

func TestContribSoftmaxCrossEntropyValues(t *testing.T) {
	valEachKernelAndType(t, tfxContribSoftmax[float32], tfxContribSoftmax[float64])
}

func tfxContribSoftmax[T losses.Float](t *testing.T) {
	X := valTensor[T]([]float64{10, 0, 0, 0, 10, 0, 0, 0, 10}, 3, 3)
	// Every row puts its label on a 0 logit against a 10: lse − 0 = 10 + ln(1 + 2e^−10).
	wrongLoss := 10 + math.Log1p(2*math.Exp(-10))
	right := math.Log1p(2 * math.Exp(-10))
	wrong := valTensor[T]([]float64{0, 0, 1, 1, 0, 0, 0, 1, 0}, 3, 3)
	got, err := losses.SoftmaxCrossEntropy(X, wrong)
	tfxPos(t, wrongLoss, got, err, "all wrong")
	got, err = losses.SoftmaxCrossEntropy(X, valTensor[T]([]float64{1, 0, 0, 0, 1, 0, 0, 0, 1}, 3, 3))
	tfxPos(t, right, got, err, "all correct")
	got, err = losses.SoftmaxCrossEntropy(X, wrong, losses.Weight(2.3))
	tfxPos(t, 2.3*wrongLoss, got, err, "Weight(2.3)")
	got, err = losses.SoftmaxCrossEntropy(X, wrong, tfxW[T]([]float64{1.2, 3.4, 5.6}, 3))
	tfxPos(t, (1.2+3.4+5.6)*wrongLoss/3, got, err, "batch weights")
	got, err = losses.SoftmaxCrossEntropy(X, wrong, tfxW[T]([]float64{0, 0, 0}, 3))
	tfxPos(t, 0, got, err, "all-zero weights")
	// Label smoothing 0.1 on logits [100, −100, −100], label class 0:
	// z' = 0.9 + 0.1/3, 0.1/3, 0.1/3; the two off classes lose 200 each:
	// 2·200·0.1/3 = 40/3 (contrib: 400·L/3).
	got, err = losses.SoftmaxCrossEntropy(valTensor[T]([]float64{100, -100, -100}, 1, 3), valTensor[T]([]float64{1, 0, 0}, 1, 3), losses.LabelSmoothing(0.1))
	tfxPos(t, 400*0.1/3, got, err, "label smoothing 0.1")

	// The sparse form of the same examples.
	got, err = losses.SparseSoftmaxCrossEntropy(X, []int{2, 0, 1})
	tfxPos(t, wrongLoss, got, err, "sparse all wrong")
	got, err = losses.SparseSoftmaxCrossEntropy(X, []int64{0, 1, 2})
	tfxPos(t, right, got, err, "sparse all correct")
	got, err = losses.SparseSoftmaxCrossEntropy(X, []uint8{2, 0, 1}, tfxW[T]([]float64{1.2, 3.4, 5.6}, 3, 1))
	tfxPos(t, (1.2+3.4+5.6)*wrongLoss/3, got, err, "sparse batch weights [3,1]")
	got, err = losses.SparseSoftmaxCrossEntropy(valTensor[T]([]float64{100, -100, -100}, 1, 3), []int32{0}, losses.LabelSmoothing(0.1))
	tfxPos(t, 400*0.1/3, got, err, "sparse label smoothing 0.1")
	// Rank-1 logits [C] with a single label.
	got, err = losses.SparseSoftmaxCrossEntropy(valTensor[T]([]float64{10, 0, 0}, 3), []int{1})
	tfxPos(t, wrongLoss, got, err, "rank-1 logits")
}

func TestContribHingeLossUnreducedIsItsPerElementTensor(t *testing.T) {
	valEachKernelAndType(t, tfxContribHinge[float32], tfxContribHinge[float64])
}

func tfxContribHinge[T losses.Float](t *testing.T) {
	cases := []struct {
		name    string
		x, y    []float64
		shape   []int
		perElem []float64
		reduced float64
	}{
		{"all outside the margin", []float64{1.2, -1.4, -1.0, 2.1}, []float64{1, 0, 0, 1}, []int{4}, []float64{0, 0, 0, 0}, 0},
		{"some inside the margin", []float64{-0.7, -1.4, 1.4, 0.6}, []float64{0, 0, 1, 1}, []int{4, 1}, []float64{0.3, 0, 0, 0.4}, 0.7 / 4},
		{"some misclassified", []float64{1.2, 0.4, -1.0, -1.1}, []float64{1, 0, 0, 1}, []int{1, 4, 1}, []float64{0, 1.4, 0, 2.1}, 3.5 / 4},
	}
	for _, c := range cases {
		X, Y := valTensor[T](c.x, c.shape...), valTensor[T](c.y, c.shape...)
		dst := make([]T, len(c.x))
		got, err := losses.HingeLoss(X, Y, losses.Unreduced(dst))
		require.NoError(t, err, c.name)
		// The inputs are decimal, so the exact per-element values carry the
		// inputs' rounding: compare under the per-element tolerance.
		valCheckElems(t, valTypeName[T]()+" "+c.name+" contrib tensor", c.perElem, dst)
		tfxPos(t, c.reduced, got, nil, "%s reduced", c.name)
	}
}

func TestContribCosineDistanceValues(t *testing.T) {
	valEachKernelAndType(t, tfxContribCosine[float32], tfxContribCosine[float64])
}

func tfxContribCosine[T losses.Float](t *testing.T) {
	// contrib's [3, 2, 3] data, dim 2.
	P := valTensor[T]([]float64{1, 0, 0, 0, 0, -1, 1, 0, 0, 1, 0, 0, 0, 0, -1, 1, 0, 0}, 3, 2, 3)
	Y := valTensor[T]([]float64{1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0}, 3, 2, 3)
	// Dots 1, −1 | 0, 1 | −1, 0: losses 0, 2 | 1, 0 | 2, 1: Σ = 6 over 6.
	got, err := losses.CosineDistance(P, Y, 2)
	tfxPos(t, 1, got, err, "partially correct")
	got, err = losses.CosineDistance(P, Y, -1)
	tfxPos(t, 1, got, err, "axis -1")
	got, err = losses.CosineDistance(P, P, 2)
	tfxPos(t, 0, got, err, "all correct")
	got, err = losses.CosineDistance(P, Y, 2, tfxW[T]([]float64{1, 0, 0}, 3))
	tfxPos(t, 1, got, err, "batch weights [1,0,0]: (0 + 2)/2")
	got, err = losses.CosineDistance(P, Y, 2, tfxW[T]([]float64{1, 0, 0, 1, 1, 1}, 3, 2))
	tfxPos(t, 3.0/4, got, err, "measurement weights: (0 + 0 + 2 + 1)/4")
	got, err = losses.CosineDistance(P, Y, 2, tfxW[T]([]float64{1, 0, 0, 1, 1, 1}, 3, 2, 1))
	tfxPos(t, 3.0/4, got, err, "measurement weights [3,2,1]")
	got, err = losses.CosineDistance(P, Y, 2, losses.Weight(0))
	tfxPos(t, 0, got, err, "zero weight")
}

func TestCosineDistanceWeightsReadAgainstTheReducedShape(t *testing.T) {
	valEachKernelAndType(t, tfxCosineMiddle[float32], tfxCosineMiddle[float64])
}

func tfxCosineMiddle[T losses.Float](t *testing.T) {
	// [B, A, I] = [2, 3, 2], reduced over the middle axis A: the measurable
	// shape is [B, I]; element (b, a, i) is at (b·3 + a)·2 + i.
	p := make([]float64, 12)
	y := make([]float64, 12)
	set := func(b, i int, pv, yv [3]float64) {
		for a := 0; a < 3; a++ {
			p[(b*3+a)*2+i], y[(b*3+a)*2+i] = pv[a], yv[a]
		}
	}
	set(0, 0, [3]float64{1, 0, 0}, [3]float64{1, 0, 0})          // dot 1: loss 0
	set(0, 1, [3]float64{0, 1, 0}, [3]float64{0, 0, 1})          // dot 0: loss 1
	set(1, 0, [3]float64{0, 0, 1}, [3]float64{0, 0, -1})         // dot −1: loss 2
	set(1, 1, [3]float64{0.5, 0.5, 0}, [3]float64{0.5, 0.25, 0}) // dot 0.375: loss 0.625
	P, Y := valTensor[T](p, 2, 3, 2), valTensor[T](y, 2, 3, 2)
	got, err := losses.CosineDistance(P, Y, 1)
	tfxPos(t, (0+1+2+0.625)/4, got, err, "axis 1 unweighted")
	// [B,1] weights are per batch: 3·(0 + 1) + 0.5·(2 + 0.625) over 4.
	for _, axis := range []int{1, -2} {
		got, err = losses.CosineDistance(P, Y, axis, tfxW[T]([]float64{3, 0.5}, 2, 1))
		tfxPos(t, (3*1+0.5*2.625)/4, got, err, "[B,1] weights, axis %d", axis)
		got, err = losses.CosineDistance(P, Y, axis, tfxW[T]([]float64{3, 0.5}, 2))
		tfxPos(t, (3*1+0.5*2.625)/4, got, err, "[B] weights, axis %d", axis)
		// [B, I] weights address the reduced elements directly.
		got, err = losses.CosineDistance(P, Y, axis, tfxW[T]([]float64{1, 0, 0, 1}, 2, 2))
		tfxPos(t, 0.625/2, got, err, "[B,I] weights, axis %d", axis)
		// [1, I] weights broadcast over the batch.
		got, err = losses.CosineDistance(P, Y, axis, tfxW[T]([]float64{0, 2}, 1, 2))
		tfxPos(t, 2*(1+0.625)/2, got, err, "[1,I] weights, axis %d", axis)
	}
	// Weights against the unreduced [B, A] shape are refused.
	_, err = losses.CosineDistance(P, Y, 1, tfxW[T](make([]float64, 6), 2, 3))
	assert.ErrorIs(t, err, losses.ErrWeights)
	_, err = losses.CosineDistance(P, Y, 3)
	assert.ErrorIs(t, err, losses.ErrAxis)
	_, err = losses.CosineDistance(P, Y, -4)
	assert.ErrorIs(t, err, losses.ErrAxis)
}

// ---------------------------------------------------------------------------
// SPEC.md section 5 rules.

func TestLogLossKeepsTensorFlowsExactFormula(t *testing.T) {
	valEachKernelAndType(t, tfxLogLoss[float32], tfxLogLoss[float64])
}

func tfxLogLoss[T losses.Float](t *testing.T) {
	perfectP := valTensor[T]([]float64{1, 0, 1, 1, 0, 0}, 2, 3)
	// Perfect predictions: −ln(1 + ε) per element, about −1e-7.
	got, err := losses.LogLoss(perfectP, perfectP)
	require.NoError(t, err)
	if valIs32[T]() {
		// 1 + 1e-7 rounds to 1 + 2^−23 in float32: −1.19e-7.
		assert.True(t, got < -5e-8 && got > -2e-7, "float32 perfect predictions: %v", got)
	} else {
		assert.InEpsilon(t, -math.Log(1+1e-7), float64(got), 1e-6, "float64 perfect predictions")
		assert.InEpsilon(t, -1e-7, float64(got), 1e-6, "float64 perfect predictions ≈ −1e-7")
	}
	// A custom ε: −ln(1 + 1e-3) per element.
	got, err = losses.LogLoss(perfectP, perfectP, losses.Epsilon(1e-3))
	require.NoError(t, err)
	tol := 1e-15
	if valIs32[T]() {
		tol = 2.5e-7 // 1 + 1e-3 is rounded to float32 first
	}
	assert.InDelta(t, -math.Log(1+1e-3), float64(got), tol, "Epsilon(1e-3)")
	// contrib's non-trivial example, from the formula.
	p := []float64{0.9, 0.2, 0.2, 0.8, 0.4, 0.6}
	y := []float64{1, 0, 1, 1, 1, 0}
	for _, eps := range []float64{1e-7, 0.05} {
		var s float64
		for i := range p {
			pi := valRound[T](p[i])
			e := valRound[T](eps)
			s += -y[i]*math.Log(pi+e) - (1-y[i])*math.Log(1-pi+e)
		}
		got, err = losses.LogLoss(valTensor[T](p, 2, 3), valTensor[T](y, 2, 3), losses.Epsilon(eps))
		tfxPos(t, s/6, got, err, "contrib example, ε=%v", eps)
		got, err = losses.Log(valTensor[T](p, 2, 3), valTensor[T](y, 2, 3), losses.Epsilon(eps))
		tfxPos(t, s/6, got, err, "deprecated Log, ε=%v", eps)
	}
	// p outside [0, 1] is NaN through the logarithm, not an error.
	for _, c := range []struct{ p, y float64 }{{1.5, 1}, {-0.5, 0}, {2, 0.5}, {-0.25, 1}} {
		dst := make([]T, 2)
		got, err = losses.LogLoss(valTensor[T]([]float64{c.p, 0.5}, 2), valTensor[T]([]float64{c.y, 0.5}, 2), losses.Unreduced(dst))
		require.NoError(t, err)
		assert.True(t, math.IsNaN(float64(got)), "p=%v y=%v: want NaN, got %v", c.p, c.y, got)
		assert.True(t, math.IsNaN(float64(dst[0])), "p=%v y=%v: element NaN", c.p, c.y)
		assert.InDelta(t, -math.Log(0.5+1e-7), float64(dst[1]), 1e-6, "the other element is finite")
	}
	// Epsilon must be finite and >= 0; it does not apply to other losses.
	for _, bad := range []float64{-1e-7, math.NaN(), math.Inf(1)} {
		_, err = losses.LogLoss(perfectP, perfectP, losses.Epsilon(bad))
		assert.ErrorIs(t, err, losses.ErrOption, "Epsilon(%v)", bad)
	}
	_, err = losses.MeanSquaredError(perfectP, perfectP, losses.Epsilon(1e-7))
	assert.ErrorIs(t, err, losses.ErrOption, "Epsilon on MSE")
}

func TestSigmoidCrossEntropyIsAccurateForExtremeLogits(t *testing.T) {
	valEachKernelAndType(t, tfxSigmoidExtreme[float32], tfxSigmoidExtreme[float64])
}

func tfxSigmoidExtreme[T losses.Float](t *testing.T) {
	// x = 20, z = 1: 20 − 20 + log1p(e^−20) = 2.06e-9, not 0.
	want := math.Log1p(math.Exp(-20))
	for _, c := range []struct{ x, z float64 }{{20, 1}, {-20, 0}} {
		dst := make([]T, 1)
		got, err := losses.SigmoidCrossEntropy(valTensor[T]([]float64{c.x}, 1), valTensor[T]([]float64{c.z}, 1), losses.Unreduced(dst))
		require.NoError(t, err)
		assert.InEpsilon(t, want, float64(got), 1e-6, "x=%v z=%v", c.x, c.z)
		assert.InEpsilon(t, want, float64(dst[0]), 1e-6, "x=%v z=%v Unreduced", c.x, c.z)
	}
	// ±100 (and far beyond) stay finite.
	X := valTensor[T]([]float64{100, -100, 100, -100}, 4)
	Z := valTensor[T]([]float64{0, 1, 1, 0}, 4)
	dst := make([]T, 4)
	got, err := losses.SigmoidCrossEntropy(X, Z, losses.Unreduced(dst))
	tfxPos(t, 50, got, err, "±100: (100 + 100 + 2·3.7e-44)/4")
	assert.InEpsilon(t, 100, float64(dst[0]), 1e-6)
	assert.InEpsilon(t, 100, float64(dst[1]), 1e-6)
	for _, v := range dst[2:] {
		f := float64(v)
		assert.True(t, f >= 0 && f < 1e-40, "log1p(e^−100) ≈ 3.7e-44, got %v", f)
	}
	got, err = losses.SigmoidCrossEntropy(X, Z, losses.LabelSmoothing(1))
	tfxPos(t, 50, got, err, "±100 with z' = 1/2: every element loses 50")
	big := valTensor[T]([]float64{1e30, -1e30, 1e30, -1e30}, 4)
	got, err = losses.SigmoidCrossEntropy(big, Z, losses.Reduce(losses.Sum))
	tfxPos(t, 2e30, got, err, "±1e30: two wrong elements lose 1e30 each")
}

func TestSoftmaxCrossEntropyDoesNotOverflowForLargeLogits(t *testing.T) {
	valEachKernelAndType(t, tfxSoftmaxLarge[float32], tfxSoftmaxLarge[float64])
}

func tfxSoftmaxLarge[T losses.Float](t *testing.T) {
	// Logits m, m+1, m+2 with label on m+2: ln(e^−2 + e^−1 + 1) for any m.
	want := math.Log(math.Exp(-2) + math.Exp(-1) + 1)
	offsets := func(t *testing.T, ms ...float64) {
		for _, m := range ms {
			X := valTensor[T]([]float64{m, m + 1, m + 2, m + 2, m + 1, m}, 2, 3)
			Z := valTensor[T]([]float64{0, 0, 1, 1, 0, 0}, 2, 3)
			got, err := losses.SoftmaxCrossEntropy(X, Z)
			tfxPos(t, want, got, err, "offset %v", m)
			got, err = losses.SparseSoftmaxCrossEntropy(X, []int{2, 0})
			tfxPos(t, want, got, err, "sparse, offset %v", m)
		}
	}
	t.Run("moderate offsets", func(t *testing.T) { offsets(t, 0, 80, 700, 1000, -1000) })
	// m, m+1, m+2 are exact in both types and lse − x_c is 0.41 whatever m:
	// SPEC.md section 6 allows 1e-12 relative in float64. Forming lse = m +
	// ln Σ first and subtracting x_c afterwards costs ulp(m)/2 ≈ 1e-12 at
	// m = 1e4 and 6e-11 at m = 1e6; (m − x_c) + ln Σ is exact enough.
	t.Run("far offsets", func(t *testing.T) { offsets(t, 1e4, -1e4, 1e6) })
	// One class: lse = x, every row loses 0, with or without smoothing.
	X1 := valTensor[T]([]float64{3, -1000, 1000}, 3, 1)
	Z1 := valTensor[T]([]float64{1, 1, 1}, 3, 1)
	got, err := losses.SoftmaxCrossEntropy(X1, Z1)
	tfxPos(t, 0, got, err, "C = 1")
	got, err = losses.SoftmaxCrossEntropy(X1, Z1, losses.LabelSmoothing(0.5))
	tfxPos(t, 0, got, err, "C = 1, smoothing")
	got, err = losses.SparseSoftmaxCrossEntropy(X1, []int{0, 0, 0})
	tfxPos(t, 0, got, err, "sparse C = 1")
}
