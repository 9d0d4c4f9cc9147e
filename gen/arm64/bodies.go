package main

import "github.com/simdloss/simdloss/gen/neon"

// body is one elementwise loss: it computes the per-element loss l (and,
// when asked, the gradient g) from vectors p, y and the broadcast parameter
// a, in the order of operations of package generic as Go compiles it for
// arm64 (which fuses x·y ± z into one rounding: so do these, with FMLA/FMLS).
// A body never writes p, y, a or a constant; it returns fresh registers or
// its inputs.
type body struct {
	Name   string // the ElemLoss name
	Fn     string // prefix of the kernels' names
	Doc    string
	UsesY  bool // false: one argument, called with y == p
	UsesA  bool
	Unroll int
	emit   func(c *kgen, p, y, a neon.V, wantGrad bool) (l, gr neon.V)
}

var bodies = []body{
	{Name: "AbsDiff", Fn: "absDiff", Doc: "l = |p − y|, g = sign(p − y)", UsesY: true, Unroll: 4, emit: absDiffBody},
	{Name: "SqDiff", Fn: "sqDiff", Doc: "l = (p − y)², g = 2(p − y)", UsesY: true, Unroll: 4, emit: sqDiffBody},
	{Name: "LogLoss", Fn: "logLoss", Doc: "l = −y·ln(p + a) − (1 − y)·ln(1 − p + a), g = −y/(p + a) + (1 − y)/(1 − p + a)", UsesY: true, UsesA: true, Unroll: 2, emit: logLossBody},
	{Name: "Hinge", Fn: "hinge", Doc: "y' = 2y − 1, l = max(0, 1 − y'·p), g = −y' where 1 − y'·p > 0 else 0", UsesY: true, Unroll: 2, emit: hingeBody},
	{Name: "SigmoidCE", Fn: "sigmoidCE", Doc: "z' = y(1 − a) + a/2, l = max(p, 0) − p·z' + log1p(exp(−|p|)), g = sigmoid(p) − z'", UsesY: true, UsesA: true, Unroll: 2, emit: sigmoidCEBody},
	{Name: "Identity", Fn: "identity", Doc: "l = p, g = 1", Unroll: 4, emit: identityBody},
	{Name: "L1", Fn: "l1", Doc: "l = |p|, g = sign(p)", Unroll: 4, emit: l1Body},
	{Name: "L2", Fn: "l2", Doc: "l = p²/2, g = p", Unroll: 4, emit: l2Body},
}

// sign returns −1, 0 or 1 per lane, and NaN for NaN.
func (c *kgen) sign(d neon.V) neon.V {
	r := c.copyOf(c.konst(1))
	sm := c.signMask()
	c.I(neon.BIT(r, d, sm)) // copysign(1, d)
	c.put(sm)
	z := c.tmp()
	c.I(neon.FCMEQZ(c.A, z, d), neon.BIC(r, r, z))   // 0 at ±0
	c.I(neon.FCMEQ(c.A, z, d, d), neon.BIF(r, d, z)) // d where d is NaN
	c.put(z)
	return r
}

func (c *kgen) signMask() neon.V {
	if c.Size == 8 {
		return c.konstBits(1 << 63)
	}
	return c.konstBits(1 << 31)
}

func absDiffBody(c *kgen, p, y, _ neon.V, wantGrad bool) (neon.V, neon.V) {
	d := c.op3(neon.FSUB, p, y)
	l := c.tmp()
	c.I(neon.FABS(c.A, l, d))
	if !wantGrad {
		c.put(d)
		return l, l
	}
	gr := c.sign(d)
	c.put(d)
	return l, gr
}

func sqDiffBody(c *kgen, p, y, _ neon.V, wantGrad bool) (neon.V, neon.V) {
	d := c.op3(neon.FSUB, p, y)
	l := c.op3(neon.FMUL, d, d)
	if !wantGrad {
		c.put(d)
		return l, l
	}
	c.I(neon.FADD(c.A, d, d, d))
	return l, d
}

func logLossBody(c *kgen, p, y, eps neon.V, wantGrad bool) (neon.V, neon.V) {
	one := c.konst(1)
	a1 := c.op3(neon.FADD, p, eps) // p + ε
	a2 := c.op3(neon.FSUB, one, p)
	c.put(one)
	c.I(neon.FADD(c.A, a2, a2, eps)) // (1 − p) + ε
	l := c.vlog(a1)
	c.I(neon.FMUL(c.A, l, y, l), neon.FNEG(c.A, l, l)) // −(y·ln(p+ε))
	l2 := c.vlog(a2)
	one = c.konst(1)
	om := c.op3(neon.FSUB, one, y) // 1 − y
	c.put(one)
	c.I(neon.FMLS(c.A, l, om, l2)) // −(y·ln(p+ε)) − (1−y)·ln(1−p+ε)
	c.put(l2)
	if !wantGrad {
		c.put(a1, a2, om)
		return l, l
	}
	gr := c.tmp()
	c.I(neon.FNEG(c.A, gr, y), neon.FDIV(c.A, gr, gr, a1)) // −y/(p+ε)
	c.I(neon.FDIV(c.A, om, om, a2))                        // (1 − y)/(1 − p + ε)
	c.I(neon.FADD(c.A, gr, gr, om))
	c.put(a1, a2, om)
	return l, gr
}

func hingeBody(c *kgen, x, y, _ neon.V, wantGrad bool) (neon.V, neon.V) {
	one := c.konst(1)
	ys := c.op3(neon.FADD, y, y)
	c.I(neon.FSUB(c.A, ys, ys, one)) // y' = 2y − 1
	v := c.copyOf(one)
	c.I(neon.FMLS(c.A, v, ys, x)) // 1 − y'·x
	zero := c.konstBits(0)
	l := c.op3(neon.FMAX, zero, v) // NaN kept
	c.put(zero)
	if !wantGrad {
		c.put(ys, v)
		return l, l
	}
	gr := c.tmp()
	m := c.tmp()
	c.I(neon.FNEG(c.A, gr, ys), neon.FCMGTZ(c.A, m, v), neon.AND(gr, gr, m))
	c.I(neon.FCMEQ(c.A, m, v, v), neon.BIF(gr, v, m)) // v where v is NaN
	c.put(ys, v, m)
	return l, gr
}

func identityBody(c *kgen, p, _, _ neon.V, wantGrad bool) (neon.V, neon.V) {
	if !wantGrad {
		return p, p
	}
	return p, c.konst(1)
}

func l1Body(c *kgen, p, _, _ neon.V, wantGrad bool) (neon.V, neon.V) {
	l := c.tmp()
	c.I(neon.FABS(c.A, l, p))
	if !wantGrad {
		return l, l
	}
	return l, c.sign(p)
}

func l2Body(c *kgen, p, _, _ neon.V, wantGrad bool) (neon.V, neon.V) {
	l := c.op3(neon.FMUL, p, p)
	h := c.konst(0.5)
	c.I(neon.FMUL(c.A, l, l, h))
	c.put(h)
	if !wantGrad {
		return l, l
	}
	return l, p
}
