package fuzz

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/simdloss/simdloss/losses"
)

// errSet is a set of SPEC.md section 8 sentinels.
type errSet uint8

const (
	eShape errSet = 1 << iota
	eWeights
	eLabel
	eAxis
	eOption
	eNoLosses
	eKernel
)

var sentinels = []struct {
	bit errSet
	err error
}{
	{eShape, losses.ErrShape}, {eWeights, losses.ErrWeights}, {eLabel, losses.ErrInvalidLabel},
	{eAxis, losses.ErrAxis}, {eOption, losses.ErrOption}, {eNoLosses, losses.ErrNoLosses}, {eKernel, losses.ErrKernel},
}

func (s errSet) String() string {
	var names []string
	for _, x := range sentinels {
		if s&x.bit != 0 {
			names = append(names, strings.TrimPrefix(x.err.Error(), "simdloss: "))
		}
	}
	return "{" + strings.Join(names, ", ") + "}"
}

// errBits is the set of sentinels err wraps.
func errBits(err error) errSet {
	var s errSet
	for _, x := range sentinels {
		if errors.Is(err, x.bit.sentinel()) {
			s |= x.bit
		}
	}
	return s
}

func (s errSet) sentinel() error {
	for _, x := range sentinels {
		if x.bit == s {
			return x.err
		}
	}
	return nil
}

// single returns the one option of group g when it is given exactly once.
func (c *apiCase[T]) single(g optKind) *optSpec {
	var found *optSpec
	for i := range c.opts {
		if c.opts[i].kind.group() == g {
			if found != nil {
				return nil
			}
			found = &c.opts[i]
		}
	}
	return found
}

// tensorOK reports whether shape and data length n form a valid tensor of
// rank at least minRank.
func tensorOK(shape []int, n, minRank int) bool {
	m, ok := prod(shape)
	return ok && m == n && len(shape) >= minRank
}

// expectErrors validates the case independently of the library: must is
// the set of sentinels the violations found call for (an error is then
// required and must be one of must|may); may holds the errors that are
// acceptable without a violation SPEC.md names (Into(nil), two destinations
// overlapping each other).
func (c *apiCase[T]) expectErrors() (must, may errSet) {
	info := c.fn.info()
	count := map[optKind]int{}
	for _, o := range c.opts {
		g := o.kind.group()
		if o.kind == oZero || !info.allow[g] {
			must |= eOption
			continue
		}
		count[g]++
		if count[g] > 1 {
			must |= eOption
		}
		switch o.kind {
		case oWeightsOther, oUnredOther, oGradOther:
			must |= eOption
		case oReduce:
			if o.red < 0 || o.red > 3 {
				must |= eOption
			}
		case oEpsilon:
			if !(o.f >= 0) || math.IsInf(o.f, 0) {
				must |= eOption
			}
		case oSmoothing:
			if !(o.f >= 0 && o.f <= 1) {
				must |= eOption
			}
		case oIntoNil:
			may |= eOption
		}
	}
	if c.fn.reg() && (!(c.scale >= 0) || math.IsInf(c.scale, 0)) {
		must |= eOption
	}

	tensors := tensorOK(c.pShape, c.p.n, info.minRank)
	if info.two {
		tensors = tensors && tensorOK(c.yShape, c.y.n, info.minRank) && equalDims(c.pShape, c.yShape)
	}
	if !tensors {
		must |= eShape
	}
	ls, lsOK := []int(nil), false
	if tensors {
		ls, lsOK = measurableShape(c.fn, c.pShape, c.axis)
		if !lsOK {
			must |= eAxis // the only way a valid tensor has no measurable shape
		} else if _, ok := prod(ls); !ok {
			must |= eShape
			lsOK = false
		}
	}
	if tensors && c.fn == fnSparse {
		rows, _ := prod(ls)
		if lsOK && len(c.labels) != rows {
			must |= eShape
		}
		classes := c.pShape[len(c.pShape)-1]
		for _, v := range c.labels {
			if neg, m := labelValue(c.ltype, v); neg || m >= uint64(classes) {
				must |= eLabel
				break
			}
		}
	}

	if w := c.single(oWeights); w != nil && w.kind == oWeights && info.allow[oWeights] {
		if !tensorOK(w.shape, w.data.n, 0) {
			must |= eWeights
			may |= eShape
		} else if lsOK && !broadcasts(c.fn, w.shape, ls) {
			must |= eWeights
		}
	}
	nMeas, _ := prod(ls)
	u, g := c.single(oUnred), c.single(oGrad)
	if u != nil && u.kind == oUnred && lsOK && u.data.n != nMeas {
		must |= eOption
	}
	if g != nil && g.kind == oGrad && tensors && g.data.n != c.p.n {
		must |= eOption
	}
	inputs := []region{c.p, c.y}
	for _, o := range c.opts {
		if o.kind == oWeights {
			inputs = append(inputs, o.data)
		}
	}
	var dsts []region
	for _, o := range c.opts {
		if o.kind != oUnred && o.kind != oGrad {
			continue
		}
		for _, in := range inputs {
			if o.data.overlaps(in) {
				must |= eOption
			}
		}
		for _, d := range dsts {
			if o.data.overlaps(d) {
				may |= eOption
			}
		}
		dsts = append(dsts, o.data)
	}
	return must, may
}

