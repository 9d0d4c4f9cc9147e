package losses_test

// values_test.go compares every loss with an independent float64 oracle
// written from SPEC.md sections 3 (weight broadcasting, by explicit index
// arithmetic), 4 (reductions) and 5 (per-element formulas), for every weight
// form, every reduction, both element types and every available kernel level.
// Nothing here calls the code under test to compute an expected value.
//
// Every top-level identifier of this file starts with "val" so that it cannot
// collide with the helpers of the other test files of package losses_test.

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdloss/simdloss/losses"
)

// ---------------------------------------------------------------------------
// Element types, rounding, tensors.

func valIs32[T losses.Float]() bool {
	var z T
	_, ok := any(z).(float32)
	return ok
}

func valTypeName[T losses.Float]() string {
	if valIs32[T]() {
		return "float32"
	}
	return "float64"
}

// valRound rounds x to T and back: the value the library sees.
func valRound[T losses.Float](x float64) float64 { return float64(T(x)) }

func valRoundAll[T losses.Float](xs []float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = valRound[T](x)
	}
	return out
}

func valData[T losses.Float](xs []float64) []T {
	out := make([]T, len(xs))
	for i, x := range xs {
		out[i] = T(x)
	}
	return out
}

// valTensor builds a tensor with exactly the given shape; no dims means rank 0
// (unlike losses.New, whose no-dims form is [len(data)]).
func valTensor[T losses.Float](xs []float64, shape ...int) losses.Tensor[T] {
	return losses.Tensor[T]{Data: valData[T](xs), Shape: append([]int{}, shape...)}
}

func valProd(dims []int) int {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return n
}

func valOnes(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = 1
	}
	return s
}

// valCat concatenates dims into a fresh slice (never aliasing its arguments).
func valCat(parts ...[]int) []int {
	out := []int{}
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// ---------------------------------------------------------------------------
// Tolerances (SPEC.md section 6).

// valTols returns the reduced-result tolerance (relative to Σ|w·l|) and the
// per-element tolerance (relative to max|output|) of T.
func valTols[T losses.Float]() (reduced, elem float64) {
	if valIs32[T]() {
		return 1e-5, 1e-6
	}
	return 1e-12, 1e-13
}

// valULP is one unit in the last place of |x| in T.
func valULP[T losses.Float](x float64) float64 {
	if valIs32[T]() {
		f := float32(math.Abs(x))
		return float64(math.Nextafter32(f, float32(math.Inf(1))) - f)
	}
	a := math.Abs(x)
	return math.Nextafter(a, math.Inf(1)) - a
}

// valSum is a compensated (Neumaier) float64 sum; non-finite sums fall back
// to the plain IEEE sum so that NaN and Inf propagate as they should.
type valSum struct{ plain, s, c float64 }

func (a *valSum) add(v float64) {
	a.plain += v
	t := a.s + v
	if math.Abs(a.s) >= math.Abs(v) {
		a.c += (a.s - t) + v
	} else {
		a.c += (v - t) + a.s
	}
	a.s = t
}

func (a *valSum) value() float64 {
	if math.IsNaN(a.plain) || math.IsInf(a.plain, 0) {
		return a.plain
	}
	return a.s + a.c
}

// valCheckScalar compares a reduced result with the oracle's want; scale is
// Σ|w·l|/|D|, the magnitude the tolerance is relative to (0 with want 0 means
// "exactly 0").
func valCheckScalar[T losses.Float](t *testing.T, msg string, want, scale float64, got T) bool {
	t.Helper()
	g := float64(got)
	switch {
	case math.IsNaN(want):
		return assert.Truef(t, math.IsNaN(g), "%s: want NaN, got %v", msg, g)
	case math.IsInf(want, 0):
		return assert.Equalf(t, want, g, "%s: want %v", msg, want)
	case want == 0 && scale == 0:
		return assert.Truef(t, g == 0, "%s: want exactly 0, got %v", msg, g)
	}
	red, _ := valTols[T]()
	tol := red*scale + 4*valULP[T](want)
	if d := math.Abs(g - want); !(d <= tol) {
		return assert.Failf(t, "reduced value out of tolerance", "%s: want %.17g, got %.17g (diff %.3g, tol %.3g, scale %.3g)", msg, want, g, d, tol, scale)
	}
	return true
}

// valCheckElems compares per-element outputs: 4 ulp or elemTol·max|want|.
func valCheckElems[T losses.Float](t *testing.T, msg string, want []float64, got []T) bool {
	t.Helper()
	if !assert.Lenf(t, got, len(want), "%s", msg) {
		return false
	}
	_, et := valTols[T]()
	maxAbs := 0.0
	for _, w := range want {
		if !math.IsNaN(w) && !math.IsInf(w, 0) {
			maxAbs = max(maxAbs, math.Abs(w))
		}
	}
	bad, first := 0, -1
	for i, w := range want {
		g := float64(got[i])
		var ok bool
		switch {
		case math.IsNaN(w):
			ok = math.IsNaN(g)
		case math.IsInf(w, 0):
			ok = g == w
		default:
			ok = math.Abs(g-w) <= max(4*valULP[T](w), et*maxAbs)
		}
		if !ok {
			bad++
			if first < 0 {
				first = i
			}
		}
	}
	if bad > 0 {
		return assert.Failf(t, "per-element values out of tolerance", "%s: %d of %d differ; first [%d]: want %.17g, got %.17g (max|want| %.3g)", msg, bad, len(want), first, want[first], float64(got[first]), maxAbs)
	}
	return true
}

// ---------------------------------------------------------------------------
// Kernel levels and element types.

// valEachKernel runs f once per available kernel level, restoring the active one.
func valEachKernel(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	for _, k := range losses.Kernels() {
		restore, err := losses.UseKernel(k)
		require.NoError(t, err)
		t.Run(k, f)
		restore()
	}
}

// valEachKernelAndType runs f32 and f64 under every kernel level.
func valEachKernelAndType(t *testing.T, f32, f64 func(t *testing.T)) {
	valEachKernel(t, func(t *testing.T) {
		t.Run("float32", f32)
		t.Run("float64", f64)
	})
}

var valReductions = []losses.Reduction{losses.SumByNonzeroWeights, losses.Sum, losses.Mean, losses.SumOverBatchSize}

// ---------------------------------------------------------------------------
// The oracle: weights (SPEC.md section 3) and reductions (section 4).

type valWeightKind int

const (
	valNoWeights     valWeightKind = iota // no weight option
	valScalarWeight                       // Weight(s)
	valTensorWeights                      // Weights(tensor)
)

// valWeightForm is one way to give weights; values are already rounded to the
// element type under test.
type valWeightForm struct {
	name  string
	kind  valWeightKind
	s     float64
	data  []float64
	shape []int
}

func valWeightOpts[T losses.Float](f valWeightForm) []losses.Option {
	switch f.kind {
	case valScalarWeight:
		return []losses.Option{losses.Weight(f.s)}
	case valTensorWeights:
		return []losses.Option{losses.Weights(valTensor[T](f.data, f.shape...))}
	}
	return nil
}

// valBroadcast returns the weight of every measurable element (row-major over
// ls) by explicit index arithmetic: drop one trailing 1 when rank > 1, then the
// weight of an element is the entry at its leading indices, size-1 weight dims
// using index 0. The form must be valid for ls.
func valBroadcast(f valWeightForm, ls []int) []float64 {
	n := valProd(ls)
	out := make([]float64, n)
	switch f.kind {
	case valNoWeights:
		for i := range out {
			out[i] = 1
		}
		return out
	case valScalarWeight:
		for i := range out {
			out[i] = f.s
		}
		return out
	}
	ws := f.shape
	if len(ws) > 1 && ws[len(ws)-1] == 1 {
		ws = ws[:len(ws)-1]
	}
	if len(ws) > len(ls) {
		panic(fmt.Sprintf("oracle: weights %v do not broadcast to %v", f.shape, ls))
	}
	wstride := make([]int, len(ws))
	s := 1
	for k := len(ws) - 1; k >= 0; k-- {
		wstride[k] = s
		s *= ws[k]
	}
	idx := make([]int, len(ls))
	for m := 0; m < n; m++ {
		r := m
		for k := len(ls) - 1; k >= 0; k-- {
			idx[k] = r % ls[k]
			r /= ls[k]
		}
		wi := 0
		for k := range ws {
			if ws[k] != 1 {
				if ws[k] != ls[k] {
					panic(fmt.Sprintf("oracle: weights %v do not broadcast to %v", f.shape, ls))
				}
				wi += idx[k] * wstride[k]
			}
		}
		out[m] = f.data[wi]
	}
	return out
}

// valReduce reduces w·l by red. pairwise applies MeanPairwiseSquaredError's
// rule (L_b = 0 where w_b = 0, even for NaN). It returns the expected result
// and Σ|w·l|/|D|; both are 0 when D is 0 (and then the result must be exactly 0).
func valReduce(w, l []float64, red losses.Reduction, pairwise bool) (want, scale float64) {
	var num, abs, wsum valSum
	nz := 0
	for i := range l {
		li := l[i]
		if pairwise && w[i] == 0 {
			li = 0
		}
		wl := w[i] * li
		num.add(wl)
		abs.add(math.Abs(wl))
		wsum.add(w[i])
		if w[i] != 0 {
			nz++
		}
	}
	var d float64
	switch red {
	case losses.SumByNonzeroWeights:
		d = float64(nz)
	case losses.Sum:
		d = 1
	case losses.Mean:
		d = wsum.value()
	case losses.SumOverBatchSize:
		d = float64(len(l))
	default:
		panic("oracle: unknown reduction")
	}
	if d == 0 {
		return 0, 0
	}
	return num.value() / d, abs.value() / math.Abs(d)
}

// valUnreduced is w·l per measurable element (pairwise: 0 where w = 0).
func valUnreduced(w, l []float64, pairwise bool) []float64 {
	out := make([]float64, len(l))
	for i := range l {
		if pairwise && w[i] == 0 {
			continue
		}
		out[i] = w[i] * l[i]
	}
	return out
}

// ---------------------------------------------------------------------------
// Weight forms.

const (
	valPositive = iota
	valWithZeros
	valWithNegatives
	valAllZero
)

var valModeNames = [...]string{"", " with zeros", " with negatives", " all zero"}

func valRandWeights[T losses.Float](rng *rand.Rand, n, mode int) []float64 {
	out := make([]float64, n)
	for i := range out {
		switch mode {
		case valPositive:
			out[i] = 0.25 + 1.75*rng.Float64()
		case valWithZeros:
			if i == 0 || rng.Float64() < 0.4 {
				out[i] = 0
			} else {
				out[i] = 0.25 + 1.75*rng.Float64()
			}
		case valWithNegatives:
			switch {
			case i == 0:
				out[i] = -0.5 - rng.Float64()
			case rng.Float64() < 0.15:
				out[i] = 0
			default:
				out[i] = -1 + 3*rng.Float64()
			}
		case valAllZero:
		}
	}
	if mode == valWithZeros && n > 1 {
		out[n-1] = 1.5 // at least one present element
	}
	return valRoundAll[T](out)
}

// valWeightForms lists the weight forms valid for measurable shape ls: none,
// Weight, rank 0, [1], [B], [B,1], prefixes, full, full with a trailing 1,
// leading and middle broadcast 1s, all-ones, zeros, negatives, all zero.
// pairwise restricts them to MeanPairwiseSquaredError's scalar, [B], [B,1].
func valWeightForms[T losses.Float](rng *rand.Rand, ls []int, pairwise bool) []valWeightForm {
	fs := []valWeightForm{
		{name: "none"},
		{name: "Weight(2.5)", kind: valScalarWeight, s: valRound[T](2.5)},
		{name: "Weight(-0.75)", kind: valScalarWeight, s: valRound[T](-0.75)},
		{name: "Weight(0)", kind: valScalarWeight, s: 0},
		{name: "Weight(0.1)", kind: valScalarWeight, s: valRound[T](0.1)},
	}
	add := func(mode int, shape []int) {
		shape = valCat(shape)
		fs = append(fs, valWeightForm{
			name:  fmt.Sprintf("Weights%v%s", shape, valModeNames[mode]),
			kind:  valTensorWeights,
			data:  valRandWeights[T](rng, valProd(shape), mode),
			shape: shape,
		})
	}
	add(valPositive, []int{}) // rank 0
	R := len(ls)
	if R == 0 {
		return fs
	}
	b := ls[0]
	add(valPositive, []int{b})
	add(valPositive, []int{b, 1})
	add(valWithZeros, []int{b})
	add(valWithNegatives, []int{b})
	add(valAllZero, []int{b})
	if pairwise {
		if b == 1 {
			add(valPositive, []int{1})
		}
		return fs
	}
	add(valPositive, []int{1})
	add(valPositive, []int{1, 1})
	for k := 2; k < R; k++ {
		add(valPositive, ls[:k]) // prefix, e.g. [B,T] on [B,T,C]
	}
	if R >= 2 {
		add(valPositive, ls)
		add(valWithZeros, ls)
		add(valWithNegatives, ls)
		add(valAllZero, ls)
		add(valPositive, valCat(ls, []int{1}))     // full with a trailing 1 (dropped)
		add(valPositive, valCat([]int{1}, ls[1:])) // [1,C]: broadcast over the batch
		add(valPositive, valOnes(R))               // all size-1 dims
	}
	if R >= 3 {
		mid := valCat(ls)
		mid[1] = 1
		add(valPositive, mid) // [B,1,C]
		lead := valOnes(R)
		lead[1] = ls[1]
		add(valPositive, lead) // [1,T,1]: trailing 1 dropped, then per T
		add(valWithZeros, mid)
	}
	if R >= 4 { // alternating broadcast dims: several varying groups
		odd, even := valCat(ls), valCat(ls)
		for k := range ls {
			if k%2 == 1 {
				odd[k] = 1
			} else {
				even[k] = 1
			}
		}
		add(valPositive, odd)  // [A,1,C,1,E]
		add(valPositive, even) // [1,B,1,D,1]
	}
	return fs
}

// ---------------------------------------------------------------------------
// Cases and the runner.

// valCase is one call of one loss on fixed inputs with its oracle losses.
type valCase[T losses.Float] struct {
	name     string
	ls       []int     // measurable shape
	loss     []float64 // oracle loss per measurable element (row-major over ls)
	call     func(opts ...losses.Option) (T, error)
	pairwise bool // MeanPairwiseSquaredError: no Reduce, Sum of w_b·L_b, L_b = 0 where w_b = 0
}

// valRunCase checks c under every weight form and reduction, with and
// without Unreduced.
func valRunCase[T losses.Float](t *testing.T, c valCase[T], forms []valWeightForm) {
	t.Helper()
	require.Len(t, c.loss, valProd(c.ls), "oracle of %s", c.name)
	reds := valReductions
	if c.pairwise {
		reds = []losses.Reduction{losses.Sum}
	}
	failures := 0
	for _, f := range forms {
		w := valBroadcast(f, c.ls)
		wantU := valUnreduced(w, c.loss, c.pairwise)
		for _, red := range reds {
			opts := valWeightOpts[T](f)
			if !c.pairwise {
				opts = append(opts, losses.Reduce(red))
			}
			msg := fmt.Sprintf("%s %s weights=%s reduce=%v", valTypeName[T](), c.name, f.name, red)
			want, scale := valReduce(w, c.loss, red, c.pairwise)

			got, err := c.call(opts...)
			ok := assert.NoError(t, err, msg) && valCheckScalar(t, msg, want, scale, got)

			// Large inputs check Unreduced under the weight-dependent
			// denominators only, to keep the test fast.
			if len(c.loss) <= valLargeCase || red == losses.SumByNonzeroWeights || red == losses.Mean {
				dst := make([]T, len(c.loss))
				got2, err := c.call(append(slices.Clip(opts), losses.Unreduced(dst))...)
				ok = assert.NoError(t, err, msg+" with Unreduced") &&
					valCheckScalar(t, msg+" with Unreduced", want, scale, got2) &&
					valCheckElems(t, msg+" Unreduced", wantU, dst) && ok
			}
			if !ok {
				failures++
				if failures >= 4 {
					t.Errorf("%s: stopping after %d failing configurations", c.name, failures)
					return
				}
			}
		}
	}
}

// valLargeCase is the size above which a case runs a representative subset
// of the weight forms only, to keep the tests fast.
const valLargeCase = 5000

// valFewForms keeps none, one Weight, the prefixes ([B], [B,T]), [1,C] and
// the full shapes.
func valFewForms(forms []valWeightForm, ls []int) []valWeightForm {
	var out []valWeightForm
	for _, f := range forms {
		keep := false
		switch f.kind {
		case valNoWeights:
			keep = true
		case valScalarWeight:
			keep = f.s != 0 && f.s != 2.5 && f.s != -0.75
		case valTensorWeights:
			switch {
			case len(f.shape) >= 1 && len(f.shape) < len(ls) && slices.Equal(f.shape, ls[:len(f.shape)]):
				keep = true // [B] (incl. with zeros and negatives), [B,T]
			case len(f.shape) == len(ls) && len(ls) > 1 && f.shape[0] == 1 && slices.Equal(f.shape[1:], ls[1:]):
				keep = true // [1,C]
			case slices.Equal(f.shape, ls):
				keep = true // full, incl. zeros, negatives, all zero
			}
		}
		if keep {
			out = append(out, f)
		}
	}
	return out
}

func valRunCases[T losses.Float](t *testing.T, rng *rand.Rand, cases []valCase[T]) {
	t.Helper()
	for _, c := range cases {
		forms := valWeightForms[T](rng, c.ls, c.pairwise)
		if len(c.loss) > valLargeCase {
			forms = valFewForms(forms, c.ls)
		}
		t.Run(c.name, func(t *testing.T) { valRunCase(t, c, forms) })
	}
}

// ---------------------------------------------------------------------------
// Random inputs (fixed seeds), already rounded to T.

func valNormal[T losses.Float](rng *rand.Rand, n int, mean, sd float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = mean + sd*rng.NormFloat64()
	}
	return valRoundAll[T](out)
}

