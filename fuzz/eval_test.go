package fuzz

import (
	"fmt"
	"math"
	"strings"
)

// Float is the element type of the kernels and the API.
type Float interface{ float32 | float64 }

func isF32[T Float]() bool {
	var z T
	_, ok := any(z).(float32)
	return ok
}

func typeName[T Float]() string {
	if isF32[T]() {
		return "float32"
	}
	return "float64"
}

// num describes the arithmetic of one element type: SPEC.md section 6's
// tolerances and the limits the oracle uses to flag overflow and underflow.
type num struct {
	f32     bool
	sumRel  float64 // reduced results: relative to Σ|w·l|
	elemRel float64 // per-element outputs: relative to max|output|
	eps     float64 // unit roundoff
	ulp     float64 // one ulp relative to the value (upper bound)
	eta     float64 // smallest subnormal
	minNorm float64 // smallest normal
	max     float64 // largest finite
	lim     float64 // max/1024: beyond it overflow to ±Inf is accepted
}

var (
	num32 = num{f32: true, sumRel: 1e-5, elemRel: 1e-6, eps: 0x1p-24, ulp: 0x1p-23, eta: 0x1p-149, minNorm: 0x1p-126, max: math.MaxFloat32, lim: math.MaxFloat32 / 1024}
	num64 = num{f32: false, sumRel: 1e-12, elemRel: 1e-13, eps: 0x1p-53, ulp: 0x1p-52, eta: 0x1p-1074, minNorm: 0x1p-1022, max: math.MaxFloat64, lim: math.MaxFloat64 / 1024}
)

func numOf[T Float]() *num {
	if isF32[T]() {
		return &num32
	}
	return &num64
}

// ev evaluates formulas in float64 and records whether an intermediate value
// left the element type's safe range: ovf when a value computed from finite
// operands exceeds max/1024 (an implementation in the element type may
// overflow there), unf when a product or quotient of non-zero finite operands
// falls below the smallest normal (an implementation may flush it to 0 and
// then turn 0·Inf into NaN).
type ev struct {
	*num
	ovf, unf bool
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func (e *ev) big(v float64, args ...float64) float64 {
	for _, a := range args {
		if !finite(a) {
			return v
		}
	}
	if math.Abs(v) > e.lim {
		e.ovf = true
	}
	return v
}

func (e *ev) small(v float64, args ...float64) float64 {
	for _, a := range args {
		if a == 0 || !finite(a) {
			return v
		}
	}
	if math.Abs(v) < e.minNorm {
		e.unf = true
	}
	return v
}

// t rounds to the element type, as a step the implementation performs in it.
func (e *ev) t(v float64) float64 {
	if !e.f32 {
		return v
	}
	r := float64(float32(v))
	if finite(v) && math.Abs(v) > e.lim {
		e.ovf = true
	}
	if v != 0 && finite(v) && math.Abs(v) < e.minNorm {
		e.unf = true
	}
	return r
}

func (e *ev) add(a, b float64) float64 { return e.big(a+b, a, b) }
func (e *ev) sub(a, b float64) float64 { return e.big(a-b, a, b) }
func (e *ev) mul(a, b float64) float64 { return e.small(e.big(a*b, a, b), a, b) }
func (e *ev) div(a, b float64) float64 { return e.small(e.big(a/b, a, b), a, b) }

func (e *ev) exp(a float64) float64 {
	v := math.Exp(a)
	if finite(a) {
		e.ovf = e.ovf || v > e.lim
		e.unf = e.unf || v < e.minNorm
	}
	return v
}

// ln is the natural logarithm, correct for float64 subnormals too (Go's
// amd64 math.Log is not: golang/go#56600).
func ln(x float64) float64 {
	if x > 0 && x < 0x1p-1022 {
		m, ex := math.Frexp(x)
		return math.Log(m) + float64(ex)*math.Ln2
	}
	return math.Log(x)
}

func sign(v float64) float64 {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	case v == 0:
		return 0
	}
	return v
}

// nsum is a compensated (Neumaier) float64 sum, so the oracle's own
// rounding is negligible against every tolerance.
type nsum struct{ s, c float64 }

func (a *nsum) add(v float64) {
	t := a.s + v
	if math.Abs(a.s) >= math.Abs(v) {
		a.c += (a.s - t) + v
	} else {
		a.c += (v - t) + a.s
	}
	a.s = t
}

func (a *nsum) value() float64 {
	if !finite(a.s) {
		return a.s
	}
	return a.s + a.c
}

// agree reports whether got matches want within tol under SPEC.md section
// 6: the same NaN-ness, the same infinities, finite values within tol. ovf
// accepts any non-finite result (and any result for a non-finite want); unf
// accepts NaN and infinities for each other; a finite want beyond max/1024
// accepts an infinity of its sign.
func (n *num) agree(got, want, tol float64, ovf, unf bool) bool {
	switch {
	case got == want:
		return true
	case math.IsNaN(want):
		return math.IsNaN(got) || ovf || (unf && math.IsInf(got, 0))
	case math.IsInf(want, 0):
		return got == want || ovf || (unf && math.IsNaN(got))
	}
	if !finite(got) {
		if ovf {
			return true
		}
		return math.IsInf(got, 0) && math.Abs(want) > n.lim && math.Signbit(got) == math.Signbit(want)
	}
	return math.Abs(got-want) <= tol
}

// fataler is the part of testing.TB the checks use, so the harness's own
// tests can record a failure instead of failing.
type fataler interface {
	Helper()
	Logf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// report collects mismatches and fails the test once with all of them
// (the first few) and the case description.
type report struct {
	t    fataler
	what func() string
	errs []string
	more int
}

func (r *report) errorf(format string, args ...any) {
	if len(r.errs) < 12 {
		r.errs = append(r.errs, fmt.Sprintf(format, args...))
	} else {
		r.more++
	}
}

func (r *report) done() {
	r.t.Helper()
	if len(r.errs) == 0 {
		return
	}
	msg := strings.Join(r.errs, "\n  ")
	if r.more > 0 {
		msg += fmt.Sprintf("\n  … and %d more", r.more)
	}
	r.t.Fatalf("%s\n  %s", r.what(), msg)
}

// fmtf prints a value with enough digits to reproduce it.
func fmtf(v float64) string { return fmt.Sprintf("%.17g", v) }

func summarize(v []float64, max int) string {
	var b strings.Builder
	b.WriteString("[")
	for i, x := range v {
		if i == max {
			fmt.Fprintf(&b, " … (%d)", len(v))
			break
		}
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(fmt.Sprintf("%.9g", x))
	}
	b.WriteString("]")
	return b.String()
}

// bigSum is Σ v, accurate also where partial sums of finite terms pass the
// largest float64 (the terms are scaled down by 2^64 then).
func bigSum(v []float64) float64 {
	pinf, ninf := false, false
	for _, x := range v {
		switch {
		case math.IsNaN(x):
			return x
		case math.IsInf(x, 1):
			pinf = true
		case math.IsInf(x, -1):
			ninf = true
		}
	}
	switch {
	case pinf && ninf:
		return math.NaN()
	case pinf:
		return math.Inf(1)
	case ninf:
		return math.Inf(-1)
	}
	var s nsum
	for _, x := range v {
		s.add(x)
	}
	r := s.value()
	if finite(r) {
		return r
	}
	for _, x := range v {
		if !finite(x) {
			return r
		}
	}
	var t nsum
	for _, x := range v {
		t.add(x * 0x1p-64)
	}
	return t.value() * 0x1p64
}
