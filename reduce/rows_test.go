package reduce_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simdloss/simdloss/asm"
	"github.com/simdloss/simdloss/reduce"
)

// Row losses (softmax CE, sparse softmax CE, cosine distance, mean pairwise
// squared error) through reduce on each level, against naive float64 loops
// written from SPEC.md section 5.

// rowOracle is the unweighted truth of a row loss: l per measurable element,
// and per input element the derivative of its owner's loss.
type rowOracle struct {
	l     []float64
	g     []float64
	owner []int // measurable element each input element belongs to
}

// weightSpec is one way to give weights: a uniform scalar, or a tensor.
type weightSpec[T reduce.Float] struct {
	name    string
	uniform bool
	s       T
	ws      []int
	w       []T
}

func (s weightSpec[T]) init(t *testing.T, wt *reduce.Weighting[T], ls []int) {
	t.Helper()
	if s.uniform {
		wt.Uniform(prod(ls), s.s)
		return
	}
	code, _ := wt.Init(ls, s.ws, s.w)
	require.Equal(t, reduce.WeightsOK, code, "ls %v ws %v", ls, s.ws)
}

func (s weightSpec[T]) broadcast(ls []int) []float64 {
	out := make([]float64, prod(ls))
	if s.uniform {
		for i := range out {
			out[i] = float64(s.s)
		}
		return out
	}
	for i, v := range bruteWeights(ls, s.ws, s.w) {
		out[i] = float64(v)
	}
	return out
}

// smoothings is the label smoothing values to run: none, and s unless -short.
func smoothings[T reduce.Float](s T) []T {
	if testing.Short() {
		return []T{0}
	}
	return []T{0, s}
}

// fewSpecs keeps the uniform, per-row and full-shape forms, for the
// secondary variants of a case (label smoothing, other label types).
func fewSpecs[T reduce.Float](specs []weightSpec[T]) []weightSpec[T] {
	var out []weightSpec[T]
	for _, s := range specs {
		switch s.name {
		case "none", "per-row", "full":
			out = append(out, s)
		}
	}
	return out
}

// weightSpecs returns weights of several forms for measurable shape ls.
func weightSpecs[T reduce.Float](r *rand.Rand, ls []int) []weightSpec[T] {
	specs := []weightSpec[T]{
		{name: "none", uniform: true, s: 1},
		{name: "scalar", uniform: true, s: 0.5},
		{name: "zero", uniform: true, s: 0},
		{name: "rank0", ws: []int{}, w: []T{1.5}},
	}
	if len(ls) == 0 {
		return specs
	}
	specs = append(specs,
		weightSpec[T]{name: "per-row", ws: []int{ls[0]}, w: randWeights[T](r, ls[0])},
		weightSpec[T]{name: "per-row-x1", ws: []int{ls[0], 1}, w: randWeights[T](r, ls[0])},
	)
	if len(ls) > 1 {
		specs = append(specs,
			weightSpec[T]{name: "full", ws: ls, w: randWeights[T](r, prod(ls))},
			weightSpec[T]{name: "full-x1", ws: append(append([]int(nil), ls...), 1), w: randWeights[T](r, prod(ls))},
		)
		b := append([]int{1}, ls[1:]...)
		specs = append(specs, weightSpec[T]{name: "broadcast-first", ws: b, w: randWeights[T](r, prod(b))})
	}
	// Weights that sum to 0 (Mean's D = 0) while most are nonzero.
	z := make([]T, ls[0])
	for i := range z {
		z[i] = T(1 - 2*(i%2))
	}
	if len(z)%2 == 1 {
		z[len(z)-1] = 0
	}
	specs = append(specs, weightSpec[T]{name: "sum-zero", ws: []int{ls[0]}, w: z})
	return specs
}

type rowCall[T reduce.Float] func(wt *reduce.Weighting[T], r reduce.Reduction, unred, grad []T) float64

