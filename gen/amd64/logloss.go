package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// logLossSetup stores ε in the frame once per call: every use is then a
// memory operand of the addition.
func logLossSetup(c *g, a func() reg.VecVirtual) []Op {
	return []Op{c.frameConst(a())}
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
// Its gradient, −1/t for y = 1 and 1/t for y = ±0, takes one division.
// Other vectors take two logarithms when their arguments allow (soft labels,
// or t = 1 where zero signs matter), else the general path; each gives the
// general path's bits.
func logLoss32(c *g, p, y reg.VecVirtual, eps func() Op, wantGrad bool) (l, gr reg.VecVirtual) {
	logLossLabels++
	slow, general, done := fmt.Sprintf("llslow%d", logLossLabels), fmt.Sprintf("llgeneral%d", logLossLabels), fmt.Sprintf("lldone%d", logLossLabels)
	a1, a2 := logLossArgs(c, p, eps)
	var t reg.VecVirtual
	var isOne, abnormal mask // abnormal: an argument is not positive, normal and finite
	if c.wide() {
		// AVX-512: VFPCLASSPS flags NaN, zeros, infinities, subnormals and
		// negatives in one instruction per argument.
		isOne = c.cmp(cmpEQ, y, c.konstM(1))
		labels := c.maskOr(isOne, c.cmp(cmpEQ, y, c.zeros()))
		k1, k2 := K(), K()
		VFPCLASSPSZ(U8(0xff), a1, k1)
		VFPCLASSPSZ(U8(0xff), a2, k2)
		t = a2
		c.blend(t, isOne, a1, a2)
		abnormal = c.maskOr(mask{k: k1}, mask{k: k2})
		bad := c.maskOr(abnormal, c.cmp(cmpEQ, t, c.konstM(1)))
		c.unlessAll(c.maskAndNot(bad, labels), slow)
	} else {
		// AVX2: integer lane tests (the vector integer units, not the
		// floating-point multiply/compare ones the logarithm needs): y is 1,
		// or ±0 (y << 1 is 0); both arguments are positive, normal and finite
		// (their bits in [2^23, 0x7f7fffff]: + 0x7f800000 maps that range to
		// the int32 values below 0xff000000); the logarithm's argument is
		// not 1.
		isOne = c.icmp(false, y, c.konstBitsM(0x3f800000))
		y2 := c.vec()
		VPSLLD(U8(1), y, y2)
		labels := c.maskOr(isOne, c.icmp(false, y2, c.zeros()))
		v1, v2 := c.vec(), c.vec()
		c.emit(VPADDD, c.konstBitsM(0x7f800000), a1, v1)
		c.emit(VPADDD, c.konstBitsM(0x7f800000), a2, v2)
		VPMAXSD(v1, v2, v1)
		t = a2
		c.blend(t, isOne, a1, a2)
		abnormal = c.icmp(true, v1, c.konstBitsM(0xfeffffff))
		bad := c.maskOr(abnormal, c.icmp(false, t, c.konstBitsM(0x3f800000)))
		c.unlessAll(c.maskAndNot(bad, labels), slow)
	}
	if wantGrad {
		// −y/(p + ε) + (1 − y)/((1 − p) + ε) is −1/t + 0 for y = 1 and
		// ∓0 + 1/t for y = ±0 (t normal: 1/t is finite and nonzero): one
		// division.
		gr = c.konst(1)
		c.blend(gr, isOne, c.konst(-1), gr)
		c.div(gr, gr, t)
	}
	l = c.vlog32(t, true)
	JMP(LabelRef(done))

	Label(slow)
	c.ifAny(abnormal, general)
	a1, a2 = logLossArgs(c, p, eps)
	c.move(l, logLossCombine(c, y, c.vlogNormal32(a1), c.vlogNormal32(a2)))
	if wantGrad {
		c.move(gr, logLossGrad(c, p, y, eps))
	}
	JMP(LabelRef(done))

	Label(general)
	c.move(l, logLossGeneral(c, p, y, eps))
	if wantGrad {
		c.move(gr, logLossGrad(c, p, y, eps))
	}
	Label(done)
	return l, gr
}

// icmp returns the int32 lane mask a > b (gt) or a == b.
func (c *g) icmp(gt bool, a, b Op) mask {
	in := VPCMPEQD
	if gt {
		in = VPCMPGTD
	}
	if c.wide() {
		k := K()
		c.emit(in, b, a, k)
		return mask{k: k}
	}
	m := c.vec()
	c.emit(in, b, a, m)
	return mask{v: m}
}

// maskAndNot returns ¬a & b.
func (c *g) maskAndNot(a, b mask) mask {
	if c.wide() {
		k := K()
		// Go's operand order: KANDNW b, a, k is k = ¬a & b.
		if c.is64() {
			KANDNB(b.k, a.k, k)
		} else {
			KANDNW(b.k, a.k, k)
		}
		return mask{k: k}
	}
	m := c.vec()
	c.andnot(m, a.v, b.v)
	return mask{v: m}
}
