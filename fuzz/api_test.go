package fuzz

import (
	"fmt"
	"math"
	"math/bits"
	"strings"

	"github.com/simdloss/simdloss/asm"
)

// The public API targets: one per function, float32 or float64 by a fuzz
// byte, with decoded shapes, weights, labels and options (invalid ones
// included). Every call runs at every kernel level (losses.UseKernel). A
// call must not panic; an error must wrap one of SPEC.md's sentinels and be
// one the inputs deserve (independent validation below), and must leave
// every destination untouched; a success must be one the inputs allow and
// agree with the oracle (oracle_test.go, weights broadcast by explicit index
// arithmetic here) within SPEC.md section 6's tolerances. Every input and
// destination lives in one arena whose other elements are guard NaNs: after
// a call, only the destinations may differ.

type apiFn int

const (
	fnAbsDiff apiFn = iota
	fnMSE
	fnLogLoss
	fnHinge
	fnSigmoid
	fnSoftmax
	fnSparse
	fnCosine
	fnPairwise
	fnCWL
	fnL1
	fnL2
	numFns
)

type family int

const (
	famElem family = iota
	famSoftmax
	famSparse
	famCosine
	famPairwise
)

// Option kinds as the targets generate them.
type optKind int

const (
	oWeights optKind = iota
	oWeightsOther
	oWeight
	oReduce
	oEpsilon
	oSmoothing
	oUnred
	oUnredOther
	oGrad
	oGradOther
	oInto
	oIntoNil
	oNamed
	oZero
	numOptKinds
)

var optKindNames = [numOptKinds]string{"Weights", "Weights(other type)", "Weight", "Reduce", "Epsilon", "LabelSmoothing",
	"Unreduced", "Unreduced(other type)", "Gradient", "Gradient(other type)", "Into", "Into(nil)", "Named", "Option{}"}

// group is the option an optKind counts as for "given twice" (Weight and
// Weights are one).
func (k optKind) group() optKind {
	switch k {
	case oWeightsOther, oWeight:
		return oWeights
	case oUnredOther:
		return oUnred
	case oGradOther:
		return oGrad
	case oIntoNil:
		return oInto
	}
	return k
}

type fnInfo struct {
	name, tf string
	fam      family
	loss     asm.ElemLoss
	two      bool // takes labels of the predictions' shape
	minRank  int
	pr, yr   role
	allow    [numOptKinds]bool // by group
}

var fns = func() [numFns]fnInfo {
	common := []optKind{oWeights, oReduce, oUnred, oGrad, oInto, oNamed}
	allow := func(extra ...optKind) (a [numOptKinds]bool) {
		for _, k := range append(common, extra...) {
			a[k] = true
		}
		return a
	}
	pair := allow()
	pair[oReduce] = false
	var reg [numOptKinds]bool
	reg[oGrad], reg[oInto], reg[oNamed] = true, true, true
	return [numFns]fnInfo{
		fnAbsDiff:  {"AbsoluteDifference", "absolute_difference", famElem, asm.AbsDiff, true, 1, roleReal, roleReal, allow()},
		fnMSE:      {"MeanSquaredError", "mean_squared_error", famElem, asm.SqDiff, true, 1, roleReal, roleReal, allow()},
		fnLogLoss:  {"LogLoss", "log_loss", famElem, asm.LogLoss, true, 1, roleProb, roleLabel01, allow(oEpsilon)},
		fnHinge:    {"HingeLoss", "hinge_loss", famElem, asm.Hinge, true, 1, roleLogit, roleLabel01, allow()},
		fnSigmoid:  {"SigmoidCrossEntropy", "sigmoid_cross_entropy", famElem, asm.SigmoidCE, true, 1, roleLogit, roleLabel01, allow(oSmoothing)},
		fnSoftmax:  {"SoftmaxCrossEntropy", "softmax_cross_entropy", famSoftmax, 0, true, 2, roleLogit, roleLabel01, allow(oSmoothing)},
		fnSparse:   {"SparseSoftmaxCrossEntropy", "sparse_softmax_cross_entropy", famSparse, 0, false, 1, roleLogit, roleLabel01, allow(oSmoothing)},
		fnCosine:   {"CosineDistance", "cosine_distance", famCosine, 0, true, 1, roleUnit, roleUnit, allow()},
		fnPairwise: {"MeanPairwiseSquaredError", "mean_pairwise_squared_error", famPairwise, 0, true, 1, roleReal, roleReal, pair},
		fnCWL:      {"ComputeWeightedLoss", "compute_weighted_loss", famElem, asm.Identity, false, 0, roleReal, roleReal, allow()},
		fnL1:       {"L1", "l1_regularizer", famElem, asm.L1, false, 0, roleReal, roleReal, reg},
		fnL2:       {"L2", "l2_regularizer", famElem, asm.L2, false, 0, roleReal, roleReal, reg},
	}
}()

