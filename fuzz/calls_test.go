package fuzz

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/simdloss/simdloss/asm"
)

// kcall is one kernel call with fixed inputs, run on slices a placement
// strategy provides (guard pages, alignment offsets): every kernel of the
// table is a kcall for the memory-safety and determinism tests.
type kcall[T Float] struct {
	name   string
	ins    [][]T // input values, copied into the placed input slices
	labels []int // SparseCE labels (placed like an input)
	outs   []int // output lengths; a negative length is a nil output
	// run calls the kernel on placed slices and returns its scalar results.
	run func(ks *asm.Kernels[T], in [][]T, labels []int, out [][]T) []float64
}

// benign draws values every loss accepts: p in (0, 1), labels in [0, 1],
// weights around 1 with zeros, logits in [-8, 8].
func benign(rng *rand.Rand, n int, r role) []float64 {
	v := make([]float64, n)
	for i := range v {
		switch r {
		case roleProb:
			v[i] = 0.01 + 0.98*rng.Float64()
		case roleLabel01:
			v[i] = float64(rng.IntN(2))
			if rng.IntN(4) == 0 {
				v[i] = rng.Float64()
			}
		case roleWeight:
			v[i] = []float64{1, 0.5, 0, 2, -1}[rng.IntN(5)]
		case roleLogit:
			v[i] = 16*rng.Float64() - 8
		default:
			v[i] = 2*rng.Float64() - 1
		}
	}
	return v
}

var (
	callInners  = []int{1, 3, 8, 64, 65}
	callClasses = []int{1, 3, 8, 17, 64}
	callStrides = [][2]int{{1, 1}, {3, 1}, {1, 3}, {8, 2}, {0, 2}}
)

