package main

import (
	"fmt"
	"math"

	"github.com/simdloss/simdloss/gen/neon"
)

// Exponential: x is clamped to [lo, hi] (beyond them e**x rounds to 0 or
// overflows to +Inf in T; NaN passes FMIN/FMAX), k = round(x·log2 e) from the
// low mantissa bits of shifter + x·log2 e, r = x − k·ln2_hi − k·ln2_lo
// (|r| <= ln2/2, ln2_hi with trailing zero bits so that k·ln2_hi is exact),
// e**r = 1 + (r + r²·Q(r)) with Q the Taylor polynomial of (e**r − 1 − r)/r²
// (its truncation error is below 0.1 ulp), and e**x = e**r·2^k1·2^k2 with
// k1 = k>>1, k2 = k − k1: both factors are normal numbers, the first product
// is exact, and the second rounds once, to +Inf on overflow and gradually to
// a subnormal or 0 on underflow. Specials as Go's math.Exp: e**−Inf = 0,
// e**+Inf = +Inf, NaN → NaN.
type expConsts struct {
	lo, hi, shifter, ln2Hi, ln2Lo float64
	bias                          uint64
	mantBits                      int
	coef                          []float64 // Q's coefficients, 1/2!, 1/3!, ...
}

// taylor returns 1/k! for k = from..to.
func taylor(from, to int) []float64 {
	var out []float64
	f := 1.0
	for k := 1; k <= to; k++ {
		f *= float64(k)
		if k >= from {
			out = append(out, 1/f)
		}
	}
	return out
}

var (
	exp64 = expConsts{
		// e**−746 < 2^−1075 rounds to 0; e**710 > MaxFloat64.
		lo: -746, hi: 710, shifter: 0x1.8p52,
		ln2Hi: 6.93147180369123816490e-01, ln2Lo: 1.90821492927058770002e-10,
		bias: 1023, mantBits: 52,
		coef: taylor(2, 13), // remainder r^14/14! < 5e-18
	}
	exp32 = expConsts{
		// e**−104 < 2^−150 rounds to 0; e**89 > MaxFloat32.
		lo: -104, hi: 89, shifter: 0x1.8p23,
		ln2Hi: float64(math.Float32frombits(0x3f317200)),
		ln2Lo: float64(float32(math.Ln2 - float64(math.Float32frombits(0x3f317200)))),
		bias:  127, mantBits: 23,
		coef: taylor(2, 7), // remainder r^8/8! < 6e-9
	}
)

// vexp returns a fresh register holding e**x, lane by lane; x is kept.
func (c *kgen) vexp(x neon.V) neon.V { return c.vexpOf(x, false) }

// vexpNonPos is vexp for x <= 0 or NaN (the softmax sums' x − max): no
// clamp at the top. A lane holding x > 0 gets an unspecified value.
func (c *kgen) vexpNonPos(x neon.V) neon.V { return c.vexpOf(x, true) }

func (c *kgen) vexpOf(x neon.V, nonPos bool) neon.V {
	ec := exp32
	if c.Size == 8 {
		ec = exp64
	}
	A := c.A
	k := c.konst(ec.lo)
	r := c.op3(neon.FMAX, x, k) // NaN kept
	c.put(k)
	if !nonPos {
		k = c.konst(ec.hi)
		c.I(neon.FMIN(A, r, r, k))
		c.put(k)
	}

	// t = shifter + x·log2 e, rounded once: k sits in t's low mantissa bits.
	t := c.copyOf(c.konst(ec.shifter))
	k = c.konst(math.Log2E)
	c.I(neon.FMLA(A, t, r, k))
	c.put(k)
	kf := c.tmp()
	k = c.konst(ec.shifter)
	c.I(neon.FSUB(A, kf, t, k)) // k as a float
	c.I(neon.SUB(A, t, t, k))   // k as an integer
	c.put(k)

	// r = x − k·ln2_hi − k·ln2_lo.
	k = c.konst(ec.ln2Hi)
	c.I(neon.FMLS(A, r, kf, k))
	c.put(k)
	k = c.konst(ec.ln2Lo)
	c.I(neon.FMLS(A, r, kf, k))
	c.put(k, kf)

	// e**r = 1 + (r + r²·Q(r)), Q by Horner with fused multiply-adds.
	co := ec.coef
	q := c.copyOf(c.konst(co[len(co)-1]))
	for i := len(co) - 2; i >= 0; i-- {
		t2 := c.copyOf(c.konst(co[i]))
		c.I(neon.FMLA(A, t2, q, r))
		c.put(q)
		q = t2
	}
	r2 := c.op3(neon.FMUL, r, r)
	c.I(neon.FMLA(A, r, r2, q))
	c.put(r2, q)
	one := c.konst(1)
	c.I(neon.FADD(A, r, r, one))
	c.put(one)

	// Scale by 2^k1·2^k2.
	k1 := c.tmp()
	c.I(neon.SSHR(A, k1, t, 1), neon.SUB(A, t, t, k1))
	k = c.konstBits(ec.bias)
	c.I(neon.ADD(A, k1, k1, k), neon.ADD(A, t, t, k))
	c.put(k)
	c.I(neon.SHL(A, k1, k1, ec.mantBits), neon.SHL(A, t, t, ec.mantBits))
	c.I(neon.FMUL(A, r, r, k1), neon.FMUL(A, r, r, t))
	c.put(k1, t)
	return r
}

