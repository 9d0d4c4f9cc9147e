package asm

// The harness of the level-by-level kernel tests: guarded windows, the
// comparison of a level's results with generic's under SPEC.md section 6,
// and the sweep plans (lengths and alignment offsets).
//
// Every slice a kernel sees is a window inside a bigger buffer whose
// surroundings hold a NaN with a payload no arithmetic produces: a changed
// guard is an out-of-bounds write, and a guard read by a kernel turns its
// result into NaN where generic's is finite (an out-of-bounds read). Output
// windows start out holding another such NaN, so an element a kernel forgot to
// write is told apart from one it wrote.

import (
	"bytes"
	"fmt"
	"math"
	"unsafe"
)

const (
	// guardLen is the number of guard elements on each side of a window:
	// more than a whole unrolled AVX-512 iteration, so an overrun by whole
	// vectors still lands in the guard.
	guardLen = 128
	// maxOffset bounds the alignment offsets: a window starts 0..maxOffset-1
	// elements after a vecAlign-byte boundary.
	maxOffset = 16
	vecAlign  = 64
)

// The NaN payloads of guards and of output elements not yet written.
const (
	guard32     = 0x7fc05afe
	guard64     = 0x7ff800000bad5afe
	unwritten32 = 0x7fc0d0d0
	unwritten64 = 0x7ff80000d0d0d0d0
)

func isF32[T Float]() bool {
	var z T
	return unsafe.Sizeof(z) == 4
}

func bitsOf[T Float](v T) uint64 {
	if isF32[T]() {
		return uint64(*(*uint32)(unsafe.Pointer(&v)))
	}
	return *(*uint64)(unsafe.Pointer(&v))
}

func fromBits[T Float](b uint64) T {
	var v T
	if isF32[T]() {
		*(*uint32)(unsafe.Pointer(&v)) = uint32(b)
	} else {
		*(*uint64)(unsafe.Pointer(&v)) = b
	}
	return v
}

func guardNaN[T Float]() T {
	if isF32[T]() {
		return fromBits[T](guard32)
	}
	return fromBits[T](guard64)
}

func unwrittenNaN[T Float]() T {
	if isF32[T]() {
		return fromBits[T](unwritten32)
	}
	return fromBits[T](unwritten64)
}

func maxFinite[T Float]() float64 {
	if isF32[T]() {
		return math.MaxFloat32
	}
	return math.MaxFloat64
}

func smallestNonzero[T Float]() float64 {
	if isF32[T]() {
		return math.SmallestNonzeroFloat32
	}
	return math.SmallestNonzeroFloat64
}

// overflowBound is SPEC.md section 6's threshold: where the exact value's
// magnitude exceeds it, overflow to ±Inf is accepted on any level.
func overflowBound[T Float]() float64 { return maxFinite[T]() / 1024 }

// Tolerances between a level and generic (SPEC.md section 6 and issue #3).
// Sums: relative to the sum of the magnitudes of everything added (which
// bounds cancellation). Elements: ulps, or relative to the larger of the
// largest |output| of the call and the element's own magnitude bound, where
// cancellation makes ulps meaningless.
func sumRel[T Float]() float64 {
	if isF32[T]() {
		return 1e-6
	}
	return 1e-12
}

func elemRel[T Float]() float64 {
	if isF32[T]() {
		return 1e-6
	}
	return 1e-13
}

const (
	elemULPs = 2 // elementwise kernels' outputs
	rowULPs  = 4 // row kernels' outputs (softmax, cosine, pairwise)
)

// byteView is the memory of s, for bitwise comparisons.
func byteView[E any](s []E) []byte {
	if len(s) == 0 {
		return nil
	}
	var z E
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(z)))
}

// placer hands out the windows of one kernel argument: input places values,
// output fills a window with v, and checkGuards reports an out-of-bounds
// write around the window last placed with that length and offset.
type placer[E any] interface {
	input(vals []E, off int) []E
	output(n, off int, v E) []E
	checkGuards(n, off int) error
}

// arena holds guarded windows of one kernel argument at alignment offsets.
type arena[E any] struct {
	raw  []E
	base int // index of the first vecAlign-byte-aligned element of raw
	fill []E // guardLen+maxOffset guard values
}