// kernelCalls lists every kernel of the table on inputs of about n
// elements: the nine drivers of each elementwise loss (Row forms once per
// inner length), the row kernels with and without weights and outputs,
// WeightStats, Log, Exp and Log1p.
func kernelCalls[T Float](n int) []kcall[T] {
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	vec := func(n int, r role) []T { return fromF64[T](benign(rng, n, r)) }
	scalars := func(s float64, n int, w float64) []float64 { return []float64{s, float64(n), w} }
	var calls []kcall[T]
	for k := asm.ElemLoss(0); k < asm.NumElemLoss; k++ {
		k := k
		pr, yr := elemRoles(k)
		if k == asm.LogLoss {
			pr = roleProb
		}
		if pr == roleLogit {
			pr = roleReal
		}
		a := T(0)
		switch k {
		case asm.LogLoss:
			a = 1e-7
		case asm.SigmoidCE:
			a = 0.1
		}
		p, y, w := vec(n, pr), vec(n, yr), vec(n, roleWeight)
		if oneArg(k) {
			y = p
		}
		s := T(0.25)
		for d := driver(0); d < numDrivers; d++ {
			d := d
			inners := []int{1}
			if d.form() == 2 {
				inners = callInners
			}
			for _, inner := range inners {
				rows := n / inner
				m := n
				if d.form() == 2 {
					m = rows * inner
				}
				c := kcall[T]{name: fmt.Sprintf("%v %v n=%d", k, d, m)}
				wv := w
				if d.form() == 2 {
					c.name += fmt.Sprintf(" inner=%d", inner)
					wv = vec(rows, roleWeight)
				}
				c.ins = [][]T{p[:m], y[:m], wv}
				if d.writes() {
					c.outs = []int{m}
				}
				inner := inner
				c.run = func(ks *asm.Kernels[T], in [][]T, _ []int, out [][]T) []float64 {
					e := &ks.Elem[k]
					p, y, w := in[0], in[1], in[2]
					if oneArg(k) {
						y = p
					}
					switch d {
					case dSum:
						return []float64{e.Sum(p, y, a)}
					case dWSum:
						r, nz, ws := e.WSum(p, y, w, a)
						return scalars(r, nz, ws)
					case dRowSum:
						r, nz, ws := e.RowSum(p, y, w, inner, a)
						return scalars(r, nz, ws)
					case dUnred:
						return []float64{e.Unred(out[0], p, y, s, a)}
					case dWUnred:
						return []float64{e.WUnred(out[0], p, y, w, a)}
					case dRowUnred:
						return []float64{e.RowUnred(out[0], p, y, w, inner, a)}
					case dGrad:
						return []float64{e.Grad(out[0], p, y, s, a)}
					case dWGrad:
						return []float64{e.WGrad(out[0], p, y, w, s, a)}
					default:
						return []float64{e.RowGrad(out[0], p, y, w, inner, s, a)}
					}
				}
				calls = append(calls, c)
			}
		}
	}
	// Row kernels: weights none, per row, or per two rows; outputs none or both.
	for _, c := range callClasses {
		rows := n / c
		for _, wrep := range []int{0, 1, 2} {
			rws := rows
			if wrep == 2 {
				rws -= rows % 2
			}
			nw := 0
			if wrep > 0 {
				nw = rws / wrep
			}
			x, z, w := vec(rws*c, roleLogit), vec(rws*c, roleLabel01), vec(nw, roleWeight)
			labels := make([]int, rws)
			for i := range labels {
				labels[i] = rng.IntN(c)
			}
			for _, outs := range [][]int{{-1, -1}, {rws, rws * c}} {
				c, wrep, outs := c, wrep, outs
				tag := fmt.Sprintf("rows=%d c=%d wrep=%d outs=%v", rws, c, wrep, outs[0] >= 0)
				calls = append(calls,
					kcall[T]{name: "SoftmaxCE " + tag, ins: [][]T{x, z, w}, outs: outs,
						run: func(ks *asm.Kernels[T], in [][]T, _ []int, out [][]T) []float64 {
							wv, wr := rowWeights(in[2], wrep)
							return []float64{ks.Rows.SoftmaxCE(in[0], in[1], rws, c, wv, wr, 1.5, 0.5, 0.1, out[0], out[1])}
						}},
					kcall[T]{name: "SparseCE " + tag, ins: [][]T{x, w}, labels: labels, outs: outs,
						run: func(ks *asm.Kernels[T], in [][]T, lab []int, out [][]T) []float64 {
							wv, wr := rowWeights(in[1], wrep)
							return []float64{ks.Rows.SparseCE(in[0], c, lab, wv, wr, 1.5, 0.5, 0.1, out[0], out[1])}
						}},
				)
				if wrep < 2 {
					calls = append(calls, kcall[T]{name: "Pairwise " + tag, ins: [][]T{x, z, w}, outs: outs,
						run: func(ks *asm.Kernels[T], in [][]T, _ []int, out [][]T) []float64 {
							wv, _ := rowWeights(in[2], wrep)
							return []float64{ks.Rows.Pairwise(in[0], in[1], rws, c, wv, 1.5, out[0], out[1])}
						}})
				}
			}
		}
	}
	for _, as := range callStrides {
		axisLen, stride := as[0], as[1]
		outer := n / max(axisLen*stride, 1)
		if axisLen == 0 {
			outer = min(n, 64)
		}
		total := outer * axisLen * stride
		meas := outer * stride
		p, y := vec(total, roleReal), vec(total, roleReal)
		for _, part := range [][2]int{{0, meas}, {min(1, meas), max(meas-2, 0)}} {
			m0, cnt := part[0], part[1]
			w := vec(cnt, roleWeight)
			for _, outs := range [][]int{{-1, -1}, {cnt, total}} {
				axisLen, stride, outs := axisLen, stride, outs
				calls = append(calls, kcall[T]{
					name: fmt.Sprintf("Cosine axisLen=%d stride=%d outer=%d m0=%d n=%d outs=%v", axisLen, stride, outer, m0, cnt, outs[0] >= 0),
					ins:  [][]T{p, y, w}, outs: outs,
					run: func(ks *asm.Kernels[T], in [][]T, _ []int, out [][]T) []float64 {
						return []float64{ks.Rows.Cosine(in[0], in[1], axisLen, stride, m0, cnt, in[2], 1, 1.5, 0.5, out[0], out[1])}
					}})
			}
		}
	}
	wv := vec(n, roleWeight)
	calls = append(calls, kcall[T]{name: fmt.Sprintf("WeightStats n=%d", n), ins: [][]T{wv},
		run: func(ks *asm.Kernels[T], in [][]T, _ []int, _ [][]T) []float64 {
			nz, s := ks.WeightStats(in[0])
			return []float64{float64(nz), s}
		}})
	lv := vec(n, roleProb)
	calls = append(calls, kcall[T]{name: fmt.Sprintf("Log n=%d", n), ins: [][]T{lv}, outs: []int{n},
		run: func(ks *asm.Kernels[T], in [][]T, _ []int, out [][]T) []float64 {
			if ks.Log != nil {
				ks.Log(out[0], in[0])
			} else {
				clear(out[0])
			}
			return nil
		}})
	ev := vec(n, roleLogit)
	calls = append(calls, kcall[T]{name: fmt.Sprintf("Exp n=%d", n), ins: [][]T{ev}, outs: []int{n},
		run: func(ks *asm.Kernels[T], in [][]T, _ []int, out [][]T) []float64 {
			ks.Exp(out[0], in[0])
			return nil
		}})
	calls = append(calls, kcall[T]{name: fmt.Sprintf("Log1p n=%d", n), ins: [][]T{lv}, outs: []int{n},
		run: func(ks *asm.Kernels[T], in [][]T, _ []int, out [][]T) []float64 {
			ks.Log1p(out[0], in[0])
			return nil
		}})
	return calls
}