func valUniform[T losses.Float](rng *rand.Rand, n int, lo, hi float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = lo + (hi-lo)*rng.Float64()
	}
	return valRoundAll[T](out)
}

// valLabels01 is half exact {0,1} labels, half uniform in [0,1].
func valLabels01[T losses.Float](rng *rand.Rand, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		if rng.IntN(2) == 0 {
			out[i] = float64(rng.IntN(2))
		} else {
			out[i] = rng.Float64()
		}
	}
	return valRoundAll[T](out)
}

func valBinary(rng *rand.Rand, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = float64(rng.IntN(2))
	}
	return out
}

// valElem applies a per-element formula.
func valElem(p, y []float64, f func(p, y float64) float64) []float64 {
	out := make([]float64, len(p))
	for i := range p {
		out[i] = f(p[i], y[i])
	}
	return out
}

// ---------------------------------------------------------------------------
// Per-element formulas of SPEC.md section 5, in float64.

func valAbsDiff(p, y float64) float64 { return math.Abs(p - y) }

func valSqDiff(p, y float64) float64 { d := p - y; return d * d }

func valLogLoss(eps float64) func(p, y float64) float64 {
	return func(p, y float64) float64 {
		return -y*math.Log(p+eps) - (1-y)*math.Log(1-p+eps)
	}
}

func valHinge(x, y float64) float64 { return math.Max(0, 1-(2*y-1)*x) }

func valSigmoidCE(smooth float64) func(x, z float64) float64 {
	return func(x, z float64) float64 {
		zs := z*(1-smooth) + smooth/2
		return math.Max(x, 0) - x*zs + math.Log1p(math.Exp(-math.Abs(x)))
	}
}

// valSoftmaxRow is Σ_c z'_c·(lse − x_c) with z' = z(1−L) + L/C, computed as
// Σ z'_c·((m − x_c) + ln Σ exp(x − m)) so that large offsets cancel exactly.
func valSoftmaxRow(x, z []float64, smooth float64) float64 {
	c := len(x)
	if c == 0 {
		return 0
	}
	m := math.Inf(-1)
	for _, v := range x {
		if v > m || math.IsNaN(v) {
			m = v
		}
	}
	var s valSum
	for _, v := range x {
		s.add(math.Exp(v - m))
	}
	ln := math.Log(s.value())
	var loss valSum
	for i := range x {
		zs := z[i]*(1-smooth) + smooth/float64(c)
		loss.add(zs * ((m - x[i]) + ln))
	}
	return loss.value()
}

