package fuzz

import (
	"math"

	"github.com/simdloss/simdloss/asm"
)

// The oracle: SPEC.md section 5's formulas written again here, evaluated in
// float64 from the element-type inputs. The steps that SPEC.md section 1 puts
// in the element type and whose rounding alone decides the value (p − y,
// p + ε, 1 − p + ε, 2y − 1, 1 − y'·x, z', the weight of Weight(w)) are rounded
// to it; everything else is float64. Each value comes with the magnitude of
// the terms that form it, the cancellation bound SPEC.md section 6 measures
// the tolerances against (Σ|w·l| for sums).

// elemVal is one element of an elementwise loss: the loss l and its
// derivative g with respect to the prediction, each with the sum of the
// magnitudes of its terms. Where the derivative jumps (hinge at 1 − y'x = 0)
// and rounding can put the element on either side, gAlt is the other side's
// value.
type elemVal struct {
	l, lmag float64
	g, gmag float64
	gAlt    float64
	hasAlt  bool
	ovf     bool
	unf     bool
}

// evalElem evaluates loss k at one element (y ignored by losses of one
// argument; a is ε for log loss, the label smoothing for sigmoid CE).
func evalElem(n *num, k asm.ElemLoss, p, y, a float64) elemVal {
	e := ev{num: n}
	var v elemVal
	switch k {
	case asm.AbsDiff:
		d := e.t(e.sub(p, y))
		v.l, v.g = math.Abs(d), sign(d)
		v.lmag, v.gmag = math.Abs(v.l), math.Abs(v.g)
	case asm.SqDiff:
		d := e.t(e.sub(p, y))
		v.l, v.g = e.mul(d, d), e.mul(2, d)
		v.lmag, v.gmag = math.Abs(v.l), math.Abs(v.g)
	case asm.LogLoss:
		pe := e.t(e.add(p, a))                // p + ε
		qe := e.t(e.add(e.t(e.sub(1, p)), a)) // (1 − p) + ε
		oy := e.t(e.sub(1, y))                // 1 − y
		t1, t2 := -e.mul(y, ln(pe)), -e.mul(oy, ln(qe))
		v.l, v.lmag = t1+t2, math.Abs(t1)+math.Abs(t2)
		g1, g2 := -e.div(y, pe), e.div(oy, qe)
		v.g, v.gmag = g1+g2, math.Abs(g1)+math.Abs(g2)
	case asm.Hinge:
		ys := e.t(e.sub(2*y, 1))
		yx := e.mul(ys, p)
		m := e.t(e.sub(1, e.t(yx))) // 1 − y'·x, the product rounded as well
		x := e.sub(1, yx)           // the same with the product exact (FMA)
		v.l = max0(m)
		v.lmag = 1 + math.Abs(yx)
		v.g, v.gmag = hingeG(m, ys), math.Abs(ys)
		// Near the kink another order of operations may land on the other side.
		if !math.IsNaN(m) && (math.Abs(x) <= 4*n.eps*v.lmag || hingeG(x, ys) != v.g) {
			v.gAlt, v.hasAlt = 0, true
			if v.g == 0 {
				v.gAlt = -ys
			}
		}
	case asm.SigmoidCE:
		s := e.t(a)
		zs := e.t(e.add(e.t(e.mul(y, e.t(1-s))), e.t(0.5*s))) // z(1 − L) + L/2
		relu, negAbs := p, -p
		if !(p >= 0) {
			relu, negAbs = 0, p
		}
		if math.IsNaN(p) {
			relu = p
		}
		xz := e.mul(p, zs)
		lp := math.Log1p(e.exp(negAbs))
		v.l = relu - xz + lp
		v.lmag = math.Abs(relu) + math.Abs(xz) + math.Abs(lp)
		sg := sigmoid(&e, p)
		v.g, v.gmag = sg-zs, math.Abs(sg)+math.Abs(zs)
	case asm.Identity:
		v.l, v.g = p, 1
		v.lmag, v.gmag = math.Abs(p), 1
	case asm.L1:
		v.l, v.g = math.Abs(p), sign(p)
		v.lmag, v.gmag = math.Abs(p), math.Abs(v.g)
	case asm.L2:
		v.l, v.g = e.mul(p, p)/2, p
		v.lmag, v.gmag = math.Abs(v.l), math.Abs(p)
	default:
		panic("unknown elementwise loss")
	}
	// Partial sums of the terms may pass max/1024 in the element type.
	e.big(v.lmag, p, y, a)
	e.big(v.gmag, p, y, a)
	v.ovf, v.unf = e.ovf, e.unf
	return v
}