// rowWeights maps a weight slice and repetition (0: none) to the row
// kernels' (w, wrep).
func rowWeights[T Float](w []T, wrep int) ([]T, int) {
	if wrep == 0 {
		return nil, 1
	}
	return w, wrep
}

// result is what a call returned and wrote.
type result[T Float] struct {
	scalars []float64
	outs    [][]T
}

func (r result[T]) equal(o result[T]) bool {
	if len(r.scalars) != len(o.scalars) || len(r.outs) != len(o.outs) {
		return false
	}
	for i := range r.scalars {
		if math.Float64bits(r.scalars[i]) != math.Float64bits(o.scalars[i]) {
			return false
		}
	}
	for i := range r.outs {
		if !sameBits(r.outs[i], o.outs[i]) {
			return false
		}
	}
	return true
}

// runPlaced copies the inputs of c into the slices place gives and runs it
// (place(i, n) returns a slice of n elements for argument i: inputs first,
// then outputs; labels come last).
func runPlaced[T Float](ks *asm.Kernels[T], c *kcall[T], place func(i, n int) []T, placeInt func(n int) []int) result[T] {
	in := make([][]T, len(c.ins))
	for i, v := range c.ins {
		in[i] = place(i, len(v))
		copy(in[i], v)
	}
	out := make([][]T, len(c.outs))
	for i, n := range c.outs {
		if n >= 0 {
			out[i] = place(len(c.ins)+i, n)
			nan := guardNaN[T]()
			for j := range out[i] {
				out[i][j] = nan
			}
		}
	}
	var labels []int
	if c.labels != nil {
		labels = placeInt(len(c.labels))
		copy(labels, c.labels)
	}
	r := result[T]{scalars: c.run(ks, in, labels, out)}
	for _, o := range out {
		r.outs = append(r.outs, append([]T(nil), o...))
	}
	return r
}

// heapPlace places every argument in fresh Go memory at element offset off.
func heapPlace[T Float](off func(i int) int) func(i, n int) []T {
	return func(i, n int) []T {
		o := off(i)
		b := make([]T, o+n)
		return b[o : o+n : o+n]
	}
}

func heapInts(n int) []int { return make([]int, n) }