func newArena[E any](maxN int, guard E) *arena[E] {
	var z E
	pad := vecAlign / int(unsafe.Sizeof(z))
	a := &arena[E]{raw: make([]E, maxN+2*guardLen+maxOffset+pad), fill: make([]E, guardLen+maxOffset+pad)}
	for uintptr(unsafe.Pointer(&a.raw[a.base]))%vecAlign != 0 {
		a.base++
	}
	for i := range a.fill {
		a.fill[i] = guard
	}
	copy(a.raw, a.fill)
	return a
}

// window returns the n elements starting off elements after an aligned
// boundary, with guards filled on both sides and the content left as it is.
// Its capacity is its length, so nothing may reslice into the guards; an
// empty window gets capacity 1, because Go gives a zero-capacity slice the
// address of the array's start, and its address must be the window's.
func (a *arena[E]) window(n, off int) []E {
	if n+2*guardLen+maxOffset > len(a.raw)-a.base {
		panic(fmt.Sprintf("arena too small for %d elements", n))
	}
	s := a.base + guardLen + off
	copy(a.raw[:s], a.fill)
	copy(a.raw[s+n:s+n+guardLen], a.fill)
	if n == 0 {
		return a.raw[s : s : s+1]
	}
	return a.raw[s : s+n : s+n]
}

// input places vals in a window.
func (a *arena[E]) input(vals []E, off int) []E {
	w := a.window(len(vals), off)
	copy(w, vals)
	return w
}

// output returns a window of n elements all holding v.
func (a *arena[E]) output(n, off int, v E) []E {
	w := a.window(n, off)
	for i := range w {
		w[i] = v
	}
	return w
}

// checkGuards reports a changed guard around the window (n, off) as an
// out-of-bounds write, naming its position relative to the window.
func (a *arena[E]) checkGuards(n, off int) error {
	s := a.base + guardLen + off
	before, after := a.raw[:s], a.raw[s+n:s+n+guardLen]
	if bytes.Equal(byteView(before), byteView(a.fill[:len(before)])) &&
		bytes.Equal(byteView(after), byteView(a.fill[:guardLen])) {
		return nil
	}
	gb := byteView(a.fill[:1])
	for i := len(before) - 1; i >= 0; i-- {
		if !bytes.Equal(byteView(before[i:i+1]), gb) {
			return fmt.Errorf("out-of-bounds write: guard element %d (before the window) changed to %v", i-len(before), before[i])
		}
	}
	for i := range after {
		if !bytes.Equal(byteView(after[i:i+1]), gb) {
			return fmt.Errorf("out-of-bounds write: guard element len+%d (after the window) changed to %v", i, after[i])
		}
	}
	return nil
}

// checkInput reports a kernel that changed one of its inputs.
func checkInput[E any](name string, got, want []E) error {
	if bytes.Equal(byteView(got), byteView(want)) {
		return nil
	}
	for i := range want {
		if !bytes.Equal(byteView(got[i:i+1]), byteView(want[i:i+1])) {
			return fmt.Errorf("input %s modified: element %d is %v, was %v", name, i, got[i], want[i])
		}
	}
	return nil
}

// ulpDist is the number of representable values between a and b (finite);
// +0 and -0 are the same value.
func ulpDist[T Float](a, b T) uint64 {
	ab, bb := bitsOf(a), bitsOf(b)
	var sa, sb, ma, mb uint64
	if isF32[T]() {
		sa, ma, sb, mb = ab>>31, ab&0x7fffffff, bb>>31, bb&0x7fffffff
	} else {
		sa, ma, sb, mb = ab>>63, ab&^(1<<63), bb>>63, bb&^(1<<63)
	}
	switch {
	case ma == 0 && mb == 0:
		return 0
	case sa != sb:
		return ma + mb
	case ma > mb:
		return ma - mb
	}
	return mb - ma
}

// checkValue compares one element a level wrote (got) with generic's (want):
// NaN iff generic's is NaN; an infinity only where generic's value is the
// same infinity or the values overflow past overflowBound with the same sign;
// finite values within ulps, or within the relative tolerance of the larger
// of maxAbs (the largest |output| of the call) and mag (the magnitude of what
// the element's formula adds up, which bounds its cancellation).
func checkValue[T Float](got, want T, mag, maxAbs float64, ulps uint64) string {
	g, w := float64(got), float64(want)
	switch {
	case w != w:
		if g == g {
			return fmt.Sprintf("got %v, want NaN as generic (NaN in, NaN out)", got)
		}
		return ""
	case g != g:
		return fmt.Sprintf("got NaN, generic gives %v (an out-of-bounds read of the NaN guard, or NaN from wrong operand order)", want)
	case !math.IsInf(g, 0) && !math.IsInf(w, 0):
		if ulpDist(got, want) <= ulps {
			return ""
		}
		if mag != mag {
			mag = math.Inf(1) // an intermediate overflowed: any finite value
		}
		tol := elemRel[T]() * math.Max(maxAbs, mag)
		if math.Abs(g-w) <= tol {
			return ""
		}
		return fmt.Sprintf("got %v, generic gives %v: off by %d ulp, |diff| %.3g > tolerance %.3g", got, want, ulpDist(got, want), math.Abs(g-w), tol)
	}
	big := overflowBound[T]()
	if (g > 0) == (w > 0) && math.Min(math.Abs(g), math.Abs(w)) > big {
		return "" // overflow accepted
	}
	return fmt.Sprintf("got %v, generic gives %v (class of result differs)", got, want)
}