// checkRowLoss compares a row loss under every weight form, every reduction
// (or the plain sum for pairwise) and every combination of outputs.
func checkRowLoss[T reduce.Float](t *testing.T, ls []int, nIn int, o rowOracle, specs []weightSpec[T], call rowCall[T], pairwise bool) {
	t.Helper()
	nMeas := prod(ls)
	require.Len(t, o.l, nMeas)
	reds := reductions
	if pairwise {
		reds = []reduce.Reduction{reduce.Sum}
	}
	for _, spec := range specs {
		bw := spec.broadcast(ls)
		var num kahan
		var scale float64
		nz, wsum := 0, 0.0
		weighted := make([]float64, nMeas)
		for i, l := range o.l {
			if pairwise && bw[i] == 0 {
				weighted[i] = 0 // a zero-weight row is 0 whatever it holds
			} else {
				weighted[i] = bw[i] * l
			}
			num.add(weighted[i])
			scale += math.Abs(weighted[i])
			wsum += bw[i]
			if bw[i] != 0 {
				nz++
			}
		}
		for _, red := range reds {
			want, d := reduceOracle(red, num.value(), nz, wsum, nMeas)
			modes := []string{"none", "both"}
			if red == reduce.SumByNonzeroWeights || red == reduce.Mean || pairwise {
				// D depends on the weights: the single-output paths differ.
				modes = append(modes, "unreduced", "gradient")
			}
			for _, mode := range modes {
				msg := fmt.Sprintf("%s weights %s (%v) %s outputs %s", typeName[T](), spec.name, spec.ws, red, mode)
				var unred, grad []T
				if mode == "unreduced" || mode == "both" {
					unred = nanSlice[T](nMeas)
				}
				if mode == "gradient" || mode == "both" {
					grad = nanSlice[T](nIn)
				}
				var wt reduce.Weighting[T]
				spec.init(t, &wt, ls)
				got := call(&wt, red, unred, grad)
				if d == 0 {
					require.Equal(t, 0.0, got, msg+": D = 0 gives exactly 0")
				} else {
					requireSumClose[T](t, want, got, scale/math.Abs(d), msg)
				}
				if unred != nil {
					requireElemsClose(t, weighted, unred, "unreduced "+msg)
				}
				if grad != nil {
					if d == 0 {
						requireAllPositiveZero(t, grad, "gradient "+msg)
						continue
					}
					wg := make([]float64, nIn)
					for i, g := range o.g {
						m := o.owner[i]
						if pairwise && bw[m] == 0 {
							wg[i] = 0
						} else {
							wg[i] = bw[m] * g / d
						}
					}
					requireElemsClose(t, wg, grad, "gradient "+msg)
				}
			}
		}
	}
}

// softmaxOracle: per row z' = z(1−L) + L/C, l = Σ z'(lse − x), g = softmax·Σz' − z'.
func softmaxOracle(x, z []float64, rows, c int, smooth float64) rowOracle {
	o := rowOracle{l: make([]float64, rows), g: make([]float64, rows*c), owner: make([]int, rows*c)}
	for r := 0; r < rows; r++ {
		for k := 0; k < c; k++ {
			o.owner[r*c+k] = r
		}
		if c == 0 {
			continue
		}
		xr, zr := x[r*c:(r+1)*c], z[r*c:(r+1)*c]
		m := math.Inf(-1)
		for _, v := range xr {
			m = math.Max(m, v)
		}
		var s float64
		for _, v := range xr {
			s += math.Exp(v - m)
		}
		lse := m + math.Log(s)
		var l, sz float64
		zs := make([]float64, c)
		for k := range xr {
			zs[k] = zr[k]*(1-smooth) + smooth/float64(c)
			l += zs[k] * (lse - xr[k])
			sz += zs[k]
		}
		o.l[r] = l
		for k := range xr {
			o.g[r*c+k] = math.Exp(xr[k]-m)/s*sz - zs[k]
		}
	}
	return o
}

func toF64[T reduce.Float](s []T) []float64 {
	out := make([]float64, len(s))
	for i, v := range s {
		out[i] = float64(v)
	}
	return out
}