func (f apiFn) info() *fnInfo { return &fns[f] }
func (f apiFn) reg() bool     { return f == fnL1 || f == fnL2 }

// region is a range of arena elements.
type region struct{ off, n int }

func (r region) end() int { return r.off + r.n }

func (r region) overlaps(o region) bool {
	return r.n > 0 && o.n > 0 && r.off < o.end() && o.off < r.end()
}

type optSpec struct {
	kind  optKind
	f     float64 // Weight, Epsilon, LabelSmoothing
	red   int     // Reduce
	shape []int   // Weights (both types)
	data  region  // Weights data, Unreduced and Gradient destinations
	other int     // length of an other-type weights or destination slice
	name  string
}

// apiCase is one decoded call.
type apiCase[T Float] struct {
	fn       apiFn
	arena    []T
	pristine []T
	p, y     region
	pShape   []int
	yShape   []int
	labels   []int64 // sparse: values before conversion to the label type
	ltype    int
	axis     int
	scale    float64
	opts     []optSpec
	known    []string // known defects the oracle allowed for
	nilEmpty bool     // pass empty slices as nil
}

func (c *apiCase[T]) slice(r region) []T { return c.arena[r.off:r.end():r.end()] }

// arg is the slice of r as the call passes it: nil when empty and nilEmpty.
func (c *apiCase[T]) arg(r region) []T {
	if r.n == 0 && c.nilEmpty {
		return nil
	}
	return c.slice(r)
}

func (c *apiCase[T]) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s[%s] p%v (data %d) ", c.fn.info().name, typeName[T](), c.pShape, c.p.n)
	if c.fn.info().two {
		fmt.Fprintf(&b, "y%v (data %d) ", c.yShape, c.y.n)
	}
	switch c.fn {
	case fnSparse:
		fmt.Fprintf(&b, "labels %s%v ", labelTypes[c.ltype], c.labels[:min(len(c.labels), 16)])
	case fnCosine:
		fmt.Fprintf(&b, "axis %d ", c.axis)
	case fnL1, fnL2:
		fmt.Fprintf(&b, "scale %s ", fmtf(c.scale))
	}
	b.WriteString("opts [")
	for i, o := range c.opts {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(optKindNames[o.kind])
		switch o.kind {
		case oWeights:
			fmt.Fprintf(&b, "(%v data %d: %s)", o.shape, o.data.n, summarize(toF64(c.slice(o.data)), 8))
		case oWeightsOther:
			fmt.Fprintf(&b, "(%v data %d)", o.shape, o.other)
		case oWeight, oEpsilon, oSmoothing:
			fmt.Fprintf(&b, "(%s)", fmtf(o.f))
		case oReduce:
			fmt.Fprintf(&b, "(%d)", o.red)
		case oUnred, oGrad:
			fmt.Fprintf(&b, "(len %d at %d)", o.data.n, o.data.off)
		case oUnredOther, oGradOther:
			fmt.Fprintf(&b, "(len %d)", o.other)
		case oNamed:
			fmt.Fprintf(&b, "(%q)", o.name)
		}
	}
	fmt.Fprintf(&b, "]\n  p=%s", summarize(toF64(c.slice(c.p)), 16))
	if c.fn.info().two {
		fmt.Fprintf(&b, "\n  y=%s", summarize(toF64(c.slice(c.y)), 16))
	}
	return b.String()
}

// prod is the element count of a shape under SPEC.md section 1: false for a
// negative dim or a product that overflows int; a zero dim makes it 0.
func prod(dims []int) (int, bool) {
	zero := false
	for _, d := range dims {
		if d < 0 {
			return 0, false
		}
		zero = zero || d == 0
	}
	if zero {
		return 0, true
	}
	n := 1
	for _, d := range dims {
		hi, lo := bits.Mul64(uint64(n), uint64(d))
		if hi != 0 || lo > math.MaxInt {
			return 0, false
		}
		n = int(lo)
	}
	return n, true
}