// outRef is generic's output of one call, with what checkValue needs.
type outRef[T Float] struct {
	want   []T       // unwrittenNaN where generic writes nothing
	mag    []float64 // per element magnitude bound (may be nil)
	maxAbs float64
	ulps   uint64
}

func newOutRef[T Float](want []T, mag []float64, ulps uint64) outRef[T] {
	r := outRef[T]{want: want, mag: mag, ulps: ulps}
	u := bitsOf(unwrittenNaN[T]())
	for _, v := range want {
		if f := math.Abs(float64(v)); bitsOf(v) != u && f <= math.MaxFloat64 && f > r.maxAbs {
			r.maxAbs = f
		}
	}
	return r
}

// checkOutputs compares a level's output with generic's; it returns the index
// of the first bad element (or -1) and what is wrong with it.
func checkOutputs[T Float](got []T, ref *outRef[T]) (int, string) {
	if bytes.Equal(byteView(got), byteView(ref.want)) {
		return -1, ""
	}
	u := bitsOf(unwrittenNaN[T]())
	for i, w := range ref.want {
		g := got[i]
		gb, wb := bitsOf(g), bitsOf(w)
		switch {
		case gb == wb:
			continue
		case wb == u:
			return i, fmt.Sprintf("written (%v) where generic writes nothing", g)
		case gb == u:
			return i, fmt.Sprintf("not written (generic writes %v)", w)
		}
		mag := 0.0
		if ref.mag != nil {
			mag = ref.mag[i]
		}
		if msg := checkValue(g, w, mag, ref.maxAbs, ref.ulps); msg != "" {
			return i, msg
		}
	}
	return -1, ""
}

// firstDifference returns the first index where a and b differ bitwise, NaNs
// of any payload being equal; -1 if none. SPEC.md section 6: for the same
// inputs and level, results are bitwise identical whatever the alignment.
func firstDifference[T Float](a, b []T) int {
	if bytes.Equal(byteView(a), byteView(b)) {
		return -1
	}
	for i := range a {
		if bitsOf(a[i]) != bitsOf(b[i]) && !(a[i] != a[i] && b[i] != b[i]) {
			return i
		}
	}
	return -1
}

func sameFloat64(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || (a != a && b != b)
}

// sumRef is generic's value of one returned sum with the bounds of its terms.
type sumRef struct {
	want     float64
	abs      float64 // Σ magnitudes of everything added: the cancellation bound
	pos, neg float64 // Σ of the positive terms and of |negative terms|: partial sums may overflow past these
	nanTerm  bool    // a term is NaN: the sum must be NaN
	n        int     // number of terms
}

// addTerm accounts one term t whose computation adds up magnitudes mag.
func (r *sumRef) addTerm(t, mag float64) {
	r.n++
	switch {
	case t != t:
		r.nanTerm = true
	case t > 0:
		r.pos += t
	case t < 0:
		r.neg -= t
	}
	if mag != mag {
		mag = math.Inf(1)
	}
	r.abs += mag
}