// rowShapes are the softmax/sparse shapes: leading (measurable) dims and C.
var rowShapes = []struct {
	ls []int
	c  int
}{
	{[]int{3000}, 7},     // three blocks of rows
	{[]int{30, 100}, 7},  // rows of a 2-D batch; row weights with inner 100
	{[]int{1}, 9000},     // one row longer than a block
	{[]int{3}, 9000},     // several rows longer than a block
	{[]int{2, 2}, 8193},  // just over a block
	{[]int{5}, 1},        // one class: lse = x, so the loss is 0
	{[]int{4}, 0},        // no classes: 4 measurable elements of loss 0
	{[]int{2, 1, 3}, 5},  // size-1 measurable dim
	{[]int{1200, 7}, 3},  // 8400 rows: four blocks, weights [1200] with inner 7
	{[]int{0, 3}, 7},     // no rows
	{[]int{8193 * 2}, 1}, // many one-class rows
}

func TestSoftmaxCEMatchesFloat64Loop(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l *asm.Level) {
		t.Run("float32", func(t *testing.T) { softmaxCases(t, l.F32) })
		t.Run("float64", func(t *testing.T) { softmaxCases(t, l.F64) })
	})
}

func softmaxCases[T reduce.Float](t *testing.T, ks *asm.Kernels[T]) {
	r := rand.New(rand.NewPCG(20, 20))
	for _, sh := range rowShapes {
		rows, c := prod(sh.ls), sh.c
		x := randSlice[T](r, rows*c, -6, 6)
		z := randSlice[T](r, rows*c, 0, 1)
		for _, smooth := range smoothings[T](0.1) {
			t.Run(fmt.Sprintf("%v/C=%d/smooth=%v", sh.ls, c, smooth), func(t *testing.T) {
				o := softmaxOracle(toF64(x), toF64(z), rows, c, float64(smooth))
				specs := weightSpecs[T](r, sh.ls)
				if smooth != 0 || rows*c > 20000 || testing.Short() {
					specs = fewSpecs(specs)
				}
				checkRowLoss(t, sh.ls, rows*c, o, specs,
					func(wt *reduce.Weighting[T], red reduce.Reduction, unred, grad []T) float64 {
						return reduce.SoftmaxCE(ks, x, z, c, smooth, wt, red, unred, grad, reduce.Exec{})
					}, false)
			})
		}
	}
}

func TestSparseCEMatchesFloat64Loop(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l *asm.Level) {
		// Every shape for two label types; a few shapes for the others
		// (labels of int's size are read in place, the others converted).
		t.Run("float32/int32", func(t *testing.T) { sparseCases[float32, int32](t, l.F32, false) })
		t.Run("float64/int", func(t *testing.T) { sparseCases[float64, int](t, l.F64, false) })
		t.Run("float32/int", func(t *testing.T) { sparseCases[float32, int](t, l.F32, true) })
		t.Run("float64/uint16", func(t *testing.T) { sparseCases[float64, uint16](t, l.F64, true) })
		t.Run("float64/uint8", func(t *testing.T) { sparseCases[float64, uint8](t, l.F64, true) })
	})
}

func sparseCases[T reduce.Float, L reduce.Integer](t *testing.T, ks *asm.Kernels[T], quick bool) {
	r := rand.New(rand.NewPCG(21, 21))
	for _, sh := range rowShapes {
		rows, c := prod(sh.ls), sh.c
		if c == 0 && rows > 0 {
			continue // no valid label
		}
		if quick && (rows*c < 5000 || rows*c > 22000 || testing.Short()) {
			continue
		}
		if uint64(L(c-1)) != uint64(c-1) { // the label type cannot hold every class
			continue
		}
		x := randSlice[T](r, rows*c, -6, 6)
		labels := make([]L, rows)
		onehot := make([]float64, rows*c)
		for i := range labels {
			k := r.IntN(c)
			if i%5 == 0 {
				k = c - 1 // the last class
			}
			labels[i] = L(k)
			onehot[i*c+k] = 1
		}
		for _, smooth := range smoothings[T](0.2) {
			t.Run(fmt.Sprintf("%v/C=%d/smooth=%v", sh.ls, c, smooth), func(t *testing.T) {
				o := softmaxOracle(toF64(x), onehot, rows, c, float64(smooth))
				specs := weightSpecs[T](r, sh.ls)
				if smooth != 0 || quick || rows*c > 20000 || testing.Short() {
					specs = fewSpecs(specs)
				}
				checkRowLoss(t, sh.ls, rows*c, o, specs,
					func(wt *reduce.Weighting[T], red reduce.Reduction, unred, grad []T) float64 {
						return reduce.SparseCE(ks, x, c, labels, smooth, wt, red, unred, grad, reduce.Exec{})
					}, false)
			})
		}
	}
}

