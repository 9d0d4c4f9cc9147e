// Package losses computes the loss functions of neural-network training —
// TensorFlow 1.x tf.contrib.losses — on float32 and float64 tensors, with
// weights, the four reductions, unreduced outputs and fused gradients, on
// the fastest kernel level the CPU supports.
//
// # Names
//
//	tf.contrib.losses                     simdloss/losses
//	absolute_difference                   AbsoluteDifference
//	mean_squared_error                    MeanSquaredError
//	sum_of_squares (deprecated)           SumOfSquares
//	log_loss                              LogLoss
//	log (deprecated)                      Log
//	hinge_loss                            HingeLoss
//	sigmoid_cross_entropy                 SigmoidCrossEntropy
//	softmax_cross_entropy                 SoftmaxCrossEntropy
//	sparse_softmax_cross_entropy          SparseSoftmaxCrossEntropy
//	cosine_distance                       CosineDistance
//	mean_pairwise_squared_error           MeanPairwiseSquaredError
//	sum_of_pairwise_squares (deprecated)  SumOfPairwiseSquares
//	compute_weighted_loss                 ComputeWeightedLoss
//	add_loss                              AddLoss, Collection.AddLoss
//	get_losses                            GetLosses, Collection.Losses
//	get_regularization_losses             GetRegularizationLosses, Collection.RegularizationLosses
//	get_total_loss                        GetTotalLoss, Collection.TotalLoss
//	contrib.layers.l1_regularizer         L1
//	contrib.layers.l2_regularizer         L2
//
// TensorFlow's weights/weight argument is the Weights or Weight option, its
// label_smoothing is LabelSmoothing, log_loss's epsilon is Epsilon, and
// tf.losses' Reduction is Reduce.
//
// # Calls
//
// Every loss returns one scalar of the input's element type and an error:
//
//	loss, err := losses.MeanSquaredError(losses.New(pred, batch, dim), losses.New(labels, batch, dim),
//		losses.Weights(losses.New(rowWeights, batch)), losses.Gradient(grad))
//
// Options are plain values; a call allocates nothing. Weights broadcast
// against the leading dims of the losses (a rank-1 weight is per batch row),
// each dim equal or 1, and a trailing 1 is dropped, so [B,1] means [B].
// Gradient writes d(result)/d(predictions) in the same pass as the loss;
// Unreduced writes each measurable element's weighted loss.
//
// For many small calls in a row, build the tensors before the call rather
// than in its argument list: the compiler copies a tensor built in place
// into the call's arguments in a way that makes the call wait for the
// previous one to finish, 15–25 ns each at a few thousand elements.
//
//	p, y := losses.New(pred), losses.New(labels) // once per batch
//	loss, err := losses.MeanSquaredError(p, y)
//
// # Errors
//
// Every error wraps one of ErrShape, ErrWeights, ErrInvalidLabel, ErrAxis,
// ErrOption, ErrNoLosses or ErrKernel (match with errors.Is) and names the
// argument, shape or index at fault. No input makes a function panic, and
// nothing is written to a destination when an error is returned.
//
// # Deliberate differences from TensorFlow
//
//   - float64 inputs are computed in float64 (TensorFlow computed in float32);
//     float32 sums are accumulated in blocks combined in float64.
//   - Broadcast size-1 weight dims count fully in the denominator: weights
//     [1] on losses [2,3] give the plain mean, not contrib's twice the mean.
//   - HingeLoss returns the weighted, reduced scalar (as tf.losses v1);
//     Unreduced gives contrib's per-element tensor.
//   - Nothing is collected implicitly: a loss joins a Collection only with Into.
//   - CosineDistance removes its axis from the measurable shape; weights
//     broadcast against the reduced shape.
//
// # Kernel levels
//
// The best level (avx512, avx2, neon or generic) is chosen at start-up by
// cpuid detection. SIMDLOSS_KERNEL=<level> in the environment or UseKernel
// selects another; Kernel names the active one. The purego build tag builds
// the generic level alone.
package losses
