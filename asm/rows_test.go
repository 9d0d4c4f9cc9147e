package asm

// The row kernels (softmax and sparse softmax cross-entropy, cosine distance,
// mean pairwise squared error) and WeightStats at every level against generic.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// The arguments of a row kernel, indexing offsets.
const (
	argIn0 = iota // x or p
	argIn1        // z or y
	argLabels
	argRowW
	argUnred
	argGrad
)

// rowCase is one call of a row kernel with its tolerance bounds.
type rowCase[T Float] struct {
	desc     string
	ins      [][]T // float inputs: x, z (or p, y), or x alone
	insNames []string
	labels   []int // sparse CE only
	w        []T   // nil: ω = ws
	nUnred   int
	nGrad    int
	unred    bool // unred requested (else nil)
	grad     bool // grad requested (else nil)
	call     func(k *Rows[T], ins [][]T, labels []int, w, unred, grad []T) float64
	// bound[r]: magnitude of what measurable element r adds up (its
	// cancellation bound); gmag[i]: the same for grad[i].
	bound []float64
	gmag  []float64
}

func (c *rowCase[T]) args() []int {
	a := []int{argIn0}
	if len(c.ins) > 1 {
		a = append(a, argIn1)
	}
	if c.labels != nil {
		a = append(a, argLabels)
	}
	if c.w != nil {
		a = append(a, argRowW)
	}
	if c.unred {
		a = append(a, argUnred)
	}
	if c.grad {
		a = append(a, argGrad)
	}
	return a
}

func (c *rowCase[T]) argNames() []string {
	n := []string{"in0", "in1", "labels", "w", "unred", "grad"}
	copy(n, c.insNames)
	return n
}

type rowArenas[T Float] struct {
	f      [6]placer[T] // by argument; argLabels unused
	labels placer[int]
}

func newRowArenas[T Float](maxLen int) *rowArenas[T] {
	r := &rowArenas[T]{labels: newArena(maxLen, -1)} // a label read out of bounds indexes x[-1]: the guard
	for i := range r.f {
		r.f[i] = newArena(maxLen, guardNaN[T]())
	}
	return r
}

type rowRef[T Float] struct {
	sum         sumRef
	unred, grad outRef[T]
}

func rowReference[T Float](g *Rows[T], c *rowCase[T]) *rowRef[T] {
	unred, grad := make([]T, c.nUnred), make([]T, c.nGrad)
	for i := range unred {
		unred[i] = unwrittenNaN[T]()
	}
	for i := range grad {
		grad[i] = unwrittenNaN[T]()
	}
	ref := &rowRef[T]{}
	ref.sum.want = c.call(g, c.ins, c.labels, c.w, unred, grad)
	for r, u := range unred {
		ref.sum.addTerm(float64(u), c.bound[r])
	}
	ref.unred = newOutRef(unred, c.bound, rowULPs)
	ref.grad = newOutRef(grad, c.gmag, rowULPs)
	return ref
}

// run calls the level's kernel on windows placed at cfg and checks guards and inputs.
func (ra *rowArenas[T]) run(k *Rows[T], c *rowCase[T], cfg offsets) (sum float64, unred, grad []T, err error) {
	ins := make([][]T, len(c.ins))
	for i, v := range c.ins {
		ins[i] = ra.f[argIn0+i].input(v, cfg[argIn0+i])
	}
	var w []T
	var lab []int
	if c.labels != nil {
		lab = ra.labels.input(c.labels, cfg[argLabels])
	}
	if c.w != nil {
		w = ra.f[argRowW].input(c.w, cfg[argRowW])
	}
	if c.unred {
		unred = ra.f[argUnred].output(c.nUnred, cfg[argUnred], unwrittenNaN[T]())
	}
	if c.grad {
		grad = ra.f[argGrad].output(c.nGrad, cfg[argGrad], unwrittenNaN[T]())
	}
	if err := protect(func() { sum = c.call(k, ins, lab, w, unred, grad) }); err != nil {
		return 0, nil, nil, err
	}
	names := c.argNames()
	for i := range ins {
		if err := ra.f[argIn0+i].checkGuards(len(ins[i]), cfg[argIn0+i]); err != nil {
			return sum, unred, grad, fmt.Errorf("%s: %v", names[argIn0+i], err)
		}
		if err := checkInput(names[argIn0+i], ins[i], c.ins[i]); err != nil {
			return sum, unred, grad, err
		}
	}
	if lab != nil {
		if err := ra.labels.checkGuards(len(lab), cfg[argLabels]); err != nil {
			return sum, unred, grad, fmt.Errorf("labels: %v", err)
		}
		if err := checkInput("labels", lab, c.labels); err != nil {
			return sum, unred, grad, err
		}
	}
	if w != nil {
		if err := ra.f[argRowW].checkGuards(len(w), cfg[argRowW]); err != nil {
			return sum, unred, grad, fmt.Errorf("w: %v", err)
		}
		if err := checkInput("w", w, c.w); err != nil {
			return sum, unred, grad, err
		}
	}
	if unred != nil {
		if err := ra.f[argUnred].checkGuards(len(unred), cfg[argUnred]); err != nil {
			return sum, unred, grad, fmt.Errorf("unred: %v", err)
		}
	}
	if grad != nil {
		if err := ra.f[argGrad].checkGuards(len(grad), cfg[argGrad]); err != nil {
			return sum, unred, grad, fmt.Errorf("grad: %v", err)
		}
	}
	return sum, unred, grad, nil
}

