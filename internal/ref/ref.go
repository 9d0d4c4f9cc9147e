// Package ref holds reference implementations for tests: a logarithm to
// 200 bits independent of package math, and ulp distances.
package ref

import (
	"math"
	"math/big"
)

// prec is the working precision of BigLog, in bits.
const prec = 200

// atanhSeries returns atanh(s) = Σ s^(2k+1)/(2k+1) for 0 <= s <= 1/3, to prec bits.
func atanhSeries(s *big.Float) *big.Float {
	sum := new(big.Float).SetPrec(prec).Set(s)
	s2 := new(big.Float).SetPrec(prec).Mul(s, s)
	pow := new(big.Float).SetPrec(prec).Set(s)
	eps := new(big.Float).SetPrec(prec).SetMantExp(big.NewFloat(1), -prec-8)
	term := new(big.Float).SetPrec(prec)
	for k := 1; ; k++ {
		pow.Mul(pow, s2)
		term.Quo(pow, new(big.Float).SetPrec(prec).SetInt64(int64(2*k+1)))
		sum.Add(sum, term)
		if term.Cmp(eps) < 0 {
			return sum
		}
	}
}

var bigLn2 = func() *big.Float {
	third := new(big.Float).SetPrec(prec).Quo(big.NewFloat(1), big.NewFloat(3))
	return new(big.Float).SetPrec(prec).Mul(big.NewFloat(2), atanhSeries(third))
}()

// BigLog is ln(x) for finite x > 0 to about 200 bits, independent of package
// math's logarithm: x = m·2^e with m in [1, 2), ln m = 2·atanh((m−1)/(m+1)).
func BigLog(x float64) *big.Float {
	fr, e := math.Frexp(x) // exact, subnormals included
	m := new(big.Float).SetPrec(prec).SetFloat64(2 * fr)
	e--
	one := big.NewFloat(1)
	num := new(big.Float).SetPrec(prec).Sub(m, one)
	den := new(big.Float).SetPrec(prec).Add(m, one)
	s := new(big.Float).SetPrec(prec).Quo(num, den)
	lnm := new(big.Float).SetPrec(prec).Mul(big.NewFloat(2), atanhSeries(s))
	ek := new(big.Float).SetPrec(prec).Mul(new(big.Float).SetInt64(int64(e)), bigLn2)
	return lnm.Add(lnm, ek)
}

// Log64 is the correctly rounded float64 ln x for finite x > 0.
func Log64(x float64) float64 { v, _ := BigLog(x).Float64(); return v }

// Log32 is the correctly rounded float32 ln x for finite x > 0.
func Log32(x float32) float32 { v, _ := BigLog(float64(x)).Float32(); return v }

// ULPs64 is the number of float64 values between a and b (0 when equal).
func ULPs64(a, b float64) int64 {
	d := ord64(a) - ord64(b)
	if d < 0 {
		return -d
	}
	return d
}

// ULPs32 is the number of float32 values between a and b (0 when equal).
func ULPs32(a, b float32) int64 {
	d := int64(ord32(a)) - int64(ord32(b))
	if d < 0 {
		return -d
	}
	return d
}

func ord64(f float64) int64 {
	b := math.Float64bits(f)
	if b&(1<<63) != 0 {
		return -int64(b &^ (1 << 63))
	}
	return int64(b)
}

func ord32(f float32) int32 {
	b := math.Float32bits(f)
	if b&(1<<31) != 0 {
		return -int32(b &^ (1 << 31))
	}
	return int32(b)
}