// valSoftmaxRows applies valSoftmaxRow to every row of C classes.
func valSoftmaxRows(x, z []float64, c int, smooth float64) []float64 {
	if c == 0 {
		return make([]float64, 0)
	}
	rows := len(x) / c
	out := make([]float64, rows)
	for r := range out {
		out[r] = valSoftmaxRow(x[r*c:(r+1)*c], z[r*c:(r+1)*c], smooth)
	}
	return out
}

// valOneHot is the one-hot matrix of labels over c classes.
func valOneHot(labels []int, c int) []float64 {
	out := make([]float64, len(labels)*c)
	for r, l := range labels {
		out[r*c+l] = 1
	}
	return out
}

// valCosine is 1 − Σ p·y along axis of shape, row-major over the shape
// without axis.
func valCosine(p, y []float64, shape []int, axis int) []float64 {
	outer, inner := valProd(shape[:axis]), valProd(shape[axis+1:])
	a := shape[axis]
	out := make([]float64, outer*inner)
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			var s valSum
			for k := 0; k < a; k++ {
				j := (o*a+k)*inner + i
				s.add(p[j] * y[j])
			}
			out[o*inner+i] = 1 - s.value()
		}
	}
	return out
}

// valPairwiseRows is, per batch row, (2/n)·Σ(d − mean d)² with d = p − y
// (the stable two-pass form), 0 for an empty row.
func valPairwiseRows(p, y []float64, b int) []float64 {
	out := make([]float64, b)
	if b == 0 {
		return out
	}
	n := len(p) / b
	for r := range out {
		if n == 0 {
			continue
		}
		d := make([]float64, n)
		var s valSum
		for i := range d {
			d[i] = p[r*n+i] - y[r*n+i]
			s.add(d[i])
		}
		mean := s.value() / float64(n)
		var q valSum
		for _, v := range d {
			q.add((v - mean) * (v - mean))
		}
		out[r] = 2 * q.value() / float64(n)
	}
	return out
}

// ---------------------------------------------------------------------------
// The oracle comparisons.

func TestElementwiseLossesMatchTheFloat64Oracle(t *testing.T) {
	valEachKernelAndType(t, valElementwiseCases[float32], valElementwiseCases[float64])
}

func valElementwiseCases[T losses.Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 1))
	shapes := [][]int{{13}, {4, 7}, {3, 1, 5}, {2, 3, 4}, {2, 2, 3, 2}, {2, 3, 2, 2, 3}, {3, 2800}}
	var cases []valCase[T]
	for _, sh := range shapes {
		n := valProd(sh)
		tag := fmt.Sprint(sh)
		large := n > valLargeCase // large shapes: one variant per function
		pair := func(name string, p, y []float64, loss []float64, fn func(p, y losses.Tensor[T], opts ...losses.Option) (T, error), extra ...losses.Option) {
			P, Y := valTensor[T](p, sh...), valTensor[T](y, sh...)
			cases = append(cases, valCase[T]{name: name + tag, ls: sh, loss: loss, call: func(opts ...losses.Option) (T, error) {
				return fn(P, Y, append(slices.Clip(opts), extra...)...)
			}})
		}

		p, y := valNormal[T](rng, n, 0, 2), valNormal[T](rng, n, 0, 2)
		pair("AbsoluteDifference", p, y, valElem(p, y, valAbsDiff), losses.AbsoluteDifference[T])
		p, y = valNormal[T](rng, n, 0.5, 2), valNormal[T](rng, n, 0, 2)
		pair("MeanSquaredError", p, y, valElem(p, y, valSqDiff), losses.MeanSquaredError[T])

		p, y = valUniform[T](rng, n, 0.01, 0.99), valLabels01[T](rng, n)
		pair("LogLoss/default-epsilon", p, y, valElem(p, y, valLogLoss(valRound[T](1e-7))), losses.LogLoss[T])
		p, y = valUniform[T](rng, n, 0, 1), valLabels01[T](rng, n)
		if !large {
			pair("LogLoss/Epsilon(0.01)", p, y, valElem(p, y, valLogLoss(valRound[T](0.01))), losses.LogLoss[T], losses.Epsilon(0.01))
		}

		x, z := valUniform[T](rng, n, -3, 3), valBinary(rng, n)
		x[0] = 1 // exactly on the margin when z[0] = 1
		z[0] = 1
		pair("HingeLoss", x, z, valElem(x, z, valHinge), losses.HingeLoss[T])

		for _, smooth := range []float64{0, 0.1, 1} {
			if large && smooth != 0.1 {
				continue
			}
			x, z := valUniform[T](rng, n, -10, 10), valLabels01[T](rng, n)
			for i := range x {
				if rng.IntN(20) == 0 {
					x[i] = float64(100 * (2*rng.IntN(2) - 1)) // ±100: must stay finite
				}
			}
			name := fmt.Sprintf("SigmoidCrossEntropy/LabelSmoothing(%v)", smooth)
			var extra []losses.Option
			if smooth != 0 {
				extra = append(extra, losses.LabelSmoothing(smooth))
			}
			pair(name, x, z, valElem(x, z, valSigmoidCE(valRound[T](smooth))), losses.SigmoidCrossEntropy[T], extra...)
		}

		l := valNormal[T](rng, n, 0.3, 3)
		L := valTensor[T](l, sh...)
		cases = append(cases, valCase[T]{name: "ComputeWeightedLoss" + tag, ls: sh, loss: l, call: func(opts ...losses.Option) (T, error) {
			return losses.ComputeWeightedLoss(L, opts...)
		}})
	}
	// Weight rows longer than a kernel block (8192): [B] weights on [2, 9000]
	// and [B,T] weights on [2,3,3000] split a row of one weight into blocks.
	for _, sh := range [][]int{{2, 9000}, {2, 3, 3000}} {
		n := valProd(sh)
		p, y := valNormal[T](rng, n, 0, 1), valNormal[T](rng, n, 0, 1)
		P, Y, L := valTensor[T](p, sh...), valTensor[T](y, sh...), valTensor[T](p, sh...)
		if len(sh) == 3 {
			cases = append(cases, valCase[T]{name: fmt.Sprint("MeanSquaredError/long-weight-rows", sh), ls: sh, loss: valElem(p, y, valSqDiff), call: func(opts ...losses.Option) (T, error) {
				return losses.MeanSquaredError(P, Y, opts...)
			}})
		} else {
			cases = append(cases, valCase[T]{name: fmt.Sprint("ComputeWeightedLoss/long-weight-rows", sh), ls: sh, loss: p, call: func(opts ...losses.Option) (T, error) {
				return losses.ComputeWeightedLoss(L, opts...)
			}})
		}
	}
	// Rank-0 losses: one measurable element.
	l0 := valRound[T](-2.75)
	cases = append(cases, valCase[T]{name: "ComputeWeightedLoss/rank0", ls: []int{}, loss: []float64{l0}, call: func(opts ...losses.Option) (T, error) {
		return losses.ComputeWeightedLoss(losses.Scalar(T(l0)), opts...)
	}})
	valRunCases(t, rng, cases)
}

func TestSoftmaxCrossEntropyMatchesTheFloat64Oracle(t *testing.T) {
	valEachKernelAndType(t, valSoftmaxCases[float32], valSoftmaxCases[float64])
}

func valSoftmaxCases[T losses.Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 2))
	type spec struct {
		shape  []int
		offset float64
		onehot bool
		smooth float64
	}
	specs := []spec{
		{[]int{5, 4}, 0, true, 0},
		{[]int{5, 4}, 0, false, 0},
		{[]int{5, 4}, 0, true, 0.2},
		{[]int{5, 4}, 0, false, 1},
		{[]int{3, 4, 6}, 0, true, 0},
		{[]int{3, 4, 6}, 0, false, 0.2},
		{[]int{6, 1}, 0, true, 0},      // C = 1: every row loses 0
		{[]int{6, 1}, 0, false, 0.3},   // C = 1 with smoothing
		{[]int{2, 1, 7}, 0, true, 0.1}, // a size-1 leading dim
		{[]int{4, 9}, 1000, true, 0},   // large offsets must not overflow
		{[]int{4, 9}, -1000, false, 0.2},
		{[]int{2, 3, 9}, 1e4, true, 0.1},
		{[]int{3, 3000}, 0, true, 0}, // long rows
		{[]int{2500, 5}, 0, false, 0.05},
	}
	var cases []valCase[T]
	for _, s := range specs {
		r := len(s.shape)
		c := s.shape[r-1]
		rows := valProd(s.shape[:r-1])
		x := valNormal[T](rng, rows*c, s.offset, 3)
		var z []float64
		if s.onehot {
			labels := make([]int, rows)
			for i := range labels {
				labels[i] = rng.IntN(c)
			}
			z = valOneHot(labels, c)
		} else {
			z = make([]float64, rows*c)
			for i := 0; i < rows; i++ {
				tot := 0.0
				for j := 0; j < c; j++ {
					z[i*c+j] = rng.Float64()
					tot += z[i*c+j]
				}
				for j := 0; j < c; j++ {
					z[i*c+j] /= tot
				}
			}
			z = valRoundAll[T](z)
		}
		X, Z := valTensor[T](x, s.shape...), valTensor[T](z, s.shape...)
		var extra []losses.Option
		if s.smooth != 0 {
			extra = append(extra, losses.LabelSmoothing(s.smooth))
		}
		cases = append(cases, valCase[T]{
			name: fmt.Sprintf("%v/offset=%v/onehot=%v/smoothing=%v", s.shape, s.offset, s.onehot, s.smooth),
			ls:   s.shape[:r-1],
			loss: valSoftmaxRows(x, z, c, valRound[T](s.smooth)),
			call: func(opts ...losses.Option) (T, error) {
				return losses.SoftmaxCrossEntropy(X, Z, append(slices.Clip(opts), extra...)...)
			},
		})
	}
	valRunCases(t, rng, cases)
}

