package generic

import "math"

// ln2Hi has trailing zero bits so that e*ln2Hi is exact for any float64 exponent.
const (
	ln2Hi = 6.93147180369123816490e-01 // 0x3fe62e42fee00000
	ln2Lo = 1.90821492927058770002e-10 // 0x3dea39ef35793c76
)

// Log64 is the natural logarithm, correct also for subnormal inputs
// (the amd64 assembly of math.Log is not: golang/go#56600).
func Log64(x float64) float64 {
	if x > 0 && x < 0x1p-1022 {
		m, e := math.Frexp(x) // m in [0.5, 1)
		fe := float64(e)
		return fe*ln2Hi + (math.Log(m) + fe*ln2Lo)
	}
	return math.Log(x)
}

// Log is the natural logarithm in T: float32 values are computed in float64
// and rounded once, so the result is the correctly rounded one in almost all cases.
func Log[T Float](x T) T {
	if isF32[T]() {
		return T(math.Log(float64(x)))
	}
	return T(Log64(float64(x)))
}

// Exp is e**x in T.
func Exp[T Float](x T) T {
	if !isF32[T]() && (x > 709 || x < -708) {
		return T(expFar(float64(x)))
	}
	return T(math.Exp(float64(x)))
}

// ln2Tail is ln 2 − math.Ln2.
const ln2Tail = 2.319046813846299558e-17

// expFar is e**x for |x| > 708, where Go's assembly math.Exp is off: on
// amd64 it overflows early (from about 709.1; e**x is finite up to 709.78),
// on arm64 it underflows early (to 0 where e**x rounds to the smallest
// subnormal). x = k·ln2 + hi + lo with hi exact, e**(hi+lo) = 1 + expm1(hi)
// + lo·e**hi, scaled by 2^k (rounded once more where subnormal).
func expFar(x float64) float64 {
	switch {
	case x > 710:
		return math.Inf(1)
	case x < -746:
		return 0
	}
	k := math.Round(x / math.Ln2)
	hi := math.FMA(-k, math.Ln2, x) // exact: |hi| < 0.35 holds every bit
	lo := -k * ln2Tail
	em := math.Expm1(hi)
	return math.Ldexp(1+math.FMA(lo, 1+em, em), int(k))
}

// Log1p is ln(1+x) in T.
func Log1p[T Float](x T) T { return T(math.Log1p(float64(x))) }

// isF32 reports whether T is float32; it folds to a constant per instantiation.
func isF32[T Float]() bool {
	var z T
	_, ok := any(z).(float32)
	return ok
}

// Sigmoid is 1/(1+exp(-x)) computed without overflow for either sign of x.
func Sigmoid[T Float](x T) T {
	if x >= 0 {
		return 1 / (1 + Exp(-x))
	}
	e := Exp(x)
	return e / (1 + e)
}

// Max0 returns max(v, 0), propagating NaN.
func max0[T Float](v T) T {
	if v > 0 || v != v {
		return v
	}
	return 0
}

// sign returns -1, 0 or 1, and NaN for NaN.
func sign[T Float](v T) T {
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

// LogMap writes dst(i) = ln x(i); the kernel table's Log at the generic level.
func LogMap[T Float](dst, x []T) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = Log(v)
	}
}

// ExpMap writes dst(i) = e**x(i); the kernel table's Exp at the generic level.
func ExpMap[T Float](dst, x []T) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = Exp(v)
	}
}

// Log1pMap writes dst(i) = ln(1 + x(i)); the kernel table's Log1p at the generic level.
func Log1pMap[T Float](dst, x []T) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = Log1p(v)
	}
}