// maxMeasurable bounds the measurable elements a case may have: a valid
// input with a billion measurable elements and no data (a [1<<30, 0]
// softmax) is legal but takes the library a billion steps.
const maxMeasurable = 1 << 16

const huge = 1 << 40

// decodeShape draws a shape of rank about minRank..minRank+3 with at most
// about 4096 elements, or (rarely) an invalid or extreme one.
func decodeShape(s *src, minRank int) []int {
	if s.oneIn(12) {
		switch s.intn(6) {
		case 0:
			return []int{3, -1}
		case 1:
			return []int{huge, huge, 2}
		case 2:
			return []int{0, huge, huge}
		case 3:
			return []int{0, 2, huge, huge}
		case 4:
			return []int{huge, huge, 0}
		default:
			return []int{math.MaxInt, 2, 0}
		}
	}
	r := minRank + []int{0, 0, 1, 1, 2, 3}[s.intn(6)]
	if s.oneIn(16) && minRank > 0 {
		r = minRank - 1
	}
	dims := make([]int, r)
	total := 1
	for i := range dims {
		d := []int{1, 2, 3, 4, 5, 7, 8, 16, 17, 33, 64, 0}[s.intn(12)]
		if s.oneIn(24) {
			d = 0
		}
		for d > 1 && total*d > 4096 {
			d /= 2
		}
		dims[i] = d
		total *= max(d, 1)
	}
	if r > 0 && s.oneIn(3) {
		// One longer dim: long rows and long vectors.
		i := s.intn(r)
		if dims[i] > 0 {
			dims[i] = max(1, 4096/(total/dims[i])/(1+s.intn(4)))
			if s.oneIn(2) {
				dims[i] = min(dims[i], s.length(4096))
			}
		}
	}
	return dims
}

// measurableShape is the shape of the measurable losses of fn on shape
// (with axis for cosine), and false when it cannot be formed.
func measurableShape(fn apiFn, shape []int, axis int) ([]int, bool) {
	r := len(shape)
	switch fn.info().fam {
	case famSoftmax, famSparse:
		if r < 1 {
			return nil, false
		}
		return shape[:r-1], true
	case famCosine:
		if axis < -r || axis >= r {
			return nil, false
		}
		if axis < 0 {
			axis += r
		}
		return append(append([]int{}, shape[:axis]...), shape[axis+1:]...), true
	case famPairwise:
		if r < 1 {
			return nil, false
		}
		return shape[:1], true
	}
	return shape, true
}

var labelTypes = []string{"int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr"}

// labelValue is v converted to label type lt (Go's conversion: truncation
// and wrap-around), as a sign and magnitude.
func labelValue(lt int, v int64) (neg bool, mag uint64) {
	var x int64
	switch lt {
	case 0, 4:
		x = v
	case 1:
		x = int64(int8(v))
	case 2:
		x = int64(int16(v))
	case 3:
		x = int64(int32(v))
	case 5, 9, 10:
		return false, uint64(v)
	case 6:
		return false, uint64(uint8(v))
	case 7:
		return false, uint64(uint16(v))
	case 8:
		return false, uint64(uint32(v))
	}
	if x < 0 {
		return true, 0
	}
	return false, uint64(x)
}

// layout places regions in the arena, each at an alignment offset 0..15
// after a guard gap.
type layout struct{ pos int }

func (l *layout) place(s *src, n int) region {
	off := l.pos + guardLen + s.intn(16)
	l.pos = off + n
	return region{off, n}
}

