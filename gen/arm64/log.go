package main

import (
	"math"

	"github.com/simdloss/simdloss/gen/neon"
)

// Natural logarithm, the algorithm of gen/amd64: x = 2^e·m with m in
// [√2/2, √2), f = m − 1, s = f/(2 + f), ln m = f − f²/2 + s·(f²/2 + R(s²))
// with R a minimax polynomial (the fdlibm reduction), and
// ln x = e·ln2_hi − ((f²/2 − (s·(f²/2 + R) + e·ln2_lo)) − f). Subnormal inputs
// are scaled by 2^k first. Specials as Go's math.Log: ln 0 = −Inf,
// ln(+Inf) = +Inf, ln(x < 0) = NaN, ln NaN = NaN.
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

// vlog returns a fresh register holding ln x, lane by lane; x is kept.
func (c *kgen) vlog(x neon.V) neon.V { return c.vlogOf(x, false) }

// vlogOf is vlog; with normal set, x must be a positive normal number (a
// lane holding anything else gets an unspecified finite value or NaN), and
// the subnormal scaling and the special values are left out.
func (c *kgen) vlogOf(x neon.V, normal bool) neon.V {
	var (
		minNormal, scale, eScale, bias float64
		ln2Hi, ln2Lo                   float64
		mantMask, oneBits              uint64
		expShift                       int
		lg                             []float64
	)
	if c.Size == 8 {
		minNormal, scale, eScale, bias = 0x1p-1022, 0x1p54, 54, 1023
		ln2Hi, ln2Lo = 6.93147180369123816490e-01, 1.90821492927058770002e-10
		mantMask, oneBits, expShift = 0x000fffffffffffff, 0x3ff0000000000000, 52
		lg = lg64
	} else {
		minNormal, scale, eScale, bias = 0x1p-126, 0x1p25, 25, 127
		ln2Hi, ln2Lo = float64(math.Float32frombits(0x3f317180)), float64(math.Float32frombits(0x3717f7d1))
		mantMask, oneBits, expShift = 0x007fffff, 0x3f800000, 23
		lg = lg32
	}
	A := c.A
	xn, sub := x, neon.V(0)
	var k neon.V
	if !normal {
		// Scale subnormals (and, harmlessly, zeros and negatives) into the normal range.
		k = c.konst(minNormal)
		sub = c.op3(neon.FCMGT, k, x) // x < minNormal
		c.put(k)
		k = c.konst(scale)
		xn = c.op3(neon.FMUL, x, k)
		c.put(k)
		c.I(neon.BIF(xn, x, sub)) // xn = sub ? x·2^k : x
		k = c.konst(eScale)
		c.I(neon.AND(sub, sub, k)) // the exponent adjustment: k or 0
		c.put(k)
	}

	// Exponent e as a float, mantissa m in [1, 2).
	e := c.tmp()
	c.I(neon.USHR(A, e, xn, expShift), neon.SCVTF(A, e, e))
	k = c.konst(bias)
	c.I(neon.FSUB(A, e, e, k))
	c.put(k)
	if !normal {
		c.I(neon.FSUB(A, e, e, sub))
		c.put(sub)
	}
	k = c.konstBits(mantMask)
	m := c.tmp()
	c.I(neon.AND(m, xn, k))
	c.put(k)
	if !normal {
		c.put(xn)
	}
	k = c.konstBits(oneBits)
	c.I(neon.ORR(m, m, k))
	c.put(k)

	// m in [√2/2, √2): halve m and bump e where m > √2.
	k = c.konst(math.Sqrt2)
	big := c.op3(neon.FCMGT, m, k)
	c.put(k)
	k = c.konst(0.5)
	mh := c.op3(neon.FMUL, m, k)
	c.put(k)
	c.I(neon.BIT(m, mh, big))
	c.put(mh)
	one := c.konst(1)
	c.I(neon.AND(big, big, one), neon.FADD(A, e, e, big))
	c.put(big)

	f := c.op3(neon.FSUB, m, one)
	c.put(one, m)
	k = c.konst(2)
	s := c.op3(neon.FADD, f, k)
	c.put(k)
	c.I(neon.FDIV(A, s, f, s))
	z := c.op3(neon.FMUL, s, s)
	w := c.op3(neon.FMUL, z, z)
	// Odd and even terms in w = z², Horner with fused multiply-adds.
	horner := func(coef []float64) neon.V {
		acc := c.copyOf(c.konst(coef[len(coef)-1]))
		for i := len(coef) - 2; i >= 0; i-- {
			t := c.copyOf(c.konst(coef[i]))
			c.I(neon.FMLA(A, t, acc, w))
			c.put(acc)
			acc = t
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
	r := horner(odd)
	c.I(neon.FMUL(A, r, r, z))
	c.put(z)
	t1 := horner(even)
	c.I(neon.FMUL(A, t1, t1, w), neon.FADD(A, r, r, t1))
	c.put(t1, w)

	hfsq := c.op3(neon.FMUL, f, f)
	k = c.konst(0.5)
	c.I(neon.FMUL(A, hfsq, hfsq, k))
	c.put(k)
	// ln x = e·ln2_hi − ((hfsq − (s·(hfsq + R) + e·ln2_lo)) − f)
	c.I(neon.FADD(A, r, hfsq, r), neon.FMUL(A, r, s, r))
	c.put(s)
	k = c.konst(ln2Lo)
	lo := c.op3(neon.FMUL, e, k)
	c.put(k)
	c.I(neon.FADD(A, r, r, lo), neon.FSUB(A, r, hfsq, r), neon.FSUB(A, r, r, f))
	c.put(lo, hfsq, f)
	k = c.konst(ln2Hi)
	c.I(neon.FMUL(A, e, e, k), neon.FSUB(A, r, e, r))
	c.put(k, e)

	if normal {
		return r
	}
	// Specials.
	msk := c.tmp()
	k = c.konst(math.Inf(1))
	c.I(neon.FCMEQ(A, msk, x, k), neon.BIT(r, k, msk))
	c.put(k)
	k = c.konst(math.Inf(-1))
	c.I(neon.FCMEQZ(A, msk, x), neon.BIT(r, k, msk))
	c.put(k)
	k = c.konstBits(c.qnan())
	c.I(neon.FCMGEZ(A, msk, x), neon.BIF(r, k, msk)) // x < 0 or NaN
	c.put(k, msk)
	return r
}

// qnan is the default quiet NaN bit pattern of the element type.
func (c *kgen) qnan() uint64 {
	if c.Size == 8 {
		return 0x7ff8000000000000
	}
	return 0x7fc00000
}
