package main

import (
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// Exponential: k = round(x·log2e) (rounded by adding 1.5·2^(mantissa bits)),
// r = x − k·ln2_hi − k·ln2_lo with fused multiply-adds (the first exact),
// e^r = 1 + r + r²·Q(r) with Q interpolating (e^r − 1 − r)/r² at Chebyshev
// nodes of |r| <= 0.3466 (ln2/2 plus the slack of a rounded log2e), and
// e^x = e^r·2^k. The input is clamped first to [lo, hi], just past the
// thresholds where the result rounds to 0 and overflows, so k stays small
// and ±Inf need no special case; NaN passes the clamp unchanged and
// propagates. AVX-512 scales with VSCALEF, which rounds once, subnormal
// results included; AVX2 multiplies by 2^k1 (exact, a normal number) and
// then by 2^k2 (the one rounding) with k = k1 + k2, so that neither power
// leaves the normal range and results underflow gradually (vexpNonPos, for
// x <= 0, takes a cheaper way).

// Coefficients of Q from r⁰ up: degree 4 for float32 (fitted to the relative
// error of 1 + r + r²·Q; under 4e-9 with the rounded coefficients, 0.034 ulp) and
// degree 10 for float64 (under 4e-19, 0.003 ulp); TestExpPolynomial checks
// these bounds.
var (
	expQ32 = []float32{
		0.4999999403953552, 0.1666652113199234, 0.04166838899254799, 0.008368713781237602,
		0.0013814581325277686,
	}
	expQ64 = []float64{
		0.5, 0.1666666666666667, 0.04166666666666667, 0.008333333333326136,
		0.001388888888888375, 0.00019841269874815834, 2.480158732554432e-05,
		2.7557255406285044e-06, 2.7557273647451087e-07, 2.5105214474751413e-08,
		2.0914685161418067e-09,
	}
)

// expConsts are the constants of one element type's exponential.
type expConsts struct {
	lo, hi       float64 // the clamp: e^lo rounds to 0, e^hi overflows
	minNormal    float64 // the smallest normal number
	shifter      float64 // 1.5·2^(mantissa bits): adding it rounds to an integer
	bias         float64 // the exponent bias
	expShift     uint64  // the exponent field's position
	ln2Hi, ln2Lo float64
	q            []float64
}

func (c *g) expConsts() expConsts {
	if c.is64() {
		return expConsts{lo: -746, hi: 710, minNormal: 0x1p-1022, shifter: 0x1.8p52, bias: 1023, expShift: 52,
			ln2Hi: math.Ln2, ln2Lo: 2.319046813846299558e-17, q: expQ64}
	}
	q := make([]float64, len(expQ32))
	for i, v := range expQ32 {
		q[i] = float64(v)
	}
	return expConsts{lo: -104, hi: 89, minNormal: 0x1p-126, shifter: 0x1.8p23, bias: 127, expShift: 23,
		ln2Hi: float64(float32(math.Ln2)), ln2Lo: float64(float32(-1.904654299957768e-09)), q: q}
}

// vexp returns e**x, lane by lane, within 1 ulp of the correctly rounded
// result (subnormal results included); e**(−Inf) = 0, e**(+Inf) = +Inf,
// NaN gives NaN. x is left unchanged.
func (c *g) vexp(x reg.VecVirtual) reg.VecVirtual { return c.vexpClamped(x, false) }

// vexpNonPos is vexp for lanes x <= 0 (or NaN), such as the x − max of a
// softmax: a positive lane gives a wrong result. It skips the upper clamp,
// and AVX2 evaluates the polynomial scaled by 2^-64 and multiplies it by
// 2^(k+64) (a normal number for every such k): one product, the one
// rounding, subnormal results included.
func (c *g) vexpNonPos(x reg.VecVirtual) reg.VecVirtual { return c.vexpClamped(x, true) }

// expHoistable lists the constants of vexpClamped(·, nonPos), those
// broadcast in every evaluation first, for hoist.
func (c *g) expHoistable(nonPos bool) []float64 {
	k := c.expConsts()
	coef := c.expCoef(nonPos)
	shifter := k.shifter
	if !c.wide() && nonPos {
		shifter += k.bias + 64
	}
	vals := []float64{k.lo, math.Log2E, coef[len(coef)-1], shifter, k.ln2Hi, k.ln2Lo}
	if !nonPos {
		vals = append(vals, k.hi)
	}
	for i := len(coef) - 2; i >= 0; i-- {
		vals = append(vals, coef[i])
	}
	return vals
}

// expCoef returns the coefficients of p = 1 + r + r²·Q(r) from r⁰ up, as
// vexpClamped evaluates them.
func (c *g) expCoef(nonPos bool) []float64 {
	k := c.expConsts()
	coef := append(append([]float64{}, 1, 1), k.q...)
	if !c.wide() && nonPos {
		// Every coefficient times 2^-64 (exact): p comes out as p·2^-64, so
		// that one product with 2^(k+64), a normal number for every k of the
		// clamped range, rounds once, subnormal results included.
		for i := range coef {
			coef[i] *= 0x1p-64
		}
	}
	return coef
}

func (c *g) vexpClamped(x reg.VecVirtual, nonPos bool) reg.VecVirtual {
	k := c.expConsts()
	xc := c.vec()
	c.maxSecond(xc, c.konstR(k.lo), x) // NaN stays NaN
	if !nonPos {
		c.minSecond(xc, c.konstR(k.hi), xc)
	}

	// kf = round(x·log2e): the fused product is exact, the sum rounds it.
	// Where AVX2 scales from the integer bits, the shifter also holds the
	// exponent bias (and the offset 64 for nonPos).
	shifter := k.shifter
	if !c.wide() && nonPos {
		shifter += k.bias + 64
	}
	kf := c.konst(math.Log2E)
	c.fma213(kf, xc, c.konstM(shifter))
	var scale reg.VecVirtual
	if !c.wide() && nonPos {
		scale = c.vec()
		if c.is64() {
			VPSLLQ(U8(k.expShift), kf, scale)
		} else {
			VPSLLD(U8(k.expShift), kf, scale)
		}
	}
	c.sub(kf, kf, c.konstM(shifter))

	// r = x − kf·ln2_hi − kf·ln2_lo, in xc.
	c.fnma(xc, kf, c.konstM(k.ln2Hi))
	c.fnma(xc, kf, c.konstM(k.ln2Lo))

	// p = 1 + r + r²·Q(r), Horner's rule with fused multiply-adds (fewer
	// instructions than Estrin's scheme, and no power of r that underflows).
	p := c.horner(xc, c.expCoef(nonPos))

	switch {
	case c.wide():
		// p·2^kf, one rounding.
		c.pick(VSCALEFPS, VSCALEFPD, kf, p, p)
		return p
	case nonPos:
		c.mul(p, p, scale)
		return p
	}
	// k1 = round(kf/2), its power 2^k1 the integer k1 + bias shifted into
	// the exponent field (adding shifter + bias leaves it in the low bits).
	sb := k.shifter + k.bias
	u := c.konst(0.5)
	c.fma213(u, kf, c.konstM(sb))
	k1 := c.vec()
	c.sub(k1, u, c.konstM(sb))
	c.sub(kf, kf, k1) // k2
	c.add(kf, kf, c.konstM(sb))
	if c.is64() {
		VPSLLQ(U8(k.expShift), u, u)
		VPSLLQ(U8(k.expShift), kf, kf)
	} else {
		VPSLLD(U8(k.expShift), u, u)
		VPSLLD(U8(k.expShift), kf, kf)
	}
	c.mul(p, p, u)  // exact
	c.mul(p, p, kf) // the one rounding
	return p
}

// fnma: dst = dst − a*b.
func (c *g) fnma(dst, a, b Op) { c.pick(VFNMADD231PS, VFNMADD231PD, b, a, dst) }

// minSecond returns b when either operand is NaN: dst = a < b ? a : b
// (x86 MIN semantics).
func (c *g) minSecond(dst, a, b Op) { c.pick(VMINPS, VMINPD, b, a, dst) }

// mapKernel emits name(dst, x []T): dst(i) = fn(x(i)), one vector per
// iteration and a masked tail, for accuracy tests of a vectorised function.
func mapKernel(c *g, name, doc string, fn func(x reg.VecVirtual) reg.VecVirtual) {
	mapKernelMask(c, name, doc, fn, true)
}

// mapKernelMask is mapKernel, the tail mask rebuilt after fn when rebuild
// is set (fn may use every opmask register); a function that keeps the
// mask's register may leave it unset.
func mapKernelMask(c *g, name, doc string, fn func(x reg.VecVirtual) reg.VecVirtual, rebuild bool) {
	TEXT(name, NOSPLIT, "func(dst, x []"+c.GoType+")")
	Pragma("noescape")
	Doc(name + " " + doc)
	var q ptrs
	q.p = GP64()
	Load(Param("x").Base(), q.p)
	q.dst = GP64()
	Load(Param("dst").Base(), q.dst)
	n := Load(Param("x").Len(), GP64())
	lanes := c.lanes()
	Label("loop")
	CMPQ(n, U32(lanes))
	JL(LabelRef("tail"))
	x := c.vec()
	c.load(x, Mem{Base: q.p})
	c.store(fn(x), Mem{Base: q.dst})
	q.advance(c.Bytes)
	SUBQ(U32(lanes), n)
	JMP(LabelRef("loop"))
	Label("tail")
	TESTQ(n, n)
	JZ(LabelRef("done"))
	m := c.tailMask(n)
	xt := c.vec()
	c.maskedLoad(xt, m, Mem{Base: q.p})
	r := fn(xt)
	if rebuild {
		m = c.tailMask(n) // fn may have used every opmask register
	}
	c.maskedStore(r, m, Mem{Base: q.dst})
	Label("done")
	VZEROUPPER()
	RET()
}

// expMap emits expMap<ISA><T>(dst, x): dst(i) = e**x(i), the vectorised
// exponential on its own, for accuracy tests.
func expMap(c *g) {
	mapKernel(c, "expMap"+c.suffix(), "writes dst(i) = e**x(i) with the "+c.isa.Name+" vectorised exponential.", c.vexp)
}
