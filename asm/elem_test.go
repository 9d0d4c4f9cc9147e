package asm

// Every elementwise kernel at every level against generic (issue #3).

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// driver names one of the nine kernels of an Elem.
type driver int

const (
	dSum driver = iota
	dWSum
	dRowSum
	dUnred
	dWUnred
	dRowUnred
	dGrad
	dWGrad
	dRowGrad
	numDrivers
)

var driverNames = [numDrivers]string{"Sum", "WSum", "RowSum", "Unred", "WUnred", "RowUnred", "Grad", "WGrad", "RowGrad"}

func (d driver) String() string { return driverNames[d] }

// weight forms: none (uniform), one per element, one per row.
type wForm int

const (
	wNone wForm = iota
	wElem
	wRow
)

func (d driver) form() wForm  { return wForm(d % 3) }
func (d driver) writes() bool { return d >= dUnred }
func (d driver) grad() bool   { return d >= dGrad }

// The arguments of an elementwise kernel, indexing offsets.
const (
	argDst = iota
	argP
	argY
	argW
)

var elemArgNames = []string{"dst", "p", "y", "w"}

// args lists the arguments of d; losses of one argument get y == p.
func (d driver) args(oneArg bool) []int {
	var a []int
	if d.writes() {
		a = append(a, argDst)
	}
	a = append(a, argP)
	if !oneArg {
		a = append(a, argY)
	}
	if d.form() != wNone {
		a = append(a, argW)
	}
	return a
}

// elemSpec describes one loss: its realistic inputs and the magnitudes its
// loss and gradient formulas add up (in float64, from the kernel's inputs),
// the per-element cancellation bounds.
type elemSpec struct {
	loss   ElemLoss
	oneArg bool
	params []float64 // values of the kernel parameter a
	gen    func(r *rand.Rand) (p, y float64)
	lMag   func(p, y, a float64) float64
	gMag   func(p, y, a float64) float64
}

func logit(r *rand.Rand) float64 {
	if r.IntN(16) == 0 { // |x| > 88: exp overflows in float32
		return (1 - 2*float64(r.IntN(2))) * (88.5 + 200*r.Float64())
	}
	return 20*r.Float64() - 10
}

func label01(r *rand.Rand) float64 {
	if r.IntN(2) == 0 {
		return float64(r.IntN(2))
	}
	return r.Float64()
}

var elemSpecs = []elemSpec{
	{
		loss: AbsDiff, params: []float64{0},
		gen: func(r *rand.Rand) (float64, float64) {
			p := 6*r.Float64() - 3
			if r.IntN(8) == 0 {
				return p, p // equality: gradient 0
			}
			return p, 6*r.Float64() - 3
		},
		lMag: func(p, y, _ float64) float64 { return math.Abs(p - y) },
		gMag: func(_, _, _ float64) float64 { return 1 },
	},
	{
		loss: SqDiff, params: []float64{0},
		gen:  func(r *rand.Rand) (float64, float64) { return 6*r.Float64() - 3, 6*r.Float64() - 3 },
		lMag: func(p, y, _ float64) float64 { return (p - y) * (p - y) },
		gMag: func(p, y, _ float64) float64 { return 2 * math.Abs(p-y) },
	},
	{
		loss: LogLoss, params: []float64{1e-7, 0},
		gen: func(r *rand.Rand) (float64, float64) {
			// p in (0, 1) also after rounding to float32 (p = 1 with ε = 0
			// is -Inf or NaN: that belongs to the specials test).
			p := math.Min(math.Max(r.Float64(), 1e-30), 1-1e-7)
			switch r.IntN(16) {
			case 0:
				p = 1e-9 * (1 + r.Float64())
			case 1:
				p = 1 - 1e-7*(1+r.Float64())
			}
			return p, label01(r)
		},
		lMag: func(p, y, e float64) float64 {
			return math.Abs(y*math.Log(p+e)) + math.Abs((1-y)*math.Log(1-p+e))
		},
		gMag: func(p, y, e float64) float64 { return math.Abs(y/(p+e)) + math.Abs((1-y)/(1-p+e)) },
	},
	{
		loss: Hinge, params: []float64{0},
		gen: func(r *rand.Rand) (float64, float64) {
			x := logit(r)
			if r.IntN(8) == 0 {
				x = float64(1 - 2*r.IntN(2)) // on the margin
			}
			return x, float64(r.IntN(2))
		},
		lMag: func(x, y, _ float64) float64 { return 1 + math.Abs((2*y-1)*x) },
		gMag: func(_, y, _ float64) float64 { return math.Abs(2*y - 1) },
	},
	{
		loss: SigmoidCE, params: []float64{0, 0.1},
		gen: func(r *rand.Rand) (float64, float64) { return logit(r), label01(r) },
		lMag: func(x, z, s float64) float64 {
			zs := z*(1-s) + 0.5*s
			return math.Max(x, 0) + math.Abs(x*zs) + math.Log1p(math.Exp(-math.Abs(x)))
		},
		gMag: func(_, z, s float64) float64 { return 1 + math.Abs(z*(1-s)+0.5*s) },
	},
	{
		loss: Identity, oneArg: true, params: []float64{0},
		gen:  func(r *rand.Rand) (float64, float64) { return 20*r.Float64() - 10, 0 },
		lMag: func(p, _, _ float64) float64 { return math.Abs(p) },
		gMag: func(_, _, _ float64) float64 { return 1 },
	},
	{
		loss: L1, oneArg: true, params: []float64{0},
		gen: func(r *rand.Rand) (float64, float64) {
			if r.IntN(8) == 0 {
				return 0, 0
			}
			return 20*r.Float64() - 10, 0
		},
		lMag: func(p, _, _ float64) float64 { return math.Abs(p) },
		gMag: func(_, _, _ float64) float64 { return 1 },
	},
	{
		loss: L2, oneArg: true, params: []float64{0},
		gen:  func(r *rand.Rand) (float64, float64) { return 20*r.Float64() - 10, 0 },
		lMag: func(p, _, _ float64) float64 { return p * p / 2 },
		gMag: func(p, _, _ float64) float64 { return math.Abs(p) },
	},
}

