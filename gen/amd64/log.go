package main

import (
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// Natural logarithm. float32: logpoly.go's division-free core (integer
// reduction, a polynomial in m − 1), after the subnormal scaling and before
// the specials below. float64 (and the core of float32's log1p): x = 2^e·m
// with m in [√2/2, √2), f = m − 1, s = f/(2 + f),
// ln m = f − f²/2 + s·(f²/2 + R(s²)) with R a minimax polynomial of the
// atanh series (the classic fdlibm reduction), and
// ln x = e·ln2_hi + (ln m + e·ln2_lo) with ln2_hi short enough that e·ln2_hi
// is exact. Subnormal inputs are scaled by 2^k first. Specials as Go's
// math.Log: ln 0 = −Inf, ln(+Inf) = +Inf, ln(x < 0) = NaN, ln NaN = NaN.

// Minimax coefficients of R(z) = Lg1·z + Lg2·z² + … for float64 (7 terms)
// and float32 (4 terms, |error| < 2^-34 on the reduced range).
var (
	lg64 = []float64{
		6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01,
		2.222219843214978396e-01, 1.818357216161805012e-01, 1.531383769920937332e-01,
		1.479819860511658591e-01,
	}
	lg32 = []float64{
		float64(float32(0xaaaaaa) / (1 << 24)), float64(float32(0xccce13) / (1 << 25)),
		float64(float32(0x91e9ee) / (1 << 25)), float64(float32(0xf89e26) / (1 << 26)),
	}
)

// logConsts are the constants of one element type's logarithm.
type logConsts struct {
	minNormal, scale, eScale float64
	ln2Hi, ln2Lo             float64
	mantMask, oneBits        uint64
	lg                       []float64
}

func (c *g) logConsts() logConsts {
	if c.is64() {
		return logConsts{0x1p-1022, 0x1p54, 54, 6.93147180369123816490e-01, 1.90821492927058770002e-10,
			0x000fffffffffffff, 0x3ff0000000000000, lg64}
	}
	return logConsts{0x1p-126, 0x1p25, 25, float64(math.Float32frombits(0x3f317180)), float64(math.Float32frombits(0x3717f7d1)),
		0x007fffff, 0x3f800000, lg32}
}

// normalLanes returns the lanes where x is a positive normal finite number
// (false for zeros, subnormals, negatives, infinities and NaN).
func (c *g) normalLanes(x reg.VecVirtual) mask {
	k := c.logConsts()
	return c.maskAnd(c.cmp(cmpGE, x, c.konst(k.minNormal)), c.cmp(cmpLT, x, c.konst(math.Inf(1))))
}

// vlogNormal32 returns ln x for float32 lanes that are all positive, normal
// and finite (see normalLanes): vlog's reduction and core without its
// subnormal and special-value handling, so the results are bitwise vlog's.
func (c *g) vlogNormal32(x reg.VecVirtual) reg.VecVirtual { return c.vlog32(x, false) }

// vlog returns ln x, lane by lane.
func (c *g) vlog(x reg.VecVirtual) reg.VecVirtual {
	k := c.logConsts()
	minNormal, scale, eScale := k.minNormal, k.scale, k.eScale
	// Scale subnormals (and, harmlessly, zeros and negatives) into the normal range.
	sub := c.cmp(cmpLT, x, c.konst(minNormal))
	xs := c.vec()
	c.mul(xs, x, c.konst(scale))
	xn := c.vec()
	c.blend(xn, sub, xs, x)
	eadj := c.vec()
	c.blend(eadj, sub, c.konst(eScale), c.zeros())

	var r reg.VecVirtual
	if c.is64() {
		r = c.vlogScaled64(xn, eadj)
	} else {
		// The division-free float32 core (logpoly.go) on the scaled input.
		f, e := c.logReduce32(xn, false)
		c.sub(e, e, eadj)
		r = c.logPoly32(f, e, false)
	}

	// Specials.
	inf := c.konst(math.Inf(1))
	isInf := c.cmp(cmpEQ, x, inf)
	c.blend(r, isInf, inf, r)
	isZero := c.cmp(cmpEQ, x, c.zeros())
	c.blend(r, isZero, c.konst(math.Inf(-1)), r)
	bad := c.cmp(cmpNGE, x, c.zeros()) // x < 0 or NaN
	c.blend(r, bad, c.konstBits(c.qnan()), r)
	return r
}

// vlogScaled64 returns ln xn − eadj·ln 2 for float64 lanes xn that are
// positive, normal and finite (other lanes get garbage).
func (c *g) vlogScaled64(xn, eadj reg.VecVirtual) reg.VecVirtual {
	k := c.logConsts()
	mantMask, oneBits := k.mantMask, k.oneBits
	// Exponent e as a float, mantissa m in [1, 2). e < 2048: place it in
	// the mantissa of 2^52 and subtract 2^52.
	e := c.vec()
	VPSRLQ(U8(52), xn, e)
	c.or(e, e, c.konstBits(0x4330000000000000))
	c.sub(e, e, c.konst(0x1p52+1023))
	c.sub(e, e, eadj)
	m := c.vec()
	c.and(m, xn, c.konstBits(mantMask))
	c.or(m, m, c.konstBits(oneBits))

	// m in [√2/2, √2): halve m and bump e where m > √2.
	one := c.konst(1)
	big := c.cmp(cmpGT, m, c.konst(math.Sqrt2))
	mh := c.vec()
	c.mul(mh, m, c.konst(0.5))
	c.blend(m, big, mh, m)
	inc := c.vec()
	c.blend(inc, big, one, c.zeros())
	c.add(e, e, inc)
	return c.logCore(m, e)
}

// logCore returns e·ln2 + ln m for m in (√2/2, √2] and the integer e (as a
// float).
func (c *g) logCore(m, e reg.VecVirtual) reg.VecVirtual {
	one := c.konst(1)
	f := c.vec()
	c.sub(f, m, one)
	return c.logCoreF(f, e, nil)
}

// logCoreF returns e·ln2 + ln(1 + f) + extra for f in (√2/2 − 1, √2 − 1],
// the integer e (as a float) and a small correction extra (nil: none),
// added to the low part of the result.
func (c *g) logCoreF(f, e, extra reg.VecVirtual) reg.VecVirtual {
	k := c.logConsts()
	ln2Hi, ln2Lo, lg := k.ln2Hi, k.ln2Lo, k.lg
	s := c.vec()
	c.add(s, f, c.konstM(2))
	c.div(s, f, s)
	z := c.vec()
	c.mul(z, s, s)
	w := c.vec()
	c.mul(w, z, z)
	// Odd and even terms in w = z², Horner with FMA.
	horner := func(coef []float64) reg.VecVirtual {
		acc := c.konst(coef[len(coef)-1])
		for i := len(coef) - 2; i >= 0; i-- {
			c.fma213(acc, w, c.konstM(coef[i]))
		}
		return acc
	}
	var odd, even []float64
	for i, v := range lg {
		if i%2 == 0 {
			odd = append(odd, v)
		} else {
			even = append(even, v)
		}
	}
	t2 := horner(odd)
	c.mul(t2, t2, z)
	t1 := horner(even)
	c.mul(t1, t1, w)
	r := c.vec()
	c.add(r, t2, t1)

	hfsq := c.vec()
	c.mul(hfsq, f, f)
	c.mul(hfsq, hfsq, c.konstM(0.5))
	// ln x = e·ln2_hi − ((hfsq − (s·(hfsq + R) + e·ln2_lo)) − f)
	c.add(r, hfsq, r)
	c.mul(r, s, r)
	lo := c.vec()
	c.mul(lo, e, c.konstM(ln2Lo))
	if extra != nil {
		c.add(lo, lo, extra)
	}
	c.add(r, r, lo)
	c.sub(r, hfsq, r)
	c.sub(r, r, f)
	hi := c.vec()
	c.mul(hi, e, c.konstM(ln2Hi))
	c.sub(r, hi, r)
	return r
}

// qnan is the default quiet NaN bit pattern of the element type.
func (c *g) qnan() uint64 {
	if c.is64() {
		return 0x7ff8000000000000
	}
	return 0x7fc00000
}

// fma213: dst = dst*b + a.
func (c *g) fma213(dst, b, a Op) { c.pick(VFMADD213PS, VFMADD213PD, a, b, dst) }