// cosineOracle: shape = pre × axis × post; l(b, s) = 1 − Σ_a p·y, g = −y.
func cosineOracle[T reduce.Float](p, y []T, pre, axisLen, post int) rowOracle {
	o := rowOracle{l: make([]float64, pre*post), g: make([]float64, len(p)), owner: make([]int, len(p))}
	for b := 0; b < pre; b++ {
		for s := 0; s < post; s++ {
			m := b*post + s
			var dot kahan
			for a := 0; a < axisLen; a++ {
				i := (b*axisLen+a)*post + s
				dot.add(float64(p[i]) * float64(y[i]))
				o.g[i] = -float64(y[i])
				o.owner[i] = m
			}
			o.l[m] = 1 - dot.value()
		}
	}
	return o
}

var cosineShapes = []struct {
	shape []int
	axis  int
}{
	{[]int{3000, 7}, 1},    // last axis, three blocks of slices
	{[]int{40, 50, 30}, 1}, // strided middle axis
	{[]int{40, 50, 30}, 0}, // first axis: stride 1500
	{[]int{20000, 1}, 1},   // axis of length 1, 20000 slices
	{[]int{2, 1, 9000}, 1}, // axis of length 1, row weights with inner 9000 > a block
	{[]int{2, 20000}, 1},   // axis of length 20000
	{[]int{20000, 3}, 0},   // axis of length 20000, stride 3
	{[]int{5, 2, 3, 4}, 2}, // rank 4, middle axis
	{[]int{6, 0, 2}, 1},    // empty axis: l = 1
	{[]int{0, 4}, 1},       // no slices
	{[]int{3, 1700, 5}, 1}, // stride 5, 1700 per slice: 4 slices per block
}

func TestCosineMatchesFloat64Loop(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l *asm.Level) {
		t.Run("float32", func(t *testing.T) { cosineCases(t, l.F32) })
		t.Run("float64", func(t *testing.T) { cosineCases(t, l.F64) })
	})
}

func cosineCases[T reduce.Float](t *testing.T, ks *asm.Kernels[T]) {
	r := rand.New(rand.NewPCG(22, 22))
	for _, sh := range cosineShapes {
		n := prod(sh.shape)
		pre, axisLen, post := prod(sh.shape[:sh.axis]), sh.shape[sh.axis], prod(sh.shape[sh.axis+1:])
		ls := append(append([]int(nil), sh.shape[:sh.axis]...), sh.shape[sh.axis+1:]...)
		// Roughly unit-normalised slices keep l in [0, 2], as in use.
		scale := 1 / math.Sqrt(float64(max(axisLen, 1)))
		p := randSlice[T](r, n, -scale, scale)
		y := randSlice[T](r, n, -scale, scale)
		t.Run(fmt.Sprintf("%v/axis=%d", sh.shape, sh.axis), func(t *testing.T) {
			o := cosineOracle(p, y, pre, axisLen, post)
			specs := weightSpecs[T](r, ls)
			if n > 20000 || testing.Short() {
				specs = fewSpecs(specs)
			}
			checkRowLoss(t, ls, n, o, specs,
				func(wt *reduce.Weighting[T], red reduce.Reduction, unred, grad []T) float64 {
					return reduce.Cosine(ks, p, y, axisLen, max(post, 1), wt, red, unred, grad, reduce.Exec{})
				}, false)
		})
	}
}