func TestElemSpecsCoverEveryLoss(t *testing.T) {
	require.Len(t, elemSpecs, int(NumElemLoss))
	for i, s := range elemSpecs {
		require.Equal(t, ElemLoss(i), s.loss, "elemSpecs is indexed by ElemLoss")
		require.Equal(t, s.loss == Identity || s.loss == L1 || s.loss == L2, s.oneArg, "%v", s.loss)
	}
}

func realisticWeight(r *rand.Rand) float64 {
	switch r.IntN(16) {
	case 0, 1:
		return 0
	case 2:
		return -r.Float64()
	}
	return 2 * r.Float64()
}

// specialValues are injected at random positions by the specials tests.
func specialValues[T Float]() []T {
	nan, inf := math.NaN(), math.Inf(1)
	var sub, midSub, minNorm, huge float64
	if isF32[T]() {
		sub, midSub, minNorm, huge = math.SmallestNonzeroFloat32, float64(math.Float32frombits(0x00123456)), 0x1p-126, 1e30
	} else {
		sub, midSub, minNorm, huge = math.SmallestNonzeroFloat64, math.Float64frombits(0x000123456789abcd), 0x1p-1022, 1e300
	}
	mx := maxFinite[T]()
	vals := []float64{nan, inf, -inf, 0, math.Copysign(0, -1), sub, -sub, midSub, -midSub, minNorm, -minNorm, mx, -mx, huge, -huge, 1, -1, 0.5}
	out := make([]T, len(vals))
	for i, v := range vals {
		out[i] = T(v)
	}
	return out
}

// inject replaces about one element in every.. of v with special values.
func inject[T Float](r *rand.Rand, v []T, every int) {
	sp := specialValues[T]()
	for i := range v {
		if r.IntN(every) == 0 {
			v[i] = sp[r.IntN(len(sp))]
		}
	}
}

// scaleValues are the s of Unred/Grad calls, one per length in turn. |s| <= 1
// so that s·w cannot overflow where w·g would not (the association of s·w·g
// is the level's choice).
var scaleValues = []float64{1, 0.375, -0.5, 1, 0.8125, -1, 0.25, 0}

// elemCase is the input of one length: p and y long enough for the row form.
type elemCase[T Float] struct {
	n           int
	p, y        []T
	w           []T // len n
	rw          []T // len rows
	rows, inner int
	s           T
}

// rowShape is the row form used at length n: short rows of one element at
// some lengths (w as long as p), otherwise 1..3 rows of n (inner == 0 at n == 0).
func rowShape(n int) (rows, inner int) {
	if n%5 == 4 {
		return n, 1
	}
	return 1 + n%3, n
}