// valSparseCase builds a SparseSoftmaxCrossEntropy case with labels of type L.
func valSparseCase[T losses.Float, L losses.Integer](name string, x []float64, shape []int, labels []int, smooth float64) valCase[T] {
	c := shape[len(shape)-1]
	ls := shape[:len(shape)-1]
	ll := make([]L, len(labels))
	for i, v := range labels {
		ll[i] = L(v)
	}
	X := valTensor[T](x, shape...)
	var extra []losses.Option
	if smooth != 0 {
		extra = append(extra, losses.LabelSmoothing(smooth))
	}
	return valCase[T]{
		name: fmt.Sprintf("%s/%v/%T/smoothing=%v", name, shape, ll[0], smooth),
		ls:   ls,
		loss: valSoftmaxRows(x, valOneHot(labels, c), c, valRound[T](smooth)),
		call: func(opts ...losses.Option) (T, error) {
			return losses.SparseSoftmaxCrossEntropy(X, ll, append(slices.Clip(opts), extra...)...)
		},
	}
}

func TestSparseSoftmaxCrossEntropyMatchesTheFloat64Oracle(t *testing.T) {
	valEachKernelAndType(t, valSparseCases[float32], valSparseCases[float64])
}

func valSparseCases[T losses.Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 3))
	labelsFor := func(rows, c int) []int {
		out := make([]int, rows)
		for i := range out {
			out[i] = rng.IntN(c)
		}
		out[0] = c - 1 // the last class
		return out
	}
	x54 := valNormal[T](rng, 20, 0, 3)
	l54 := labelsFor(5, 4)
	s54 := []int{5, 4}
	cases := []valCase[T]{
		valSparseCase[T, int]("every-label-type", x54, s54, l54, 0),
		valSparseCase[T, int8]("every-label-type", x54, s54, l54, 0),
		valSparseCase[T, int16]("every-label-type", x54, s54, l54, 0),
		valSparseCase[T, int32]("every-label-type", x54, s54, l54, 0),
		valSparseCase[T, int64]("every-label-type", x54, s54, l54, 0),
		valSparseCase[T, uint]("every-label-type", x54, s54, l54, 0),
		valSparseCase[T, uint8]("every-label-type", x54, s54, l54, 0),
		valSparseCase[T, uint16]("every-label-type", x54, s54, l54, 0),
		valSparseCase[T, uint32]("every-label-type", x54, s54, l54, 0),
		valSparseCase[T, uint64]("every-label-type", x54, s54, l54, 0),
		valSparseCase[T, uintptr]("every-label-type", x54, s54, l54, 0),
		valSparseCase[T, int64]("smoothed", x54, s54, l54, 0.2),
		valSparseCase[T, uint8]("smoothed", x54, s54, l54, 1),
	}
	x346 := valNormal[T](rng, 72, 0, 3)
	l346 := labelsFor(12, 6)
	cases = append(cases,
		valSparseCase[T, int32]("rank3", x346, []int{3, 4, 6}, l346, 0),
		valSparseCase[T, int32]("rank3", x346, []int{3, 4, 6}, l346, 0.3),
	)
	x7 := valNormal[T](rng, 7, 0, 3)
	cases = append(cases,
		valSparseCase[T, int]("rank1-logits", x7, []int{7}, []int{4}, 0),
		valSparseCase[T, uint16]("rank1-logits", x7, []int{7}, []int{0}, 0.1),
	)
	xc1 := valNormal[T](rng, 3, 0, 3)
	cases = append(cases, valSparseCase[T, int]("one-class", xc1, []int{3, 1}, []int{0, 0, 0}, 0.5))
	xo := valNormal[T](rng, 36, 1000, 2)
	lo := labelsFor(4, 9)
	cases = append(cases,
		valSparseCase[T, int]("offset1000", xo, []int{4, 9}, lo, 0),
		valSparseCase[T, int]("offset1000", xo, []int{4, 9}, lo, 0.25),
	)
	xl := valNormal[T](rng, 2000*7, 0, 3)
	cases = append(cases, valSparseCase[T, uint8]("many-rows", xl, []int{2000, 7}, labelsFor(2000, 7), 0))
	xw := valNormal[T](rng, 2*5000, -3, 3)
	cases = append(cases, valSparseCase[T, int16]("long-rows", xw, []int{2, 5000}, labelsFor(2, 5000), 0.1))
	valRunCases(t, rng, cases)
}

func TestSparseSoftmaxWithSmoothingEqualsSoftmaxOfSmoothedOneHot(t *testing.T) {
	valEachKernelAndType(t, valSparseVsDense[float32], valSparseVsDense[float64])
}

// valSparseVsDense compares the library's sparse CE with smoothing against
// the library's dense CE of the one-hot labels with the same smoothing, and
// both against the oracle's smoothed one-hot cross-entropy.
func valSparseVsDense[T losses.Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 4))
	for _, shape := range [][]int{{6, 5}, {2, 3, 4}, {5}} {
		c := shape[len(shape)-1]
		rows := valProd(shape[:len(shape)-1])
		x := valNormal[T](rng, rows*c, 0, 2)
		labels := make([]int, rows)
		for i := range labels {
			labels[i] = rng.IntN(c)
		}
		l32 := make([]int32, rows)
		for i, v := range labels {
			l32[i] = int32(v)
		}
		onehot := valOneHot(labels, c)
		X := valTensor[T](x, shape...)
		var denseShape []int
		if len(shape) == 1 {
			denseShape = []int{1, c} // dense CE wants rank >= 2
		} else {
			denseShape = shape
		}
		for _, smooth := range []float64{0, 0.1, 0.5, 1} {
			for _, red := range valReductions {
				msg := fmt.Sprintf("%s %v smoothing=%v %v", valTypeName[T](), shape, smooth, red)
				loss := valSoftmaxRows(x, onehot, c, valRound[T](smooth))
				w := make([]float64, len(loss))
				for i := range w {
					w[i] = 1
				}
				want, scale := valReduce(w, loss, red, false)
				sparse, err := losses.SparseSoftmaxCrossEntropy(X, l32, losses.LabelSmoothing(smooth), losses.Reduce(red))
				require.NoError(t, err, msg)
				dense, err := losses.SoftmaxCrossEntropy(valTensor[T](x, denseShape...), valTensor[T](onehot, denseShape...), losses.LabelSmoothing(smooth), losses.Reduce(red))
				require.NoError(t, err, msg)
				valCheckScalar(t, msg+" sparse vs oracle", want, scale, sparse)
				valCheckScalar(t, msg+" dense vs oracle", want, scale, dense)
				valCheckScalar(t, msg+" sparse vs dense", float64(dense), scale, sparse)
			}
		}
	}
}

func TestCosineDistanceMatchesTheFloat64OracleOnEveryAxis(t *testing.T) {
	valEachKernelAndType(t, valCosineCases[float32], valCosineCases[float64])
}

func valCosineCases[T losses.Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 5))
	type spec struct {
		shape []int
		axis  int
		unit  bool
	}
	specs := []spec{
		{[]int{4, 5, 3}, 2, false}, {[]int{4, 5, 3}, 1, true}, {[]int{4, 5, 3}, 0, false},
		{[]int{4, 5, 3}, -1, true}, {[]int{4, 5, 3}, -2, false}, {[]int{4, 5, 3}, -3, false},
		{[]int{6, 4}, 1, true}, {[]int{6, 4}, 0, false}, {[]int{6, 4}, -1, false},
		{[]int{7}, 0, true}, {[]int{7}, -1, false}, // measurable shape is rank 0
		{[]int{2, 1, 3}, 1, false},   // a size-1 axis
		{[]int{3, 2, 1, 4}, 3, true}, // a size-1 dim left in the measurable shape
		{[]int{3, 700, 4}, 1, false},
		{[]int{3, 5, 2000}, -1, true},
	}
	var cases []valCase[T]
	for _, s := range specs {
		n := valProd(s.shape)
		axis := s.axis
		if axis < 0 {
			axis += len(s.shape)
		}
		p, y := valUniform[T](rng, n, -1, 1), valUniform[T](rng, n, -1, 1)
		if s.unit { // normalise every slice along the axis, as TF assumes
			outer, inner, a := valProd(s.shape[:axis]), valProd(s.shape[axis+1:]), s.shape[axis]
			for o := 0; o < outer; o++ {
				for i := 0; i < inner; i++ {
					var np, ny float64
					for k := 0; k < a; k++ {
						j := (o*a+k)*inner + i
						np += p[j] * p[j]
						ny += y[j] * y[j]
					}
					for k := 0; k < a; k++ {
						j := (o*a+k)*inner + i
						p[j] /= math.Sqrt(np)
						y[j] /= math.Sqrt(ny)
					}
				}
			}
			p, y = valRoundAll[T](p), valRoundAll[T](y)
		}
		ls := valCat(s.shape[:axis], s.shape[axis+1:])
		P, Y := valTensor[T](p, s.shape...), valTensor[T](y, s.shape...)
		ax := s.axis
		cases = append(cases, valCase[T]{
			name: fmt.Sprintf("%v/axis=%d/unit=%v", s.shape, s.axis, s.unit),
			ls:   ls,
			loss: valCosine(p, y, s.shape, axis),
			call: func(opts ...losses.Option) (T, error) { return losses.CosineDistance(P, Y, ax, opts...) },
		})
	}
	valRunCases(t, rng, cases)
}

func TestMeanPairwiseSquaredErrorMatchesTheTwoPassOracle(t *testing.T) {
	valEachKernelAndType(t, valPairwiseCases[float32], valPairwiseCases[float64])
}

func valPairwiseCases[T losses.Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 6))
	var cases []valCase[T]
	add := func(name string, p, y []float64, shape []int) {
		P, Y := valTensor[T](p, shape...), valTensor[T](y, shape...)
		cases = append(cases, valCase[T]{
			name:     fmt.Sprintf("%s%v", name, shape),
			ls:       shape[:1],
			loss:     valPairwiseRows(p, y, shape[0]),
			pairwise: true,
			call:     func(opts ...losses.Option) (T, error) { return losses.MeanPairwiseSquaredError(P, Y, opts...) },
		})
	}
	for _, sh := range [][]int{{4, 6}, {3, 2, 5}, {5, 1}, {1, 8}, {6}, {3, 3000}} {
		n := valProd(sh)
		add("random", valNormal[T](rng, n, 0, 1), valNormal[T](rng, n, 0.5, 1), sh)
	}
	// An offset of 1000 on d must not cost accuracy: SPEC asks for a stable
	// computation; the tolerance (relative to Σ|w_b·L_b|, here the result
	// itself) is 1e-5 in float32 against the float64 two-pass oracle.
	for _, sh := range [][]int{{4, 50}, {2, 3, 40}, {2, 5000}} {
		n := valProd(sh)
		p := valNormal[T](rng, n, 1000, 1)
		add("offset1000/labels0", p, make([]float64, n), sh)
		y := make([]float64, n)
		for i := range y {
			y[i] = float64(rng.IntN(4)) // p − y stays exact in float32
		}
		add("offset1000/integer-labels", p, y, sh)
		add("offset-1e4/float64-scale", valNormal[T](rng, n, -1e4, 1), make([]float64, n), sh)
	}
	valRunCases(t, rng, cases)
}

