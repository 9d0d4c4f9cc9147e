package fuzz

import (
	"fmt"
	"math"
	"testing"
)

// The level's logarithm (Kernels.Log, the one of the log loss): SPEC.md
// section 6 asks for at most 2 ulp from the correctly rounded result,
// subnormal inputs included, and Go's math specials.

// ulpDiff is the distance in units in the last place between a and b of
// type T (0 for equal values, both NaN, or ±0).
func ulpDiff[T Float](a, b T) uint64 {
	if a == b || (a != a && b != b) {
		return 0
	}
	if a != a || b != b {
		return math.MaxUint64
	}
	ord := func(v T) int64 {
		if isF32[T]() {
			u := int64(math.Float32bits(float32(v)))
			if u&(1<<31) != 0 {
				return -(u &^ (1 << 31))
			}
			return u
		}
		u := math.Float64bits(float64(v))
		if u&(1<<63) != 0 {
			return -int64(u &^ (1 << 63))
		}
		return int64(u)
	}
	d := ord(a) - ord(b)
	if d < 0 {
		d = -d
	}
	return uint64(d)
}

// lnOracle is ln x in T: float32 from the float64 logarithm (correctly
// rounded but for rare double roundings), float64 within 1 ulp.
func lnOracle[T Float](x T) T { return T(ln(float64(x))) }

func checkLog[T Float](t fataler, x []T, offs [2]int) {
	rep := &report{t: t, what: func() string {
		return fmt.Sprintf("Log[%s] n=%d offs=%v x=%s", typeName[T](), len(x), offs, summarize(toF64(x), 16))
	}}
	maxUlp := uint64(2) // from the correctly rounded result
	if !isF32[T]() {
		maxUlp = 3 // the float64 oracle itself may be 1 ulp off
	}
	for _, lv := range levelsToTest() {
		ks := kernelsOf[T](lv)
		if ks.Log == nil {
			continue
		}
		gx := guardedOf(x, offs[0])
		gd := newGuarded[T](len(x), offs[1])
		ks.Log(gd.s(), gx.s())
		if !gd.intact() {
			rep.errorf("%s: wrote outside dst", lv.Name)
		}
		if !gx.intact() || !sameBits(gx.s(), x) {
			rep.errorf("%s: modified x or its guards", lv.Name)
		}
		nan := bitsOf(guardNaN[T]())
		for i, v := range gd.s() {
			want := lnOracle(x[i])
			switch {
			case bitsOf(v) == nan:
				rep.errorf("%s: dst[%d] not written", lv.Name, i)
			case math.IsInf(float64(want), 0) || want != want:
				if bitsOf(v) != bitsOf(want) && !(v != v && want != want) {
					rep.errorf("%s: ln(%s) = %s, want %s", lv.Name, fmtf(float64(x[i])), fmtf(float64(v)), fmtf(float64(want)))
				}
			case ulpDiff(v, want) > maxUlp:
				rep.errorf("%s: ln(%s) = %s, oracle %s: %d ulp", lv.Name, fmtf(float64(x[i])), fmtf(float64(v)), fmtf(float64(want)), ulpDiff(v, want))
			}
		}
	}
	rep.done()
}

func FuzzKernelLog(f *testing.F) {
	for _, seed := range kernelSeeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := newSrc(data)
		f32 := s.u8()&1 == 0
		n := s.length(4096)
		p := s.profile()
		v := make([]float64, n)
		for i := range v {
			switch s.intn(4) {
			case 0:
				v[i] = s.value(roleProb, p, f32, 1)
			case 1:
				v[i] = s.value(roleReal, p, f32, 1)
			case 2:
				v[i] = math.Abs(s.tiny(f32)) // subnormals
			default:
				v[i] = math.Abs(s.value(roleLogit, p, f32, 1000))
			}
		}
		offs := [2]int{s.intn(16), s.intn(16)}
		if f32 {
			checkLog(t, fromF64[float32](v), offs)
		} else {
			checkLog(t, fromF64[float64](v), offs)
		}
	})
}