func decodeAPI[T Float](s *src, fn apiFn) *apiCase[T] {
	f32 := isF32[T]()
	info := fn.info()
	c := &apiCase[T]{fn: fn}
	var lay layout
	type fill struct {
		r    region
		vals []float64
	}
	var fills []fill

	c.pShape = decodeShape(s, info.minRank)
	if fn == fnCosine {
		r := len(c.pShape)
		c.axis = s.intn(2*r+3) - r - 1
	}
	if ls, ok := measurableShape(fn, c.pShape, c.axis); ok {
		if n, ok := prod(ls); ok && n > maxMeasurable {
			c.pShape = []int{3, 4}
			c.axis = 0
		}
	}
	pn, ok := prod(c.pShape)
	if !ok || pn > 1<<14 {
		pn = s.intn(4)
	}
	if s.oneIn(24) {
		pn = max(0, pn+s.intn(3)-1) // data length mismatch
	}
	c.p = lay.place(s, pn)
	fills = append(fills, fill{c.p, s.vector(pn, info.pr, s.profile(), f32)})
	if info.two {
		c.yShape = append([]int(nil), c.pShape...)
		yn := pn
		if s.oneIn(24) {
			if len(c.yShape) > 0 && s.oneIn(2) {
				c.yShape[len(c.yShape)-1]++
			} else {
				c.yShape = append(c.yShape, 1)
			}
		}
		if s.oneIn(24) {
			yn = max(0, yn+s.intn(3)-1)
		}
		c.y = lay.place(s, yn)
		fills = append(fills, fill{c.y, s.vector(yn, info.yr, s.profile(), f32)})
	}
	if fn == fnSparse {
		r := len(c.pShape)
		rows, classes := 1, 0
		if r > 0 {
			var ok bool
			if rows, ok = prod(c.pShape[:r-1]); !ok || rows > maxMeasurable {
				rows = s.intn(3)
			}
			classes = c.pShape[r-1]
		}
		if s.oneIn(24) {
			rows = max(0, rows+s.intn(3)-1)
		}
		c.ltype = s.intn(len(labelTypes))
		c.labels = make([]int64, rows)
		bad := s.oneIn(8)
		for i := range c.labels {
			c.labels[i] = int64(s.intn(max(classes, 1)))
			if bad && s.oneIn(max(rows/2, 1)) {
				c.labels[i] = []int64{-1, int64(classes), int64(classes) + 1, 256, -129, 1 << 40, math.MinInt64, math.MaxInt64}[s.intn(8)]
			}
		}
	}
	if fn.reg() {
		c.scale = []float64{1, 0.01, 0, 2.5, 1e-3, -1, math.NaN(), math.Inf(1), 1e39, 1e-40, 0.5}[s.intn(11)]
	}

	// Options.
	ls, lsOK := measurableShape(fn, c.pShape, c.axis)
	nMeas, nOK := 0, false
	if lsOK {
		nMeas, nOK = prod(ls)
	}
	addOpt := func(o optSpec) { c.opts = append(c.opts, o) }
	wantOpt := func(k optKind, p int) bool {
		if !info.allow[k] && !s.oneIn(24) {
			return false // a non-applicable option, now and then
		}
		return s.intn(100) < p
	}
	weightsOpt := func() {
		switch w := s.intn(8); {
		case w < 4 && wantOpt(oWeights, 100):
			ws := decodeWeightShape(s, fn, ls, lsOK)
			wn, ok := prod(ws)
			if !ok || wn > 1<<14 {
				wn = s.intn(3)
			}
			if s.oneIn(24) {
				wn = max(0, wn+s.intn(3)-1)
			}
			if s.oneIn(32) {
				addOpt(optSpec{kind: oWeightsOther, shape: ws, other: wn})
				return
			}
			r := lay.place(s, wn)
			fills = append(fills, fill{r, s.vector(wn, roleWeight, s.profile(), f32)})
			addOpt(optSpec{kind: oWeights, shape: ws, data: r})
		case w < 6 && wantOpt(oWeights, 100):
			v := s.value(roleWeight, s.profile(), f32, 1)
			if s.oneIn(8) {
				v = []float64{1e39, 1e-50, -0.0, 1e300}[s.intn(4)]
			}
			addOpt(optSpec{kind: oWeight, f: v})
		}
	}
	dstOpt := func(k optKind, n int) {
		if s.oneIn(24) {
			n = max(0, n+s.intn(3)-1)
		}
		if s.oneIn(32) {
			addOpt(optSpec{kind: k + 1, other: n}) // the other-type variant
			return
		}
		var r region
		if s.oneIn(16) && len(fills) > 0 {
			// Overlap an input (or a destination placed before).
			f := fills[s.intn(len(fills))]
			r = region{f.r.off + s.intn(f.r.n+1) - s.intn(2), n}
			r.off = max(r.off, 0)
			lay.pos = max(lay.pos, r.end())
		} else {
			r = lay.place(s, n)
		}
		fills = append(fills, fill{r, nil})
		addOpt(optSpec{kind: k, data: r})
	}
	weightsOpt()
	if wantOpt(oReduce, 50) {
		red := s.intn(4)
		if s.oneIn(16) {
			red = []int{-1, 4, 100}[s.intn(3)]
		}
		addOpt(optSpec{kind: oReduce, red: red})
	}
	if wantOpt(oEpsilon, 50) {
		e := []float64{1e-7, 0, 1e-3, 0.5, 1e-12, 1e-30}[s.intn(6)]
		if s.oneIn(8) {
			e = []float64{-1e-7, math.NaN(), math.Inf(1), 1e39, math.Copysign(0, -1)}[s.intn(5)]
		}
		addOpt(optSpec{kind: oEpsilon, f: e})
	}
	if wantOpt(oSmoothing, 50) {
		l := []float64{0, 0.1, 0.5, 1, 1e-7, 0.999}[s.intn(6)]
		if s.oneIn(8) {
			l = []float64{-0.1, 1.5, math.NaN(), math.Inf(1)}[s.intn(4)]
		}
		addOpt(optSpec{kind: oSmoothing, f: l})
	}
	if wantOpt(oUnred, 40) {
		n := nMeas
		if !nOK || n > 1<<14 {
			n = s.intn(3)
		}
		dstOpt(oUnred, n)
	}
	if wantOpt(oGrad, 40) {
		dstOpt(oGrad, pn)
	}
	if wantOpt(oInto, 30) {
		if s.oneIn(16) {
			addOpt(optSpec{kind: oIntoNil})
		} else {
			addOpt(optSpec{kind: oInto})
		}
	}
	if wantOpt(oNamed, 20) {
		addOpt(optSpec{kind: oNamed, name: []string{"", "x", "loss/a", "absolute_difference", "ünïcode"}[s.intn(5)]})
	}
	if s.oneIn(16) {
		// A second option of a kind already given, or the zero Option.
		if len(c.opts) > 0 && s.oneIn(2) {
			o := c.opts[s.intn(len(c.opts))]
			if o.kind == oUnred || o.kind == oGrad {
				o.data = lay.place(s, o.data.n)
				fills = append(fills, fill{o.data, nil})
			}
			addOpt(o)
		} else {
			addOpt(optSpec{kind: oZero})
		}
	}
	if len(c.opts) > 1 && s.oneIn(2) {
		// Any order.
		for i := len(c.opts) - 1; i > 0; i-- {
			j := s.intn(i + 1)
			c.opts[i], c.opts[j] = c.opts[j], c.opts[i]
		}
	}

	// New decisions go last, so the corpus keeps decoding as before.
	c.nilEmpty = s.oneIn(4)

	c.arena = make([]T, lay.pos+guardLen)
	nan := guardNaN[T]()
	for i := range c.arena {
		c.arena[i] = nan
	}
	for _, f := range fills {
		if f.vals != nil {
			copy(c.slice(f.r), fromF64[T](f.vals))
		}
	}
	c.pristine = append([]T(nil), c.arena...)
	return c
}