func TestRegularizersAreScaledSumsOfAbsAndHalfSquares(t *testing.T) {
	valEachKernelAndType(t, valRegularizers[float32], valRegularizers[float64])
}

func valRegularizers[T losses.Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 7))
	for _, shape := range [][]int{{}, {0}, {7}, {3, 5}, {2, 0}, {5000}, {3, 2, 1100}} {
		var w []float64
		if len(shape) == 0 {
			w = []float64{valRound[T](-1.25)}
		} else {
			w = valNormal[T](rng, valProd(shape), 0, 1.5)
		}
		W := valTensor[T](w, shape...)
		for _, scale := range []float64{0, 0.01, 1, 2.5} {
			s := valRound[T](scale)
			var l1, l2 valSum
			for _, v := range w {
				l1.add(s * math.Abs(v))
				l2.add(s * v * v / 2)
			}
			msg := fmt.Sprintf("%s %v scale=%v", valTypeName[T](), shape, scale)
			got1, err := losses.L1(W, scale)
			require.NoError(t, err, msg)
			valCheckScalar(t, "L1 "+msg, l1.value(), l1.value(), got1)
			got2, err := losses.L2(W, scale)
			require.NoError(t, err, msg)
			valCheckScalar(t, "L2 "+msg, l2.value(), l2.value(), got2)
		}
	}
	// Regularisers have no measurable elements: weights, Unreduced and Reduce
	// do not apply; a negative or non-finite scale is refused.
	W := valTensor[T]([]float64{1, -2, 3}, 3)
	bad := map[string][]losses.Option{
		"Weight":    {losses.Weight(2)},
		"Weights":   {losses.Weights(valTensor[T]([]float64{1, 1, 1}, 3))},
		"Unreduced": {losses.Unreduced(make([]T, 3))},
		"Reduce":    {losses.Reduce(losses.Sum)},
	}
	for name, opts := range bad {
		_, err := losses.L1(W, 1, opts...)
		assert.ErrorIs(t, err, losses.ErrOption, "L1 with %s", name)
		_, err = losses.L2(W, 1, opts...)
		assert.ErrorIs(t, err, losses.ErrOption, "L2 with %s", name)
	}
	for _, scale := range []float64{-0.5, math.NaN(), math.Inf(1)} {
		_, err := losses.L1(W, scale)
		assert.ErrorIs(t, err, losses.ErrOption, "L1 scale %v", scale)
		_, err = losses.L2(W, scale)
		assert.ErrorIs(t, err, losses.ErrOption, "L2 scale %v", scale)
	}
}

func TestDeprecatedAliasesEqualTheirTargets(t *testing.T) {
	valEachKernelAndType(t, valAliases[float32], valAliases[float64])
}

func valAliases[T losses.Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 8))
	sh := []int{4, 9}
	n := valProd(sh)
	p, y := valTensor[T](valUniform[T](rng, n, 0.05, 0.95), sh...), valTensor[T](valLabels01[T](rng, n), sh...)
	w := valTensor[T](valRandWeights[T](rng, 4, valWithZeros), 4)
	optSets := [][]losses.Option{
		nil,
		{losses.Weights(w)},
		{losses.Weight(0.5)},
	}
	for i, opts := range optSets {
		for _, red := range valReductions {
			o := append(slices.Clip(opts), losses.Reduce(red))
			a, errA := losses.SumOfSquares(p, y, o...)
			b, errB := losses.MeanSquaredError(p, y, o...)
			require.NoError(t, errA)
			require.NoError(t, errB)
			assert.Equal(t, b, a, "SumOfSquares opts#%d %v", i, red)

			a, errA = losses.Log(p, y, append(slices.Clip(o), losses.Epsilon(1e-3))...)
			b, errB = losses.LogLoss(p, y, append(slices.Clip(o), losses.Epsilon(1e-3))...)
			require.NoError(t, errA)
			require.NoError(t, errB)
			assert.Equal(t, b, a, "Log opts#%d %v", i, red)
		}
		a, errA := losses.SumOfPairwiseSquares(p, y, opts...)
		b, errB := losses.MeanPairwiseSquaredError(p, y, opts...)
		require.NoError(t, errA)
		require.NoError(t, errB)
		assert.Equal(t, b, a, "SumOfPairwiseSquares opts#%d", i)
	}
	// Errors are the targets' errors.
	bad := valTensor[T](make([]float64, 6), 2, 3)
	_, err := losses.SumOfSquares(p, bad)
	assert.ErrorIs(t, err, losses.ErrShape)
	_, err = losses.Log(p, bad)
	assert.ErrorIs(t, err, losses.ErrShape)
	_, err = losses.SumOfPairwiseSquares(p, y, losses.Reduce(losses.Mean))
	assert.ErrorIs(t, err, losses.ErrOption)
}

// ---------------------------------------------------------------------------
// Denominators of zero, NaN and Inf.

// valAnyLoss is one loss function over 4 measurable elements, with element 2
// (or row 2) poisoned by poison (NaN or Inf) when poisoned is true.
type valAnyLoss[T losses.Float] struct {
	name     string
	pairwise bool
	call     func(poisoned bool, poison float64, opts ...losses.Option) (T, error)
}

// valFourElementLosses gives every loss function over 4 measurable elements
// (elementwise: shape [4]; row losses: 4 rows of 3).
func valFourElementLosses[T losses.Float]() []valAnyLoss[T] {
	vec := func(v []float64, poisoned bool, poison float64, at int) losses.Tensor[T] {
		v = slices.Clone(v)
		if poisoned {
			v[at] = poison
		}
		return valTensor[T](v, len(v))
	}
	mat := func(v []float64, poisoned bool, poison float64, at int) losses.Tensor[T] {
		v = slices.Clone(v)
		if poisoned {
			v[at] = poison
		}
		return valTensor[T](v, 4, 3)
	}
	p4, y4 := []float64{0.2, 0.7, 0.4, 0.9}, []float64{1, 0, 1, 0.5}
	x12 := []float64{0.5, -1, 2, 0.1, 0.2, 0.3, -0.5, 1.5, 0.25, 1, 1, -2}
	z12 := []float64{0, 0, 1, 1, 0, 0, 0, 1, 0, 0.5, 0.5, 0}
	elem := func(name string, fn func(p, y losses.Tensor[T], opts ...losses.Option) (T, error)) valAnyLoss[T] {
		return valAnyLoss[T]{name: name, call: func(poisoned bool, poison float64, opts ...losses.Option) (T, error) {
			return fn(vec(p4, poisoned, poison, 2), vec(y4, false, 0, 0), opts...)
		}}
	}
	return []valAnyLoss[T]{
		elem("AbsoluteDifference", losses.AbsoluteDifference[T]),
		elem("MeanSquaredError", losses.MeanSquaredError[T]),
		elem("LogLoss", losses.LogLoss[T]),
		elem("HingeLoss", losses.HingeLoss[T]),
		elem("SigmoidCrossEntropy", losses.SigmoidCrossEntropy[T]),
		{name: "ComputeWeightedLoss", call: func(poisoned bool, poison float64, opts ...losses.Option) (T, error) {
			return losses.ComputeWeightedLoss(vec(p4, poisoned, poison, 2), opts...)
		}},
		{name: "SoftmaxCrossEntropy", call: func(poisoned bool, poison float64, opts ...losses.Option) (T, error) {
			return losses.SoftmaxCrossEntropy(mat(x12, poisoned, poison, 7), mat(z12, false, 0, 0), opts...)
		}},
		{name: "SparseSoftmaxCrossEntropy", call: func(poisoned bool, poison float64, opts ...losses.Option) (T, error) {
			return losses.SparseSoftmaxCrossEntropy(mat(x12, poisoned, poison, 7), []int{2, 0, 1, 1}, opts...)
		}},
		{name: "CosineDistance", call: func(poisoned bool, poison float64, opts ...losses.Option) (T, error) {
			return losses.CosineDistance(mat(x12, poisoned, poison, 7), mat(z12, false, 0, 0), 1, opts...)
		}},
		{name: "MeanPairwiseSquaredError", pairwise: true, call: func(poisoned bool, poison float64, opts ...losses.Option) (T, error) {
			return losses.MeanPairwiseSquaredError(mat(x12, poisoned, poison, 7), mat(z12, false, 0, 0), opts...)
		}},
	}
}

func TestZeroDenominatorGivesExactlyZero(t *testing.T) {
	valEachKernelAndType(t, valZeroDenominator[float32], valZeroDenominator[float64])
}

