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

// Coefficients of P with (2·atanh(s) − 2s)/s = z·P(z), z = s², for
// s = v/(2 + v) with v in [0, 1] (z <= 1/9), interpolated at Chebyshev nodes:
// degree 4 for float32 and 10 for float64; TestAtanhPolynomial checks their
// error.
var (
	atanhP32 = []float32{0.6666667, 0.39999706, 0.28592366, 0.2170646, 0.23224922}
	atanhP64 = []float64{
		0.6666666666666666, 0.3999999999999952, 0.28571428571600266, 0.22222222198216113,
		0.1818181989926796, 0.15384543917753166, 0.13335179661515711, 0.11734265179376593,
		0.10845291032779814, 0.07491639460673265, 0.15631534707431224,
	}
)

// vlog1pUnit returns ln(1 + v) for lanes v in [0, 1] (the sigmoid
// cross-entropy's log1p(e**(−|x|))), without range reduction: with f = v
// (exact), s = f/(2 + f) and hfsq = f²/2, ln(1 + f) = f − (hfsq −
// s·(hfsq + R)), R = z·P(z), the logarithm's core identity over the whole
// of [0, 1] (with fused multiply-adds); s <= 1/3 keeps P short. Below tiny = 2^-(mantissa bits + 2),
// ln(1 + v) rounds to v: such lanes take v, and the arithmetic runs on
// max(v, tiny), so that nothing underflows (x86 takes a slow microcode path
// for subnormal results, here from |x| > 44 in float32 on). NaN gives a
// finite value (the sigmoid cross-entropy is NaN through its other terms).
// v is left unchanged.
func (c *g) vlog1pUnit(v0 reg.VecVirtual) reg.VecVirtual {
	tiny, coef := 0x1p-25, make([]float64, len(atanhP32))
	for i, v := range atanhP32 {
		coef[i] = float64(v)
	}
	if c.is64() {
		tiny, coef = 0x1p-54, atanhP64
	}
	f := c.vec()
	c.maxSecond(f, v0, c.konstM(tiny))
	s := c.vec()
	c.add(s, f, c.konstM(2))
	c.div(s, f, s)
	z := c.vec()
	c.mul(z, s, s)
	r := c.horner(z, coef) // no power of z that underflows for tiny v
	hfsq := c.vec()
	c.mul(hfsq, f, f)
	c.mul(hfsq, hfsq, c.konstM(0.5))
	c.fma213(r, z, hfsq)  // hfsq + R
	c.fnma213(r, s, hfsq) // hfsq − s·(hfsq + R)
	c.sub(r, f, r)
	c.blend(r, c.cmp(cmpLT, v0, c.konstM(tiny)), v0, r)
	return r
}

// fnma213: dst = a − dst*b.
func (c *g) fnma213(dst, b, a Op) { c.pick(VFNMADD213PS, VFNMADD213PD, a, b, dst) }

// log1pMap emits log1pMap<ISA><T>(dst, x): dst(i) = ln(1 + x(i)), the
// vectorised log1p on its own, for accuracy tests.
func log1pMap(c *g) {
	mapKernel(c, "log1pMap"+c.suffix(), "writes dst(i) = ln(1 + x(i)) with the "+c.isa.Name+" vectorised log1p.", c.vlog1p)
}
