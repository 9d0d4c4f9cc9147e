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
	c.add(u, x, c.konstM(1))
	m, e := c.log1pReduce(u)
	f := m
	c.sub(f, m, c.konstM(1))
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
	c.blend(r, c.cmp(cmpEQ, x, c.konstM(-1)), c.konst(math.Inf(-1)), r)
	c.blend(r, c.cmp(cmpNGE, x, c.konstM(-1)), c.konstBits(c.qnan()), r) // x < −1 or NaN
	c.blend(r, c.cmp(cmpEQ, x, c.zeros()), x, r)                         // ±0
	return r
}

// Linear minimax approximation of 1/u on [√2, 2] (relative error 1.5%):
// 1/u ≈ recipA − recipB·u, with recipB = 2/(2√2 + (√2 + 2)²/4) and
// recipA = (√2 + 2)·recipB (equal errors at both ends and the middle).
var (
	recipB = 2 / (2*math.Sqrt2 + (math.Sqrt2+2)*(math.Sqrt2+2)/4)
	recipA = (math.Sqrt2 + 2) * recipB
)

// vlog1pUnit returns ln(1 + v) for lanes v in [0, 1], as vlog1p but
// cheaper: u = 1 + v lies in [1, 2], so e is 0 (f = v) or 1 (m = u/2,
// f = u/2 − 1, exact); there the correction c/u is c times a linear
// approximation of 1/u: |c/u| is under 1.5 ulp of the result, so its 1.5%
// error stays under 0.03 ulp. Below tiny = 2^-(mantissa bits + 2), ln(1 + v)
// rounds to v: such lanes take v, and the core runs on max(v, tiny), so
// that no operation underflows (x86 takes a slow microcode path for
// subnormal results, here from |x| > 44 in float32 on). NaN gives a finite
// value (the sigmoid cross-entropy is NaN through its other terms). v is
// left unchanged.
func (c *g) vlog1pUnit(v0 reg.VecVirtual) reg.VecVirtual {
	tiny := 0x1p-25
	if c.is64() {
		tiny = 0x1p-54
	}
	v := c.vec()
	c.maxSecond(v, v0, c.konstM(tiny))
	u := c.vec()
	c.add(u, v, c.konstM(1))
	// The bound of vlog1p's reduction: e = 1 exactly where u > float(√2).
	sqrt2 := math.Sqrt2
	if !c.is64() {
		sqrt2 = float64(float32(math.Sqrt2))
	}
	big := c.cmp(cmpGT, u, c.konstM(sqrt2))
	f := c.konst(0.5)
	c.fma213(f, u, c.konstM(-1)) // u/2 − 1
	c.blend(f, big, f, v)
	corr := c.vec()
	c.sub(corr, u, c.konstM(1))
	c.sub(corr, v, corr)
	rcp := c.konst(recipA)
	c.fnma(rcp, u, c.konstM(recipB))
	c.mul(corr, corr, rcp)
	e := c.konst(1)
	big = c.cmp(cmpGT, u, c.konstM(sqrt2))
	c.keep(corr, big)
	c.keep(e, big)
	r := c.logCoreF(f, e, corr)
	c.blend(r, c.cmp(cmpLT, v0, c.konstM(tiny)), v0, r)
	return r
}

// log1pMap emits log1pMap<ISA><T>(dst, x): dst(i) = ln(1 + x(i)), the
// vectorised log1p on its own, for accuracy tests.
func log1pMap(c *g) {
	mapKernel(c, "log1pMap"+c.suffix(), "writes dst(i) = ln(1 + x(i)) with the "+c.isa.Name+" vectorised log1p.", c.vlog1p)
}