func makeElemCase[T Float](spec *elemSpec, n int, special bool) *elemCase[T] {
	seed := uint64(spec.loss)<<1 | 1
	if special {
		seed |= 1 << 40
	}
	r := rand.New(rand.NewPCG(seed, uint64(n)))
	rows, inner := rowShape(n)
	m := max(n, rows*inner)
	c := &elemCase[T]{n: n, p: make([]T, m), y: make([]T, m), w: make([]T, n), rw: make([]T, rows), rows: rows, inner: inner}
	for i := range c.p {
		p, y := spec.gen(r)
		c.p[i], c.y[i] = T(p), T(y)
	}
	for i := range c.w {
		c.w[i] = T(realisticWeight(r))
	}
	for i := range c.rw {
		c.rw[i] = T(realisticWeight(r))
	}
	if special {
		// Dense in short slices, a handful in long ones: enough that many
		// sums stay finite (with infinities, subnormals and huge terms).
		every := max(10, n/4)
		inject(r, c.p, every)
		inject(r, c.y, every)
		inject(r, c.w, every)
		inject(r, c.rw, max(6, rows/4))
	}
	if spec.oneArg {
		c.y = c.p
	}
	c.s = T(scaleValues[n%len(scaleValues)])
	return c
}

// elemInput is what one driver is called with.
type elemInput[T Float] struct {
	p, y, w []T
	inner   int
	s       T
}

func (c *elemCase[T]) input(f wForm) elemInput[T] {
	switch f {
	case wElem:
		return elemInput[T]{p: c.p[:c.n], y: c.y[:c.n], w: c.w, s: c.s}
	case wRow:
		m := c.rows * c.inner
		return elemInput[T]{p: c.p[:m], y: c.y[:m], w: c.rw, inner: c.inner, s: c.s}
	}
	return elemInput[T]{p: c.p[:c.n], y: c.y[:c.n], s: c.s}
}

// weightAt is the weight of element i (1 without weights).
func (in *elemInput[T]) weightAt(f wForm, i int) float64 {
	switch f {
	case wElem:
		return float64(in.w[i])
	case wRow:
		return float64(in.w[i/in.inner])
	}
	return 1
}

type elemResult struct {
	sum, wsum float64
	nz        int
}

func callElem[T Float](k *Elem[T], d driver, dst []T, in *elemInput[T], p, y, w []T, a T) (r elemResult) {
	switch d {
	case dSum:
		r.sum = k.Sum(p, y, a)
	case dWSum:
		r.sum, r.nz, r.wsum = k.WSum(p, y, w, a)
	case dRowSum:
		r.sum, r.nz, r.wsum = k.RowSum(p, y, w, in.inner, a)
	case dUnred:
		r.sum = k.Unred(dst, p, y, in.s, a)
	case dWUnred:
		r.sum = k.WUnred(dst, p, y, w, a)
	case dRowUnred:
		r.sum = k.RowUnred(dst, p, y, w, in.inner, a)
	case dGrad:
		r.sum = k.Grad(dst, p, y, in.s, a)
	case dWGrad:
		r.sum = k.WGrad(dst, p, y, w, in.s, a)
	case dRowGrad:
		r.sum = k.RowGrad(dst, p, y, w, in.inner, in.s, a)
	}
	return r
}

// elemRef is generic's result of one call with its tolerance bounds.
type elemRef[T Float] struct {
	sum, wsum sumRef
	nz        int
	out       outRef[T]
}

func elemReference[T Float](g *Kernels[T], spec *elemSpec, d driver, in *elemInput[T], a T) *elemRef[T] {
	k := &g.Elem[spec.loss]
	f := d.form()
	var dst []T
	if d.writes() {
		dst = make([]T, len(in.p))
		for i := range dst {
			dst[i] = unwrittenNaN[T]()
		}
	}
	res := callElem(k, d, dst, in, in.p, in.y, in.w, a)
	ref := &elemRef[T]{nz: res.nz}
	ref.sum.want, ref.wsum.want = res.sum, res.wsum

	// The terms of the returned sum: l, w·l or w(r)·l, as generic writes them.
	terms := make([]T, len(in.p))
	switch f {
	case wNone:
		k.Unred(terms, in.p, in.y, 1, a)
	case wElem:
		k.WUnred(terms, in.p, in.y, in.w, a)
	case wRow:
		k.RowUnred(terms, in.p, in.y, in.w, in.inner, a)
	}
	var mag []float64
	if d.writes() {
		mag = make([]float64, len(in.p))
	}
	af := float64(a)
	for i := range in.p {
		p, y, w := float64(in.p[i]), float64(in.y[i]), in.weightAt(f, i)
		lm := spec.lMag(p, y, af)
		ref.sum.addTerm(float64(terms[i]), math.Abs(w)*lm)
		switch {
		case !d.writes():
		case d.grad() && f == wNone:
			mag[i] = math.Abs(float64(in.s)) * spec.gMag(p, y, af)
		case d.grad():
			mag[i] = math.Abs(float64(in.s)*w) * spec.gMag(p, y, af)
		case f == wNone:
			mag[i] = math.Abs(float64(in.s)) * lm
		default:
			mag[i] = math.Abs(w) * lm
		}
	}
	if f != wNone {
		for _, w := range in.w {
			ref.wsum.addTerm(float64(w), math.Abs(float64(w)))
		}
	}
	if d.writes() {
		ref.out = newOutRef(dst, mag, elemULPs)
	}
	return ref
}

