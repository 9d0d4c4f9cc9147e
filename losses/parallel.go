package losses

import (
	"unsafe"

	"github.com/simdloss/simdloss/reduce"
)

// Threads bounds the goroutines a call runs on, the calling one included
// (n >= 1). Threads(1) computes everything on the calling goroutine, for
// callers that already run losses in parallel. Without it a call on a large
// input (see SetParallelThreshold) uses up to GOMAXPROCS goroutines from a
// pool shared by all calls; smaller inputs always run on the caller.
//
// The result does not depend on the number of threads: the input is split
// into blocks fixed by its shape alone, and the blocks' partial sums are
// combined in one fixed order, so every thread count (and every GOMAXPROCS)
// gives bitwise the same loss, Unreduced values and Gradient.
func Threads(n int) Option { return Option{kind: optThreads, n: n} }

// DefaultParallelThreshold is the input size, in elements, from which calls
// of the cheapest losses may run on several goroutines unless
// SetParallelThreshold says otherwise.
const DefaultParallelThreshold = reduce.DefaultParallelThreshold

// SetParallelThreshold sets the input size, in elements of the predictions
// or logits, from which a call of the cheapest losses (squared and absolute
// difference, hinge, ComputeWeightedLoss) may run on several goroutines, and
// returns a function restoring the previous setting; n <= 0 selects
// DefaultParallelThreshold. Losses that cost more per element (the
// logarithms and exponentials of the log loss and the cross-entropies, the
// row losses) split from fewer elements: down to an eighth of it for the log
// loss and the sigmoid cross-entropy, a sixteenth for the softmax ones. Only speed depends on
// it, never a result. Inputs of at most 128 KiB always run on the calling
// goroutine.
func SetParallelThreshold(n int) (restore func()) {
	prev := reduce.SetParallelThreshold(n)
	return func() { reduce.SetParallelThreshold(prev) }
}

// Partial is what every reduction needs to know of a set of measurable
// elements. A data-parallel trainer computes one per shard of a batch (with
// PartialInto), combines them over its own transport with Merge (field by
// field: two sums and two counts), and finishes with Loss, which gives the
// loss of the whole batch as if it had been computed at once, under every
// reduction and weight form: up to float64 rounding where the shards are cut
// at block boundaries of the whole (multiples of 8192 elements for the
// elementwise losses, of 8192/C rows of C classes for the row losses, and
// any cut for float64 inputs), otherwise within SPEC.md's tolerance of a
// float32 reduced result (float32 block sums round where the blocks fall).
// Nonzero and Count are ints: send them as 64-bit integers.
//
// Gradients of the whole batch's loss: compute each shard with Reduce(Sum)
// and Gradient, then scale the gradient by 1/Denominator of the merged partial
// (0 when it is 0).
type Partial struct {
	WeightedSum float64 // Σ w(e)·l(e)
	Nonzero     int     // count(e: w(e) != 0)
	WeightSum   float64 // Σ w(e)
	Count       int     // the number of measurable elements
}

// Partial has reduce.Partial's layout, so that a call's partial is written
// straight into PartialInto's destination (these fail to compile otherwise).
var (
	_ [unsafe.Sizeof(Partial{}) - unsafe.Sizeof(reduce.Partial{})]struct{}
	_ [unsafe.Sizeof(reduce.Partial{}) - unsafe.Sizeof(Partial{})]struct{}
	_ [unsafe.Offsetof(Partial{}.Nonzero) - unsafe.Offsetof(reduce.Partial{}.Nonzero)]struct{}
	_ [unsafe.Offsetof(reduce.Partial{}.Nonzero) - unsafe.Offsetof(Partial{}.Nonzero)]struct{}
	_ [unsafe.Offsetof(Partial{}.WeightSum) - unsafe.Offsetof(reduce.Partial{}.WSum)]struct{}
	_ [unsafe.Offsetof(reduce.Partial{}.WSum) - unsafe.Offsetof(Partial{}.WeightSum)]struct{}
	_ [unsafe.Offsetof(Partial{}.Count) - unsafe.Offsetof(reduce.Partial{}.N)]struct{}
	_ [unsafe.Offsetof(reduce.Partial{}.N) - unsafe.Offsetof(Partial{}.Count)]struct{}
)

// PartialInto also writes the call's Partial to *p (on success only). It
// applies to every loss but L1 and L2 (whose results simply add). For
// MeanPairwiseSquaredError, whose result is a sum, finish with Loss(Sum).
func PartialInto(p *Partial) Option {
	return Option{kind: optPartial, ptr: unsafe.Pointer(p)}
}

// Merge returns the partial of the union of the elements of p and q.
func (p Partial) Merge(q Partial) Partial {
	m := p.reduce().Merge(q.reduce())
	return Partial{WeightedSum: m.Num, Nonzero: m.Nonzero, WeightSum: m.WSum, Count: m.N}
}

// Denominator is the reduction r's denominator D (SPEC.md section 4): the
// non-zero weight count, the weight sum, the element count, or 1 for Sum.
func (p Partial) Denominator(r Reduction) float64 { return p.reduce().Denominator(reduce.Reduction(r)) }

// Loss is the reduced loss WeightedSum / D, exactly 0 when D is 0.
func (p Partial) Loss(r Reduction) float64 { return p.reduce().Value(reduce.Reduction(r)) }

func (p Partial) reduce() reduce.Partial {
	return reduce.Partial{Num: p.WeightedSum, Nonzero: p.Nonzero, WSum: p.WeightSum, N: p.Count}
}

// execOpts are the Threads and PartialInto options of a call.
type execOpts struct {
	threads int      // 0: GOMAXPROCS
	partial *Partial // PartialInto's destination
}

// with returns e with the option o (Threads or PartialInto) applied. It
// returns values rather than storing through a pointer, which would make
// every option's content escape.
func (e execOpts) with(fn string, o *Option) (execOpts, error) {
	switch o.kind {
	case optThreads:
		if o.n < 1 {
			return e, errorf(ErrOption, fn, "Threads(%d) must be at least 1", o.n)
		}
		e.threads = o.n
	case optPartial:
		if o.ptr == nil {
			return e, errorf(ErrOption, fn, "PartialInto(nil)")
		}
		e.partial = (*Partial)(o.ptr)
	}
	return e, nil
}

// exec is how reduce runs the call: its thread bound, and where its partial
// goes. reduce writes the partial once the result is computed, after every
// check, so PartialInto's destination is written only on success.
func (c *config) exec() reduce.Exec {
	return reduce.Exec{Threads: c.ex.threads, Partial: (*reduce.Partial)(unsafe.Pointer(c.ex.partial))}
}
