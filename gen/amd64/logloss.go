package main

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// logLossSetup stores ε, broadcast, in the frame once per call: every use
// is then a memory operand of the addition.
func logLossSetup(c *g, a func() reg.VecVirtual) []Mem {
	m := AllocLocal(c.Bytes)
	c.store(a(), m)
	return []Mem{m}
}

// logLossEps returns ε as an operand: the frame copy where the kernel has
// one, else a fresh broadcast.
func logLossEps(c *g, eps func() reg.VecVirtual) func() Op {
	return func() Op {
		if len(c.derived) > 0 {
			return c.derived[0]
		}
		return eps()
	}
}

// Compare predicates used here only.
const cmpNLT = 0x15 // NLT_UQ: x >= y or unordered

// ifAny jumps to label when any lane of m is true.
func (c *g) ifAny(m mask, label string) {
	switch {
	case c.wide() && c.is64():
		KORTESTB(m.k, m.k)
	case c.wide():
		KORTESTW(m.k, m.k)
	case c.is64():
		VTESTPD(m.v, m.v)
	default:
		VTESTPS(m.v, m.v)
	}
	JNE(LabelRef(label))
}

// logLoss32 is the float32 loss. When every label is 0 or 1, both
// arguments of the logarithms are positive, normal and finite, and no
// argument of the one logarithm that counts is exactly 1, every lane's loss
// is −ln t with t = (y == 1 ? p + ε : (1 − p) + ε): the other term is a
// zero that leaves a nonzero −ln t unchanged (generic's −(y·l1) − (1 − y)·l2
// with y·l1 or (1 − y)·l2 a signed zero). That path takes one logarithm
// per element, negated within (the same bits as the negated logarithm).
// Other vectors take two logarithms when their arguments allow (soft labels,
// or t = 1 where zero signs matter), else the general path; each gives the
// general path's bits.
func logLoss32(c *g, p, y reg.VecVirtual, eps func() Op) reg.VecVirtual {
	logLossLabels++
	slow, general, done := fmt.Sprintf("llslow%d", logLossLabels), fmt.Sprintf("llgeneral%d", logLossLabels), fmt.Sprintf("lldone%d", logLossLabels)
	l := c.vec()
	a1, a2 := logLossArgs(c, p, eps)
	notOne := c.cmp(cmpNEQ, y, c.konstM(1)) // y ≠ 1 or NaN
	t := c.vec()
	c.blend(t, notOne, a2, a1)
	// Both arguments positive normal finite: min ≥ 2^-126 and max < +Inf.
	// A NaN argument needs p or ε NaN or infinite, and then the other is NaN
	// or infinite too: min and max fail for either operand order.
	mn, mx := c.vec(), c.vec()
	c.minSecond(mn, a1, a2)
	c.maxSecond(mx, a1, a2)
	bad := c.maskOr(c.cmp(cmpNGE, mn, c.konstM(0x1p-126)), c.cmp(cmpNLT, mx, c.konstM(math.Inf(1))))
	bad = c.maskOr(bad, c.maskAnd(notOne, c.cmp(cmpNEQ, y, c.zeros())))
	bad = c.maskOr(bad, c.cmp(cmpEQ, t, c.konstM(1)))
	c.ifAny(bad, slow)
	c.move(l, c.vlog32(t, true))
	JMP(LabelRef(done))

	Label(slow)
	a1, a2 = logLossArgs(c, p, eps)
	c.unlessAll(c.maskAnd(c.normalLanes(a1), c.normalLanes(a2)), general)
	c.move(l, logLossCombine(c, y, c.vlogNormal32(a1), c.vlogNormal32(a2)))
	JMP(LabelRef(done))

	Label(general)
	c.move(l, logLossGeneral(c, p, y, eps))
	Label(done)
	return l
}
