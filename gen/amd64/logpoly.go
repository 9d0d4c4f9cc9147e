package main

import (
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// The float32 logarithm without a division: x = 2^e·m with m in
// (√2/2, √2] taken from the bits with integer operations, f = m − 1
// (exact), ln m = f + f²·Q(f) with Q a degree-7 minimax polynomial of
// (ln(1 + f) − f)/f² on that range (relative error of ln m below 2^-25),
// evaluated in Estrin's scheme (a short dependency chain), and
// ln x = e·ln2 + ln m, one fused multiply-add with ln2 = float32(ln 2) (the
// product exact inside it). Every float32 in [1e-7, 1] is within 1 ulp of
// the correctly rounded value.

// lq32 are Q's coefficients, lowest degree first.
var lq32 = []uint32{0xbefffffd, 0x3eaaab7a, 0xbe80024d, 0x3e4c6960, 0xbe29ae98, 0x3e18c293, 0xbe12824d, 0x3db2e3b1}

// ln2F32 is float32(ln 2); its error, 1.9e-9, is below 0.07 ulp of e·ln 2
// + ln m for every e ≠ 0 (|e·ln 2 + ln m| >= ln 2/2).
var ln2F32 = float32(math.Ln2)

// logReduce32 returns f = m − 1 (neg: 1 − m) and e as a float with
// x = 2^e·m, m in (√2/2, √2], for x positive, normal and finite (other
// lanes get garbage). With b the bits of float32(√2/2), t = bits(x) − (b +
// 1) has e = t >> 23 (arithmetic) and bits(m) = bits(x) − e<<23.
func (c *g) logReduce32(x reg.VecVirtual, neg bool) (f, e reg.VecVirtual) {
	t := c.vec()
	c.emit(VPSUBD, c.konstBitsM(0x3f3504f4), x, t)
	VPSRAD(U8(23), t, t)
	sh := c.vec()
	VPSLLD(U8(23), t, sh)
	m := c.vec()
	VPSUBD(sh, x, m)
	e = c.vec()
	VCVTDQ2PS(t, e)
	f = c.vec()
	if neg {
		c.sub(f, c.konst(1), m)
	} else {
		c.sub(f, m, c.konstM(1))
	}
	return f, e
}

// logPoly32 returns e·ln2 + ln(1 + f) for f from logReduce32 (neg: its
// negation, from the negated f; every rounding is symmetric, so the bits are
// exactly those of the negated logarithm).
func (c *g) logPoly32(f, e reg.VecVirtual, neg bool) reg.VecVirtual {
	madd := c.fma // dst += a·b
	if neg {
		madd = c.fnma // dst −= a·b: f holds −f, odd powers flip
	}
	f2 := c.vec()
	c.mul(f2, f, f)
	// Pairs q[2i] + q[2i+1]·f, then Estrin's tree in f², f⁴.
	var pairs []reg.VecVirtual
	for i := 0; i < len(lq32); i += 2 {
		p := c.konstBits(uint64(lq32[i]))
		madd(p, f, c.konstBitsM(uint64(lq32[i+1])))
		pairs = append(pairs, p)
	}
	x := f2
	for len(pairs) > 1 {
		var next []reg.VecVirtual
		for i := 0; i < len(pairs); i += 2 {
			c.fma(pairs[i], x, pairs[i+1])
			next = append(next, pairs[i])
		}
		pairs = next
		if len(pairs) > 1 {
			x2 := c.vec()
			c.mul(x2, x, x)
			x = x2
		}
	}
	q := pairs[0]
	// r = f + f²·Q, then + e·ln2.
	if neg {
		c.fnma(f, f2, q)
		c.fnma(f, e, c.konstM(float64(ln2F32)))
	} else {
		c.fma(f, f2, q)
		c.fma(f, e, c.konstM(float64(ln2F32)))
	}
	return f
}

// vlog32 returns ln x (neg: −ln x) for float32 lanes that are all
// positive, normal and finite (see normalLanes).
func (c *g) vlog32(x reg.VecVirtual, neg bool) reg.VecVirtual {
	f, e := c.logReduce32(x, neg)
	return c.logPoly32(f, e, neg)
}
