package ref

import (
	"math"
	"math/big"
)

// BigExp is e**x for finite x to about 200 bits (+Inf above 2000, 0 below
// −2000), independent of package math's exponential: x = k·ln2 + r with
// |r| <= ln2/2 (r to 200 bits), e^r by its Taylor series, scaled by 2^k
// exactly.
func BigExp(x float64) *big.Float {
	switch {
	case x > 2000: // past every float type's overflow
		return new(big.Float).SetInf(false)
	case x < -2000: // below half the smallest subnormal of every type
		return new(big.Float)
	}
	k := math.Round(x / math.Ln2)
	r := new(big.Float).SetPrec(prec).Mul(new(big.Float).SetPrec(prec).SetFloat64(k), bigLn2)
	r.Sub(new(big.Float).SetPrec(prec).SetFloat64(x), r)
	sum := new(big.Float).SetPrec(prec).SetInt64(1)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	eps := new(big.Float).SetPrec(prec).SetMantExp(big.NewFloat(1), -prec-8)
	abs := new(big.Float).SetPrec(prec)
	for n := int64(1); ; n++ {
		term.Mul(term, r)
		term.Quo(term, new(big.Float).SetPrec(prec).SetInt64(n))
		sum.Add(sum, term)
		if abs.Abs(term).Cmp(eps) < 0 {
			break
		}
	}
	return sum.SetMantExp(sum, int(k))
}

// Exp64 is the correctly rounded float64 e**x for finite x (0 and +Inf
// past the thresholds, subnormal results rounded once).
func Exp64(x float64) float64 { v, _ := BigExp(x).Float64(); return v }

// Exp32 is the correctly rounded float32 e**x for finite x.
func Exp32(x float32) float32 { v, _ := BigExp(float64(x)).Float32(); return v }

// bigLogOf is ln y for a finite y > 0 of any precision, to about 200 bits.
func bigLogOf(y *big.Float) *big.Float {
	m := new(big.Float).SetPrec(prec)
	e := y.MantExp(m) // y = m·2^e, m in [0.5, 1)
	m.SetMantExp(m, 1)
	e--
	one := big.NewFloat(1)
	num := new(big.Float).SetPrec(prec).Sub(m, one)
	den := new(big.Float).SetPrec(prec).Add(m, one)
	s := new(big.Float).SetPrec(prec).Quo(num, den)
	lnm := new(big.Float).SetPrec(prec).Mul(big.NewFloat(2), atanhSeries(s))
	ek := new(big.Float).SetPrec(prec).Mul(new(big.Float).SetInt64(int64(e)), bigLn2)
	return lnm.Add(lnm, ek)
}

// BigLog1p is ln(1 + x) for finite x > −1 to about 200 bits: 1 + x formed
// exactly, or the series x − x²/2 + x³/3 − … for |x| < 2^-40.
func BigLog1p(x float64) *big.Float {
	if math.Abs(x) < 0x1p-40 {
		xb := new(big.Float).SetPrec(prec).SetFloat64(x)
		sum := new(big.Float).SetPrec(prec).Set(xb)
		pow := new(big.Float).SetPrec(prec).Set(xb)
		term := new(big.Float).SetPrec(prec)
		for n := int64(2); n < 12; n++ {
			pow.Mul(pow, xb)
			term.Quo(pow, new(big.Float).SetPrec(prec).SetInt64(n))
			if n%2 == 0 {
				sum.Sub(sum, term)
			} else {
				sum.Add(sum, term)
			}
		}
		return sum
	}
	// 2100 bits hold 1 + x exactly for any float64 x.
	y := new(big.Float).SetPrec(2100).SetFloat64(x)
	y.Add(y, big.NewFloat(1))
	return bigLogOf(y)
}

// Log1p64 is the correctly rounded float64 ln(1 + x) for finite x > −1.
func Log1p64(x float64) float64 { v, _ := BigLog1p(x).Float64(); return v }

// Log1p32 is the correctly rounded float32 ln(1 + x) for finite x > −1.
func Log1p32(x float32) float32 { v, _ := BigLog1p(float64(x)).Float32(); return v }

// ULPErr64 is |got − exact| in units of the float64 ulp at exact (the
// spacing of the binade of the correctly rounded result; 2^-1074 among the
// subnormals): a fractional measure of a float64 result's error.
func ULPErr64(got float64, exact *big.Float) float64 {
	d := new(big.Float).SetPrec(prec).SetFloat64(got)
	d.Sub(d, exact)
	return ulpsOf(d, exact, -1074, 53)
}

// ULPErr32 is ULPErr64 for a float32 result (ulp 2^-149 among the subnormals).
func ULPErr32(got float32, exact *big.Float) float64 {
	d := new(big.Float).SetPrec(prec).SetFloat64(float64(got))
	d.Sub(d, exact)
	return ulpsOf(d, exact, -149, 24)
}

// ulpsOf returns |d| / ulp(exact) for a type with mant bits and smallest
// ulp 2^minExp.
func ulpsOf(d, exact *big.Float, minExp, mant int) float64 {
	ue := minExp
	if exact.Sign() != 0 {
		ue = max(exact.MantExp(nil)-mant, minExp) // exact in [2^(e−1), 2^e)
	}
	q := new(big.Float).SetPrec(prec).Abs(d)
	q.SetMantExp(q, -ue)
	v, _ := q.Float64()
	return v
}
