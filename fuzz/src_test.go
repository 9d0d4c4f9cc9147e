package fuzz

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
)

// src turns fuzz bytes into decisions. The first bytes choose the shape of a
// case (type, lengths, offsets, options, value profiles); once the bytes run
// out, decisions continue from a PRNG seeded by a hash of all of them, so a
// short input still describes long vectors and every input decodes the same
// way every time.
type src struct {
	b    []byte
	seed uint64
	rng  *rand.Rand
}

func newSrc(b []byte) *src {
	h := fnv.New64a()
	h.Write(b)
	return &src{b: b, seed: h.Sum64()}
}

func (s *src) u8() byte {
	if len(s.b) > 0 {
		v := s.b[0]
		s.b = s.b[1:]
		return v
	}
	if s.rng == nil {
		s.rng = rand.New(rand.NewPCG(s.seed, 0x5eed))
	}
	return byte(s.rng.Uint32())
}

func (s *src) u16() int { return int(s.u8()) | int(s.u8())<<8 }

func (s *src) u32() uint32 {
	return uint32(s.u16()) | uint32(s.u16())<<16
}

func (s *src) u64() uint64 { return uint64(s.u32()) | uint64(s.u32())<<32 }

// intn returns a value in [0, n) (0 when n <= 1).
func (s *src) intn(n int) int {
	switch {
	case n <= 1:
		return 0
	case n <= 256:
		return int(s.u8()) % n
	case n <= 65536:
		return s.u16() % n
	case n <= 1<<32:
		return int(uint64(s.u32()) % uint64(n))
	}
	return int(s.u64() % uint64(n))
}

// oneIn is true with probability about 1/n.
func (s *src) oneIn(n int) bool { return s.intn(n) == 0 }

// length decodes a vector length in [0, max], biased towards the lengths that
// matter for vector code: 0..32 (tails), 0..300, powers of two ±1, and the
// whole range.
func (s *src) length(max int) int {
	var n int
	switch c := s.u8(); {
	case c < 112:
		n = int(c) % 33
	case c < 176:
		n = s.intn(301)
	case c < 224:
		k := 3 + s.intn(10)
		n = 1<<k + s.intn(3) - 1
	default:
		n = s.intn(max + 1)
	}
	return min(n, max)
}

// A role says which values are natural for a vector.
type role int

const (
	roleReal    role = iota // predictions, regression labels, losses: about [-4, 4]
	roleProb                // log-loss predictions: [0, 1], often near 0 or 1
	roleLabel01             // classification labels: {0, 1}, sometimes in between
	roleWeight              // weights: mostly 1, some 0, positive, a few negative
	roleLogit               // logits: about [-32, 32], sometimes ±1000
	roleUnit                // cosine inputs: small, about unit-norm slices
)

// A profile says how a vector's values are drawn.
type profile int

const (
	profNatural profile = iota // the role's natural range
	profSome                   // natural with one special value in eight
	profSpecial                // half special values
	profRaw                    // arbitrary bit patterns
	profHuge                   // large magnitudes and the exp/log edges
	profTiny                   // tiny and subnormal magnitudes
	profOffset                 // a large common offset plus small noise (cancellation)
	profConst                  // one value repeated
	numProfiles
)

// profile decodes a profile, natural ones twice as likely as the rest.
func (s *src) profile() profile {
	c := int(s.u8()) % (int(numProfiles) + 3)
	if c >= int(numProfiles) {
		return profNatural + profile(c-int(numProfiles))%2
	}
	return profile(c)
}