// elemArenas holds the guarded windows of the four arguments.
type elemArenas[T Float] struct{ a [4]placer[T] }

func newElemArenas[T Float](maxLen int) *elemArenas[T] {
	e := &elemArenas[T]{}
	for i := range e.a {
		e.a[i] = newArena(maxLen, guardNaN[T]())
	}
	return e
}

// run calls the level's kernel on windows placed at cfg and checks guards and
// inputs; it returns the result and the dst window.
func (e *elemArenas[T]) run(k *Elem[T], d driver, oneArg bool, in *elemInput[T], a T, cfg offsets) (res elemResult, dst []T, err error) {
	n := len(in.p)
	p := e.a[argP].input(in.p, cfg[argP])
	y := p
	if !oneArg {
		y = e.a[argY].input(in.y, cfg[argY])
	}
	var w []T
	if d.form() != wNone {
		w = e.a[argW].input(in.w, cfg[argW])
	}
	if d.writes() {
		dst = e.a[argDst].output(n, cfg[argDst], unwrittenNaN[T]())
	}
	if err := protect(func() { res = callElem(k, d, dst, in, p, y, w, a) }); err != nil {
		return res, nil, err
	}
	check := func(arg, n int) error {
		if err := e.a[arg].checkGuards(n, cfg[arg]); err != nil {
			return fmt.Errorf("%s: %v", elemArgNames[arg], err)
		}
		return nil
	}
	if err := check(argP, n); err != nil {
		return res, dst, err
	}
	if err := checkInput("p", p, in.p); err != nil {
		return res, dst, err
	}
	if !oneArg {
		if err := check(argY, n); err != nil {
			return res, dst, err
		}
		if err := checkInput("y", y, in.y); err != nil {
			return res, dst, err
		}
	}
	if w != nil {
		if err := check(argW, len(w)); err != nil {
			return res, dst, err
		}
		if err := checkInput("w", w, in.w); err != nil {
			return res, dst, err
		}
	}
	if dst != nil {
		if err := check(argDst, n); err != nil {
			return res, dst, err
		}
	}
	return res, dst, nil
}

// elemSweep runs driver d of one loss at one level over a plan's lengths and
// offsets, against generic; it returns the first failure.
func elemSweep[T Float](lk, gk *Kernels[T], spec *elemSpec, d driver, aRef, aLevel T, special bool, plan *sweepPlan, ar *elemArenas[T]) error {
	k := &lk.Elem[spec.loss]
	args := d.args(spec.oneArg)
	var baseOut []T
	for _, n := range plan.lengths {
		c := makeElemCase[T](spec, n, special)
		in := c.input(d.form())
		ref := elemReference(gk, spec, d, &in, aRef)
		var base elemResult
		for ci, cfg := range plan.configs(n, args) {
			where := func(format string, v ...any) error {
				shape := ""
				if d.form() == wRow {
					shape = fmt.Sprintf(" (%d rows of %d)", len(in.w), in.inner)
				}
				return fmt.Errorf("n=%d%s a=%v s=%v %s: %s", n, shape, aLevel, in.s, cfg.describe(args, elemArgNames), fmt.Sprintf(format, v...))
			}
			res, dst, err := ar.run(k, d, spec.oneArg, &in, aLevel, cfg)
			if err != nil {
				return where("%v", err)
			}
			if ci > 0 { // SPEC.md section 6: bitwise the same whatever the alignment
				switch {
				case !sameFloat64(res.sum, base.sum) || !sameFloat64(res.wsum, base.wsum) || res.nz != base.nz:
					return where("result depends on alignment: (%v, %d, %v) at offset 0, (%v, %d, %v) here",
						base.sum, base.nz, base.wsum, res.sum, res.nz, res.wsum)
				case dst != nil:
					if i := firstDifference(dst, baseOut); i >= 0 {
						return where("output depends on alignment: element %d is %v at offset 0, %v here", i, baseOut[i], dst[i])
					}
				}
				continue
			}
			base = res
			baseOut = append(baseOut[:0], dst...)
			if msg := checkSum[T](res.sum, &ref.sum); msg != "" {
				return where("returned sum: %s", msg)
			}
			if d == dWSum || d == dRowSum {
				if res.nz != ref.nz {
					return where("nonzero count %d, generic %d", res.nz, ref.nz)
				}
				if msg := checkSum[T](res.wsum, &ref.wsum); msg != "" {
					return where("weight sum: %s", msg)
				}
			}
			if dst != nil {
				if i, msg := checkOutputs(dst, &ref.out); i >= 0 {
					return where("dst[%d] (p=%v y=%v w=%v): %s", i, in.p[i], in.y[i], in.weightAt(d.form(), i), msg)
				}
			}
		}
	}
	return nil
}