// rowSweep runs the cases mk builds at each length of plan (two per length:
// both outputs, and a rotating choice of none, unred only or grad only)
// against generic.
func rowSweep[T Float](lk, gk *Rows[T], mk func(L, variant int) *rowCase[T], plan *sweepPlan, ra *rowArenas[T]) error {
	var baseUnred, baseGrad []T
	for _, L := range plan.lengths {
		for v := 0; v < 2; v++ {
			c := mk(L, v)
			ref := rowReference(gk, c)
			args := c.args()
			var base float64
			for ci, cfg := range plan.configs(L, args) {
				where := func(format string, a ...any) error {
					return fmt.Errorf("%s %s: %s", c.desc, cfg.describe(args, c.argNames()), fmt.Sprintf(format, a...))
				}
				sum, unred, grad, err := ra.run(lk, c, cfg)
				if err != nil {
					return where("%v", err)
				}
				if ci > 0 { // SPEC.md section 6: bitwise the same whatever the alignment
					if !sameFloat64(sum, base) {
						return where("result depends on alignment: %v at offset 0, %v here", base, sum)
					}
					if i := firstDifference(unred, baseUnred); unred != nil && i >= 0 {
						return where("unred depends on alignment: element %d is %v at offset 0, %v here", i, baseUnred[i], unred[i])
					}
					if i := firstDifference(grad, baseGrad); grad != nil && i >= 0 {
						return where("grad depends on alignment: element %d is %v at offset 0, %v here", i, baseGrad[i], grad[i])
					}
					continue
				}
				base = sum
				baseUnred = append(baseUnred[:0], unred...)
				baseGrad = append(baseGrad[:0], grad...)
				if msg := checkSum[T](sum, &ref.sum); msg != "" {
					return where("returned sum: %s", msg)
				}
				if unred != nil {
					if i, msg := checkOutputs(unred, &ref.unred); i >= 0 {
						return where("unred[%d]: %s", i, msg)
					}
				}
				if grad != nil {
					if i, msg := checkOutputs(grad, &ref.grad); i >= 0 {
						return where("grad[%d]: %s", i, msg)
					}
				}
			}
		}
	}
	return nil
}

// outputsFor: variant 0 requests both outputs; variant 1 none, unred or grad in turn.
func outputsFor(L, variant int) (unred, grad bool) {
	if variant == 0 {
		return true, true
	}
	switch L % 3 {
	case 0:
		return false, false
	case 1:
		return true, false
	}
	return false, true
}

// rowWeights returns the weight form for length L: ω = ws (w nil), one weight
// per row, or one per two rows (wrep 2).
func rowWeights[T Float](r *rand.Rand, L, rows int) (w []T, wrep int, ws T) {
	switch L % 3 {
	case 0:
		return nil, 1, T([]float64{0.8, -0.5, 1, 0}[(L/3)%4])
	case 1:
		w = make([]T, rows)
		wrep, ws = 1, 1
	default:
		w = make([]T, (rows+1)/2)
		wrep, ws = 2, 0.5
	}
	for i := range w {
		w[i] = T(realisticWeight(r))
	}
	return w, wrep, ws
}