// vlog1p returns a fresh register holding ln(1 + x), lane by lane; x is
// kept. With u = 1 + x rounded, ln(1 + x) = ln u + ln(1 + c) where
// c = (x − (u − 1))/u is the rounding error of u relative to u (|c| <= ε/2,
// so ln(1 + c) = c to far below an ulp): tiny x give u = 1 and the result
// c = x. Specials as Go's math.Log1p: −1 → −Inf, below −1 → NaN,
// +Inf → +Inf, ±0 → ±0, NaN → NaN.
func (c *kgen) vlog1p(x neon.V) neon.V {
	A := c.A
	one := c.konst(1)
	u := c.op3(neon.FADD, x, one)
	l := c.vlog(u)
	d := c.op3(neon.FSUB, u, one)
	c.put(one)
	c.I(neon.FSUB(A, d, x, d), neon.FDIV(A, d, d, u))
	c.put(u)
	m := c.tmp()
	c.I(neon.FCMEQ(A, m, d, d), neon.AND(d, d, m)) // 0/0 and Inf/Inf (x = −1, ±Inf) → 0
	c.I(neon.FADD(A, l, l, d))
	c.I(neon.FCMEQZ(A, m, x), neon.BIT(l, x, m)) // ±0 keeps its sign
	c.put(m, d)
	return l
}

// vlog1pUnit is vlog1p for x in [0, 1] or NaN (then NaN): u = 1 + x is a
// normal number in [1, 2], so the logarithm needs neither its subnormal
// scaling nor its special values, and the correction no mask (a NaN x makes
// it NaN).
func (c *kgen) vlog1pUnit(x neon.V) neon.V {
	A := c.A
	one := c.konst(1)
	u := c.op3(neon.FADD, x, one)
	l := c.vlogOf(u, true)
	d := c.op3(neon.FSUB, u, one)
	c.put(one)
	c.I(neon.FSUB(A, d, x, d), neon.FDIV(A, d, d, u), neon.FADD(A, l, l, d))
	c.put(u, d)
	return l
}

// mapFn is one vectorised function with a map kernel of its own
// (<Fn>Map<Suffix>(dst, x)) filling a slot of asm.Kernels.
type mapFn struct {
	Fn   string // prefix of the kernel's name
	Slot string // the asm.Kernels field
	Doc  string // what dst(i) becomes
	emit func(c *kgen, x neon.V) neon.V
}

var mapFns = []mapFn{
	{Fn: "log", Slot: "Log", Doc: "ln x(i)", emit: (*kgen).vlog},
	{Fn: "exp", Slot: "Exp", Doc: "e**x(i)", emit: (*kgen).vexp},
	{Fn: "log1p", Slot: "Log1p", Doc: "ln(1 + x(i))", emit: (*kgen).vlog1p},
}

func (m mapFn) doc(name string) string {
	return fmt.Sprintf("%s writes dst(i) = %s with the NEON vectorised %s.", name, m.Doc, map[string]string{
		"log": "logarithm", "exp": "exponential", "log1p": "log1p"}[m.Fn])
}

// mapKernel emits <name>(dst, x): dst(i) = f(x(i)), a vector at a time and
// then element by element.
func mapKernel(c *kgen, name string, f func(c *kgen, x neon.V) neon.V) {
	offs, argSize := frame("dst, x []T", "", c.Size)
	delete(offs, "ret")
	argSize -= 8
	c.Raw(fmt.Sprintf("TEXT ·%s(SB), NOSPLIT, $0-%d\n", name, argSize))
	c.Go("MOVD dst_base+%d(FP), R%d", offs["dst_base"], rDst)
	c.Go("MOVD x_base+%d(FP), R%d", offs["x_base"], rP)
	c.Go("MOVD x_len+%d(FP), R%d", offs["x_len"], rN)
	c.prologue()
	one := func(tail bool) {
		x := c.tmp()
		if tail {
			c.I(neon.LDRP(c.A, x, rP))
		} else {
			c.I(neon.LD1P(c.A, x, rP))
		}
		r := f(c, x)
		if tail {
			c.I(neon.STRP(c.A, r, rDst))
		} else {
			c.I(neon.ST1P(c.A, r, rDst))
		}
		c.put(x, r)
	}
	c.Label("loop")
	c.Go("CMP $%d, R%d", c.lanes(), rN)
	c.Go("BLT tail")
	one(false)
	c.Go("SUB $%d, R%d", c.lanes(), rN)
	c.Go("B loop")
	c.Label("tail")
	c.Go("CBZ R%d, done", rN)
	one(true)
	c.Go("SUB $1, R%d", rN)
	c.Go("B tail")
	c.Label("done")
	c.Go("RET")
}