func max0(v float64) float64 {
	if v > 0 || math.IsNaN(v) {
		return v
	}
	return 0
}

// hingeG is −y' where 1 − y'x > 0, 0 where it is <= 0, NaN for NaN.
func hingeG(m, ys float64) float64 {
	switch {
	case m > 0:
		return -ys
	case m <= 0:
		return 0
	}
	return m
}

func sigmoid(e *ev, x float64) float64 {
	if x >= 0 {
		return 1 / (1 + e.exp(-x))
	}
	ex := e.exp(x)
	return ex / (1 + ex)
}

// rowVal is one measurable element of a row loss: its loss with the
// magnitude of its terms, and the derivative of that loss with respect to
// each input element it reads (g[i] at input index idx[i]).
type rowVal struct {
	l, lmag float64
	idx     []int
	g, gmag []float64
	alt     []float64 // another accepted derivative where hasAlt (elementwise hinge)
	hasAlt  bool
	// post, where not nil, is what multiplies the weight after the
	// implementation scales it (pairwise: ω·4/n, then ·(d − mean)), for the
	// allowance of a weight scaled into the subnormal range.
	post     []float64
	ovf, unf bool
}

// softmaxRow evaluates softmax CE on one row: x and z of c values, smoothing
// sm (already in T). sparse gives the label instead of z (z is nil) and
// selects the sparse formulas: with sm == 0, lse − x_label; otherwise the
// smoothed one-hot; gradient softmax − z'.
func softmaxRow(n *num, x, z []float64, label int, sparse bool, sm float64, base int) rowVal {
	e := ev{num: n}
	c := len(x)
	rv := rowVal{idx: make([]int, c), g: make([]float64, c), gmag: make([]float64, c), post: make([]float64, c)}
	for i := range rv.idx {
		rv.idx[i] = base + i
	}
	if c == 0 {
		return rv
	}
	pos := e.t(1 - sm)
	neg := e.t(sm / float64(c))
	zs := make([]float64, c)
	for i := range zs {
		switch {
		case !sparse:
			zs[i] = e.t(e.add(e.t(e.mul(z[i], pos)), neg))
		case i == label:
			zs[i] = e.t(pos + neg)
		default:
			zs[i] = neg
		}
	}
	m := x[0]
	for _, v := range x {
		if v > m || math.IsNaN(v) {
			m = v
		}
		if math.IsNaN(m) {
			break
		}
	}
	var s nsum
	ex := make([]float64, c)
	for i, v := range x {
		ex[i] = e.exp(e.t(e.sub(v, m)))
		s.add(ex[i])
	}
	sv := s.value()
	ls := ln(sv)
	// The terms are SPEC.md's: z'·(lse − x) with lse = m + ln s. The library
	// evaluates (m − x) + ln s, exact for large logits, but SPEC.md does not
	// promise more than its formula gives: the magnitudes are |lse| and |x|.
	var l, lmag, fin, sz, szAbs nsum
	for i, v := range x {
		sz.add(zs[i])
		szAbs.add(math.Abs(zs[i]))
		if sparse && sm == 0 && i != label {
			continue
		}
		d := e.sub(m, v) // m − x exactly; an implementation in T may overflow it (flagged)
		f := zs[i]
		if sparse && sm == 0 {
			f = 1
		}
		l.add(e.mul(f, d+ls))
		if math.IsInf(f, 0) && math.Abs(d+ls) <= 4*n.ulp*(math.Abs(m)+math.Abs(v))+2*n.sumRel {
			e.ovf = true // Inf times a factor that rounding may make 0: NaN or ±Inf
		}
		// ln s is only as accurate as s is relatively, and s holds a term 1:
		// generic's ln(1 + rest) is off by about ε absolutely (asm's
		// softmaxMags counts the same 1).
		m := magProd(f, math.Abs(m)+math.Abs(ls)+math.Abs(v)+1)
		lmag.add(m)
		if finite(m) {
			fin.add(m)
		}
	}
	rv.l, rv.lmag = l.value(), lmag.value()
	laneOverflow(&e, fin.value())
	szv, szm := sz.value(), szAbs.value()
	if sparse {
		szv, szm = 1, 1 // SPEC.md: softmax − onehot (smoothed), Σz' = 1
	}
	// softmax_c = exp(x_c − m)/s is as accurate as x_c − m in T (relative
	// error |x_c − m|·ε) and the sums s and Σz' (SPEC.md's sum tolerance).
	sumSlack := 2 * n.sumRel / (4 * n.ulp)
	for i, v := range x {
		sm := e.div(ex[i], sv)
		a := e.mul(sm, szv)
		rv.g[i] = a - zs[i]
		rv.gmag[i] = magProd(magProd(sm, szm), 1+math.Abs(v-m)+sumSlack) + math.Abs(zs[i])
		rv.post[i] = math.Max(rv.gmag[i], szm) // Σz' multiplies a softmax that may be subnormal
	}
	rv.ovf, rv.unf = e.ovf, e.unf
	return rv
}