func valZeroDenominator[T losses.Float](t *testing.T) {
	nan := math.NaN()
	allZero := losses.Weights(valTensor[T]([]float64{0, 0, 0, 0}, 4))
	cancel := losses.Weights(valTensor[T]([]float64{1, -1, 2, -2}, 4)) // Σw = 0, four present
	for _, f := range valFourElementLosses[T]() {
		for _, poisoned := range []bool{false, true} {
			for _, w := range []struct {
				name string
				opt  losses.Option
			}{{"Weights all zero", allZero}, {"Weight(0)", losses.Weight(0)}} {
				for _, red := range valReductions {
					if f.pairwise && red != losses.Sum {
						continue
					}
					msg := fmt.Sprintf("%s %s %s NaN=%v %v", valTypeName[T](), f.name, w.name, poisoned, red)
					opts := []losses.Option{w.opt}
					if !f.pairwise {
						opts = append(opts, losses.Reduce(red))
					}
					got, err := f.call(poisoned, nan, opts...)
					require.NoError(t, err, msg)
					// D = 0 (SumByNonzeroWeights, Mean) is a safe division: exactly 0
					// even with NaN. Sum and SumOverBatchSize have D != 0, so 0·NaN
					// is NaN there. MeanPairwiseSquaredError zeroes w = 0 rows.
					if poisoned && !f.pairwise && (red == losses.Sum || red == losses.SumOverBatchSize) {
						assert.True(t, math.IsNaN(float64(got)), "%s: want NaN (0·NaN with D != 0), got %v", msg, got)
					} else {
						assert.True(t, got == 0, "%s: want exactly 0, got %v", msg, got)
					}
				}
			}
			if f.pairwise {
				continue
			}
			msg := fmt.Sprintf("%s %s weights summing to 0 NaN=%v Mean", valTypeName[T](), f.name, poisoned)
			got, err := f.call(poisoned, nan, cancel, losses.Reduce(losses.Mean))
			require.NoError(t, err, msg)
			assert.True(t, got == 0, "%s: want exactly 0, got %v", msg, got)
		}
	}
	// Rank-0 and [1] weights of 0 on a larger loss, and empty losses.
	got, err := losses.ComputeWeightedLoss(valTensor[T]([]float64{1, nan, 3, 4, 5, 6}, 2, 3), losses.Weights(valTensor[T]([]float64{0}, 1, 1)))
	require.NoError(t, err)
	assert.True(t, got == 0, "[1,1] zero weight on NaN losses: %v", got)
	got, err = losses.ComputeWeightedLoss(valTensor[T]([]float64{1, nan, 3, 4, 5, 6}, 2, 3), losses.Weights(valTensor[T]([]float64{0})), losses.Reduce(losses.Mean))
	require.NoError(t, err)
	assert.True(t, got == 0, "rank-0 zero weight on NaN losses, Mean: %v", got)
}

func TestNaNPropagatesEvenThroughZeroWeights(t *testing.T) {
	valEachKernelAndType(t, valNaNPropagation[float32], valNaNPropagation[float64])
}

func valNaNPropagation[T losses.Float](t *testing.T) {
	nan := math.NaN()
	const n = 37 // odd length: every lane position and a tail
	rng := rand.New(rand.NewPCG(19, 9))
	for _, at := range []int{0, 1, 3, 7, 8, 15, 16, 31, 32, 36} {
		p, y := valUniform[T](rng, n, 0.1, 0.9), valBinary(rng, n)
		pn := slices.Clone(p)
		pn[at] = nan
		yn := slices.Clone(y)
		yn[at] = nan
		w := make([]float64, n)
		for i := range w {
			w[i] = 1
		}
		w[at] = 0
		W := valTensor[T](w, n)
		type call struct {
			name string
			f    func(opts ...losses.Option) (T, error)
		}
		P, Y, PN, YN := valTensor[T](p, n), valTensor[T](y, n), valTensor[T](pn, n), valTensor[T](yn, n)
		calls := []call{
			{"AbsoluteDifference/p", func(o ...losses.Option) (T, error) { return losses.AbsoluteDifference(PN, Y, o...) }},
			{"AbsoluteDifference/y", func(o ...losses.Option) (T, error) { return losses.AbsoluteDifference(P, YN, o...) }},
			{"MeanSquaredError/p", func(o ...losses.Option) (T, error) { return losses.MeanSquaredError(PN, Y, o...) }},
			{"LogLoss/p", func(o ...losses.Option) (T, error) { return losses.LogLoss(PN, Y, o...) }},
			{"LogLoss/y", func(o ...losses.Option) (T, error) { return losses.LogLoss(P, YN, o...) }},
			{"HingeLoss/x", func(o ...losses.Option) (T, error) { return losses.HingeLoss(PN, Y, o...) }},
			{"HingeLoss/y", func(o ...losses.Option) (T, error) { return losses.HingeLoss(P, YN, o...) }},
			{"SigmoidCrossEntropy/x", func(o ...losses.Option) (T, error) { return losses.SigmoidCrossEntropy(PN, Y, o...) }},
			{"SigmoidCrossEntropy/z", func(o ...losses.Option) (T, error) { return losses.SigmoidCrossEntropy(P, YN, o...) }},
			{"ComputeWeightedLoss", func(o ...losses.Option) (T, error) { return losses.ComputeWeightedLoss(PN, o...) }},
		}
		// Row losses: n rows of 3 with the NaN in row at.
		x3 := valNormal[T](rng, 3*n, 0, 1)
		z3 := valOneHot(make([]int, n), 3)
		x3n := slices.Clone(x3)
		x3n[3*at+1] = nan
		X3N, Z3 := valTensor[T](x3n, n, 3), valTensor[T](z3, n, 3)
		calls = append(calls,
			call{"SoftmaxCrossEntropy", func(o ...losses.Option) (T, error) { return losses.SoftmaxCrossEntropy(X3N, Z3, o...) }},
			call{"SparseSoftmaxCrossEntropy", func(o ...losses.Option) (T, error) {
				return losses.SparseSoftmaxCrossEntropy(X3N, make([]uint8, n), o...)
			}},
			call{"CosineDistance", func(o ...losses.Option) (T, error) { return losses.CosineDistance(X3N, Z3, -1, o...) }},
		)
		for _, c := range calls {
			for _, weighted := range []bool{false, true} {
				for _, red := range valReductions {
					msg := fmt.Sprintf("%s %s NaN at %d weight0=%v %v", valTypeName[T](), c.name, at, weighted, red)
					opts := []losses.Option{losses.Reduce(red)}
					if weighted {
						opts = append(opts, losses.Weights(W))
					}
					got, err := c.f(opts...)
					require.NoError(t, err, msg)
					assert.True(t, math.IsNaN(float64(got)), "%s: want NaN, got %v", msg, got)
					dst := make([]T, n)
					_, err = c.f(append(opts, losses.Unreduced(dst))...)
					require.NoError(t, err, msg)
					assert.True(t, math.IsNaN(float64(dst[at])), "%s: Unreduced[%d] want NaN (w·NaN), got %v", msg, at, dst[at])
					for i, v := range dst {
						if i != at && math.IsNaN(float64(v)) {
							t.Errorf("%s: Unreduced[%d] is NaN but only element %d is", msg, i, at)
							break
						}
					}
				}
			}
		}
		// MeanPairwiseSquaredError: a NaN row counts unless its weight is 0.
		msg := fmt.Sprintf("%s MeanPairwiseSquaredError NaN in row %d", valTypeName[T](), at)
		zeros := valTensor[T](make([]float64, 3*n), n, 3)
		got, err := losses.MeanPairwiseSquaredError(X3N, zeros)
		require.NoError(t, err, msg)
		assert.True(t, math.IsNaN(float64(got)), "%s: want NaN, got %v", msg, got)
		dst := make([]T, n)
		got, err = losses.MeanPairwiseSquaredError(X3N, zeros, losses.Weights(W), losses.Unreduced(dst))
		require.NoError(t, err, msg)
		rows := valPairwiseRows(x3n, make([]float64, 3*n), n)
		want, scale := valReduce(w, rows, losses.Sum, true)
		valCheckScalar(t, msg+" with weight 0 on that row", want, scale, got)
		valCheckElems(t, msg+" Unreduced with weight 0 on that row", valUnreduced(w, rows, true), dst)
	}
}

func TestInfinitiesPropagateByIEEERules(t *testing.T) {
	valEachKernelAndType(t, valInfinities[float32], valInfinities[float64])
}

func valInfinities[T losses.Float](t *testing.T) {
	inf := math.Inf(1)
	nan := math.NaN()
	v := func(xs ...float64) losses.Tensor[T] { return valTensor[T](xs, len(xs)) }
	m := func(r, c int, xs ...float64) losses.Tensor[T] { return valTensor[T](xs, r, c) }
	w := func(xs ...float64) losses.Option { return losses.Weights(v(xs...)) }
	type tc struct {
		name string
		f    func(opts ...losses.Option) (T, error)
		opts []losses.Option
		want float64
	}
	cases := []tc{
		{"MSE +Inf prediction", func(o ...losses.Option) (T, error) { return losses.MeanSquaredError(v(1, inf, 2), v(0, 0, 0), o...) }, nil, inf},
		{"MSE -Inf prediction", func(o ...losses.Option) (T, error) { return losses.MeanSquaredError(v(1, -inf, 2), v(0, 0, 0), o...) }, nil, inf},
		{"MSE Inf with weight 0 is NaN", func(o ...losses.Option) (T, error) { return losses.MeanSquaredError(v(1, inf, 2), v(0, 0, 0), o...) }, []losses.Option{w(1, 0, 1)}, nan},
		{"MSE Inf with negative weight, Sum", func(o ...losses.Option) (T, error) { return losses.MeanSquaredError(v(1, inf, 2), v(0, 0, 0), o...) }, []losses.Option{w(1, -1, 1), losses.Reduce(losses.Sum)}, -inf},
		{"AbsoluteDifference -Inf", func(o ...losses.Option) (T, error) { return losses.AbsoluteDifference(v(-inf, 0), v(0, 0), o...) }, nil, inf},
		{"AbsoluteDifference Inf-Inf is NaN", func(o ...losses.Option) (T, error) { return losses.AbsoluteDifference(v(inf, 0), v(inf, 0), o...) }, nil, nan},
		{"Hinge -Inf logit on a positive label", func(o ...losses.Option) (T, error) { return losses.HingeLoss(v(-inf, 0.5), v(1, 1), o...) }, nil, inf},
		{"Hinge +Inf logit on a positive label loses 0", func(o ...losses.Option) (T, error) { return losses.HingeLoss(v(inf, 0.5), v(1, 1), o...) }, nil, 0.25},
		{"Hinge +Inf logit on a negative label", func(o ...losses.Option) (T, error) { return losses.HingeLoss(v(inf, 0.5), v(0, 1), o...) }, nil, inf},
		{"ComputeWeightedLoss Inf and -Inf is NaN", func(o ...losses.Option) (T, error) { return losses.ComputeWeightedLoss(v(inf, -inf, 1), o...) }, nil, nan},
		{"ComputeWeightedLoss Inf, Mean", func(o ...losses.Option) (T, error) { return losses.ComputeWeightedLoss(v(inf, 2, 1), o...) }, []losses.Option{losses.Reduce(losses.Mean)}, inf},
		{"LogLoss ln(0) with Epsilon(0)", func(o ...losses.Option) (T, error) { return losses.LogLoss(v(0, 0.5), v(1, 1), o...) }, []losses.Option{losses.Epsilon(0)}, inf},
		{"LogLoss 0·ln(0) with Epsilon(0) is NaN", func(o ...losses.Option) (T, error) { return losses.LogLoss(v(1, 0.5), v(1, 1), o...) }, []losses.Option{losses.Epsilon(0)}, nan},
		{"CosineDistance Inf on a positive label", func(o ...losses.Option) (T, error) {
			return losses.CosineDistance(m(2, 2, inf, 0, 1, 0), m(2, 2, 1, 0, 1, 0), 1, o...)
		}, nil, -inf},
		{"CosineDistance Inf times 0 is NaN", func(o ...losses.Option) (T, error) {
			return losses.CosineDistance(m(2, 2, inf, 0, 1, 0), m(2, 2, 0, 1, 1, 0), 1, o...)
		}, nil, nan},
		{"Softmax -Inf logit on a zero label is 0·Inf = NaN", func(o ...losses.Option) (T, error) {
			return losses.SoftmaxCrossEntropy(m(1, 3, 0, -inf, 1), m(1, 3, 1, 0, 0), o...)
		}, nil, nan},
		{"MeanPairwiseSquaredError Inf in a weighted row", func(o ...losses.Option) (T, error) {
			return losses.MeanPairwiseSquaredError(m(2, 2, inf, 0, 1, 0), m(2, 2, 0, 0, 0, 0), o...)
		}, nil, nan},
		{"MeanPairwiseSquaredError Inf in a row of weight 0", func(o ...losses.Option) (T, error) {
			return losses.MeanPairwiseSquaredError(m(2, 2, inf, 0, 1, 0), m(2, 2, 0, 0, 0, 0), o...)
		}, []losses.Option{w(0, 1)}, 0.5}, // row 2: d = [1,0], L = (2/2)·(0.25+0.25) = 0.5
	}
	for _, c := range cases {
		got, err := c.f(c.opts...)
		require.NoError(t, err, c.name)
		valCheckScalar(t, valTypeName[T]()+" "+c.name, c.want, math.Abs(c.want), got)
	}
	// Sparse CE is lse − x_label: a −Inf logit in another class is harmless
	// (the usual masking idiom), unlike the dense form's 0·Inf.
	got, err := losses.SparseSoftmaxCrossEntropy(m(2, 3, 0, -inf, 1, 2, -inf, 2), []int{0, 2})
	require.NoError(t, err)
	want := (math.Log1p(math.Exp(1)) + math.Log(2)) / 2 // row 0: ln(1+e) − 0; row 1: ln(2e²) − 2
	valCheckScalar(t, valTypeName[T]()+" sparse CE with -Inf in a non-label class", want, want, got)
}

