package generic

// Elem is the set of kernels of one elementwise loss for one element type.
// Every kernel level provides the same signatures; this struct is the unit the
// kernel table (package asm) swaps per level.
//
// p and y have equal lengths (y is ignored by losses of one argument). a is the
// loss's parameter: ε for log loss, the label smoothing for sigmoid
// cross-entropy, unused otherwise. l(i) is the per-element loss and g(i) its
// derivative with respect to p(i). Sums are returned in float64.
//
// Three weight forms exist for each loop shape: uniform (no weights), W
// (one weight per element, len(w) == len(p)) and Row (len(p) == len(w)*inner,
// weight w[r] applies to the inner elements of row r).
type Elem[T Float] struct {
	// Sum returns Σ l(i).
	Sum func(p, y []T, a T) float64
	// WSum returns Σ w(i)·l(i), the number of w(i) != 0 and Σ w(i).
	WSum func(p, y, w []T, a T) (num float64, nonzero int, wsum float64)
	// RowSum returns Σ_r Σ_k w(r)·l(r·inner+k) (each product rounded as in the
	// W form, so Inf·0 is NaN), the number of rows with w(r) != 0 and Σ w(r).
	RowSum func(p, y, w []T, inner int, a T) (num float64, nonzero int, wsum float64)

	// Unred writes dst(i) = s·l(i) and returns Σ l(i).
	Unred func(dst, p, y []T, s, a T) float64
	// WUnred writes dst(i) = w(i)·l(i) and returns Σ w(i)·l(i).
	WUnred func(dst, p, y, w []T, a T) float64
	// RowUnred writes dst(r·inner+k) = w(r)·l(r·inner+k) and returns the sum of what it wrote.
	RowUnred func(dst, p, y, w []T, inner int, a T) float64

	// Grad writes dst(i) = s·g(i) and returns Σ l(i).
	Grad func(dst, p, y []T, s, a T) float64
	// WGrad writes dst(i) = s·w(i)·g(i) and returns Σ w(i)·l(i).
	WGrad func(dst, p, y, w []T, s, a T) float64
	// RowGrad writes dst(r·inner+k) = s·w(r)·g(r·inner+k) and returns Σ w(r)·l(r·inner+k).
	RowGrad func(dst, p, y, w []T, inner int, s, a T) float64
}

// ElemLoss names an elementwise loss body; it indexes the kernel table.
type ElemLoss int

// The elementwise loss bodies.
const (
	AbsDiff   ElemLoss = iota // |p − y|
	SqDiff                    // (p − y)²
	LogLoss                   // −y·ln(p + ε) − (1 − y)·ln(1 − p + ε)
	Hinge                     // max(0, 1 − (2y − 1)·x)
	SigmoidCE                 // max(x, 0) − x·z' + log1p(exp(−|x|))
	Identity                  // p (compute_weighted_loss)
	L1                        // |p| (regulariser)
	L2                        // p²/2 (regulariser)
	NumElemLoss
)

var elemNames = [NumElemLoss]string{"AbsDiff", "SqDiff", "LogLoss", "Hinge", "SigmoidCE", "Identity", "L1", "L2"}

func (k ElemLoss) String() string {
	if k >= 0 && k < NumElemLoss {
		return elemNames[k]
	}
	return "ElemLoss(?)"
}