// specialValues are the values that break vector code: zeros, ±1, tiny,
// subnormal, huge, infinities, NaNs, and the edges of exp and log.
func specialValues(f32 bool) []float64 {
	maxT, minNorm, sub := math.MaxFloat64, 0x1p-1022, math.SmallestNonzeroFloat64
	expEdge, expLow := 709.78, -745.13
	eps := 0x1p-52
	if f32 {
		maxT, minNorm, sub = math.MaxFloat32, 0x1p-126, math.SmallestNonzeroFloat32
		expEdge, expLow = 88.72, -103.97
		eps = 0x1p-23
	}
	return []float64{
		0, math.Copysign(0, -1), 1, -1, 0.5, -0.5, 2, -2, 3,
		1e-7, -1e-7, eps, 1 - eps/2, 1 + eps, 1 - 1e-7,
		minNorm, -minNorm, minNorm / 2, sub, -sub, 3 * sub,
		maxT, -maxT, maxT / 2, maxT / 1024, 1e30, -1e30, 1e-30,
		math.Inf(1), math.Inf(-1), math.NaN(), -math.NaN(),
		expEdge, -expEdge, expLow, expEdge + 1, 88, -88, 100, -100, 1000, -1000,
	}
}

// value draws one value of a role under a profile (f32 selects the
// float32 edges; the caller rounds to its type).
func (s *src) value(r role, p profile, f32 bool, base float64) float64 {
	switch p {
	case profSome:
		if s.oneIn(8) {
			return s.special(f32)
		}
	case profSpecial:
		if s.oneIn(2) {
			return s.special(f32)
		}
	case profRaw:
		if f32 {
			return float64(math.Float32frombits(s.u32()))
		}
		return math.Float64frombits(s.u64())
	case profHuge:
		return s.huge(f32)
	case profTiny:
		return s.tiny(f32)
	case profOffset:
		return base + s.natural(r)*1e-3
	case profConst:
		return base
	}
	return s.natural(r)
}

// vector draws n values; base is drawn once per vector for profOffset and profConst.
func (s *src) vector(n int, r role, p profile, f32 bool) []float64 {
	var base float64
	switch p {
	case profOffset:
		base = []float64{1000, -1000, 1e4, 0.5, 1e6, 100}[s.intn(6)]
	case profConst:
		if s.oneIn(2) {
			base = s.special(f32)
		} else {
			base = s.natural(r)
		}
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = s.value(r, p, f32, base)
	}
	return v
}

func (s *src) special(f32 bool) float64 {
	sv := specialValues(f32)
	return sv[s.intn(len(sv))]
}

// natural draws from the role's natural range on a grid fine enough to
// avoid exact ties most of the time.
func (s *src) natural(r role) float64 {
	u := float64(s.u16()) / 65536 // [0, 1)
	switch r {
	case roleProb:
		switch c := s.u8(); {
		case c < 16:
			return 0
		case c < 32:
			return 1
		case c < 48:
			return u * 1e-6 // near 0
		case c < 64:
			return 1 - u*1e-6 // near 1
		}
		return u
	case roleLabel01:
		switch c := s.u8(); {
		case c < 100:
			return 0
		case c < 200:
			return 1
		}
		return u
	case roleWeight:
		switch c := s.u8(); {
		case c < 96:
			return 1
		case c < 128:
			return 0
		case c < 224:
			return 4 * u
		}
		return -4 * u
	case roleLogit:
		if s.oneIn(16) {
			return (2*u - 1) * 1000
		}
		return (2*u - 1) * 32
	case roleUnit:
		return (2*u - 1) * 0.5
	}
	return (2*u - 1) * 4
}

func (s *src) huge(f32 bool) float64 {
	maxExp, edge := 1023, 709.78
	if f32 {
		maxExp, edge = 127, 88.72
	}
	u := float64(s.u16()) / 65536
	switch s.intn(4) {
	case 0: // near the exp overflow / underflow edges
		return (1 + (2*u-1)*0.05) * edge * float64(1-2*s.intn(2))
	case 1:
		return (2*u - 1) * 1e4
	}
	e := maxExp - s.intn(24)
	return math.Ldexp(1+u, e-1) * float64(1-2*s.intn(2))
}

func (s *src) tiny(f32 bool) float64 {
	minExp, mant := -1022, 52
	if f32 {
		minExp, mant = -126, 23
	}
	u := float64(s.u16()) / 65536
	e := minExp - s.intn(mant+1) + s.intn(8)
	return math.Ldexp(1+u, e) * float64(1-2*s.intn(2))
}