func TestEmptyTensorsGiveZeroWithoutError(t *testing.T) {
	valEachKernelAndType(t, valEmpty[float32], valEmpty[float64])
}

func valEmpty[T losses.Float](t *testing.T) {
	e := func(shape ...int) losses.Tensor[T] { return valTensor[T](nil, shape...) }
	nilT := losses.New[T](nil) // shape [0]
	type tc struct {
		name  string
		f     func(opts ...losses.Option) (T, error)
		nmeas int     // measurable elements (len of Unreduced)
		want  float64 // 0 except where the formula itself says otherwise
		pair  bool    // MeanPairwiseSquaredError: no Reduce
	}
	var cases []tc
	for _, shape := range [][]int{{0}, {2, 0}, {0, 3}, {3, 0, 2}} {
		sh := shape
		n := valProd(sh)
		cases = append(cases,
			tc{fmt.Sprintf("AbsoluteDifference%v", sh), func(o ...losses.Option) (T, error) { return losses.AbsoluteDifference(e(sh...), e(sh...), o...) }, n, 0, false},
			tc{fmt.Sprintf("MeanSquaredError%v", sh), func(o ...losses.Option) (T, error) { return losses.MeanSquaredError(e(sh...), e(sh...), o...) }, n, 0, false},
			tc{fmt.Sprintf("LogLoss%v", sh), func(o ...losses.Option) (T, error) { return losses.LogLoss(e(sh...), e(sh...), o...) }, n, 0, false},
			tc{fmt.Sprintf("HingeLoss%v", sh), func(o ...losses.Option) (T, error) { return losses.HingeLoss(e(sh...), e(sh...), o...) }, n, 0, false},
			tc{fmt.Sprintf("SigmoidCrossEntropy%v", sh), func(o ...losses.Option) (T, error) { return losses.SigmoidCrossEntropy(e(sh...), e(sh...), o...) }, n, 0, false},
			tc{fmt.Sprintf("ComputeWeightedLoss%v", sh), func(o ...losses.Option) (T, error) { return losses.ComputeWeightedLoss(e(sh...), o...) }, n, 0, false},
			tc{fmt.Sprintf("MeanPairwiseSquaredError%v", sh), func(o ...losses.Option) (T, error) { return losses.MeanPairwiseSquaredError(e(sh...), e(sh...), o...) }, sh[0], 0, true},
		)
		if len(sh) >= 2 {
			rows := valProd(sh[:len(sh)-1])
			cases = append(cases, tc{fmt.Sprintf("SoftmaxCrossEntropy%v", sh), func(o ...losses.Option) (T, error) {
				return losses.SoftmaxCrossEntropy(e(sh...), e(sh...), o...)
			}, rows, 0, false})
		}
	}
	cases = append(cases,
		tc{"New(nil) MSE", func(o ...losses.Option) (T, error) { return losses.MeanSquaredError(nilT, nilT, o...) }, 0, 0, false},
		tc{"SparseSoftmaxCrossEntropy[0 3]", func(o ...losses.Option) (T, error) { return losses.SparseSoftmaxCrossEntropy(e(0, 3), []int{}, o...) }, 0, 0, false},
		tc{"SparseSoftmaxCrossEntropy[2 0 4]", func(o ...losses.Option) (T, error) {
			return losses.SparseSoftmaxCrossEntropy(e(2, 0, 4), []int32(nil), o...)
		}, 0, 0, false},
		tc{"CosineDistance[2 0] axis 0", func(o ...losses.Option) (T, error) { return losses.CosineDistance(e(2, 0), e(2, 0), 0, o...) }, 0, 0, false},
		tc{"CosineDistance[0 3] axis 1", func(o ...losses.Option) (T, error) { return losses.CosineDistance(e(0, 3), e(0, 3), 1, o...) }, 0, 0, false},
		// Removing an empty axis leaves measurable elements whose loss is
		// 1 − Σ∅ = 1 by the SPEC formula (and TF's).
		tc{"CosineDistance[2 0] axis 1", func(o ...losses.Option) (T, error) { return losses.CosineDistance(e(2, 0), e(2, 0), 1, o...) }, 2, 1, false},
		tc{"CosineDistance[0] axis 0", func(o ...losses.Option) (T, error) { return losses.CosineDistance(e(0), e(0), 0, o...) }, 1, 1, false},
	)
	for _, c := range cases {
		for _, red := range valReductions {
			msg := fmt.Sprintf("%s %s %v", valTypeName[T](), c.name, red)
			var opts []losses.Option
			switch {
			case !c.pair:
				opts = append(opts, losses.Reduce(red))
			case red != losses.Sum:
				continue
			}
			got, err := c.f(opts...)
			require.NoError(t, err, msg)
			want := c.want
			if want != 0 && red == losses.Sum {
				want *= float64(c.nmeas)
			}
			assert.Equal(t, want, float64(got), msg)
			dst := make([]T, c.nmeas)
			got, err = c.f(append(opts, losses.Unreduced(dst))...)
			require.NoError(t, err, msg+" with Unreduced")
			assert.Equal(t, want, float64(got), msg+" with Unreduced")
		}
	}
	// Empty weights against empty losses are fine too.
	got, err := losses.MeanSquaredError(e(2, 0), e(2, 0), losses.Weights(valTensor[T]([]float64{3, 4}, 2)))
	require.NoError(t, err)
	assert.Zero(t, got)
	got, err = losses.ComputeWeightedLoss(e(0), losses.Weights(e(0)))
	require.NoError(t, err)
	assert.Zero(t, got)
	// Sparse with zero classes: no label can be valid.
	_, err = losses.SparseSoftmaxCrossEntropy(e(2, 0), []int{0, 0})
	assert.ErrorIs(t, err, losses.ErrInvalidLabel)
	_, err = losses.SparseSoftmaxCrossEntropy(e(0), []int{0})
	assert.ErrorIs(t, err, losses.ErrInvalidLabel)
	// Regularisers of nothing.
	r1, err := losses.L1(e(2, 0), 3)
	require.NoError(t, err)
	assert.Zero(t, r1)
	r2, err := losses.L2(e(0), 3)
	require.NoError(t, err)
	assert.Zero(t, r2)
}

// ---------------------------------------------------------------------------
// Weights that do not broadcast.

func TestWeightsThatDoNotBroadcastAreErrWeights(t *testing.T) {
	valEachKernelAndType(t, valBadWeights[float32], valBadWeights[float64])
}

