package fuzz

import (
	"math"
	"unsafe"
)

// guardLen is the number of guard elements on each side of a guarded slice.
const guardLen = 16

// guardNaN returns a NaN with a payload no arithmetic produces: a guard
// element that changed was written, an output element that still holds it
// was not.
func guardNaN[T Float]() T {
	if isF32[T]() {
		v := math.Float32frombits(0x7fd5a5a5)
		return *(*T)(unsafe.Pointer(&v))
	}
	v := math.Float64frombits(0x7ffa5a5a5a5a5a5a)
	return *(*T)(unsafe.Pointer(&v))
}

// bitsOf returns the bit pattern of v.
func bitsOf[T Float](v T) uint64 {
	if isF32[T]() {
		return uint64(math.Float32bits(*(*float32)(unsafe.Pointer(&v))))
	}
	return math.Float64bits(*(*float64)(unsafe.Pointer(&v)))
}

// guarded is a slice placed at an offset (in elements) inside a buffer whose
// other elements hold guardNaN: a changed guard is an out-of-bounds write,
// and an out-of-bounds read sees a NaN.
type guarded[T Float] struct {
	buf   []T
	lo, n int
}

func newGuarded[T Float](n, off int) *guarded[T] {
	g := &guarded[T]{buf: make([]T, guardLen+off+n+guardLen), lo: guardLen + off, n: n}
	nan := guardNaN[T]()
	for i := range g.buf {
		g.buf[i] = nan
	}
	return g
}

// guardedOf places a copy of vals.
func guardedOf[T Float](vals []T, off int) *guarded[T] {
	g := newGuarded[T](len(vals), off)
	copy(g.s(), vals)
	return g
}

// s is the slice, its capacity cut to its length.
func (g *guarded[T]) s() []T { return g.buf[g.lo : g.lo+g.n : g.lo+g.n] }

// intact reports whether every guard element still holds guardNaN.
func (g *guarded[T]) intact() bool {
	nan := bitsOf(guardNaN[T]())
	for i, v := range g.buf {
		if (i < g.lo || i >= g.lo+g.n) && bitsOf(v) != nan {
			return false
		}
	}
	return true
}

// sameBits reports whether a and b are bitwise equal.
func sameBits[T Float](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if bitsOf(a[i]) != bitsOf(b[i]) {
			return false
		}
	}
	return true
}

func toF64[T Float](v []T) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

func fromF64[T Float](v []float64) []T {
	out := make([]T, len(v))
	for i, x := range v {
		out[i] = T(x)
	}
	return out
}

// expSum is the oracle's value of a reduced result with its tolerance.
type expSum struct {
	v, tol   float64
	ovf, unf bool
	skip     bool // ill-conditioned: only the absence of a panic is checked
}

// expVec is the oracle's value of a per-element output.
type expVec struct {
	v, tol    []float64
	alt       []float64 // another accepted value where hasAlt
	hasAlt    []bool
	ovf, unf  []bool
	zero      []bool // must be exactly +0
	untouched []bool // must not be written at all
	skip      bool
}

func newExpVec(n int) expVec {
	return expVec{
		v: make([]float64, n), tol: make([]float64, n), alt: make([]float64, n), hasAlt: make([]bool, n),
		ovf: make([]bool, n), unf: make([]bool, n), zero: make([]bool, n), untouched: make([]bool, n),
	}
}

// weightedSum is Σ ω·l over elements with the loss values l, their term
// magnitudes lmag and flags; the tolerance is SPEC.md section 6's sumRel of
// Σ|ω·l| (with term magnitudes), plus an absolute allowance for underflow.
func weightedSum(n *num, omega, l, lmag []float64, ovf, unf []bool) expSum {
	e := ev{num: n}
	// mag is Σ|ω|·lmag, with products beyond MaxFloat64 (a huge weight
	// and a huge term magnitude, where ω·l itself is finite) in big, scaled
	// by 2^-64.
	var s, mag, big, abs, unw nsum
	var es expSum
	huge := false // a finite ω·l whose terms' magnitudes pass MaxFloat64
	for i := range l {
		s.add(e.mul(omega[i], l[i]))
		huge = huge || (omega[i] != 0 && finite(omega[i]) && finite(l[i]) && math.IsInf(lmag[i], 0))
		if finite(omega[i]) && finite(lmag[i]) {
			if m := math.Abs(omega[i]) * lmag[i]; finite(m) {
				mag.add(m)
			} else {
				big.add(math.Abs(omega[i]) * 0x1p-64 * lmag[i])
			}
			abs.add(underflowAllowance(n, omega[i], lmag[i]))
		}
		if finite(lmag[i]) {
			unw.add(lmag[i])
		}
		es.ovf = es.ovf || ovf[i] || infTimesZero(n, omega[i], l[i], lmag[i])
		es.unf = es.unf || unf[i]
	}
	es.v = s.value()
	es.tol = tolOf(n.sumRel*(mag.value()+big.value()*0x1p64) + abs.value())
	if huge {
		es.tol = math.Inf(1)
	}
	// The finite terms' partial sums may overflow in the element type, the
	// weighted ones or, where a uniform weight multiplies Σl afterwards, the
	// unweighted ones (and then Inf·0 is NaN).
	es.ovf = es.ovf || e.ovf || huge || mag.value() > n.lim || big.value() > 0 || unw.value() > n.lim
	es.unf = es.unf || e.unf
	return es
}

