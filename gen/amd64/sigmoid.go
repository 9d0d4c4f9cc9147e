package main

import (
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// sigmoidCEBody is the sigmoid cross-entropy with label smoothing a, in
// generic's order of operations: z' = z·(1 − a) + 0.5·a,
// l = (relu − x·z') + log1p(t), g = sigmoid(x) − z', with t = e**(−|x|) (in
// [0, 1]: one exponential serves both), relu = max(x, 0) (0 for NaN), and
// sigmoid(x) = 1/(1 + t) for x >= 0, t/(1 + t) below, one division.
func sigmoidCEBody(c *g, x, z reg.VecVirtual, a func() reg.VecVirtual, wantGrad bool) (reg.VecVirtual, reg.VecVirtual) {
	return sigmoidCEPhased(c, x, z, a, wantGrad)()
}

// sigmoidCEPhased is sigmoidCEBody in two phases: the exponential, then the
// rest.
func sigmoidCEPhased(c *g, x, z reg.VecVirtual, a func() reg.VecVirtual, wantGrad bool) func() (reg.VecVirtual, reg.VecVirtual) {
	na := c.vec()
	c.or(na, x, c.konstBitsM(c.signBit())) // −|x|
	t := c.vexpNonPos(na)
	return func() (reg.VecVirtual, reg.VecVirtual) { return sigmoidCERest(c, x, z, t, a, wantGrad) }
}

func sigmoidCERest(c *g, x, z, t reg.VecVirtual, a func() reg.VecVirtual, wantGrad bool) (reg.VecVirtual, reg.VecVirtual) {
	lp := c.vlog1pUnit(t)

	var sig reg.VecVirtual
	if wantGrad {
		d := c.vec()
		c.add(d, t, c.konstM(1))
		sig = c.konst(1)
		c.blend(sig, c.cmp(cmpGE, x, c.zeros()), sig, t)
		c.div(sig, sig, d)
	}

	zs := c.vec()
	c.mul(zs, z, c.derived[0])
	c.add(zs, zs, c.derived[1])

	l := c.vec()
	c.mul(l, x, zs)
	// relu = max(x, 0), 0 for NaN as generic (whose loss is NaN through
	// x·z' anyway); −0 gives +0 where generic keeps −0, which the
	// subtraction below maps to the same +0.
	relu := c.vec()
	c.maxSecond(relu, x, c.zeros())
	c.sub(l, relu, l)
	c.add(l, l, lp)
	if !wantGrad {
		return l, nil
	}
	c.sub(sig, sig, zs)
	return l, sig
}

// sigmoidCESetup derives 1 − a and 0.5·a (z' = z·(1 − a) + 0.5·a) once
// per call, into the frame.
func sigmoidCESetup(c *g, a func() reg.VecVirtual) []Op {
	om := c.konst(1)
	c.sub(om, om, a())
	h := c.vec()
	c.mul(h, a(), c.konstM(0.5))
	return []Op{c.frameConst(om), c.frameConst(h)}
}

// signBit is the sign bit of the element type.
func (c *g) signBit() uint64 {
	if c.is64() {
		return 1 << 63
	}
	return 1 << 31
}
