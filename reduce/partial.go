package reduce

// Reduction selects how weighted losses become a scalar (SPEC.md section 4).
type Reduction int

// The reductions.
const (
	SumByNonzeroWeights Reduction = iota // num / count(w != 0)
	Sum                                  // num
	Mean                                 // num / Σ w
	SumOverBatchSize                     // num / number of measurable elements
	numReductions
)

// Valid reports whether r is one of the defined reductions.
func (r Reduction) Valid() bool { return r >= 0 && r < numReductions }

func (r Reduction) String() string {
	switch r {
	case SumByNonzeroWeights:
		return "SumByNonzeroWeights"
	case Sum:
		return "Sum"
	case Mean:
		return "Mean"
	case SumOverBatchSize:
		return "SumOverBatchSize"
	}
	return "Reduction(invalid)"
}

// needsStats reports whether the denominator depends on the weights.
func (r Reduction) needsStats() bool { return r == SumByNonzeroWeights || r == Mean }

// Partial is what a reduction needs of a set of measurable elements.
type Partial struct {
	Num     float64 // Σ w·l
	Nonzero int     // number of elements with w != 0
	WSum    float64 // Σ w
	N       int     // number of measurable elements
}

// Merge returns the partial of the union of p's and q's elements: a
// reduction over shards merged this way equals the reduction of the whole up
// to float64 rounding (exactly, for shards cut at block boundaries, up to
// the rounding of the sums' combination).
func (p Partial) Merge(q Partial) Partial {
	return Partial{Num: p.Num + q.Num, Nonzero: p.Nonzero + q.Nonzero, WSum: p.WSum + q.WSum, N: p.N + q.N}
}

// Denominator is D of the reduction r.
func (p Partial) Denominator(r Reduction) float64 {
	switch r {
	case SumByNonzeroWeights:
		return float64(p.Nonzero)
	case Mean:
		return p.WSum
	case SumOverBatchSize:
		return float64(p.N)
	}
	return 1
}

// Value is the reduced loss: Num / D, and exactly 0 when D is 0.
func (p Partial) Value(r Reduction) float64 {
	d := p.Denominator(r)
	if d == 0 {
		return 0
	}
	if r == Sum {
		return p.Num
	}
	return p.Num / d
}

// acc is a compensated (Neumaier) float64 accumulator for block partials.
type acc struct{ s, c float64 }

func (a *acc) add(v float64) {
	t := a.s + v
	if abs(a.s) >= abs(v) {
		a.c += (a.s - t) + v
	} else {
		a.c += (v - t) + a.s
	}
	a.s = t
}

// value returns the sum; an infinite or NaN sum is returned as is.
func (a *acc) value() float64 {
	if a.s-a.s != 0 { // Inf or NaN
		return a.s
	}
	return a.s + a.c
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
