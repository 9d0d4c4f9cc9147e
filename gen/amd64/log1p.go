package main

import (
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// log1p: u = 1 + x = 2^e·m with m in (√2/2, √2] (never subnormal: u is 0
// or at least 2^-mantissa bits), taken from the bits with integer
// operations. Where e = 0, ln(1 + x) = ln(1 + f) with f = x exactly; else
// f = m − 1 (exact) and the rounding error of u, c = (1 + x) − u (exact,
// by the two-sum of the larger and the smaller of 1 and x), enters as
// ln(1 + x) = e·ln2 + ln m + c/u. Both go through the logarithm's core.
// Specials as Go's math.Log1p: −1 → −Inf, < −1 → NaN, +Inf → +Inf, NaN →
// NaN, ±0 → ±0.

// log1pReduce returns m in (√2/2, √2] and e (as a float) with u = 2^e·m,
// for u positive, normal and finite (other lanes get garbage).
func (c *g) log1pReduce(u reg.VecVirtual) (m, e reg.VecVirtual) {
	t, e := c.vec(), c.vec()
	m = c.vec()
	if c.is64() {
		// B = bits(√2/2) + 1; t = bits(u) − B + 1024·2^52 stays positive,
		// so a logical shift gives e + 1024 (AVX2 has no 64-bit arithmetic
		// shift), made a float through the mantissa of 2^52.
		const b = 0x3fe6a09e667f3bcd + 1
		VPADDQ(c.konstBits(1024<<52-b), u, t)
		VPSRLQ(U8(52), t, e)
		c.or(e, e, c.konstBits(0x4330000000000000))
		c.sub(e, e, c.konst(0x1p52+1024))
		c.and(m, t, c.konstBits(1<<52-1))
		VPADDQ(c.konstBits(b), m, m)
		return m, e
	}
	const b = 0x3f3504f3 + 1
	VPSUBD(c.konstBits(b), u, t)
	VPSRAD(U8(23), t, e)
	VCVTDQ2PS(e, e)
	c.and(m, t, c.konstBits(1<<23-1))
	VPADDD(c.konstBits(b), m, m)
	return m, e
}

// vlog1p returns ln(1 + x), lane by lane. x is left unchanged.
func (c *g) vlog1p(x reg.VecVirtual) reg.VecVirtual {
	u := c.vec()
	c.add(u, x, c.konst(1))
	m, e := c.log1pReduce(u)
	f := m
	c.sub(f, m, c.konst(1))
	c.blend(f, c.cmp(cmpEQ, e, c.zeros()), x, f)

	// c = (1 + x) − u = b − (u − a) with a = max(1, x), b = min(1, x)
	// (x >= −1: |b| <= |a|); then c/u, zero where e = 0.
	a := c.vec()
	c.maxSecond(a, c.konst(1), x)
	corr := c.vec()
	c.sub(corr, u, a)
	b := c.vec()
	c.minSecond(b, c.konst(1), x)
	c.sub(corr, b, corr)
	c.div(corr, corr, u)
	c.blend(corr, c.cmp(cmpEQ, e, c.zeros()), c.zeros(), corr)
	r := c.logCoreF(f, e, corr)

	// Specials.
	inf := c.konst(math.Inf(1))
	c.blend(r, c.cmp(cmpEQ, x, inf), inf, r)
	c.blend(r, c.cmp(cmpEQ, x, c.konst(-1)), c.konst(math.Inf(-1)), r)
	c.blend(r, c.cmp(cmpNGE, x, c.konst(-1)), c.konstBits(c.qnan()), r) // x < −1 or NaN
	c.blend(r, c.cmp(cmpEQ, x, c.zeros()), x, r)                        // ±0
	return r
}

// vlog1pUnit returns ln(1 + v) for lanes v in [0, 1] (and NaN for NaN),
// bitwise as vlog1p: u = 1 + v lies in [1, 2], so e is 0 (f = v) or 1
// (m = u/2, f = u/2 − 1, exact). v is left unchanged.
func (c *g) vlog1pUnit(v reg.VecVirtual) reg.VecVirtual {
	u := c.vec()
	c.add(u, v, c.konst(1))
	// The bound of vlog1p's reduction: e = 1 exactly where u > float(√2).
	sqrt2 := math.Sqrt2
	if !c.is64() {
		sqrt2 = float64(float32(math.Sqrt2))
	}
	big := c.cmp(cmpGT, u, c.konst(sqrt2))
	f := c.konst(-1)
	c.fma(f, u, c.konst(0.5)) // u/2 − 1
	c.blend(f, big, f, v)
	corr := c.vec()
	c.sub(corr, u, c.konst(1))
	c.sub(corr, v, corr)
	c.div(corr, corr, u)
	e := c.konst(1)
	big = c.cmp(cmpGT, u, c.konst(sqrt2))
	c.keep(corr, big)
	c.keep(e, big)
	return c.logCoreF(f, e, corr)
}

// log1pMap emits log1pMap<ISA><T>(dst, x): dst(i) = ln(1 + x(i)), the
// vectorised log1p on its own, for accuracy tests.
func log1pMap(c *g) {
	mapKernel(c, "log1pMap"+c.suffix(), "writes dst(i) = ln(1 + x(i)) with the "+c.isa.Name+" vectorised log1p.", c.vlog1p)
}