// pairwiseOracle: per row d = p − y (in T, as the loss computes it),
// L = (2/n)Σ(d − mean)², g = (4/n)(d − mean); rows of weight 0 are handled by
// checkRowLoss.
func pairwiseOracle[T reduce.Float](p, y []T, rows, n int) rowOracle {
	o := rowOracle{l: make([]float64, rows), g: make([]float64, rows*n), owner: make([]int, rows*n)}
	for r := 0; r < rows; r++ {
		if n == 0 {
			continue
		}
		d := make([]float64, n)
		var sum kahan
		for k := range d {
			d[k] = float64(p[r*n+k] - y[r*n+k])
			sum.add(d[k])
		}
		mean := sum.value() / float64(n)
		var ss kahan
		for k, v := range d {
			ss.add((v - mean) * (v - mean))
			o.g[r*n+k] = 4 / float64(n) * (v - mean)
			o.owner[r*n+k] = r
		}
		o.l[r] = 2 * ss.value() / float64(n)
	}
	return o
}

var pairwiseShapes = []struct {
	shape  []int
	offset float64
}{
	{[]int{5000, 3}, 0},     // two blocks of rows
	{[]int{2, 10000}, 0},    // rows longer than a block
	{[]int{2, 100, 100}, 0}, // rank 3: n = 10000
	{[]int{300, 7}, 1000},   // SPEC: an offset of 1000 on d must not lose accuracy
	{[]int{3, 9000}, 1000},  // long rows with the offset
	{[]int{4, 0}, 0},        // empty rows
	{[]int{6, 1}, 0},        // one element per row: L = 0
	{[]int{0, 5}, 0},        // no rows
}

func TestPairwiseMatchesFloat64Loop(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l *asm.Level) {
		t.Run("float32", func(t *testing.T) { pairwiseCases(t, l.F32) })
		t.Run("float64", func(t *testing.T) { pairwiseCases(t, l.F64) })
	})
}

func pairwiseCases[T reduce.Float](t *testing.T, ks *asm.Kernels[T]) {
	r := rand.New(rand.NewPCG(23, 23))
	for _, sh := range pairwiseShapes {
		rows := sh.shape[0]
		n := prod(sh.shape[1:])
		p := make([]T, rows*n)
		y := make([]T, rows*n)
		for i := range p {
			y[i] = T(r.Float64())
			p[i] = y[i] + T(sh.offset+r.NormFloat64())
		}
		t.Run(fmt.Sprintf("%v/offset=%v", sh.shape, sh.offset), func(t *testing.T) {
			o := pairwiseOracle(p, y, rows, n)
			ls := []int{rows}
			specs := []weightSpec[T]{
				{name: "none", uniform: true, s: 1},
				{name: "scalar", uniform: true, s: 0.5},
				{name: "zero", uniform: true, s: 0},
				{name: "rank0", ws: []int{}, w: []T{2}},
				{name: "per-row", ws: []int{rows}, w: randWeights[T](r, rows)},
				{name: "per-row-x1", ws: []int{rows, 1}, w: randWeights[T](r, rows)},
			}
			checkRowLoss(t, ls, rows*n, o, specs,
				func(wt *reduce.Weighting[T], _ reduce.Reduction, unred, grad []T) float64 {
					return reduce.Pairwise(ks, p, y, n, wt, unred, grad, reduce.Exec{})
				}, true)
		})
	}
}

// SPEC.md section 5: a pairwise row of weight 0 contributes 0 and a zero
// gradient even when it holds NaN; a NaN row of nonzero weight gives NaN.
func TestPairwiseZeroWeightRowIgnoresNaN(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l *asm.Level) {
		for _, rows := range []int{3, 5000} {
			const n = 4
			p := make([]float64, rows*n)
			y := make([]float64, rows*n)
			for i := range p {
				p[i] = float64(i % 3)
			}
			p[1*n+2] = math.NaN() // row 1
			w := make([]float64, rows)
			for i := range w {
				w[i] = 1
			}
			w[1] = 0
			var wt reduce.Weighting[float64]
			wt.Init([]int{rows}, []int{rows}, w)
			grad := nanSlice[float64](rows * n)
			unred := nanSlice[float64](rows)
			got := reduce.Pairwise(l.F64, p, y, n, &wt, unred, grad, reduce.Exec{})
			require.False(t, math.IsNaN(got), "rows=%d: a NaN row of weight 0 is ignored", rows)
			require.Equal(t, 0.0, unred[1])
			for k := 0; k < n; k++ {
				require.Equal(t, 0.0, grad[1*n+k])
			}
			w[1] = 1
			wt.Init([]int{rows}, []int{rows}, w)
			require.True(t, math.IsNaN(reduce.Pairwise(l.F64, p, y, n, &wt, nil, nil, reduce.Exec{})), "rows=%d: NaN with weight 1", rows)
		}
	})
}