func omega[T Float](w []T, wrep, r int, ws T) float64 {
	if w == nil {
		return float64(ws)
	}
	return float64(ws * w[r/wrep])
}

func rowsFor(L int) int {
	rows := 1 + L%3
	if L < 16 {
		rows += 17 // many short rows
	}
	return rows
}

func rowRand(kernel, L, variant int, special bool) *rand.Rand {
	s := uint64(kernel)<<8 | uint64(variant)
	if special {
		s |= 1 << 40
	}
	return rand.New(rand.NewPCG(s, uint64(L)))
}

// softmaxMags fills the bounds of one softmax row: zs are the smoothed labels.
func softmaxMags[T Float](xr []T, zs []float64, om, gs float64, gmag []float64) float64 {
	m := math.Inf(-1)
	for _, v := range xr {
		if f := float64(v); f > m || f != f {
			m = f
		}
	}
	var s, sz float64
	for _, v := range xr {
		s += math.Exp(float64(v) - m)
	}
	ls := math.Log(s)
	var b float64
	for k, v := range xr {
		// ln s is only as accurate as s is relatively: 1 per unit of z' absolutely.
		b += math.Abs(zs[k]) * (math.Abs(m-float64(v)) + math.Abs(ls) + 1)
		sz += math.Abs(zs[k])
	}
	for k, v := range xr {
		sm := math.Exp(float64(v)-m) / s
		gmag[k] = math.Abs(gs*om) * (sm*sz + math.Abs(zs[k]))
	}
	return math.Abs(om) * b
}

func makeSoftmaxCase[T Float](L, variant int, special bool) *rowCase[T] {
	r := rowRand(1, L, variant, special)
	c, rows := L, rowsFor(L)
	w, wrep, ws := rowWeights[T](r, L, rows)
	gs, smooth := T(0.25), T([]float64{0, 0.1}[(L/2)%2])
	x, z := make([]T, rows*c), make([]T, rows*c)
	for i := range x {
		x[i] = T(logit(r))
	}
	for row := 0; row < rows; row++ {
		zr := z[row*c : (row+1)*c]
		if c == 0 {
			break
		}
		if (L+row)%2 == 0 {
			zr[r.IntN(c)] = 1 // one-hot
			continue
		}
		var t float64
		for k := range zr {
			v := r.Float64()
			zr[k], t = T(v), t+v
		}
		for k := range zr {
			zr[k] /= T(t)
		}
	}
	if special {
		inject(r, x, 40)
		inject(r, z, 60)
		if w != nil {
			inject(r, w, 6)
		}
	}
	cs := &rowCase[T]{
		desc: fmt.Sprintf("%d rows of %d classes, smoothing %v, wrep %d ws %v w %v", rows, c, smooth, wrep, ws, w != nil),
		ins:  [][]T{x, z}, insNames: []string{"x", "z"}, w: w,
		nUnred: rows, nGrad: rows * c,
		bound: make([]float64, rows), gmag: make([]float64, rows*c),
	}
	cs.unred, cs.grad = outputsFor(L, variant)
	cs.call = func(k *Rows[T], ins [][]T, _ []int, w, unred, grad []T) float64 {
		return k.SoftmaxCE(ins[0], ins[1], rows, c, w, wrep, ws, float64(gs), smooth, unred, grad)
	}
	pos, neg := 1-smooth, smooth/T(max(c, 1))
	zs := make([]float64, c)
	for row := 0; row < rows; row++ {
		for k := range zs {
			zs[k] = float64(z[row*c+k]*pos + neg)
		}
		cs.bound[row] = softmaxMags(x[row*c:(row+1)*c], zs, omega(w, wrep, row, ws), float64(gs), cs.gmag[row*c:(row+1)*c])
	}
	return cs
}

