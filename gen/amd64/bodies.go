package main

import (
	"math"

	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// body is one elementwise loss: it computes the per-element loss l (and,
// when asked, the gradient g) from vectors p, y and the broadcast parameter
// a, in the same order of operations as package generic (no fused
// multiply-adds), so per-element outputs match the generic level.
type body struct {
	Name   string // the ElemLoss name
	Fn     string // prefix of the kernels' names
	Doc    string
	UsesY  bool // false: one argument, called with y == p
	UsesA  bool
	Unroll int
	// emit computes a vector's loss and, with wantGrad, its gradient. The
	// driver reads neither p nor y after it, so a body with UsesY may
	// overwrite y's register (hinge does); without UsesY, y is p.
	emit func(c *g, p, y reg.VecVirtual, a func() reg.VecVirtual, wantGrad bool) (l, gr reg.VecVirtual)
	// fused, when set, returns f1 and f2 with l = f1·f2 (the body's last
	// operation a product): sums accumulate it with one fused multiply-add.
	fused func(c *g, p reg.VecVirtual, y Op) (f1, f2 reg.VecVirtual)
	// sumMem, when set, is emit's loss for the plain sum of a whole vector
	// with y read straight from memory (one instruction fewer per vector;
	// the same operations, so the same bits).
	sumMem func(c *g, p reg.VecVirtual, y Op) reg.VecVirtual
	// phased, when set, emits the body's first phase and returns a function
	// emitting the rest: an unrolled loop emits every vector's first phase
	// before any rest, so that independent work separates the dependent
	// halves of a long chain (emit must be the two in a row).
	phased func(c *g, p, y reg.VecVirtual, a func() reg.VecVirtual, wantGrad bool) func() (l, gr reg.VecVirtual)
	// setup, when set, runs once before the loop: it returns vectors derived
	// from the parameter a, stored in the frame, which emit finds in
	// c.derived (memory operands: no register held across the loop).
	setup func(c *g, a func() reg.VecVirtual) []Op
	// WideUnroll, when set, is the AVX-512 unrolling (thirty-two
	// registers), Unroll the AVX2 one.
	WideUnroll int
	// hoist, when set, names the constants the loops hold in registers
	// (c.hoist, c.hoistBits) rather than loading them for every vector.
	hoist func(c *g)
}

var bodies = []body{
	{Name: "AbsDiff", Fn: "absDiff", Doc: "l = |p − y|, g = sign(p − y)", UsesY: true, Unroll: 8, emit: absDiffBody, sumMem: absDiffMem, hoist: absHoist},
	{Name: "SqDiff", Fn: "sqDiff", Doc: "l = (p − y)², g = 2(p − y)", UsesY: true, Unroll: 8, emit: sqDiffBody, fused: sqDiffFused},
	{Name: "LogLoss", Fn: "logLoss", Doc: "l = −y·ln(p + a) − (1 − y)·ln(1 − p + a), g = −y/(p + a) + (1 − y)/(1 − p + a)", UsesY: true, UsesA: true, Unroll: 2, emit: logLossBody, setup: logLossSetup},
	{Name: "Hinge", Fn: "hinge", Doc: "y' = 2y − 1, l = max(0, 1 − y'·p), g = −y' where 1 − y'·p > 0 else 0", UsesY: true, Unroll: 4, emit: hingeBody, hoist: hingeHoist},
	{Name: "Identity", Fn: "identity", Doc: "l = p, g = 1", Unroll: 4, emit: identityBody},
	{Name: "L1", Fn: "l1", Doc: "l = |p|, g = sign(p)", Unroll: 4, emit: l1Body, hoist: absHoist},
	{Name: "L2", Fn: "l2", Doc: "l = p²/2, g = p", Unroll: 4, emit: l2Body},
	{Name: "SigmoidCE", Fn: "sigmoidCE", Doc: "z' = z·(1 − a) + a/2, l = max(x, 0) − x·z' + log1p(e**(−|x|)), g = sigmoid(x) − z'", UsesY: true, UsesA: true, Unroll: 2, WideUnroll: 4, emit: sigmoidCEBody, phased: sigmoidCEPhased, setup: sigmoidCESetup},
}

func (c *g) signMask() reg.VecVirtual {
	if c.is64() {
		return c.konstBits(1 << 63)
	}
	return c.konstBits(1 << 31)
}

func (c *g) absMask() reg.VecVirtual { return c.konstBits(c.absBits()) }

// absMaskR is absMask for a caller that only reads it (see konstBitsR).
func (c *g) absMaskR() reg.VecVirtual { return c.konstBitsR(c.absBits()) }

// signMaskR is signMask for a caller that only reads it.
func (c *g) signMaskR() reg.VecVirtual { return c.konstBitsR(c.signBit()) }

// absBits clears the sign bit of the element type.
func (c *g) absBits() uint64 {
	if c.is64() {
		return math.MaxInt64
	}
	return math.MaxInt32
}

// hingeHoist holds the hinge loss's constants in registers.
func hingeHoist(c *g) {
	c.hoist(1, 2, -1, 0)
	c.hoistBits(c.signBit())
}

// absHoist holds the absolute value's mask in a register.
func absHoist(c *g) { c.hoistBits(c.absBits()) }

// sign returns −1, 0 or 1 per lane, and NaN for NaN.
func (c *g) sign(d reg.VecVirtual) reg.VecVirtual {
	zero := c.vec()
	c.zero(zero)
	one := c.konst(1)
	mone := c.konst(-1)
	r := c.vec()
	c.blend(r, c.cmp(cmpGT, d, zero), one, zero)
	c.blend(r, c.cmp(cmpLT, d, zero), mone, r)
	c.blend(r, c.cmp(cmpUnord, d, d), d, r)
	return r
}

// absDiff returns d = p − y and l = |d|.
func absDiff(c *g, p reg.VecVirtual, y Op) (d, l reg.VecVirtual) {
	d = c.vec()
	c.sub(d, p, y)
	l = c.vec()
	c.and(l, d, c.absMaskR())
	return d, l
}

func absDiffBody(c *g, p, y reg.VecVirtual, _ func() reg.VecVirtual, wantGrad bool) (reg.VecVirtual, reg.VecVirtual) {
	d, l := absDiff(c, p, y)
	if !wantGrad {
		return l, nil
	}
	return l, c.sign(d)
}

func absDiffMem(c *g, p reg.VecVirtual, y Op) reg.VecVirtual {
	_, l := absDiff(c, p, y)
	return l
}

func sqDiffFused(c *g, p reg.VecVirtual, y Op) (reg.VecVirtual, reg.VecVirtual) {
	d := c.vec()
	c.sub(d, p, y)
	return d, d
}

func sqDiffBody(c *g, p, y reg.VecVirtual, _ func() reg.VecVirtual, wantGrad bool) (reg.VecVirtual, reg.VecVirtual) {
	d := c.vec()
	c.sub(d, p, y)
	l := c.vec()
	c.mul(l, d, d)
	if !wantGrad {
		return l, nil
	}
	gr := c.vec()
	c.add(gr, d, d)
	return l, gr
}

var logLossLabels int

func logLossBody(c *g, p, y reg.VecVirtual, epsv func() reg.VecVirtual, wantGrad bool) (reg.VecVirtual, reg.VecVirtual) {
	eps := logLossEps(c, epsv)
	if !c.is64() {
		return logLoss32(c, p, y, eps, wantGrad) // logloss.go
	}
	l := logLossGeneral(c, p, y, eps)
	if !wantGrad {
		return l, nil
	}
	return l, logLossGrad(c, p, y, eps)
}

// logLossGrad returns −y/(p + ε) + (1 − y)/((1 − p) + ε).
func logLossGrad(c *g, p, y reg.VecVirtual, eps func() Op) reg.VecVirtual {
	q1 := c.vec()
	c.xor(q1, y, c.signMask())
	a1, a2 := logLossArgs(c, p, eps)
	c.div(q1, q1, a1) // −y/(p+ε)
	om := c.vec()
	c.sub(om, c.konst(1), y)
	c.div(om, om, a2) // (1 − y)/(1 − p + ε)
	gr := c.vec()
	c.add(gr, q1, om)
	return gr
}

// logLossArgs returns p + ε and (1 − p) + ε.
func logLossArgs(c *g, p reg.VecVirtual, eps func() Op) (reg.VecVirtual, reg.VecVirtual) {
	a1 := c.vec()
	c.add(a1, p, eps())
	a2 := c.vec()
	c.sub(a2, c.konst(1), p)
	c.add(a2, a2, eps())
	return a1, a2
}

// logLossCombine returns −(y·l1) − (1 − y)·l2, in generic's order.
func logLossCombine(c *g, y, l1, l2 reg.VecVirtual) reg.VecVirtual {
	c.mul(l1, y, l1)
	c.xor(l1, l1, c.signMask()) // −(y·l1)
	om := c.vec()
	c.sub(om, c.konst(1), y)
	c.mul(l2, om, l2)
	l := c.vec()
	c.sub(l, l1, l2)
	return l
}

// logLossGeneral is the loss with vlog's full handling of every input.
func logLossGeneral(c *g, p, y reg.VecVirtual, eps func() Op) reg.VecVirtual {
	// Ordered to keep few registers live across the two logarithms (AVX2
	// has sixteen).
	a1 := c.vec()
	c.add(a1, p, eps()) // p + ε
	l1 := c.vlog(a1)
	c.mul(l1, y, l1)
	c.xor(l1, l1, c.signMask()) // −(y·ln(p+ε))
	a2 := c.vec()
	c.sub(a2, c.konst(1), p)
	c.add(a2, a2, eps()) // (1 − p) + ε
	l2 := c.vlog(a2)
	om := c.vec()
	c.sub(om, c.konst(1), y) // 1 − y
	c.mul(l2, om, l2)
	l := c.vec()
	c.sub(l, l1, l2)
	return l
}

func hingeBody(c *g, x, y reg.VecVirtual, _ func() reg.VecVirtual, wantGrad bool) (reg.VecVirtual, reg.VecVirtual) {
	// y' = 2y − 1 with one fused multiply-add, in y's register (the body
	// is its last reader): 2y is exact, so it rounds as (y + y) − 1 does.
	ys := y
	c.fma213(ys, c.konstR(2), c.konstM(-1))
	v := c.vec()
	c.mul(v, ys, x)
	c.sub(v, c.konstR(1), v) // 1 − y'·x
	zero := c.zerosR()
	l := c.vec()
	c.maxSecond(l, zero, v) // max(0, v), NaN kept
	if !wantGrad {
		return l, nil
	}
	gr := c.vec()
	c.xor(gr, ys, c.signMaskR())
	c.blend(gr, c.cmp(cmpGT, v, zero), gr, zero)
	c.blend(gr, c.cmp(cmpUnord, v, v), v, gr)
	return l, gr
}

func identityBody(c *g, p, _ reg.VecVirtual, _ func() reg.VecVirtual, wantGrad bool) (reg.VecVirtual, reg.VecVirtual) {
	if !wantGrad {
		return p, nil
	}
	return p, c.konst(1)
}

func l1Body(c *g, p, _ reg.VecVirtual, _ func() reg.VecVirtual, wantGrad bool) (reg.VecVirtual, reg.VecVirtual) {
	l := c.vec()
	c.and(l, p, c.absMaskR())
	if !wantGrad {
		return l, nil
	}
	return l, c.sign(p)
}

func l2Body(c *g, p, _ reg.VecVirtual, _ func() reg.VecVirtual, wantGrad bool) (reg.VecVirtual, reg.VecVirtual) {
	l := c.vec()
	c.mul(l, p, p)
	c.mul(l, l, c.konst(0.5))
	if !wantGrad {
		return l, nil
	}
	return l, p
}