func valBadWeights[T losses.Float](t *testing.T) {
	w := func(shape ...int) losses.Option {
		return losses.Weights(valTensor[T](make([]float64, valProd(shape)), shape...))
	}
	l23 := valTensor[T](make([]float64, 6), 2, 3)
	l234 := valTensor[T](make([]float64, 24), 2, 3, 4)
	cases := []struct {
		name string
		f    func() (T, error)
	}{
		{"[C] on [B,C]: rank-1 weights are per row", func() (T, error) { return losses.ComputeWeightedLoss(l23, w(3)) }},
		{"[2,2] on [2,3]", func() (T, error) { return losses.ComputeWeightedLoss(l23, w(2, 2)) }},
		{"[2,3,4] on [2,3]: too many dims", func() (T, error) { return losses.ComputeWeightedLoss(l23, w(2, 3, 4)) }},
		{"[2,3,1,1] on [2,3]: only one trailing 1 is dropped", func() (T, error) { return losses.ComputeWeightedLoss(l23, w(2, 3, 1, 1)) }},
		{"[1,3,1,1] on [2,3]", func() (T, error) { return losses.ComputeWeightedLoss(l23, w(1, 3, 1, 1)) }},
		{"[3,4] on [2,3,4]: trailing alignment is not allowed", func() (T, error) { return losses.ComputeWeightedLoss(l234, w(3, 4)) }},
		{"[1] on rank-0 losses", func() (T, error) { return losses.ComputeWeightedLoss(losses.Scalar(T(1)), w(1)) }},
		{"[2] on [3] MSE", func() (T, error) {
			return losses.MeanSquaredError(valTensor[T](make([]float64, 3), 3), valTensor[T](make([]float64, 3), 3), w(2))
		}},
		{"[B,C] on softmax rows [B]", func() (T, error) { return losses.SoftmaxCrossEntropy(l23, l23, w(2, 3)) }},
		{"[B,C] on sparse rows [B]", func() (T, error) { return losses.SparseSoftmaxCrossEntropy(l23, []int{0, 1}, w(2, 3)) }},
		{"cosine weights against the input shape instead of the reduced one", func() (T, error) { return losses.CosineDistance(l234, l234, 1, w(2, 3)) }},
		{"pairwise full weights", func() (T, error) { return losses.MeanPairwiseSquaredError(l23, l23, w(2, 3)) }},
		{"pairwise [1] on B=2", func() (T, error) { return losses.MeanPairwiseSquaredError(l23, l23, w(1)) }},
		{"pairwise [1,3]", func() (T, error) { return losses.MeanPairwiseSquaredError(l23, l23, w(1, 3)) }},
	}
	for _, c := range cases {
		_, err := c.f()
		assert.ErrorIs(t, err, losses.ErrWeights, c.name)
	}
	// A weights tensor whose data does not match its shape is refused too.
	_, err := losses.ComputeWeightedLoss(l23, losses.Weights(valTensor[T]([]float64{1, 2, 3}, 2)))
	assert.Error(t, err)
	assert.True(t, errors.Is(err, losses.ErrWeights) || errors.Is(err, losses.ErrShape), "got %v", err)
}

// ---------------------------------------------------------------------------
// Collections.

func TestIntoAndNamedRecordTheReturnedValue(t *testing.T) {
	valEachKernelAndType(t, valInto[float32], valInto[float64])
}

func valInto[T losses.Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(20, 10))
	p := valTensor[T](valUniform[T](rng, 12, 0.05, 0.95), 4, 3)
	y := valTensor[T](valLabels01[T](rng, 12), 4, 3)
	onehot := valTensor[T](valOneHot([]int{0, 2, 1, 1}, 3), 4, 3)
	type fn struct {
		tfName  string
		regular bool
		f       func(opts ...losses.Option) (T, error)
	}
	fns := []fn{
		{"absolute_difference", false, func(o ...losses.Option) (T, error) { return losses.AbsoluteDifference(p, y, o...) }},
		{"mean_squared_error", false, func(o ...losses.Option) (T, error) { return losses.MeanSquaredError(p, y, o...) }},
		{"log_loss", false, func(o ...losses.Option) (T, error) { return losses.LogLoss(p, y, o...) }},
		{"hinge_loss", false, func(o ...losses.Option) (T, error) { return losses.HingeLoss(p, y, o...) }},
		{"sigmoid_cross_entropy", false, func(o ...losses.Option) (T, error) { return losses.SigmoidCrossEntropy(p, y, o...) }},
		{"softmax_cross_entropy", false, func(o ...losses.Option) (T, error) { return losses.SoftmaxCrossEntropy(p, onehot, o...) }},
		{"sparse_softmax_cross_entropy", false, func(o ...losses.Option) (T, error) {
			return losses.SparseSoftmaxCrossEntropy(p, []int{0, 2, 1, 1}, o...)
		}},
		{"cosine_distance", false, func(o ...losses.Option) (T, error) { return losses.CosineDistance(p, y, 1, o...) }},
		{"mean_pairwise_squared_error", false, func(o ...losses.Option) (T, error) { return losses.MeanPairwiseSquaredError(p, y, o...) }},
		{"compute_weighted_loss", false, func(o ...losses.Option) (T, error) { return losses.ComputeWeightedLoss(p, o...) }},
		{"l1_regularizer", true, func(o ...losses.Option) (T, error) { return losses.L1(p, 0.3, o...) }},
		{"l2_regularizer", true, func(o ...losses.Option) (T, error) { return losses.L2(p, 0.3, o...) }},
	}
	for _, f := range fns {
		msg := valTypeName[T]() + " " + f.tfName
		c := &losses.Collection{}
		got, err := f.f(losses.Into(c))
		require.NoError(t, err, msg)
		plain, err := f.f()
		require.NoError(t, err, msg)
		assert.Equal(t, plain, got, "%s: Into changes the result", msg)

		mine, other := c.Losses(""), c.RegularizationLosses("")
		if f.regular {
			assert.Empty(t, mine, "%s: a regulariser goes to the regularisation list only", msg)
			mine, other = other, mine
		} else {
			assert.Empty(t, other, "%s: a loss goes to the loss list only", msg)
		}
		// SPEC 7: Into records the returned value, converted to float64.
		assert.Equal(t, []float64{float64(got)}, mine, "%s: collected value != float64(returned value)", msg)
		// The default name is TF's.
		byName := c.Losses(f.tfName)
		if f.regular {
			byName = c.RegularizationLosses(f.tfName)
		}
		assert.Len(t, byName, 1, "%s: default name", msg)

		// Named replaces the name; the value is the same.
		c2 := &losses.Collection{}
		_, err = f.f(losses.Into(c2), losses.Named("tower_1/"+f.tfName))
		require.NoError(t, err, msg)
		if f.regular {
			assert.Equal(t, []float64{float64(got)}, c2.RegularizationLosses("tower_1/"), msg+" Named")
			assert.Empty(t, c2.RegularizationLosses(f.tfName), msg+" Named replaces the default name")
		} else {
			assert.Equal(t, []float64{float64(got)}, c2.Losses("tower_1/"), msg+" Named")
			assert.Empty(t, c2.Losses(f.tfName), msg+" Named replaces the default name")
		}
		// Named alone collects nothing anywhere.
		before := len(losses.GetLosses("")) + len(losses.GetRegularizationLosses(""))
		_, err = f.f(losses.Named("nowhere"))
		require.NoError(t, err, msg)
		assert.Equal(t, before, len(losses.GetLosses(""))+len(losses.GetRegularizationLosses("")), msg+": Named without Into")
	}
}

// ---------------------------------------------------------------------------
// Accuracy of long float32 sums (SPEC.md section 6).

func TestFloat32SumsOfManyTermsStayAccurate(t *testing.T) {
	n := 1 << 22
	if testing.Short() {
		n = 1 << 20
	}
	rng := rand.New(rand.NewPCG(21, 11))
	x := make([]float32, n)
	var s valSum
	for i := range x {
		x[i] = float32(rng.ExpFloat64())
		s.add(float64(x[i]))
	}
	want := s.value()
	valEachKernel(t, func(t *testing.T) {
		L := losses.New(x)
		got, err := losses.ComputeWeightedLoss(L, losses.Reduce(losses.Sum))
		require.NoError(t, err)
		assert.InEpsilon(t, want, float64(got), 1e-6, "Σ of %d Exp(1) float32 values", n)
		got, err = losses.L1(L, 1)
		require.NoError(t, err)
		assert.InEpsilon(t, want, float64(got), 1e-6, "L1 of %d Exp(1) float32 values", n)
		got, err = losses.ComputeWeightedLoss(L, losses.Reduce(losses.SumOverBatchSize))
		require.NoError(t, err)
		assert.InEpsilon(t, want/float64(n), float64(got), 1e-6, "mean of %d Exp(1) float32 values", n)
	})
}

// ---------------------------------------------------------------------------
// Sparse labels outside [0, C).

func TestSparseLabelsOutsideTheClassesAreErrInvalidLabelAndWriteNothing(t *testing.T) {
	valEachKernelAndType(t, valBadLabels[float32], valBadLabels[float64])
}

func valBadLabels[T losses.Float](t *testing.T) {
	X := valTensor[T]([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	check := func(name string, f func(opts ...losses.Option) (T, error)) {
		t.Helper()
		unred := []T{-7, -7}
		grad := []T{-7, -7, -7, -7, -7, -7}
		c := &losses.Collection{}
		_, err := f(losses.Unreduced(unred), losses.Gradient(grad), losses.Into(c))
		assert.ErrorIs(t, err, losses.ErrInvalidLabel, name)
		assert.Equal(t, []T{-7, -7}, unred, "%s: Unreduced written on error", name)
		assert.Equal(t, []T{-7, -7, -7, -7, -7, -7}, grad, "%s: Gradient written on error", name)
		assert.Empty(t, c.Losses(""), "%s: collected on error", name)
	}
	check("int label 3 of 3 classes", func(o ...losses.Option) (T, error) { return losses.SparseSoftmaxCrossEntropy(X, []int{0, 3}, o...) })
	check("int label -1", func(o ...losses.Option) (T, error) { return losses.SparseSoftmaxCrossEntropy(X, []int{-1, 0}, o...) })
	check("int8 label -128", func(o ...losses.Option) (T, error) { return losses.SparseSoftmaxCrossEntropy(X, []int8{2, -128}, o...) })
	check("uint8 label 255", func(o ...losses.Option) (T, error) { return losses.SparseSoftmaxCrossEntropy(X, []uint8{255, 0}, o...) })
	check("uint64 label 2^63 (too large for int)", func(o ...losses.Option) (T, error) {
		return losses.SparseSoftmaxCrossEntropy(X, []uint64{1 << 63, 0}, o...)
	})
	check("uintptr label max", func(o ...losses.Option) (T, error) {
		return losses.SparseSoftmaxCrossEntropy(X, []uintptr{0, ^uintptr(0)}, o...)
	})
	check("int64 label 2^32+1", func(o ...losses.Option) (T, error) {
		return losses.SparseSoftmaxCrossEntropy(X, []int64{1<<32 + 1, 0}, o...)
	})
	// A label count that does not match the rows is ErrShape.
	_, err := losses.SparseSoftmaxCrossEntropy(X, []int{0})
	assert.ErrorIs(t, err, losses.ErrShape)
	_, err = losses.SparseSoftmaxCrossEntropy(valTensor[T]([]float64{1, 2, 3}, 3), []int{0, 1})
	assert.ErrorIs(t, err, losses.ErrShape, "rank-1 logits take exactly one label")
}