func makeSparseCase[T Float](L, variant int, special bool) *rowCase[T] {
	r := rowRand(2, L, variant, special)
	c, rows := L, rowsFor(L)
	if c == 0 {
		rows = 0 // labels must be in [0, c)
	}
	w, wrep, ws := rowWeights[T](r, L, rows)
	gs, smooth := T(0.5), T([]float64{0, 0.1}[(L/2)%2])
	x, labels := make([]T, rows*c), make([]int, rows)
	for i := range x {
		x[i] = T(logit(r))
	}
	for i := range labels {
		labels[i] = r.IntN(c)
	}
	if special {
		inject(r, x, 40)
		if w != nil {
			inject(r, w, 6)
		}
	}
	cs := &rowCase[T]{
		desc: fmt.Sprintf("%d rows of %d classes, smoothing %v, wrep %d ws %v w %v", rows, c, smooth, wrep, ws, w != nil),
		ins:  [][]T{x}, insNames: []string{"x"}, labels: labels, w: w,
		nUnred: rows, nGrad: rows * c,
		bound: make([]float64, rows), gmag: make([]float64, rows*c),
	}
	cs.unred, cs.grad = outputsFor(L, variant)
	cs.call = func(k *Rows[T], ins [][]T, labels []int, w, unred, grad []T) float64 {
		return k.SparseCE(ins[0], c, labels, w, wrep, ws, float64(gs), smooth, unred, grad)
	}
	pos, neg := 1-smooth, smooth/T(max(c, 1))
	zs := make([]float64, c)
	for row := 0; row < rows; row++ {
		for k := range zs {
			zs[k] = float64(neg)
			if k == labels[row] {
				zs[k] = float64(neg + pos)
			}
		}
		cs.bound[row] = softmaxMags(x[row*c:(row+1)*c], zs, omega(w, wrep, row, ws), float64(gs), cs.gmag[row*c:(row+1)*c])
	}
	return cs
}

// makeCosineCase: a tensor [outer, axisLen, stride]; at even L the axis is
// long (L) with small strides, at odd L it is short with stride L, except
// that L%8 == 7 (below 300) takes many short contiguous slices. A call
// covers measurable elements m0..m0+n of it; grad positions outside those
// slices must stay untouched.
func makeCosineCase[T Float](L, variant int, special bool) *rowCase[T] {
	r := rowRand(3, L, variant, special)
	var axisLen, stride, outer int
	switch {
	case L%8 == 7 && L < 300:
		// Many short contiguous slices: calls of several chunks of rows.
		axisLen, stride, outer = 1+(L/8)%17, 1, 130+L%50
	case L%2 == 0:
		axisLen, stride, outer = L, 1+(L/2)%3, 1+L%3
	default:
		axisLen, stride, outer = 1+L%4, L, 1+(L/2)%2
	}
	total := outer * stride
	m0 := 0
	if L%3 != 0 {
		m0 = total / 4
	}
	n := total - m0
	if L%5 == 0 && n > 0 {
		n--
	}
	w, wrep, ws := rowWeights[T](r, L, n)
	gs := T(0.75)
	p, y := make([]T, outer*axisLen*stride), make([]T, outer*axisLen*stride)
	sc := 1 / math.Sqrt(float64(max(axisLen, 1)))
	for i := range p {
		p[i], y[i] = T(sc*(2*r.Float64()-1)), T(sc*(2*r.Float64()-1))
	}
	if special {
		inject(r, p, 40)
		inject(r, y, 40)
		if w != nil {
			inject(r, w, 6)
		}
	}
	cs := &rowCase[T]{
		desc: fmt.Sprintf("[%d,%d,%d] elements %d..%d, wrep %d ws %v w %v", outer, axisLen, stride, m0, m0+n, wrep, ws, w != nil),
		ins:  [][]T{p, y}, insNames: []string{"p", "y"}, w: w,
		nUnred: n, nGrad: len(p),
		bound: make([]float64, n), gmag: make([]float64, len(p)),
	}
	cs.unred, cs.grad = outputsFor(L, variant)
	cs.call = func(k *Rows[T], ins [][]T, _ []int, w, unred, grad []T) float64 {
		return k.Cosine(ins[0], ins[1], axisLen, stride, m0, n, w, wrep, ws, float64(gs), unred, grad)
	}
	for j := 0; j < n; j++ {
		m := m0 + j
		base := (m/stride)*axisLen*stride + m%stride
		om := omega(w, wrep, j, ws)
		b := 1.0
		for a, o := 0, base; a < axisLen; a, o = a+1, o+stride {
			b += math.Abs(float64(p[o]) * float64(y[o]))
			cs.gmag[o] = math.Abs(float64(gs)*om) * math.Abs(float64(y[o]))
		}
		cs.bound[j] = math.Abs(om) * b
	}
	return cs
}

