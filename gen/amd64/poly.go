package main

import "github.com/mmcloughlin/avo/reg"

// poly returns Σ coef[i]·x^i by Estrin's scheme: the sum splits into a
// lower half and an upper half times x^h (h a power of two), recursively,
// down to pairs coef[i] + coef[i+1]·x. The chain of dependent fused
// multiply-adds is log2(len(coef)) long rather than len(coef) − 1 (a long
// exponential or logarithm is otherwise latency-bound), for a few more
// multiplications (the powers of x). Halves are emitted depth first, so few
// partial sums are live at once. x2 is x² when the caller has it (or nil).
func (c *g) poly(x, x2 reg.VecVirtual, coef []float64) reg.VecVirtual {
	pows := []reg.VecVirtual{x} // x^(2^i)
	if len(coef) > 2 {
		if x2 == nil {
			x2 = c.vec()
			c.mul(x2, x, x)
		}
		pows = append(pows, x2)
	}
	for 1<<len(pows) < len(coef) {
		last := pows[len(pows)-1]
		p := c.vec()
		c.mul(p, last, last)
		pows = append(pows, p)
	}
	var rec func(cs []float64) reg.VecVirtual
	rec = func(cs []float64) reg.VecVirtual {
		if len(cs) == 1 {
			return c.konst(cs[0])
		}
		if len(cs) == 2 {
			t := c.konst(cs[1])
			c.fma213(t, x, c.konstM(cs[0]))
			return t
		}
		// The largest power of two below len(cs) splits it.
		h, lvl := 1, 0
		for 2*h < len(cs) {
			h, lvl = 2*h, lvl+1
		}
		lo := rec(cs[:h])
		if len(cs)-h == 1 {
			c.fma(lo, pows[lvl], c.konstM(cs[h])) // lo += x^h·c
			return lo
		}
		hi := rec(cs[h:])
		c.fma(lo, hi, pows[lvl]) // lo += hi·x^h
		return lo
	}
	return rec(coef)
}

// horner returns Σ coef[i]·x^i by Horner's rule: one live partial sum (for
// where Estrin's powers and partial sums would not fit in the registers).
func (c *g) horner(x reg.VecVirtual, coef []float64) reg.VecVirtual {
	p := c.konst(coef[len(coef)-1])
	for i := len(coef) - 2; i >= 0; i-- {
		c.fma213(p, x, c.konstM(coef[i]))
	}
	return p
}