// decodeWeightShape draws a weights shape for measurable shape ls: scalar,
// [B], [B,1], prefixes with broadcast 1s, the full shape (with a trailing 1),
// and now and then one that does not broadcast.
func decodeWeightShape(s *src, fn apiFn, ls []int, ok bool) []int {
	if !ok || len(ls) == 0 {
		return [][]int{{}, {1}, {2}, {1, 1}}[s.intn(4)]
	}
	if fn == fnPairwise {
		switch s.intn(8) {
		case 0:
			return []int{}
		case 1:
			return []int{ls[0], 1}
		case 2:
			return []int{1}
		case 3:
			return []int{ls[0], 2}
		}
		return []int{ls[0]}
	}
	switch s.intn(10) {
	case 0:
		return []int{}
	case 1:
		return []int{ls[0], 1}
	case 2: // does not broadcast
		w := append([]int(nil), ls...)
		i := s.intn(len(w))
		w[i] += 1 + s.intn(2)
		if w[i] == 1 {
			w[i] = 3
		}
		return w
	case 3: // too many dims
		return append(append([]int(nil), ls...), 2)
	case 4, 5: // full, maybe with a trailing 1
		w := append([]int(nil), ls...)
		if s.oneIn(2) {
			w = append(w, 1)
		}
		return w
	}
	// A prefix with some dims broadcast.
	k := 1 + s.intn(len(ls))
	w := append([]int(nil), ls[:k]...)
	for i := range w {
		if s.oneIn(3) {
			w[i] = 1
		}
	}
	return w
}
