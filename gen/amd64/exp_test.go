package main

import (
	"math/big"
	"testing"
)

// TestExpPolynomial: 1 + r + r²·Q(r) with the rounded coefficients of
// expQ32 and expQ64 is within the stated relative error of e^r on
// |r| <= 0.3466, evaluated exactly (300-bit arithmetic).
func TestExpPolynomial(t *testing.T) {
	const prec = 300
	bf := func(v float64) *big.Float { return new(big.Float).SetPrec(prec).SetFloat64(v) }
	exp := func(r *big.Float) *big.Float {
		sum, term := bf(1), bf(1)
		for n := 1; n < 60; n++ {
			term.Mul(term, r)
			term.Quo(term, bf(float64(n)))
			sum.Add(sum, term)
		}
		return sum
	}
	q32 := make([]float64, len(expQ32))
	for i, v := range expQ32 {
		q32[i] = float64(v)
	}
	for _, tc := range []struct {
		name  string
		q     []float64
		bound float64
	}{{"float32", q32, 4e-9}, {"float64", expQ64, 4e-19}} {
		const a, steps = 0.3466, 20000
		worst := 0.0
		for k := 0; k <= steps; k++ {
			r := bf(-a + 2*a*float64(k)/steps)
			p := new(big.Float).SetPrec(prec)
			for i := len(tc.q) - 1; i >= 0; i-- {
				p.Mul(p, r)
				p.Add(p, bf(tc.q[i]))
			}
			p.Mul(p, r)
			p.Add(p, bf(1))
			p.Mul(p, r)
			p.Add(p, bf(1))
			e := exp(r)
			p.Sub(p, e)
			p.Quo(p, e)
			d, _ := p.Abs(p).Float64()
			worst = max(worst, d)
		}
		t.Logf("%s: largest relative error %.3g", tc.name, worst)
		if worst > tc.bound {
			t.Errorf("%s: relative error %.3g > %.3g", tc.name, worst, tc.bound)
		}
	}
}

// TestAtanhPolynomial: z·P(z) with the rounded coefficients of atanhP32 and
// atanhP64 is within the stated relative error of (2·atanh(s) − 2s)/s on
// z = s² <= 1/9 (300-bit arithmetic).
func TestAtanhPolynomial(t *testing.T) {
	const prec = 300
	bf := func(v float64) *big.Float { return new(big.Float).SetPrec(prec).SetFloat64(v) }
	// (2·atanh(s) − 2s)/s / z = Σ 2z^k/(2k+3)
	exact := func(z *big.Float) *big.Float {
		sum, pow := bf(0), bf(1)
		for k := 0; k < 200; k++ {
			sum.Add(sum, new(big.Float).SetPrec(prec).Quo(new(big.Float).SetPrec(prec).Mul(pow, bf(2)), bf(float64(2*k+3))))
			pow.Mul(pow, z)
		}
		return sum
	}
	p32 := make([]float64, len(atanhP32))
	for i, v := range atanhP32 {
		p32[i] = float64(v)
	}
	for _, tc := range []struct {
		name  string
		p     []float64
		bound float64
	}{{"float32", p32, 5e-8}, {"float64", atanhP64, 1e-16}} {
		const steps = 5000
		worst := 0.0
		for k := 0; k <= steps; k++ {
			z := bf(float64(k) / steps / 9)
			p := new(big.Float).SetPrec(prec)
			for i := len(tc.p) - 1; i >= 0; i-- {
				p.Mul(p, z)
				p.Add(p, bf(tc.p[i]))
			}
			e := exact(z)
			p.Sub(p, e)
			p.Quo(p, e)
			d, _ := p.Abs(p).Float64()
			worst = max(worst, d)
		}
		t.Logf("%s: largest relative error %.3g", tc.name, worst)
		if worst > tc.bound {
			t.Errorf("%s: relative error %.3g > %.3g", tc.name, worst, tc.bound)
		}
	}
}