// NaN in one logit gives NaN for that row under every row loss; cosine NaN too.
func TestRowLossesPropagateNaN(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l *asm.Level) {
		const rows, c = 3, 5
		for _, pos := range []int{0, 2, 4} { // first, middle, last class
			x := make([]float32, rows*c)
			for i := range x {
				x[i] = float32(i%7) - 3
			}
			x[c+pos] = float32(math.NaN())
			z := make([]float32, rows*c)
			for i := range z {
				z[i] = 0.2
			}
			var wt reduce.Weighting[float32]
			wt.Uniform(rows, 1)
			unred := make([]float32, rows)
			got := reduce.SoftmaxCE(l.F32, x, z, c, 0, &wt, reduce.Sum, unred, nil, reduce.Exec{})
			require.True(t, math.IsNaN(got), "softmax NaN at class %d", pos)
			require.True(t, unred[1] != unred[1], "softmax row 1 NaN at class %d", pos)
			require.False(t, unred[0] != unred[0] || unred[2] != unred[2], "other rows stay finite")

			got = reduce.SparseCE(l.F32, x, c, []int{0, (pos + 1) % c, 4}, 0, &wt, reduce.Sum, unred, nil, reduce.Exec{})
			require.True(t, math.IsNaN(got), "sparse NaN at class %d (label elsewhere)", pos)
			require.True(t, unred[1] != unred[1])

			got = reduce.Cosine(l.F32, x, z, c, 1, &wt, reduce.Sum, unred, nil, reduce.Exec{})
			require.True(t, math.IsNaN(got), "cosine NaN at %d", pos)
			require.True(t, unred[1] != unred[1])
		}
	})
}

// SPEC.md sections 5 and 6: "an offset of 1000 on d must not lose accuracy",
// and a gradient element may differ from the float64 oracle by at most
// 1e-13·max|output| (or 4 ulp). The gradient (4/n)(d − mean d) needs the
// mean as accurately as the loss does.
func TestPairwiseGradientKeepsAccuracyWithOffset1000(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l *asm.Level) {
		for _, n := range []int{9000, 100000} {
			r := rand.New(rand.NewPCG(24, uint64(n)))
			p := make([]float64, n)
			y := make([]float64, n) // zero: d = p exactly
			var sum kahan
			for i := range p {
				p[i] = 1000 + r.NormFloat64()
				sum.add(p[i])
			}
			mean := sum.value() / float64(n)
			var ss kahan
			want := make([]float64, n)
			maxG := 0.0
			for i, d := range p {
				ss.add((d - mean) * (d - mean))
				want[i] = 4 / float64(n) * (d - mean)
				maxG = math.Max(maxG, math.Abs(want[i]))
			}
			var wt reduce.Weighting[float64]
			wt.Uniform(1, 1)
			grad := make([]float64, n)
			got := reduce.Pairwise(l.F64, p, y, n, &wt, nil, grad, reduce.Exec{})
			wantL := 2 * ss.value() / float64(n)
			t.Logf("n=%d: loss relative error %.2e", n, math.Abs(got-wantL)/wantL)
			require.InEpsilon(t, wantL, got, 1e-12, "loss")
			worst := 0.0
			for i := range grad {
				worst = math.Max(worst, math.Abs(grad[i]-want[i]))
			}
			t.Logf("n=%d: worst gradient error %.2e·max|g| (SPEC allows 1e-13)", n, worst/maxG)
			require.LessOrEqual(t, worst, 1e-13*maxG, "n=%d: gradient lost accuracy to the offset", n)
		}
	})
}
