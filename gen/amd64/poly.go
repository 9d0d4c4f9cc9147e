package main

import "github.com/mmcloughlin/avo/reg"

// horner returns Σ coef[i]·x^i by Horner's rule with fused multiply-adds.
func (c *g) horner(x reg.VecVirtual, coef []float64) reg.VecVirtual {
	p := c.konst(coef[len(coef)-1])
	for i := len(coef) - 2; i >= 0; i-- {
		c.fma213(p, x, c.konstM(coef[i]))
	}
	return p
}