// cosineElem evaluates the cosine distance of the slice of axisLen values
// starting at base with step stride.
func cosineElem(n *num, p, y []float64, axisLen, stride, base int) rowVal {
	e := ev{num: n}
	rv := rowVal{idx: make([]int, axisLen), g: make([]float64, axisLen), gmag: make([]float64, axisLen)}
	var dot, mag, fin nsum
	for a, o := 0, base; a < axisLen; a, o = a+1, o+stride {
		py := e.mul(p[o], y[o])
		dot.add(py)
		mag.add(math.Abs(py))
		if finite(py) {
			fin.add(math.Abs(py))
		}
		rv.idx[a] = o
		rv.g[a] = -y[o]
		rv.gmag[a] = math.Abs(y[o])
	}
	rv.l = 1 - dot.value()
	rv.lmag = 1 + mag.value()
	laneOverflow(&e, fin.value())
	rv.ovf, rv.unf = e.ovf, e.unf
	return rv
}

// pairwiseRow evaluates the mean pairwise squared error of one row of a
// non-zero weight: L = (2/n)·Σ(d − mean d)² with d = p − y rounded to T,
// gradient (4/n)·(d − mean d). Its terms are the squares, so the magnitude
// is L itself.
func pairwiseRow(n *num, p, y []float64, base int) rowVal {
	e := ev{num: n}
	k := len(p)
	rv := rowVal{idx: make([]int, k), g: make([]float64, k), gmag: make([]float64, k), post: make([]float64, k)}
	if k == 0 {
		return rv
	}
	d := make([]float64, k)
	var sd, sabs nsum
	for i := range p {
		d[i] = e.t(e.sub(p[i], y[i]))
		sd.add(d[i])
		if finite(d[i]) {
			sabs.add(math.Abs(d[i]))
		}
	}
	laneOverflow(&e, sabs.value())
	mean := sd.value() / float64(k)
	// Correct the mean once more: exact to rounding whatever the offset.
	var corr nsum
	for i := range d {
		corr.add(d[i] - mean)
	}
	mean += corr.value() / float64(k)
	// An implementation's mean is accurate to about delta: float64
	// accumulation of the d (SPEC.md's offset of 1000 must not lose
	// accuracy, so not the element type's). It enters the gradient to first
	// order and, after the compensating term, the loss to second order.
	delta := 2 * num64.eps * sabs.value()
	var ss, fin nsum
	for i := range d {
		c := e.sub(d[i], mean)
		ss.add(e.mul(c, c))
		if finite(c) {
			fin.add(c * c)
		}
		rv.idx[i] = base + i
		rv.g[i] = 4 / float64(k) * c
		rv.gmag[i] = 4 / float64(k) * (math.Abs(c) + delta/(4*n.ulp))
		rv.post[i] = math.Abs(c) + delta/(4*n.ulp)
	}
	laneOverflow(&e, fin.value())
	rv.l = 2 * ss.value() / float64(k)
	rv.lmag = math.Abs(rv.l) + 2*delta*delta/(4*n.ulp) // an allowance under every tolerance that scales lmag
	rv.ovf, rv.unf = e.ovf, e.unf
	return rv
}

// laneOverflow flags a sum whose partial sums, accumulated in the element
// type by a vector implementation, may pass max/1024: finAbsSum is the sum
// of the magnitudes of its finite terms (infinite inputs are no overflow).
func laneOverflow(e *ev, finAbsSum float64) {
	if finAbsSum > e.lim {
		e.ovf = true
	}
}
