package generic

// Loss bodies: the per-element loss l(p, y, a) and its derivative g(p, y, a)
// with respect to p, in the arithmetic of T and in TensorFlow's order of
// operations where TensorFlow defines one.

// absDiff: |p − y|; sign(p − y), 0 at equality.
func absDiffL[T Float](p, y, _ T) T { d := p - y; return max(d, -d) } // +0 for ±0, NaN for NaN
func absDiffG[T Float](p, y, _ T) T { return sign(p - y) }

// sqDiff: (p − y)²; 2(p − y).
func sqDiffL[T Float](p, y, _ T) T { d := p - y; return d * d }
func sqDiffG[T Float](p, y, _ T) T { return 2 * (p - y) }

// logLoss: −y·ln(p + ε) − (1 − y)·ln(1 − p + ε); −y/(p + ε) + (1 − y)/(1 − p + ε).
func logLossL[T Float](p, y, eps T) T {
	return -(y * Log(p+eps)) - (1-y)*Log(1-p+eps)
}
func logLossG[T Float](p, y, eps T) T {
	return -y/(p+eps) + (1-y)/(1-p+eps)
}

// hinge: with y' = 2y − 1, max(0, 1 − y'·x); −y' where 1 − y'·x > 0, else 0.
func hingeL[T Float](x, y, _ T) T { return max0(1 - (2*y-1)*x) }
func hingeG[T Float](x, y, _ T) T {
	ys := 2*y - 1
	v := 1 - ys*x
	switch {
	case v > 0:
		return -ys
	case v <= 0:
		return 0
	}
	return v // NaN
}

// sigmoidCE with z' = z(1 − L) + L/2: max(x, 0) − x·z' + log1p(exp(−|x|)); sigmoid(x) − z'.
func sigmoidCEL[T Float](x, z, smooth T) T {
	zs := z*(1-smooth) + 0.5*smooth
	relu, negAbs := x, -x
	if !(x >= 0) {
		relu, negAbs = 0, x
	}
	return relu - x*zs + Log1p(Exp(negAbs))
}
func sigmoidCEG[T Float](x, z, smooth T) T {
	zs := z*(1-smooth) + 0.5*smooth
	return Sigmoid(x) - zs
}

// identity (compute_weighted_loss): l = p; 1.
func identityL[T Float](p, _, _ T) T { return p }
func identityG[T Float](p, _, _ T) T { return 1 }

// l1 (regulariser): |p|; sign(p).
func l1L[T Float](p, _, _ T) T { return max(p, -p) }
func l1G[T Float](p, _, _ T) T { return sign(p) }

// l2 (regulariser, tf.nn.l2_loss): p²/2; p.
func l2L[T Float](p, _, _ T) T { return p * p / 2 }
func l2G[T Float](p, _, _ T) T { return p }
