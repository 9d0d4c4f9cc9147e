package main

import (
	"github.com/mmcloughlin/avo/reg"
)

// sigmoidCEBody is the sigmoid cross-entropy with label smoothing a, in
// generic's order of operations: z' = z·(1 − a) + 0.5·a,
// l = (relu − x·z') + log1p(t), g = sigmoid(x) − z', with t = e**(−|x|) (in
// [0, 1]: one exponential serves both), relu = x where x >= 0 and 0
// elsewhere (NaN included), and sigmoid(x) = 1/(1 + t) for x >= 0, t/(1 + t)
// below, one division.
func sigmoidCEBody(c *g, x, z reg.VecVirtual, a func() reg.VecVirtual, wantGrad bool) (reg.VecVirtual, reg.VecVirtual) {
	na := c.vec()
	c.or(na, x, c.signMask()) // −|x|
	t := c.vexp(na)
	lp := c.vlog1pUnit(t)

	var sig reg.VecVirtual
	if wantGrad {
		d := c.vec()
		c.add(d, t, c.konst(1))
		sig = c.konst(1)
		c.blend(sig, c.cmp(cmpGE, x, c.zeros()), sig, t)
		c.div(sig, sig, d)
	}

	zs := c.vec()
	c.sub(zs, c.konst(1), a())
	c.mul(zs, z, zs)
	h := c.vec()
	c.mul(h, c.konst(0.5), a())
	c.add(zs, zs, h)

	l := c.vec()
	c.mul(l, x, zs)
	relu := c.vec()
	c.move(relu, x)
	c.keep(relu, c.cmp(cmpGE, x, c.zeros()))
	c.sub(l, relu, l)
	c.add(l, l, lp)
	if !wantGrad {
		return l, nil
	}
	c.sub(sig, sig, zs)
	return l, sig
}
