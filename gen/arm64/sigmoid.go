package main

import "github.com/simdloss/simdloss/gen/neon"

// sigmoidCEBody is the sigmoid cross-entropy in TensorFlow's stable form,
// with x the logits p, z the labels y and the label smoothing a:
// z' = z(1 − a) + a/2, l = max(x, 0) − x·z' + log1p(e), g = sigmoid(x) − z'
// with e = exp(−|x|) in (0, 1] and sigmoid(x) = (x >= 0 ? 1 : e)/(1 + e),
// so one exponential serves both. max is FMAX, which returns NaN for a NaN
// x (package generic's loss is NaN there through the exponential).
func sigmoidCEBody(c *kgen, x, z, a neon.V, wantGrad bool) (neon.V, neon.V) {
	A := c.A
	one := c.konst(1)
	om := c.op3(neon.FSUB, one, a) // 1 − a
	c.put(one)
	h := c.konst(0.5)
	zs := c.op3(neon.FMUL, a, h) // a/2
	c.put(h)
	c.I(neon.FMLA(A, zs, z, om)) // z' = z(1 − a) + a/2
	c.put(om)
	na := c.tmp()
	c.I(neon.FABS(A, na, x), neon.FNEG(A, na, na)) // −|x|
	e := c.vexp(na)
	c.put(na)
	lp := c.vlog1pUnit(e) // e in [0, 1], or NaN
	zero := c.konstBits(0)
	l := c.op3(neon.FMAX, x, zero)
	c.put(zero)
	c.I(neon.FMLS(A, l, x, zs)) // max(x, 0) − x·z', fused as Go fuses it
	c.I(neon.FADD(A, l, l, lp))
	c.put(lp)
	if !wantGrad {
		c.put(e, zs)
		return l, l
	}
	one = c.konst(1)
	u := c.op3(neon.FADD, e, one)
	m := c.tmp()
	c.I(neon.FCMGEZ(A, m, x), neon.BIT(e, one, m)) // x >= 0 ? 1 : e
	c.put(one, m)
	c.I(neon.FDIV(A, e, e, u), neon.FSUB(A, e, e, zs))
	c.put(u, zs)
	return l, e
}