// makePairwiseCase: rows of L elements (150 of them at L = 7 and 15); a
// third of the rows have d = p − y offset by 1000 (SPEC.md section 5: no
// loss of accuracy there).
func makePairwiseCase[T Float](L, variant int, special bool) *rowCase[T] {
	r := rowRand(4, L, variant, special)
	n, rows := L, rowsFor(L)
	if L%8 == 7 && L < 16 {
		rows = 150 // calls of several chunks of rows
	}
	var w []T
	var ws T = 1
	if L%2 == 0 {
		ws = T([]float64{1, 0.5, 0, -2}[(L/2)%4])
	} else {
		w = make([]T, rows)
		for i := range w {
			w[i] = T(realisticWeight(r))
		}
	}
	p, y := make([]T, rows*n), make([]T, rows*n)
	for row := 0; row < rows; row++ {
		off := 0.0
		if row%3 == 2 {
			off = 1000
		}
		for k := row * n; k < (row+1)*n; k++ {
			p[k] = T(2*r.Float64() - 1)
			y[k] = T(float64(p[k]) - off - (2*r.Float64() - 1))
		}
	}
	if special {
		inject(r, p, 40)
		inject(r, y, 40)
		if w != nil {
			inject(r, w, 4)
		}
	}
	cs := &rowCase[T]{
		desc: fmt.Sprintf("%d rows of %d, ws %v w %v", rows, n, ws, w != nil),
		ins:  [][]T{p, y}, insNames: []string{"p", "y"}, w: w,
		nUnred: rows, nGrad: rows * n,
		bound: make([]float64, rows), gmag: make([]float64, rows*n),
	}
	cs.unred, cs.grad = outputsFor(L, variant)
	cs.call = func(k *Rows[T], ins [][]T, _ []int, w, unred, grad []T) float64 {
		return k.Pairwise(ins[0], ins[1], rows, n, w, ws, unred, grad)
	}
	for row := 0; row < rows; row++ {
		om := omega(w, 1, row, ws)
		if om == 0 || n == 0 {
			continue
		}
		var sd float64
		for k := row * n; k < (row+1)*n; k++ {
			sd += float64(p[k] - y[k])
		}
		mean := sd / float64(n)
		var ss float64
		f := math.Abs(om) * 4 / float64(n)
		for k := row * n; k < (row+1)*n; k++ {
			e := float64(p[k]-y[k]) - mean
			ss += e * e
			cs.gmag[k] = f * math.Abs(e)
		}
		cs.bound[row] = math.Abs(om) * 2 * ss / float64(n)
	}
	return cs
}

type rowKernel struct {
	name string
	mk32 func(L, variant int, special bool) *rowCase[float32]
	mk64 func(L, variant int, special bool) *rowCase[float64]
}

var rowKernels = []rowKernel{
	{"SoftmaxCE", makeSoftmaxCase[float32], makeSoftmaxCase[float64]},
	{"SparseCE", makeSparseCase[float32], makeSparseCase[float64]},
	{"Cosine", makeCosineCase[float32], makeCosineCase[float64]},
	{"Pairwise", makePairwiseCase[float32], makePairwiseCase[float64]},
}

// rowPlan: the length L is the row length (classes, axis or stride, row size).
func rowPlan(special bool) *sweepPlan {
	switch {
	case testing.Short():
		return &sweepPlan{lengths: concat(lengthRange(0, 40, 1), lengthRange(53, 300, 31), []int{513, 4096})}
	case special:
		return &sweepPlan{lengths: concat(lengthRange(0, 300, 1), pow2Lengths), fullUpTo: 4}
	}
	return &sweepPlan{
		lengths:  concat(lengthRange(0, 300, 1), pow2Lengths, largeLengths),
		fullUpTo: 24,
		perArg: func(n int) int {
			if n <= 300 {
				return 1
			}
			return 0
		},
	}
}

// maxRowLen bounds the longest input any row case of the plan builds (cosine's
// [3, L, 3] tensors, 20 short rows).
func maxRowLen(plan *sweepPlan) int { return 9*plan.maxLength() + 400 }