// underflowAllowance is the absolute error that intermediate values in the
// subnormal range may cause in coef·v where v's terms have magnitude mag:
// a few smallest subnormals, scaled by whatever multiplies them afterwards.
func underflowAllowance(n *num, coef, mag float64) float64 {
	return 16 * n.eta * (1 + math.Abs(coef) + mag + magProd(coef, mag))
}

// magProd is |coef|·mag, 0 when either is 0 (an infinite magnitude times
// a zero coefficient contributes nothing, not NaN).
func magProd(coef, mag float64) float64 {
	if coef == 0 || mag == 0 {
		return 0
	}
	return math.Abs(coef) * mag
}

// tolOf makes a tolerance computed from non-finite terms 0: such a value is
// itself non-finite or exact.
func tolOf(t float64) float64 {
	if math.IsNaN(t) {
		return 0
	}
	return t
}

// setElem sets element i of an expected output: coef·v with the magnitude
// mag of v's terms.
func (x *expVec) setElem(n *num, i int, coef, v, mag float64, ovf, unf bool) {
	x.setElemPost(n, i, coef, v, mag, mag, ovf, unf)
}

// setElemPost is setElem where post, not mag, multiplies a coefficient the
// implementation scaled (see rowVal.post).
func (x *expVec) setElemPost(n *num, i int, coef, v, mag, post float64, ovf, unf bool) {
	e := ev{num: n}
	x.v[i] = e.mul(coef, v)
	x.tol[i] = tolOf(4*n.ulp*math.Abs(x.v[i]) + 4*n.ulp*magProd(coef, mag) + underflowAllowance(n, coef, math.Max(mag, post)))
	// As for sums: when the coefficient times the magnitude of the terms
	// behind v passes the overflow limit, a rounding error of v (say a
	// cancellation of two huge labels) times the coefficient may overflow.
	x.ovf[i] = ovf || e.ovf || infTimesZero(n, coef, v, math.Max(mag, post)) || magProd(coef, math.Max(mag, post)) > n.lim
	x.unf[i] = unf || e.unf
}

// infTimesZero reports whether coef is infinite and v so close to 0 that
// rounding decides between coef·0 = NaN and ±Inf of either sign.
func infTimesZero(n *num, coef, v, mag float64) bool {
	return math.IsInf(coef, 0) && finite(v) && math.Abs(v) <= 4*n.ulp*mag+16*n.eta*(1+mag)
}

// finishTol adds SPEC.md section 6's elemRel·max|output| to every element.
func (x *expVec) finishTol(n *num) {
	m := 0.0
	for i, v := range x.v {
		if finite(v) && !x.untouched[i] {
			m = math.Max(m, math.Abs(v))
		}
	}
	for i := range x.tol {
		x.tol[i] += n.elemRel * m
	}
}

// checkSum compares a reduced result with the oracle and, when ref is not
// nil, with the reference level's result.
func checkSum(rep *report, n *num, name string, got float64, want expSum, ref *float64) {
	if want.skip {
		return
	}
	if !n.agree(got, want.v, want.tol, want.ovf, want.unf) {
		rep.errorf("%s = %s, oracle %s ± %.3g (ovf %v, unf %v)", name, fmtf(got), fmtf(want.v), want.tol, want.ovf, want.unf)
	}
	if ref != nil && !n.agree(got, *ref, want.tol, want.ovf, want.unf) {
		rep.errorf("%s = %s, generic level %s ± %.3g (ovf %v, unf %v)", name, fmtf(got), fmtf(*ref), want.tol, want.ovf, want.unf)
	}
}

// checkVec compares a per-element output with the oracle and, when ref is
// not nil, with the reference level's output.
func checkVec[T Float](rep *report, n *num, name string, got []T, want expVec, ref []T) {
	if len(got) != len(want.v) {
		rep.errorf("%s: length %d, want %d", name, len(got), len(want.v))
		return
	}
	nan := bitsOf(guardNaN[T]())
	for i, gv := range got {
		g := float64(gv)
		switch {
		case want.untouched[i]:
			if bitsOf(gv) != nan {
				rep.errorf("%s[%d] = %s was written; it is outside what the kernel may write", name, i, fmtf(g))
			}
			continue
		case bitsOf(gv) == nan:
			rep.errorf("%s[%d] was not written", name, i)
			continue
		case want.zero[i]:
			if bitsOf(gv) != 0 {
				rep.errorf("%s[%d] = %s, want +0", name, i, fmtf(g))
			}
			continue
		}
		if want.skip {
			continue
		}
		ok := n.agree(g, want.v[i], want.tol[i], want.ovf[i], want.unf[i])
		if !ok && want.hasAlt[i] {
			ok = n.agree(g, want.alt[i], want.tol[i], want.ovf[i], want.unf[i])
		}
		if !ok {
			rep.errorf("%s[%d] = %s, oracle %s ± %.3g (ovf %v, unf %v)", name, i, fmtf(g), fmtf(want.v[i]), want.tol[i], want.ovf[i], want.unf[i])
			continue
		}
		if ref != nil && !want.hasAlt[i] {
			r := float64(ref[i])
			if !n.agree(g, r, want.tol[i], want.ovf[i], want.unf[i]) {
				rep.errorf("%s[%d] = %s, generic level %s ± %.3g (ovf %v, unf %v)", name, i, fmtf(g), fmtf(r), want.tol[i], want.ovf[i], want.unf[i])
			}
		}
	}
}
