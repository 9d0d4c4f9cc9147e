package reduce

// Compensated is the compensated (Neumaier) float64 accumulator with which
// block partials combine, for callers that run the kernels of a reduction
// themselves and must match Elementwise bit for bit.
type Compensated struct{ a acc }

// Add adds v.
func (c *Compensated) Add(v float64) { c.a.add(v) }

// Value returns the sum (an infinite or NaN sum as is).
func (c *Compensated) Value() float64 { return c.a.value() }