func runRowSweeps[T Float](t *testing.T, lk, gk *Kernels[T], special bool) {
	plan := rowPlan(special)
	for _, rk := range rowKernels {
		t.Run(rk.name, func(t *testing.T) {
			t.Parallel()
			ra := newRowArenas[T](maxRowLen(plan))
			mk := func(L, v int) *rowCase[T] {
				if isF32[T]() {
					return any(rk.mk32(L, v, special)).(*rowCase[T])
				}
				return any(rk.mk64(L, v, special)).(*rowCase[T])
			}
			require.NoError(t, rowSweep(&lk.Rows, &gk.Rows, mk, plan, ra))
		})
	}
}

func TestRowKernelsMatchGenericAtEveryLengthAndAlignment(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l *Level) {
		forEachType(t, l,
			func(t *testing.T, k, g *Kernels[float32]) { runRowSweeps(t, k, g, false) },
			func(t *testing.T, k, g *Kernels[float64]) { runRowSweeps(t, k, g, false) })
	})
}

func TestRowKernelsGiveGenericClassOfResultOnSpecialValues(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l *Level) {
		forEachType(t, l,
			func(t *testing.T, k, g *Kernels[float32]) { runRowSweeps(t, k, g, true) },
			func(t *testing.T, k, g *Kernels[float64]) { runRowSweeps(t, k, g, true) })
	})
}

// weightStatsSweep: the nonzero count is exact (NaN counts, -0 does not), the
// sum within the sum tolerance; every offset of w up to 64 elements.
func weightStatsSweep[T Float](lk, gk *Kernels[T], special bool, plan *sweepPlan, ar placer[T]) error {
	args := []int{0}
	names := []string{"w"}
	for _, n := range plan.lengths {
		r := rand.New(rand.NewPCG(7, uint64(n)))
		w := make([]T, n)
		for i := range w {
			w[i] = T(realisticWeight(r))
		}
		if special {
			inject(r, w, 8)
		}
		wantNZ, wantSum := gk.WeightStats(w)
		ref := sumRef{want: wantSum}
		for _, v := range w {
			ref.addTerm(float64(v), math.Abs(float64(v)))
		}
		var baseNZ int
		var baseSum float64
		for ci, cfg := range plan.configs(n, args) {
			win := ar.input(w, cfg[0])
			var nz int
			var sum float64
			where := func(format string, a ...any) error {
				return fmt.Errorf("n=%d %s: %s", n, cfg.describe(args, names), fmt.Sprintf(format, a...))
			}
			if err := protect(func() { nz, sum = lk.WeightStats(win) }); err != nil {
				return where("%v", err)
			}
			if err := ar.checkGuards(n, cfg[0]); err != nil {
				return where("%v", err)
			}
			if err := checkInput("w", win, w); err != nil {
				return where("%v", err)
			}
			if ci > 0 {
				if nz != baseNZ || !sameFloat64(sum, baseSum) {
					return where("result depends on alignment: (%d, %v) at offset 0, (%d, %v) here", baseNZ, baseSum, nz, sum)
				}
				continue
			}
			baseNZ, baseSum = nz, sum
			if nz != wantNZ {
				return where("nonzero count %d, generic %d", nz, wantNZ)
			}
			if msg := checkSum[T](sum, &ref); msg != "" {
				return where("sum: %s", msg)
			}
		}
	}
	return nil
}

func TestWeightStatsMatchesGenericAtEveryLengthAndAlignment(t *testing.T) {
	plan := &sweepPlan{lengths: concat(lengthRange(0, 300, 1), pow2Lengths, largeLengths), fullUpTo: 64, perArg: func(int) int { return 2 }}
	if testing.Short() {
		plan = &sweepPlan{lengths: concat(lengthRange(0, 70, 1), []int{300, 1025, 4096}), fullUpTo: 20}
	}
	forEachLevel(t, func(t *testing.T, l *Level) {
		for _, special := range []bool{false, true} {
			name := "realistic"
			if special {
				name = "specials"
			}
			t.Run(name, func(t *testing.T) {
				forEachType(t, l,
					func(t *testing.T, k, g *Kernels[float32]) {
						require.NoError(t, weightStatsSweep(k, g, special, plan, guarded[float32](plan.maxLength())))
					},
					func(t *testing.T, k, g *Kernels[float64]) {
						require.NoError(t, weightStatsSweep(k, g, special, plan, guarded[float64](plan.maxLength())))
					})
			})
		}
	})
}