// checkSum compares a level's returned sum with generic's. Accepted:
// within sumRel of abs (plus a few subnormal steps per term), NaN iff a term
// is NaN, and where the positive (negative) terms add up past overflowBound,
// +Inf (-Inf) on either side, or anything when both do (a +Inf and a -Inf
// partial sum make NaN).
func checkSum[T Float](got float64, r *sumRef) string {
	big := overflowBound[T]()
	switch {
	case r.nanTerm:
		if got == got {
			return fmt.Sprintf("got %v, want NaN as generic (a term is NaN)", got)
		}
		return ""
	case r.pos > big && r.neg > big:
		return ""
	case got != got:
		return fmt.Sprintf("got NaN, generic gives %v (an out-of-bounds read of the NaN guard?)", r.want)
	case math.IsInf(got, 0) || math.IsInf(r.want, 0):
		if got == r.want {
			return ""
		}
		if (got > 0) == (r.want > 0) && math.Min(math.Abs(got), math.Abs(r.want)) > big &&
			((got > 0 && r.pos > big) || (got < 0 && r.neg > big)) {
			return ""
		}
		return fmt.Sprintf("got %v, generic gives %v (class of result differs)", got, r.want)
	}
	tol := sumRel[T]()*r.abs + 4*float64(r.n)*smallestNonzero[T]()
	if math.Abs(got-r.want) <= tol {
		return ""
	}
	return fmt.Sprintf("got %v, generic gives %v: |diff| %.3g > %.3g (%g relative to Σ|terms| = %.6g)",
		got, r.want, math.Abs(got-r.want), tol, sumRel[T](), r.abs)
}

// offsets holds the alignment offset (0..maxOffset-1) of each argument of a
// call, indexed by argument.
type offsets [8]int

func (o offsets) describe(args []int, names []string) string {
	s := ""
	for _, a := range args {
		if s != "" {
			s += " "
		}
		s += fmt.Sprintf("%s+%d", names[a], o[a])
	}
	return "offsets[" + s + "]"
}

// sweepPlan says which lengths a sweep visits and which alignment offsets at
// each. Offsets vary one argument at a time with the others at 0 (DESIGN.md).
type sweepPlan struct {
	lengths []int
	// fullUpTo: lengths up to it get every offset 1..15 of every argument.
	fullUpTo int
	// perArg returns how many sampled offsets each argument gets at a longer
	// length; 0 means one argument only, rotating with the length.
	perArg func(n int) int
	// only, when set, replaces the offsets above: each argument in turn takes
	// each of these (page placements, see pages_test.go).
	only []int
}

// configs lists the offsets to run at length n; the first is all zeros (the
// reference run of the level, compared with generic; the others must repeat
// its results bitwise).
func (pl *sweepPlan) configs(n int, args []int) []offsets {
	cfgs := []offsets{{}}
	if len(args) == 0 {
		return cfgs
	}
	if pl.only != nil {
		for _, a := range args {
			for _, o := range pl.only {
				var c offsets
				c[a] = o
				cfgs = append(cfgs, c)
			}
		}
		return cfgs
	}
	if n <= pl.fullUpTo {
		for _, a := range args {
			for o := 1; o < maxOffset; o++ {
				var c offsets
				c[a] = o
				cfgs = append(cfgs, c)
			}
		}
		return cfgs
	}
	k := 0
	if pl.perArg != nil {
		k = pl.perArg(n)
	}
	if k == 0 {
		var c offsets
		c[args[n%len(args)]] = 1 + n%(maxOffset-1)
		return append(cfgs, c)
	}
	for j, a := range args {
		for i := 0; i < k; i++ {
			var c offsets
			c[a] = 1 + (n*7+j*5+i*8)%(maxOffset-1)
			cfgs = append(cfgs, c)
		}
	}
	return cfgs
}

func (pl *sweepPlan) maxLength() int {
	m := 0
	for _, n := range pl.lengths {
		m = max(m, n)
	}
	return m
}

func lengthRange(lo, hi, step int) []int {
	var l []int
	for n := lo; n <= hi; n += step {
		l = append(l, n)
	}
	return l
}

// The lengths of issue #3: 0..300, powers of two ±1, and large ones (8193 is
// one past reduce.BlockElems, the longest call the library makes).
var (
	pow2Lengths  = []int{511, 512, 513, 1023, 1024, 1025, 4095, 4096, 4097}
	largeLengths = []int{8193, 100003}
)

func concat(ls ...[]int) []int {
	var r []int
	for _, l := range ls {
		r = append(r, l...)
	}
	return r
}

// protect runs f, turning a panic into an error (a kernel that panics is a
// failure of that kernel, not of the whole test binary).
func protect(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("kernel panicked: %v", r)
		}
	}()
	f()
	return nil
}

// at is a pointer to s's element i, which may lie outside s (in its guards):
// the broken kernels of the harness test use it.
func at[T any](s []T, i int) *T {
	var z T
	return (*T)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(s)), i*int(unsafe.Sizeof(z))))
}

// guarded is a NaN-guarded arena for windows of up to maxN elements.
func guarded[T Float](maxN int) placer[T] { return newArena(maxN, guardNaN[T]()) }
