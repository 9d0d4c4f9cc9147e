package losses_test

import (
	"fmt"

	"github.com/simdloss/simdloss/losses"
)

// Mean squared error of a batch of 2 rows of 3 predictions, the second row
// weighted twice as much. [B] weights apply per batch row; the default
// reduction divides by the number of elements with non-zero weight.
func ExampleMeanSquaredError_weights() {
	predictions := losses.New([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	labels := losses.New([]float32{1, 2, 2, 4, 4, 4}, 2, 3)
	rowWeights := losses.New([]float32{1, 2}, 2)

	loss, err := losses.MeanSquaredError(predictions, labels, losses.Weights(rowWeights))
	if err != nil {
		panic(err)
	}
	// Row 0: (0 + 0 + 1)·1; row 1: (0 + 1 + 4)·2; six weighted elements.
	fmt.Printf("%.4f\n", loss)
	// Output: 1.8333
}

// Sparse softmax cross-entropy of 2 rows of 3 classes with the gradient
// with respect to the logits written in the same pass.
func ExampleSparseSoftmaxCrossEntropy_gradient() {
	logits := losses.New([]float64{2, 1, 0, 0, 0, 0}, 2, 3)
	labels := []int32{0, 2}
	grad := make([]float64, 6)

	loss, err := losses.SparseSoftmaxCrossEntropy(logits, labels, losses.Gradient(grad))
	if err != nil {
		panic(err)
	}
	// Row 0: ln(e²+e+1) − 2 = 0.4076; row 1: ln 3 = 1.0986; their mean.
	fmt.Printf("loss %.4f\n", loss)
	fmt.Printf("grad %.4f\n", grad)
	// Output:
	// loss 0.7531
	// grad [-0.1674 0.1224 0.0450 0.1667 0.1667 -0.3333]
}

// Losses and regulariser terms gathered into a collection, then totalled as
// tf.contrib.losses.get_total_loss does.
func ExampleCollection_TotalLoss() {
	var c losses.Collection
	p := losses.New([]float32{0.9, 0.2, 0.7})
	y := losses.New([]float32{1, 0, 1})
	params := losses.New([]float32{0.5, -1, 2})

	if _, err := losses.MeanSquaredError(p, y, losses.Into(&c)); err != nil {
		panic(err)
	}
	if _, err := losses.L2(params, 0.01, losses.Into(&c)); err != nil {
		panic(err)
	}
	// MSE (0.01+0.04+0.09)/3 and L2 0.01·(0.25+1+4)/2 (in float32).
	dataLoss, _ := c.TotalLoss(false)
	total, _ := c.TotalLoss(true)
	fmt.Printf("data %.4f, with regularisation %.4f\n", dataLoss, total)
	fmt.Println(c.RegularizationLosses("l2_regularizer"))
	// Output:
	// data 0.0467, with regularisation 0.0729
	// [0.026249999180436134]
}