func equalDims(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// broadcasts applies SPEC.md section 3 (and the scalar, [B], [B,1] rule of
// mean pairwise squared error).
func broadcasts(fn apiFn, ws, ls []int) bool {
	if fn == fnPairwise {
		return len(ws) == 0 || (len(ws) == 1 && ws[0] == ls[0]) || (len(ws) == 2 && ws[0] == ls[0] && ws[1] == 1)
	}
	k := len(ws)
	if k > 1 && ws[k-1] == 1 {
		k--
	}
	if k > len(ls) {
		return false
	}
	for i := 0; i < k; i++ {
		if ws[i] != ls[i] && ws[i] != 1 {
			return false
		}
	}
	return true
}

// weightIndex maps every measurable element (row-major over ls) to its
// entry of weights of shape ws: the weights align with the leading axes,
// size-1 dims broadcast, a trailing 1 is dropped.
func weightIndex(ws, ls []int) []int {
	n, _ := prod(ls)
	k := len(ws)
	if k > 1 && ws[k-1] == 1 {
		k--
	}
	out := make([]int, n)
	idx := make([]int, len(ls))
	for e := 0; e < n; e++ {
		rem := e
		for d := len(ls) - 1; d >= 0; d-- {
			idx[d] = rem % ls[d]
			rem /= ls[d]
		}
		wi := 0
		for d := 0; d < k; d++ {
			i := idx[d]
			if ws[d] == 1 {
				i = 0
			}
			wi = wi*ws[d] + i
		}
		out[e] = wi
	}
	return out
}

// apiExpect is the oracle's expectation of a successful call.
type apiExpect struct {
	res   expSum
	unred expVec
	grad  expVec
}

// expect evaluates SPEC.md sections 3-5 for a valid case.
func (c *apiCase[T]) expect() *apiExpect {
	n := numOf[T]()
	info := c.fn.info()
	ls, _ := measurableShape(c.fn, c.pShape, c.axis)
	N, _ := prod(ls)
	p := toF64(c.slice(c.p))
	y := p
	if info.two {
		y = toF64(c.slice(c.y))
	}
	e := ev{num: n}

	// Weights ω per measurable element.
	omega := make([]float64, N)
	switch w := c.single(oWeights); {
	case c.fn.reg():
		v := e.t(c.scale)
		for i := range omega {
			omega[i] = v
		}
	case w == nil:
		for i := range omega {
			omega[i] = 1
		}
	case w.kind == oWeight:
		v := e.t(w.f)
		for i := range omega {
			omega[i] = v
		}
	default:
		wd := toF64(c.slice(w.data))
		for i, wi := range weightIndex(w.shape, ls) {
			omega[i] = wd[wi]
		}
	}
	oOvf, oUnf := e.ovf, e.unf // Weight(w) or the scale rounded to T

	red := 0
	if o := c.single(oReduce); o != nil {
		red = o.red
	}
	if c.fn.reg() || c.fn == fnPairwise {
		red = int(losses.Sum)
	}

	// Per-element values.
	vals := make([]rowVal, N)
	zeroRow := make([]bool, N)
	switch info.fam {
	case famElem:
		a := 0.0
		switch c.fn {
		case fnLogLoss:
			a = 1e-7
			if o := c.single(oEpsilon); o != nil {
				a = o.f
			}
			a = e.t(a)
		case fnSigmoid:
			if o := c.single(oSmoothing); o != nil {
				a = o.f
			}
		}
		for i := range vals {
			v := evalElem(n, info.loss, p[i], y[i], a)
			vals[i] = rowVal{l: v.l, lmag: v.lmag, idx: []int{i}, g: []float64{v.g}, gmag: []float64{v.gmag}, ovf: v.ovf, unf: v.unf}
			if v.hasAlt {
				vals[i].alt, vals[i].hasAlt = []float64{v.gAlt}, true
			}
		}
	case famSoftmax, famSparse:
		classes := c.pShape[len(c.pShape)-1]
		sm := 0.0
		if o := c.single(oSmoothing); o != nil {
			sm = o.f
		}
		sm = e.t(sm)
		for r := range vals {
			x := p[r*classes : (r+1)*classes]
			if c.fn == fnSoftmax {
				vals[r] = softmaxRow(n, x, y[r*classes:(r+1)*classes], 0, false, sm, r*classes)
			} else {
				_, lab := labelValue(c.ltype, c.labels[r])
				vals[r] = softmaxRow(n, x, nil, int(lab), true, sm, r*classes)
			}
		}
	case famCosine:
		axis := c.axis
		if axis < 0 {
			axis += len(c.pShape)
		}
		axisLen := c.pShape[axis]
		stride, _ := prod(c.pShape[axis+1:])
		for m := range vals {
			base := (m/stride)*axisLen*stride + m%stride
			vals[m] = cosineElem(n, p, y, axisLen, stride, base)
		}
	case famPairwise:
		k := 0
		if N > 0 {
			k, _ = prod(c.pShape[1:])
		}
		for r := range vals {
			if omega[r] == 0 {
				zeroRow[r] = true
				vals[r] = rowVal{g: make([]float64, k), gmag: make([]float64, k)}
				for i := r * k; i < (r+1)*k; i++ {
					vals[r].idx = append(vals[r].idx, i)
				}
				continue
			}
			vals[r] = pairwiseRow(n, p[r*k:(r+1)*k], y[r*k:(r+1)*k], r*k)
		}
	}
	for i := range vals {
		vals[i].ovf = vals[i].ovf || oOvf
		vals[i].unf = vals[i].unf || oUnf
	}

	// The reduction.
	var d, relD, asum float64
	dOvf := false
	switch red {
	case int(losses.SumByNonzeroWeights):
		for _, w := range omega {
			if w != 0 {
				d++
			}
		}
	case int(losses.Sum):
		d = 1
	case int(losses.Mean):
		abs := make([]float64, len(omega))
		for i, w := range omega {
			abs[i] = math.Abs(w)
		}
		d, asum = bigSum(omega), bigSum(abs)
		relD = n.sumRel * asum / math.Abs(d)
		var fin nsum
		for _, a := range abs {
			if finite(a) {
				fin.add(a)
			}
		}
		// Partial sums of Σw may overflow (then Inf − Inf is NaN).
		dOvf = fin.value() > n.lim
	case int(losses.SumOverBatchSize):
		d = float64(N)
	}
	l, lmag := make([]float64, N), make([]float64, N)
	ovf, unf := make([]bool, N), make([]bool, N)
	for i, v := range vals {
		if zeroRow[i] {
			continue
		}
		l[i], lmag[i], ovf[i], unf[i] = v.l, v.lmag, v.ovf, v.unf
	}
	num := weightedSum(n, omega, l, lmag, ovf, unf)
	num.ovf = num.ovf || dOvf
	x := &apiExpect{res: num}
	switch {
	case finite(d) && asum > 0 && !(relD <= 0.25):
		x.res.skip = true // Σw cancels: the denominator itself is ill-conditioned
	case d == 0:
		x.res = expSum{v: 0}
	default:
		x.res.v = num.v / d
		x.res.tol = tolOf(num.tol/math.Abs(d) + 2*n.ulp*math.Abs(x.res.v) + relD*math.Abs(x.res.v))
	}

	// Known defect 3: the library rounds the gradient scale 1/D to the
	// element type before the weight multiplies it, so where 1/|D| leaves
	// the type's normal range the gradient loses precision (1/D subnormal:
	// |D| > 2^126 in float32, 2^1022 in float64) or overflows (|D| below
	// 1/MaxFloat); only Mean's D = Σw gets there.
	gradOvf, gradRel := false, 0.0
	if inv := 1 / math.Abs(d); finite(d) && d != 0 && (inv > n.max || inv < n.minNorm) && !strict() {
		c.known = append(c.known, "known defect 3: the gradient scale 1/D is rounded to the element type first; here 1/|D| = "+fmtf(inv)+" is outside its normal range")
		gradOvf = inv > n.max
		if !gradOvf {
			gradRel = 2 * n.eta / inv
		}
	}
	// Known defect 4: a uniform weight multiplies Σl, not each l, so an
	// infinite uniform weight gives ±Inf where IEEE's Σ Inf·l is NaN (losses
	// of both signs or a zero).
	if N > 0 && math.IsInf(omega[0], 0) && !strict() {
		uniform := true
		for _, w := range omega {
			uniform = uniform && w == omega[0]
		}
		if uniform && math.IsNaN(x.res.v) {
			c.known = append(c.known, "known defect 4: an infinite uniform weight times Σl is ±Inf where IEEE's Σ w·l is NaN")
			x.res.ovf = true
		}
	}
	x.unred = newExpVec(N)
	x.grad = newExpVec(c.p.n)
	for i := range x.grad.untouched {
		x.grad.untouched[i] = true
	}
	for m, v := range vals {
		x.unred.setElem(n, m, omega[m], l[m], lmag[m], v.ovf, v.unf)
		if info.fam != famElem {
			// A row's loss is itself a sum: SPEC.md's sum tolerance applies.
			x.unred.tol[m] += tolOf(n.sumRel * magProd(omega[m], lmag[m]))
		}
		if zeroRow[m] {
			x.unred.zero[m] = true
		}
		e := ev{num: n}
		coef := e.div(omega[m], d)
		if c.fn == fnPairwise {
			e.mul(coef, 4) // the implementation scales ω by 4/n first
		}
		for j, i := range v.idx {
			x.grad.untouched[i] = false
			switch {
			case d == 0 || zeroRow[m]:
				x.grad.zero[i] = true
			default:
				post := v.gmag[j]
				if v.post != nil {
					post = v.post[j]
				}
				x.grad.setElemPost(n, i, coef, v.g[j], v.gmag[j], post, v.ovf || e.ovf || gradOvf || dOvf, v.unf || e.unf)
				x.grad.tol[i] += tolOf((relD + gradRel) * math.Abs(x.grad.v[i]))
				if v.hasAlt {
					x.grad.alt[i], x.grad.hasAlt[i] = coef*v.alt[j], true
				}
			}
		}
	}
	x.unred.finishTol(n)
	x.grad.finishTol(n)
	x.grad.skip = x.res.skip
	if x.res.skip {
		for i := range x.grad.zero {
			x.grad.zero[i] = false // D may be 0 in the library and not here, or the reverse
		}
	}
	return x
}

// options builds the call's options; check reports whether the other-type
// weights and destinations are unchanged.
func (c *apiCase[T]) options(coll *losses.Collection) (opts []losses.Option, check func() bool) {
	var checks []func() bool
	for _, o := range c.opts {
		switch o.kind {
		case oWeights:
			opts = append(opts, losses.Weights(losses.Tensor[T]{Data: c.arg(o.data), Shape: o.shape}))
		case oWeight:
			opts = append(opts, losses.Weight(o.f))
		case oReduce:
			opts = append(opts, losses.Reduce(losses.Reduction(o.red)))
		case oEpsilon:
			opts = append(opts, losses.Epsilon(o.f))
		case oSmoothing:
			opts = append(opts, losses.LabelSmoothing(o.f))
		case oUnred:
			opts = append(opts, losses.Unreduced(c.arg(o.data)))
		case oGrad:
			opts = append(opts, losses.Gradient(c.arg(o.data)))
		case oInto:
			opts = append(opts, losses.Into(coll))
		case oIntoNil:
			opts = append(opts, losses.Into(nil))
		case oNamed:
			opts = append(opts, losses.Named(o.name))
		case oZero:
			opts = append(opts, losses.Option{})
		case oWeightsOther, oUnredOther, oGradOther:
			var opt losses.Option
			var ck func() bool
			if isF32[T]() {
				opt, ck = otherOption[float64](o)
			} else {
				opt, ck = otherOption[float32](o)
			}
			opts = append(opts, opt)
			checks = append(checks, ck)
		}
	}
	return opts, func() bool {
		for _, ck := range checks {
			if !ck() {
				return false
			}
		}
		return true
	}
}

// otherOption is a Weights, Unreduced or Gradient option of element type O.
func otherOption[O Float](o optSpec) (losses.Option, func() bool) {
	g := newGuarded[O](o.other, 0)
	if o.kind == oWeightsOther {
		for i := range g.s() {
			g.s()[i] = 0.5
		}
	}
	orig := append([]O(nil), g.buf...)
	check := func() bool { return sameBits(g.buf, orig) }
	switch o.kind {
	case oWeightsOther:
		return losses.Weights(losses.Tensor[O]{Data: g.s(), Shape: o.shape}), check
	case oUnredOther:
		return losses.Unreduced(g.s()), check
	}
	return losses.Gradient(g.s()), check
}

func convLabels[L losses.Integer](v []int64) []L {
	out := make([]L, len(v))
	for i, x := range v {
		out[i] = L(x)
	}
	return out
}

func sparseCall[T Float, L losses.Integer](x losses.Tensor[T], v []int64, opts []losses.Option) (T, error, bool) {
	labels := convLabels[L](v)
	r, err := losses.SparseSoftmaxCrossEntropy(x, labels, opts...)
	same := true
	for i, l := range convLabels[L](v) {
		same = same && labels[i] == l
	}
	return r, err, same
}

// call runs the case's function on the active level; a panic is returned,
// not propagated.
func (c *apiCase[T]) call(coll *losses.Collection) (res T, err error, panicked any, labelsOK bool, otherOK func() bool) {
	opts, otherOK := c.options(coll)
	labelsOK = true
	defer func() {
		if r := recover(); r != nil {
			panicked = r
		}
	}()
	p := losses.Tensor[T]{Data: c.arg(c.p), Shape: c.pShape}
	y := losses.Tensor[T]{Data: c.arg(c.y), Shape: c.yShape}
	switch c.fn {
	case fnAbsDiff:
		res, err = losses.AbsoluteDifference(p, y, opts...)
	case fnMSE:
		res, err = losses.MeanSquaredError(p, y, opts...)
	case fnLogLoss:
		res, err = losses.LogLoss(p, y, opts...)
	case fnHinge:
		res, err = losses.HingeLoss(p, y, opts...)
	case fnSigmoid:
		res, err = losses.SigmoidCrossEntropy(p, y, opts...)
	case fnSoftmax:
		res, err = losses.SoftmaxCrossEntropy(p, y, opts...)
	case fnCosine:
		res, err = losses.CosineDistance(p, y, c.axis, opts...)
	case fnPairwise:
		res, err = losses.MeanPairwiseSquaredError(p, y, opts...)
	case fnCWL:
		res, err = losses.ComputeWeightedLoss(p, opts...)
	case fnL1:
		res, err = losses.L1(p, c.scale, opts...)
	case fnL2:
		res, err = losses.L2(p, c.scale, opts...)
	case fnSparse:
		switch c.ltype {
		case 0:
			res, err, labelsOK = sparseCall[T, int](p, c.labels, opts)
		case 1:
			res, err, labelsOK = sparseCall[T, int8](p, c.labels, opts)
		case 2:
			res, err, labelsOK = sparseCall[T, int16](p, c.labels, opts)
		case 3:
			res, err, labelsOK = sparseCall[T, int32](p, c.labels, opts)
		case 4:
			res, err, labelsOK = sparseCall[T, int64](p, c.labels, opts)
		case 5:
			res, err, labelsOK = sparseCall[T, uint](p, c.labels, opts)
		case 6:
			res, err, labelsOK = sparseCall[T, uint8](p, c.labels, opts)
		case 7:
			res, err, labelsOK = sparseCall[T, uint16](p, c.labels, opts)
		case 8:
			res, err, labelsOK = sparseCall[T, uint32](p, c.labels, opts)
		case 9:
			res, err, labelsOK = sparseCall[T, uint64](p, c.labels, opts)
		default:
			res, err, labelsOK = sparseCall[T, uintptr](p, c.labels, opts)
		}
	}
	return res, err, nil, labelsOK, otherOK
}

// checkAPI runs the case at every level and checks everything the package
// doc of this file promises.
func checkAPI[T Float](t *testing.T, c *apiCase[T]) {
	n := numOf[T]()
	info := c.fn.info()
	must, may := c.expectErrors()
	known, what := knownAPIDefect(c)
	logKnown(t, what)
	may |= known
	var want *apiExpect
	if must == 0 {
		want = c.expect()
		for _, k := range c.known {
			logKnown(t, k)
		}
	}
	rep := &report{t: t, what: func() string {
		return fmt.Sprintf("%s\n  expected errors: must %v, may %v", c, must, may)
	}}
	defaults := len(losses.GetLosses("")) + len(losses.GetRegularizationLosses(""))
	for _, lv := range losses.Kernels() {
		restore, err := losses.UseKernel(lv)
		if err != nil {
			t.Fatalf("UseKernel(%q): %v", lv, err)
		}
		copy(c.arena, c.pristine)
		coll := &losses.Collection{}
		res, err, panicked, labelsOK, otherOK := c.call(coll)
		restore()
		if panicked != nil {
			rep.errorf("%s: panic: %v", lv, panicked)
			continue
		}
		if !labelsOK || !otherOK() {
			rep.errorf("%s: modified the labels or other-type weights/destinations", lv)
		}
		if err != nil {
			got := errBits(err)
			switch {
			case got == 0:
				rep.errorf("%s: error %q wraps no SPEC.md sentinel", lv, err)
			case must == 0 && got&known != 0:
				// the known defect: still nothing may be written
			case must|may == 0:
				rep.errorf("%s: unexpected error %q", lv, err)
			case got&(must|may) == 0:
				rep.errorf("%s: error %q, want one of %v", lv, err, must|may)
			}
			if i := firstDiff(c.arena, c.pristine); i >= 0 {
				rep.errorf("%s: wrote arena[%d] = %s (was %s) despite the error", lv, i, fmtf(float64(c.arena[i])), fmtf(float64(c.pristine[i])))
			}
			if len(coll.Losses(""))+len(coll.RegularizationLosses("")) != 0 {
				rep.errorf("%s: collected a loss despite the error", lv)
			}
			continue
		}
		if must != 0 {
			rep.errorf("%s: no error (result %s), want one of %v", lv, fmtf(float64(res)), must)
			continue
		}
		if may&eOption != 0 && c.single(oUnred) != nil && c.single(oGrad) != nil {
			continue // overlapping destinations: what they hold is unspecified
		}
		checkSum(rep, n, lv+" result", float64(res), want.res, nil)
		// Only the destinations may have changed.
		written := make([]bool, len(c.arena))
		if u := c.single(oUnred); u != nil {
			checkVec(rep, n, lv+" unreduced", c.slice(u.data), want.unred, nil)
			for i := u.data.off; i < u.data.end(); i++ {
				written[i] = true
			}
		}
		if g := c.single(oGrad); g != nil {
			checkVec(rep, n, lv+" gradient", c.slice(g.data), want.grad, nil)
			for i := g.data.off; i < g.data.end(); i++ {
				written[i] = true
			}
		}
		for i := range c.arena {
			if !written[i] && bitsOf(c.arena[i]) != bitsOf(c.pristine[i]) {
				rep.errorf("%s: wrote arena[%d] = %s, outside the destinations", lv, i, fmtf(float64(c.arena[i])))
				break
			}
		}
		// Into.
		var got []float64
		if info := c.fn; info.reg() {
			got = coll.RegularizationLosses("")
			if len(coll.Losses("")) != 0 {
				rep.errorf("%s: a regulariser added to the losses", lv)
			}
		} else {
			got = coll.Losses("")
			if len(coll.RegularizationLosses("")) != 0 {
				rep.errorf("%s: a loss added to the regularisation losses", lv)
			}
		}
		if into := c.single(oInto); into != nil && into.kind == oInto {
			name := info.tf
			if nm := c.single(oNamed); nm != nil {
				name = nm.name
			}
			var named []float64
			if c.fn.reg() {
				named = coll.RegularizationLosses(name)
			} else {
				named = coll.Losses(name)
			}
			switch {
			case len(got) != 1:
				rep.errorf("%s: Into collected %d values, want 1", lv, len(got))
			case math.Float64bits(got[0]) != math.Float64bits(float64(res)) && !(math.IsNaN(got[0]) && math.IsNaN(float64(res))):
				rep.errorf("%s: Into collected %s, the result is %s", lv, fmtf(got[0]), fmtf(float64(res)))
			case len(named) != 1:
				rep.errorf("%s: Into did not collect under the name %q", lv, name)
			}
		} else if len(got) != 0 {
			rep.errorf("%s: collected without Into", lv)
		}
	}
	if d := len(losses.GetLosses("")) + len(losses.GetRegularizationLosses("")); d != defaults {
		rep.errorf("the Default collection changed")
	}
	rep.done()
}

func firstDiff[T Float](a, b []T) int {
	for i := range a {
		if bitsOf(a[i]) != bitsOf(b[i]) {
			return i
		}
	}
	return -1
}

func fuzzAPI(f *testing.F, fn apiFn) {
	for _, seed := range apiSeeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := newSrc(data)
		if s.u8()&1 == 0 {
			checkAPI(t, decodeAPI[float32](s, fn))
		} else {
			checkAPI(t, decodeAPI[float64](s, fn))
		}
	})
}

func FuzzAbsoluteDifference(f *testing.F)        { fuzzAPI(f, fnAbsDiff) }
func FuzzMeanSquaredError(f *testing.F)          { fuzzAPI(f, fnMSE) }
func FuzzLogLoss(f *testing.F)                   { fuzzAPI(f, fnLogLoss) }
func FuzzHingeLoss(f *testing.F)                 { fuzzAPI(f, fnHinge) }
func FuzzSigmoidCrossEntropy(f *testing.F)       { fuzzAPI(f, fnSigmoid) }
func FuzzSoftmaxCrossEntropy(f *testing.F)       { fuzzAPI(f, fnSoftmax) }
func FuzzSparseSoftmaxCrossEntropy(f *testing.F) { fuzzAPI(f, fnSparse) }
func FuzzCosineDistance(f *testing.F)            { fuzzAPI(f, fnCosine) }
func FuzzMeanPairwiseSquaredError(f *testing.F)  { fuzzAPI(f, fnPairwise) }
func FuzzComputeWeightedLoss(f *testing.F)       { fuzzAPI(f, fnCWL) }
func FuzzL1(f *testing.F)                        { fuzzAPI(f, fnL1) }
func FuzzL2(f *testing.F)                        { fuzzAPI(f, fnL2) }