// elemPlan: every length of issue #3; full offset sweeps up to 40, then one
// sampled offset per argument (two at powers of two ±1, one argument in turn
// at the large lengths). Short mode (-race -short) keeps the shape, smaller.
func elemPlan() *sweepPlan {
	if testing.Short() {
		return &sweepPlan{
			lengths:  concat(lengthRange(0, 48, 1), lengthRange(61, 300, 17), []int{511, 1024, 4097}),
			fullUpTo: 12,
		}
	}
	return &sweepPlan{
		lengths:  concat(lengthRange(0, 300, 1), pow2Lengths, largeLengths),
		fullUpTo: 40,
		perArg: func(n int) int {
			switch {
			case n <= 300:
				return 1
			case n <= 4097:
				return 2
			}
			return 0
		},
	}
}

// specialsPlan: inputs with special values; one offset configuration besides 0.
func specialsPlan() *sweepPlan {
	if testing.Short() {
		return &sweepPlan{lengths: concat(lengthRange(0, 40, 1), []int{127, 300, 1025})}
	}
	return &sweepPlan{lengths: concat(lengthRange(0, 300, 1), pow2Lengths, largeLengths[:1]), fullUpTo: 8}
}

func runElemSweeps[T Float](t *testing.T, lk, gk *Kernels[T], plan *sweepPlan, special bool) {
	for i := range elemSpecs {
		spec := &elemSpecs[i]
		t.Run(spec.loss.String(), func(t *testing.T) {
			t.Parallel()
			ar := newElemArenas[T](3 * plan.maxLength())
			for _, a := range spec.params {
				for d := driver(0); d < numDrivers; d++ {
					name := d.String()
					if len(spec.params) > 1 {
						name = fmt.Sprintf("a=%g/%s", a, d)
					}
					t.Run(name, func(t *testing.T) {
						require.NoError(t, elemSweep(lk, gk, spec, d, T(a), T(a), special, plan, ar))
					})
				}
			}
		})
	}
}

func TestElemKernelsMatchGenericAtEveryLengthAndAlignment(t *testing.T) {
	plan := elemPlan()
	forEachLevel(t, func(t *testing.T, l *Level) {
		forEachType(t, l,
			func(t *testing.T, k, g *Kernels[float32]) { runElemSweeps(t, k, g, plan, false) },
			func(t *testing.T, k, g *Kernels[float64]) { runElemSweeps(t, k, g, plan, false) })
	})
}

func TestElemKernelsGiveGenericClassOfResultOnSpecialValues(t *testing.T) {
	plan := specialsPlan()
	forEachLevel(t, func(t *testing.T, l *Level) {
		forEachType(t, l,
			func(t *testing.T, k, g *Kernels[float32]) { runElemSweeps(t, k, g, plan, true) },
			func(t *testing.T, k, g *Kernels[float64]) { runElemSweeps(t, k, g, plan, true) })
	})
}

// The parameter a is documented as unused except by log loss (ε) and sigmoid
// cross-entropy (smoothing): a level must not read it elsewhere.
func testUnusedParameter[T Float](t *testing.T, lk, gk *Kernels[T]) {
	plan := &sweepPlan{lengths: concat(lengthRange(0, 70, 1), []int{513, 4097})}
	if testing.Short() {
		plan.lengths = concat(lengthRange(0, 20, 1), []int{513})
	}
	ar := newElemArenas[T](3 * plan.maxLength())
	for i := range elemSpecs {
		spec := &elemSpecs[i]
		if spec.loss == LogLoss || spec.loss == SigmoidCE {
			continue
		}
		for d := driver(0); d < numDrivers; d++ {
			require.NoError(t, elemSweep(lk, gk, spec, d, 0, T(math.NaN()), false, plan, ar), "%v %v with a = NaN", spec.loss, d)
		}
	}
}

func TestElemKernelsIgnoreTheUnusedParameter(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l *Level) {
		forEachType(t, l, testUnusedParameter[float32], testUnusedParameter[float64])
	})
}
