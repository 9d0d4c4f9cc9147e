package losses_test

// Bad-input tests (SPEC.md sections 1-5, 8): every public function, fed every
// kind of bad input, returns the documented sentinel (matched with errors.Is),
// a zero result and a message naming the offending argument and its shape,
// index or value; it never panics, and it writes no destination slice and
// collects nothing. The table is written once, generically, and run for
// float32 and float64.

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdloss/simdloss/losses"
)

// etFillValue pre-fills every destination slice; an error must leave it there.
const etFillValue = 12345

// etMaxInt is the largest int (portable to 32-bit builds).
const etMaxInt = int(^uint(0) >> 1)

var etSentinels = []error{
	losses.ErrShape, losses.ErrWeights, losses.ErrInvalidLabel, losses.ErrAxis,
	losses.ErrOption, losses.ErrNoLosses, losses.ErrKernel,
}

var (
	etShapeErr   = []error{losses.ErrShape}
	etWeightsErr = []error{losses.ErrWeights}
	etBothErr    = []error{losses.ErrWeights, losses.ErrShape}
	etOptionErr  = []error{losses.ErrOption}
	etLabelErr   = []error{losses.ErrInvalidLabel}
	etAxisErr    = []error{losses.ErrAxis}
)

// ---------------------------------------------------------------------------
// Watching destinations.

// etWatched is something an erroring call must not modify.
type etWatched interface {
	changed() bool
	what() string
}

type etSliceWatch[E losses.Float] struct {
	name    string
	s, orig []E
}

// etWatchSlice snapshots s now; changed reports any bitwise difference later.
func etWatchSlice[E losses.Float](name string, s []E) etWatched {
	return &etSliceWatch[E]{name: name, s: s, orig: slices.Clone(s)}
}

func (w *etSliceWatch[E]) changed() bool {
	for i := range w.s {
		if math.Float64bits(float64(w.s[i])) != math.Float64bits(float64(w.orig[i])) {
			return true
		}
	}
	return false
}

func (w *etSliceWatch[E]) what() string { return w.name }

type etCollWatch struct{ c *losses.Collection }

func (w etCollWatch) changed() bool {
	return len(w.c.Losses("")) != 0 || len(w.c.RegularizationLosses("")) != 0
}

func (w etCollWatch) what() string { return "Into collection" }

// etFill returns n values of etFillValue.
func etFill[E losses.Float](n int) []E {
	s := make([]E, n)
	for i := range s {
		s[i] = etFillValue
	}
	return s
}

// etOnes returns n ones.
func etOnes[E losses.Float](n int) []E {
	s := make([]E, n)
	for i := range s {
		s[i] = 1
	}
	return s
}

// etInput copies vals into a slice with spare capacity, so that a destination
// can be cut from the same array (s[len-1 : ...]) to overlap it partially.
func etInput[E losses.Float](vals ...E) []E {
	s := make([]E, len(vals), 2*len(vals)+8)
	copy(s, vals)
	return s
}

func etBaseP[T losses.Float]() []T { return etInput[T](0.1, 0.2, 0.3, 0.4, 0.6, 0.8) }
func etBaseY[T losses.Float]() []T { return etInput[T](0, 1, 0, 1, 0, 0) }

func etShapeStr(dims ...int) string {
	parts := make([]string, len(dims))
	for i, d := range dims {
		parts[i] = fmt.Sprint(d)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func etProd(dims []int) int {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return n
}

func etIs32[T losses.Float]() bool { var z T; return unsafe.Sizeof(z) == 4 }

func etEsize[T losses.Float]() int { var z T; return int(unsafe.Sizeof(z)) }

// otherDst returns a destination of the other element type, for kind
// "Unreduced", "Gradient" or "Weights" (a tensor of shape dims).
func etOtherDst[T losses.Float](kind string, dims ...int) (losses.Option, etWatched) {
	n := etProd(dims)
	if etIs32[T]() {
		d := etFill[float64](n)
		return etOtherOpt(kind, d, dims), etWatchSlice(kind, d)
	}
	d := etFill[float32](n)
	return etOtherOpt(kind, d, dims), etWatchSlice(kind, d)
}

func etOtherOpt[E losses.Float](kind string, d []E, dims []int) losses.Option {
	switch kind {
	case "Unreduced":
		return losses.Unreduced(d)
	case "Gradient":
		return losses.Gradient(d)
	}
	return losses.Weights(losses.New(d, dims...))
}

// ---------------------------------------------------------------------------
// Cases and the runner.

// etCase is one bad call. control, when set, is the same call with the bad
// part fixed: it must succeed and write every watched spectator it returns.
type etCase[T losses.Float] struct {
	name    string
	fn      string // the function name the message must carry
	call    func() (T, error)
	want    []error // every one must match
	allow   []error // may match (not required), beyond want
	msg     []string
	watch   []etWatched
	control func() (T, error, []etWatched)
}

var etPanicked = errors.New("test: call panicked")

// etNoPanic runs f, turning a panic into a test failure and etPanicked.
func etNoPanic[T any](t *testing.T, f func() (T, error)) (v T, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("panicked: %v\n%s", r, debug.Stack())
			err = etPanicked
		}
	}()
	return f()
}

func etRunCases[T losses.Float](t *testing.T, cases []etCase[T]) {
	seen := map[string]bool{}
	for _, tc := range cases {
		require.False(t, seen[tc.name], "duplicate case name %q", tc.name)
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			v, err := etNoPanic(t, tc.call)
			require.NotErrorIs(t, err, etPanicked)
			require.Error(t, err, "bad input accepted (result %v)", v)
			for _, w := range tc.want {
				assert.ErrorIs(t, err, w)
			}
			for _, s := range etSentinels {
				if !slices.Contains(tc.want, s) && !slices.Contains(tc.allow, s) {
					assert.NotErrorIs(t, err, s, "error matches a sentinel it should not")
				}
			}
			assert.Zero(t, v, "result on error")
			msg := err.Error()
			if tc.fn != "" {
				assert.Contains(t, msg, tc.fn+": ", "message names the function")
			}
			for _, s := range tc.msg {
				assert.Contains(t, msg, s)
			}
			for _, w := range tc.watch {
				assert.False(t, w.changed(), "%s was written although the call failed", w.what())
			}
			if tc.control != nil {
				v, err, written := etNoPanic3(t, tc.control)
				require.NoError(t, err, "positive control: the fixed call must succeed")
				assert.False(t, math.IsNaN(float64(v)), "positive control result is NaN")
				for _, w := range written {
					assert.True(t, w.changed(), "positive control: %s was not written", w.what())
				}
			}
		})
	}
}

func etNoPanic3[T any](t *testing.T, f func() (T, error, []etWatched)) (v T, err error, w []etWatched) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("positive control panicked: %v\n%s", r, debug.Stack())
			err = etPanicked
		}
	}()
	return f()
}

// ---------------------------------------------------------------------------
// Subjects: the public functions on valid base inputs.

type etCall[T losses.Float] func(opts ...losses.Option) (T, error)

type etSubject[T losses.Float] struct {
	name string // the public function called
	fn   string // the name its messages carry (deprecated aliases: the target's)
	// mk returns the call on fresh valid inputs, and the input data slices.
	mk        func() (etCall[T], [][]T)
	meas      []int // measurable shape of the base inputs
	n         int   // gradient length
	noWeights bool  // L1, L2: no measurable elements
	reduce    bool  // Reduce applies
	eps       bool  // Epsilon applies
	smooth    bool  // LabelSmoothing applies
	pairwise  bool  // weights scalar, [B] or [B,1] only
}

func (s etSubject[T]) m() int { return etProd(s.meas) }

// spectators are valid Unreduced/Gradient/Into options that ride along with
// an otherwise bad call: they must stay untouched.
func (s etSubject[T]) spectators() ([]losses.Option, []etWatched) {
	var opts []losses.Option
	var ws []etWatched
	if !s.noWeights {
		u := etFill[T](s.m())
		opts = append(opts, losses.Unreduced(u))
		ws = append(ws, etWatchSlice("Unreduced spectator", u))
	}
	g := etFill[T](s.n)
	c := &losses.Collection{}
	opts = append(opts, losses.Gradient(g), losses.Into(c))
	ws = append(ws, etWatchSlice("Gradient spectator", g), etCollWatch{c})
	return opts, ws
}

// baseControl is the valid base call with spectators, which it must write.
func (s etSubject[T]) baseControl() func() (T, error, []etWatched) {
	return func() (T, error, []etWatched) {
		f, _ := s.mk()
		opts, ws := s.spectators()
		v, err := f(opts...)
		return v, err, ws
	}
}

// optCase builds a case on the subject's valid inputs with bad options.
// good, when set, gives the fixed options for the positive control.
func (s etSubject[T]) optCase(name string, want []error, msg []string,
	bad func(in [][]T) ([]losses.Option, []etWatched),
	good func(in [][]T) ([]losses.Option, []etWatched)) etCase[T] {
	f, in := s.mk()
	opts, ws := bad(in)
	c := etCase[T]{name: s.name + "/" + name, fn: s.fn, want: want, msg: msg, watch: ws,
		call: func() (T, error) { return f(opts...) }}
	if good != nil {
		c.control = func() (T, error, []etWatched) {
			f, in := s.mk()
			opts, ws := good(in)
			v, err := f(opts...)
			return v, err, ws
		}
	}
	return c
}

// inputCase builds a case from a call on bad inputs, with spectators when
// spect is set, and the base call as positive control.
func (s etSubject[T]) inputCase(name string, want []error, msg []string, spect bool, f etCall[T]) etCase[T] {
	var opts []losses.Option
	var ws []etWatched
	if spect {
		opts, ws = s.spectators()
	}
	return etCase[T]{name: s.name + "/" + name, fn: s.fn, want: want, msg: msg, watch: ws,
		call: func() (T, error) { return f(opts...) }, control: s.baseControl()}
}

type etPairFn[T losses.Float] func(p, y losses.Tensor[T], opts ...losses.Option) (T, error)

func etPairSubject[T losses.Float](name, fn string, f etPairFn[T], meas []int) etSubject[T] {
	return etSubject[T]{name: name, fn: fn, meas: meas, n: 6, reduce: true,
		mk: func() (etCall[T], [][]T) {
			p, y := etBaseP[T](), etBaseY[T]()
			return func(o ...losses.Option) (T, error) {
				return f(losses.New(p, 2, 3), losses.New(y, 2, 3), o...)
			}, [][]T{p, y}
		}}
}

// ---------------------------------------------------------------------------
// Case generators.

// etPairInputCases: bad predictions/labels for a two-tensor function.
func etPairInputCases[T losses.Float](s etSubject[T], f etPairFn[T], pName, yName string, minRank int) []etCase[T] {
	big := etMaxInt/4 + 1 // [big 4] overflows int
	half := etMaxInt/2 + 1
	good := func() losses.Tensor[T] { return losses.New(etBaseP[T](), 2, 3) }
	goodY := func() losses.Tensor[T] { return losses.New(etBaseY[T](), 2, 3) }
	type in struct {
		name  string
		p, y  losses.Tensor[T]
		msg   []string
		spect bool
	}
	ins := []in{
		{"nil " + pName + " data under shape [2 3] is ErrShape", losses.New[T](nil, 2, 3), goodY(),
			[]string{pName + " shape [2 3] holds 6 elements, data has 0"}, true},
		{"nil " + yName + " data under shape [2 3] is ErrShape", good(), losses.New[T](nil, 2, 3),
			[]string{yName + " shape [2 3] holds 6 elements, data has 0"}, true},
		{"short " + pName + " data is ErrShape", losses.New(etBaseP[T]()[:5], 2, 3), goodY(),
			[]string{pName + " shape [2 3]", "data has 5"}, true},
		{"long " + yName + " data is ErrShape", good(), losses.New(etInput[T](0, 1, 0, 1, 0, 0, 1), 2, 3),
			[]string{yName + " shape [2 3]", "data has 7"}, true},
		{"negative dims in " + pName + " are ErrShape even when their product matches", losses.New(etBaseP[T](), -2, -3), goodY(),
			[]string{pName + " shape [-2 -3]", "negative dim"}, true},
		{"negative dim in " + yName + " is ErrShape", good(), losses.New[T](nil, 0, -1),
			[]string{yName + " shape [0 -1]"}, true},
		{"shape product overflowing int in " + pName + " is ErrShape", losses.New[T](nil, big, 4), goodY(),
			[]string{pName + " shape " + etShapeStr(big, 4), "overflows int"}, true},
		{"shape product of MaxInt+1 in " + yName + " is ErrShape", good(), losses.New[T](nil, half, 2),
			[]string{yName + " shape " + etShapeStr(half, 2), "overflows int"}, true},
		{"zero Tensor " + pName + " (rank 0, no data) is ErrShape", losses.Tensor[T]{}, goodY(),
			[]string{pName + " shape [] holds 1 elements, data has 0"}, true},
		{pName + " and " + yName + " of different shapes with the same size are ErrShape", good(), losses.New(etBaseY[T](), 3, 2),
			[]string{pName + " shape [2 3] and " + yName + " shape [3 2] differ"}, true},
		{yName + " of rank 1 against " + pName + " of rank 2 is ErrShape", good(), losses.New(etBaseY[T](), 6),
			[]string{yName + " shape [6]"}, true},
		{yName + " with an extra trailing 1 is ErrShape", good(), losses.New(etBaseY[T](), 2, 3, 1),
			[]string{pName + " shape [2 3] and " + yName + " shape [2 3 1] differ"}, true},
		{"rank 0 " + pName + " and " + yName + " are ErrShape", losses.Scalar[T](0.5), losses.Scalar[T](1),
			[]string{pName + " shape [] has rank 0, want at least " + fmt.Sprint(minRank)}, false},
		{"nil-Shape " + pName + " is rank 0 and ErrShape", losses.Tensor[T]{Data: []T{0.5}}, losses.Scalar[T](1),
			[]string{pName + " shape [] has rank 0"}, false},
	}
	if minRank == 2 {
		ins = append(ins, in{"rank 1 " + pName + " and " + yName + " are ErrShape (classes need rank >= 2)",
			losses.New(etBaseP[T]()), losses.New(etBaseY[T]()),
			[]string{pName + " shape [6] has rank 1, want at least 2"}, false})
	}
	var cs []etCase[T]
	for _, c := range ins {
		p, y := c.p, c.y
		cs = append(cs, s.inputCase(c.name, etShapeErr, c.msg, c.spect,
			func(o ...losses.Option) (T, error) { return f(p, y, o...) }))
	}
	return cs
}

// etSingleInputCases: bad tensors for ComputeWeightedLoss, L1 and L2.
func etSingleInputCases[T losses.Float](s etSubject[T], f func(x losses.Tensor[T], o ...losses.Option) (T, error), arg string) []etCase[T] {
	big := etMaxInt/4 + 1
	type in struct {
		name string
		x    losses.Tensor[T]
		msg  []string
	}
	ins := []in{
		{"nil " + arg + " data under shape [2 3] is ErrShape", losses.New[T](nil, 2, 3), []string{arg + " shape [2 3] holds 6 elements, data has 0"}},
		{"short " + arg + " data is ErrShape", losses.New(etBaseP[T]()[:4], 2, 3), []string{arg + " shape [2 3]", "data has 4"}},
		{"negative dims in " + arg + " are ErrShape", losses.New(etBaseP[T](), -2, -3), []string{arg + " shape [-2 -3]"}},
		{"shape product overflowing int in " + arg + " is ErrShape", losses.New[T](nil, big, 4), []string{arg + " shape " + etShapeStr(big, 4)}},
		{"zero Tensor " + arg + " (rank 0, no data) is ErrShape", losses.Tensor[T]{}, []string{arg + " shape [] holds 1 elements, data has 0"}},
	}
	var cs []etCase[T]
	for _, c := range ins {
		x := c.x
		cs = append(cs, s.inputCase(c.name, etShapeErr, c.msg, true,
			func(o ...losses.Option) (T, error) { return f(x, o...) }))
	}
	// Rank 0 is valid here: the positive control of this kind.
	cs[len(cs)-1].control = func() (T, error, []etWatched) {
		g := etFill[T](1)
		w := etWatchSlice("Gradient", g)
		v, err := f(losses.Scalar[T](0.5), losses.Gradient(g))
		return v, err, []etWatched{w}
	}
	return cs
}

// etWeightCases: every rejected weights shape for the subject's measurable shape.
func etWeightCases[T losses.Float](s etSubject[T]) []etCase[T] {
	m := s.meas
	big := etMaxInt/4 + 1
	goodW := func(dims ...int) func([][]T) ([]losses.Option, []etWatched) {
		return func([][]T) ([]losses.Option, []etWatched) {
			return []losses.Option{losses.Weights(losses.New(etOnes[T](etProd(dims)), dims...))}, nil
		}
	}
	wcase := func(name string, want, allow []error, dims []int, data []T, msg []string, good func([][]T) ([]losses.Option, []etWatched)) etCase[T] {
		c := s.optCase(name, want, msg, func([][]T) ([]losses.Option, []etWatched) {
			o, ws := s.spectators()
			return append(o, losses.Weights(losses.New(data, dims...))), ws
		}, good)
		c.allow = allow
		return c
	}
	// Invalid weights tensors are ErrWeights and ErrShape; MeanPairwiseSquaredError
	// checks its own weight shapes first, so there only ErrWeights is pinned
	// (TestErrors_InvalidWeightsTensorIsBothErrWeightsAndErrShapeOnEveryFunction
	// pins the rest).
	invalidWant, invalidAllow := etBothErr, []error(nil)
	if s.pairwise {
		invalidWant, invalidAllow = etWeightsErr, []error{losses.ErrShape}
	}
	higher := append(slices.Clone(m), 2)
	wrongDim := slices.Clone(m)
	wrongDim[len(wrongDim)-1]++
	twoOnes := append(slices.Clone(m), 1, 1)
	cs := []etCase[T]{
		wcase("weights of higher rank than the losses are ErrWeights", etWeightsErr, nil, higher, etOnes[T](etProd(higher)),
			[]string{"weights shape " + etShapeStr(higher...)}, goodW(m...)),
		wcase("weights with a dim neither 1 nor the loss dim are ErrWeights", etWeightsErr, nil, wrongDim, etOnes[T](etProd(wrongDim)),
			[]string{"weights shape " + etShapeStr(wrongDim...)}, goodW(append(slices.Clone(m), 1)...)),
		wcase("weights with two trailing 1s drop only one and are ErrWeights", etWeightsErr, nil, twoOnes, etOnes[T](etProd(twoOnes)),
			[]string{"weights shape " + etShapeStr(twoOnes...)}, goodW(append(slices.Clone(m), 1)...)),
		wcase("invalid weights tensor (data longer than shape) is ErrWeights and ErrShape", etBothErr, nil, m, etOnes[T](etProd(m)+1),
			[]string{"weights shape " + etShapeStr(m...)}, goodW(m...)),
		wcase("nil weights data under the loss shape is ErrWeights and ErrShape", etBothErr, nil, m, nil,
			[]string{"weights shape " + etShapeStr(m...)}, goodW(m...)),
		wcase("weights with a negative dim are ErrWeights", invalidWant, invalidAllow, []int{-1}, nil,
			[]string{"weights shape [-1]"}, nil),
		wcase("weights whose dims overflow int are ErrWeights", invalidWant, invalidAllow, []int{big, 4}, nil,
			[]string{"weights shape " + etShapeStr(big, 4)}, nil),
		s.optCase("weights of the other element type are ErrOption", etOptionErr,
			[]string{fmt.Sprintf("Weights of %d-byte elements for %d-byte inputs", 12-etEsize[T](), etEsize[T]())},
			func([][]T) ([]losses.Option, []etWatched) {
				o, ws := s.spectators()
				w, ww := etOtherDst[T]("Weights", m...)
				return append(o, w), append(ws, ww)
			}, goodW(m...)),
	}
	if len(m) == 2 && m[0] != m[1] {
		cs = append(cs, wcase("rank-1 weights of the last dim (aligned with the trailing axis) are ErrWeights", etWeightsErr, nil,
			[]int{m[1]}, etOnes[T](m[1]), []string{"weights shape " + etShapeStr(m[1]), "dim 0 is 3"}, goodW(m[0])))
	}
	if s.pairwise {
		b := m[0]
		for _, dims := range [][]int{{b, 3}, {1}, {1, b}, {b, 2}, {b + 1}, {b, 1, 1}} {
			cs = append(cs, wcase("weights "+etShapeStr(dims...)+" (not scalar, [B] or [B 1]) are ErrWeights", etWeightsErr, nil,
				dims, etOnes[T](etProd(dims)), []string{"weights shape " + etShapeStr(dims...), "want a scalar"}, goodW(b, 1)))
		}
	}
	return cs
}

// etOptionCases: options that do not apply, repeat, are out of range, or give
// bad destinations.
func etOptionCases[T losses.Float](s etSubject[T]) []etCase[T] {
	m, n := s.m(), s.n
	var cs []etCase[T]
	add := func(name string, want []error, msg []string, bad, good func([][]T) ([]losses.Option, []etWatched)) {
		cs = append(cs, s.optCase(name, want, msg, bad, good))
	}
	// withSpect adds spectators to the given options.
	withSpect := func(o ...losses.Option) func([][]T) ([]losses.Option, []etWatched) {
		return func([][]T) ([]losses.Option, []etWatched) {
			sp, ws := s.spectators()
			return append(sp, o...), ws
		}
	}
	gradOnly := func(o ...losses.Option) func([][]T) ([]losses.Option, []etWatched) {
		return func([][]T) ([]losses.Option, []etWatched) {
			g := etFill[T](n)
			return append([]losses.Option{losses.Gradient(g)}, o...), []etWatched{etWatchSlice("Gradient", g)}
		}
	}
	coll := &losses.Collection{}

	add("the zero Option is ErrOption", etOptionErr, []string{"option 0 is the zero Option"},
		func([][]T) ([]losses.Option, []etWatched) {
			g := etFill[T](n)
			return []losses.Option{{}, losses.Gradient(g)}, []etWatched{etWatchSlice("Gradient", g)}
		}, gradOnly())
	nSpect, _ := s.spectators()
	add("the zero Option after valid options is ErrOption naming its index", etOptionErr,
		[]string{fmt.Sprintf("option %d is the zero Option", len(nSpect))}, withSpect(losses.Option{}), nil)
	add("Into(nil) is ErrOption", etOptionErr, []string{"Into(nil)"},
		gradOnly(losses.Into(nil)), gradOnly(losses.Into(&losses.Collection{})))
	add("Named twice is ErrOption", etOptionErr, []string{"option Named given twice"},
		withSpect(losses.Named("a"), losses.Named("b")), nil)
	add("Into twice is ErrOption", etOptionErr, []string{"option Into given twice"},
		gradOnly(losses.Into(coll), losses.Into(coll)), nil)
	add("Gradient twice is ErrOption", etOptionErr, []string{"option Gradient given twice"},
		func([][]T) ([]losses.Option, []etWatched) {
			g1, g2 := etFill[T](n), etFill[T](n)
			return []losses.Option{losses.Gradient(g1), losses.Gradient(g2)},
				[]etWatched{etWatchSlice("first Gradient", g1), etWatchSlice("second Gradient", g2)}
		}, gradOnly())
	add("Gradient shorter than the input is ErrOption", etOptionErr, []string{fmt.Sprintf("Gradient destination has length %d, want %d", n-1, n)},
		func([][]T) ([]losses.Option, []etWatched) {
			g := etFill[T](n - 1)
			return []losses.Option{losses.Gradient(g)}, []etWatched{etWatchSlice("Gradient", g)}
		}, gradOnly())
	add("Gradient longer than the input is ErrOption", etOptionErr, []string{fmt.Sprintf("Gradient destination has length %d, want %d", n+1, n)},
		func([][]T) ([]losses.Option, []etWatched) {
			g := etFill[T](n + 1)
			return []losses.Option{losses.Gradient(g)}, []etWatched{etWatchSlice("Gradient", g)}
		}, nil)
	add("Gradient(nil) is ErrOption (length 0)", etOptionErr, []string{fmt.Sprintf("Gradient destination has length 0, want %d", n)},
		func([][]T) ([]losses.Option, []etWatched) { return []losses.Option{losses.Gradient[T](nil)}, nil }, nil)
	add("Gradient of the other element type is ErrOption", etOptionErr,
		[]string{fmt.Sprintf("Gradient destination of %d-byte elements for %d-byte inputs", 12-etEsize[T](), etEsize[T]())},
		func([][]T) ([]losses.Option, []etWatched) {
			o, w := etOtherDst[T]("Gradient", n)
			return []losses.Option{o}, []etWatched{w}
		}, gradOnly())
	for i := range s.mk2Inputs() {
		add(fmt.Sprintf("Gradient aliasing input %d is ErrOption", i), etOptionErr, []string{"Gradient destination overlaps an input"},
			func(in [][]T) ([]losses.Option, []etWatched) {
				return []losses.Option{losses.Gradient(in[i])}, []etWatched{etWatchSlice("Gradient (the input)", in[i])}
			}, gradOnly())
		add(fmt.Sprintf("Gradient sharing one element with input %d is ErrOption", i), etOptionErr, []string{"Gradient destination overlaps an input"},
			func(in [][]T) ([]losses.Option, []etWatched) {
				d := in[i][len(in[i])-1 : len(in[i])-1+n]
				for j := 1; j < n; j++ {
					d[j] = etFillValue
				}
				return []losses.Option{losses.Gradient(d)}, []etWatched{etWatchSlice("Gradient", d)}
			}, nil)
	}

	if s.noWeights {
		// L1, L2: no measurable elements.
		add("Weights does not apply", etOptionErr, []string{"option Weights does not apply"},
			gradOnly(losses.Weights(losses.Scalar[T](1))), nil)
		add("Weight does not apply (even 1)", etOptionErr, []string{"option Weight does not apply"},
			gradOnly(losses.Weight(1)), nil)
		add("Unreduced does not apply (even empty)", etOptionErr, []string{"option Unreduced does not apply"},
			gradOnly(losses.Unreduced([]T{})), nil)
	} else {
		add("Weight twice is ErrOption", etOptionErr, []string{"option Weight given twice"},
			withSpect(losses.Weight(1), losses.Weight(1)), withSpect(losses.Weight(1)))
		add("Weights twice is ErrOption", etOptionErr, []string{"option Weights given twice"},
			withSpect(losses.Weights(losses.Scalar[T](1)), losses.Weights(losses.Scalar[T](1))), withSpect(losses.Weights(losses.Scalar[T](1))))
		add("Weight then Weights is ErrOption", etOptionErr, []string{"option Weights given twice"},
			withSpect(losses.Weight(2), losses.Weights(losses.Scalar[T](2))), withSpect(losses.Weight(2)))
		add("Weights then Weight is ErrOption", etOptionErr, []string{"option Weight given twice"},
			withSpect(losses.Weights(losses.Scalar[T](2)), losses.Weight(2)), nil)
		add("Unreduced twice is ErrOption", etOptionErr, []string{"option Unreduced given twice"},
			func([][]T) ([]losses.Option, []etWatched) {
				u1, u2 := etFill[T](m), etFill[T](m)
				return []losses.Option{losses.Unreduced(u1), losses.Unreduced(u2)},
					[]etWatched{etWatchSlice("first Unreduced", u1), etWatchSlice("second Unreduced", u2)}
			}, nil)
		unredOnly := func(k int) func([][]T) ([]losses.Option, []etWatched) {
			return func([][]T) ([]losses.Option, []etWatched) {
				u, g := etFill[T](k), etFill[T](n)
				return []losses.Option{losses.Unreduced(u), losses.Gradient(g)},
					[]etWatched{etWatchSlice("Unreduced", u), etWatchSlice("Gradient", g)}
			}
		}
		add("Unreduced longer than the measurable elements is ErrOption", etOptionErr,
			[]string{fmt.Sprintf("Unreduced destination has length %d, want %d", m+1, m)}, unredOnly(m+1), unredOnly(m))
		add("Unreduced shorter than the measurable elements is ErrOption", etOptionErr,
			[]string{fmt.Sprintf("Unreduced destination has length %d, want %d", m-1, m)}, unredOnly(m-1), nil)
		if m != n {
			add("Unreduced of the input's length instead of the measurable count is ErrOption", etOptionErr,
				[]string{fmt.Sprintf("Unreduced destination has length %d, want %d", n, m)}, unredOnly(n), nil)
		}
		add("Unreduced(nil) is ErrOption (length 0)", etOptionErr,
			[]string{fmt.Sprintf("Unreduced destination has length 0, want %d", m)}, gradOnly(losses.Unreduced[T](nil)), nil)
		add("Unreduced of the other element type is ErrOption", etOptionErr,
			[]string{fmt.Sprintf("Unreduced destination of %d-byte elements for %d-byte inputs", 12-etEsize[T](), etEsize[T]())},
			func([][]T) ([]losses.Option, []etWatched) {
				o, w := etOtherDst[T]("Unreduced", m)
				return []losses.Option{o}, []etWatched{w}
			}, unredOnly(m))
		for i := range s.mk2Inputs() {
			add(fmt.Sprintf("Unreduced inside input %d is ErrOption", i), etOptionErr, []string{"Unreduced destination overlaps an input"},
				func(in [][]T) ([]losses.Option, []etWatched) {
					d := in[i][:m]
					return []losses.Option{losses.Unreduced(d)}, []etWatched{etWatchSlice("Unreduced (the input)", d)}
				}, unredOnly(m))
			add(fmt.Sprintf("Unreduced sharing one element with input %d is ErrOption", i), etOptionErr, []string{"Unreduced destination overlaps an input"},
				func(in [][]T) ([]losses.Option, []etWatched) {
					d := in[i][len(in[i])-1 : len(in[i])-1+m]
					for j := 1; j < m; j++ {
						d[j] = etFillValue
					}
					return []losses.Option{losses.Unreduced(d)}, []etWatched{etWatchSlice("Unreduced", d)}
				}, nil)
		}
		add("Unreduced and Gradient sharing one element is ErrOption", etOptionErr, []string{"Unreduced and Gradient destinations overlap"},
			func([][]T) ([]losses.Option, []etWatched) {
				buf := etFill[T](n + m - 1)
				return []losses.Option{losses.Unreduced(buf[n-1:]), losses.Gradient(buf[:n])}, []etWatched{etWatchSlice("Unreduced+Gradient", buf)}
			}, unredOnly(m))
		add("Gradient overlapping the weights is ErrOption", etOptionErr, []string{"Gradient destination overlaps an input"},
			func([][]T) ([]losses.Option, []etWatched) {
				buf := etFill[T](n)
				w := buf[n-m:]
				for j := range w {
					w[j] = 1
				}
				return []losses.Option{losses.Weights(losses.New(w, s.meas...)), losses.Gradient(buf)}, []etWatched{etWatchSlice("Gradient", buf)}
			}, func([][]T) ([]losses.Option, []etWatched) {
				g := etFill[T](n)
				return []losses.Option{losses.Weights(losses.New(etOnes[T](m), s.meas...)), losses.Gradient(g)}, []etWatched{etWatchSlice("Gradient", g)}
			})
		add("Unreduced aliasing the weights is ErrOption", etOptionErr, []string{"Unreduced destination overlaps an input"},
			func([][]T) ([]losses.Option, []etWatched) {
				w := etOnes[T](m)
				return []losses.Option{losses.Weights(losses.New(w, s.meas...)), losses.Unreduced(w)}, []etWatched{etWatchSlice("Unreduced (the weights)", w)}
			}, nil)
	}

	if s.reduce {
		add("Reduce twice is ErrOption", etOptionErr, []string{"option Reduce given twice"},
			withSpect(losses.Reduce(losses.Sum), losses.Reduce(losses.Mean)), withSpect(losses.Reduce(losses.Mean)))
		for _, r := range []losses.Reduction{99, 4, -1} {
			add(fmt.Sprintf("Reduce(Reduction(%d)) is ErrOption", int(r)), etOptionErr, []string{fmt.Sprintf("Reduce(%d)", int(r))},
				withSpect(losses.Reduce(r)), withSpect(losses.Reduce(losses.SumOverBatchSize)))
		}
	} else {
		add("Reduce does not apply (even the default)", etOptionErr, []string{"option Reduce does not apply"},
			withSpect(losses.Reduce(losses.SumByNonzeroWeights)), withSpect())
		add("Reduce(Sum) does not apply", etOptionErr, []string{"option Reduce does not apply"},
			withSpect(losses.Reduce(losses.Sum)), nil)
	}

	if s.eps {
		add("Epsilon twice is ErrOption", etOptionErr, []string{"option Epsilon given twice"},
			withSpect(losses.Epsilon(1e-7), losses.Epsilon(1e-7)), withSpect(losses.Epsilon(1e-3)))
		for _, e := range []float64{math.NaN(), -1, -1e-300, math.Inf(1), math.Inf(-1)} {
			add(fmt.Sprintf("Epsilon(%v) is ErrOption", e), etOptionErr, []string{fmt.Sprintf("Epsilon(%v)", e)},
				withSpect(losses.Epsilon(e)), withSpect(losses.Epsilon(0)))
		}
	} else {
		add("Epsilon does not apply (even the default 1e-7)", etOptionErr, []string{"option Epsilon does not apply"},
			withSpect(losses.Epsilon(1e-7)), nil)
	}

	if s.smooth {
		add("LabelSmoothing twice is ErrOption", etOptionErr, []string{"option LabelSmoothing given twice"},
			withSpect(losses.LabelSmoothing(0.1), losses.LabelSmoothing(0.1)), withSpect(losses.LabelSmoothing(1)))
		for _, l := range []float64{-0.1, 1.1, math.NaN(), math.Inf(1), math.Inf(-1)} {
			add(fmt.Sprintf("LabelSmoothing(%v) is ErrOption", l), etOptionErr, []string{fmt.Sprintf("LabelSmoothing(%v)", l)},
				withSpect(losses.LabelSmoothing(l)), withSpect(losses.LabelSmoothing(0.5)))
		}
	} else {
		add("LabelSmoothing does not apply (even 0)", etOptionErr, []string{"option LabelSmoothing does not apply"},
			withSpect(losses.LabelSmoothing(0)), nil)
	}
	return cs
}

// mk2Inputs returns the subject's input slices (for ranging over their indices).
func (s etSubject[T]) mk2Inputs() [][]T { _, in := s.mk(); return in }

// etSparseLabelCases: label slices of element type L for SparseSoftmaxCrossEntropy
// on logits [2 3].
func etSparseLabelCases[T losses.Float, L losses.Integer](s etSubject[T], typ string, bad ...L) []etCase[T] {
	var cs []etCase[T]
	mkCall := func(logits losses.Tensor[T], labels []L) etCall[T] {
		return func(o ...losses.Option) (T, error) { return losses.SparseSoftmaxCrossEntropy(logits, labels, o...) }
	}
	logits := func() losses.Tensor[T] { return losses.New(etBaseP[T](), 2, 3) }
	for _, labels := range [][]L{nil, {0}, {0, 1, 2}} {
		cs = append(cs, s.inputCase(fmt.Sprintf("%s labels of length %d for 2 rows are ErrShape", typ, len(labels)), etShapeErr,
			[]string{fmt.Sprintf("labels has length %d, want 2", len(labels)), "logits shape [2 3]"}, true, mkCall(logits(), labels)))
	}
	for _, v := range bad {
		for _, at := range []int{0, 1} {
			labels := []L{0, 2}
			labels[at] = v
			c := s.inputCase(fmt.Sprintf("%s label %d at index %d is ErrInvalidLabel", typ, v, at), etLabelErr,
				[]string{fmt.Sprintf("labels[%d] = %d", at, v), "class count 3"}, true, mkCall(logits(), labels))
			if v < 0 {
				c.msg = []string{fmt.Sprintf("labels[%d] = %d is negative", at, v)}
			}
			c.control = func() (T, error, []etWatched) {
				opts, ws := s.spectators()
				v, err := losses.SparseSoftmaxCrossEntropy(losses.New(etBaseP[T](), 2, 3), []L{0, 2}, opts...)
				return v, err, ws
			}
			cs = append(cs, c)
		}
	}
	cs = append(cs, s.inputCase(typ+" label 0 with zero classes is ErrInvalidLabel", etLabelErr,
		[]string{"labels[0] = 0 is not below the class count 0"}, false, mkCall(losses.New[T](nil, 2, 0), []L{0, 0})))
	// The first offending label is the one reported.
	cs = append(cs, s.inputCase(typ+" first invalid label is reported", etLabelErr,
		[]string{"labels[1] = 3"}, false, mkCall(losses.New(etInput[T](1, 2, 3, 4, 5, 6, 7, 8, 9), 3, 3), []L{0, 3, 4})))
	return cs
}

// ---------------------------------------------------------------------------
// The table.

func etTable[T losses.Float]() []etCase[T] {
	var cs []etCase[T]
	pairs := []struct {
		name, fn     string
		f            etPairFn[T]
		pName, yName string
		eps, smooth  bool
	}{
		{"AbsoluteDifference", "AbsoluteDifference", losses.AbsoluteDifference[T], "predictions", "labels", false, false},
		{"MeanSquaredError", "MeanSquaredError", losses.MeanSquaredError[T], "predictions", "labels", false, false},
		{"SumOfSquares", "MeanSquaredError", losses.SumOfSquares[T], "predictions", "labels", false, false},
		{"LogLoss", "LogLoss", losses.LogLoss[T], "predictions", "labels", true, false},
		{"Log", "LogLoss", losses.Log[T], "predictions", "labels", true, false},
		{"HingeLoss", "HingeLoss", losses.HingeLoss[T], "logits", "labels", false, false},
		{"SigmoidCrossEntropy", "SigmoidCrossEntropy", losses.SigmoidCrossEntropy[T], "logits", "multi_class_labels", false, true},
	}
	for _, p := range pairs {
		s := etPairSubject(p.name, p.fn, p.f, []int{2, 3})
		s.eps, s.smooth = p.eps, p.smooth
		cs = append(cs, etPairInputCases(s, p.f, p.pName, p.yName, 1)...)
		cs = append(cs, etWeightCases(s)...)
		cs = append(cs, etOptionCases(s)...)
	}

	// SoftmaxCrossEntropy: rank >= 2, measurable [2].
	{
		f := etPairFn[T](losses.SoftmaxCrossEntropy[T])
		s := etPairSubject("SoftmaxCrossEntropy", "SoftmaxCrossEntropy", f, []int{2})
		s.smooth = true
		cs = append(cs, etPairInputCases(s, f, "logits", "onehot_labels", 2)...)
		cs = append(cs, etWeightCases(s)...)
		cs = append(cs, etOptionCases(s)...)
	}

	// CosineDistance along the last axis: measurable [2]; plus bad axes.
	{
		f := func(p, y losses.Tensor[T], o ...losses.Option) (T, error) {
			return losses.CosineDistance(p, y, -1, o...)
		}
		s := etPairSubject("CosineDistance", "CosineDistance", f, []int{2})
		cs = append(cs, etPairInputCases(s, f, "predictions", "labels", 1)...)
		cs = append(cs, etWeightCases(s)...)
		cs = append(cs, etOptionCases(s)...)
		for _, axis := range []int{2, -3, 3, -4, etMaxInt, -etMaxInt - 1} {
			axis := axis
			c := s.inputCase(fmt.Sprintf("axis %d on rank 2 is ErrAxis", axis), etAxisErr,
				[]string{fmt.Sprintf("axis %d out of range for rank 2", axis)}, true,
				func(o ...losses.Option) (T, error) {
					return losses.CosineDistance(losses.New(etBaseP[T](), 2, 3), losses.New(etBaseY[T](), 2, 3), axis, o...)
				})
			c.control = func() (T, error, []etWatched) {
				opts, ws := s.spectators()
				v, err := losses.CosineDistance(losses.New(etBaseP[T](), 2, 3), losses.New(etBaseY[T](), 2, 3), -1, opts...)
				return v, err, ws
			}
			cs = append(cs, c)
		}
		// axis = -rank-1 and axis = rank on rank 1.
		for _, axis := range []int{1, -2} {
			cs = append(cs, s.inputCase(fmt.Sprintf("axis %d on rank 1 is ErrAxis", axis), etAxisErr,
				[]string{fmt.Sprintf("axis %d out of range for rank 1", axis)}, false,
				func(o ...losses.Option) (T, error) {
					return losses.CosineDistance(losses.New(etBaseP[T]()), losses.New(etBaseY[T]()), axis, o...)
				}))
		}
	}

	// MeanPairwiseSquaredError and its deprecated alias: weights scalar/[B]/[B,1]
	// only, Reduce does not apply, measurable = the batch rows.
	for _, p := range []struct {
		name string
		f    etPairFn[T]
	}{{"MeanPairwiseSquaredError", losses.MeanPairwiseSquaredError[T]}, {"SumOfPairwiseSquares", losses.SumOfPairwiseSquares[T]}} {
		s := etPairSubject(p.name, "MeanPairwiseSquaredError", p.f, []int{2})
		s.reduce, s.pairwise = false, true
		cs = append(cs, etPairInputCases(s, p.f, "predictions", "labels", 1)...)
		cs = append(cs, etWeightCases(s)...)
		cs = append(cs, etOptionCases(s)...)
	}

	// SparseSoftmaxCrossEntropy: logits [2 3], labels of many integer types.
	{
		s := etSubject[T]{name: "SparseSoftmaxCrossEntropy", fn: "SparseSoftmaxCrossEntropy", meas: []int{2}, n: 6, reduce: true, smooth: true,
			mk: func() (etCall[T], [][]T) {
				x := etBaseP[T]()
				return func(o ...losses.Option) (T, error) {
					return losses.SparseSoftmaxCrossEntropy(losses.New(x, 2, 3), []int32{0, 2}, o...)
				}, [][]T{x}
			}}
		cs = append(cs, etSingleInputCases(s, func(x losses.Tensor[T], o ...losses.Option) (T, error) {
			rows := 0
			if len(x.Shape) > 0 && x.Shape[0] >= 0 && x.Shape[0] < 100 {
				rows = x.Shape[0]
			}
			return losses.SparseSoftmaxCrossEntropy(x, make([]int, rows), o...)
		}, "logits")[:4]...)
		cs = append(cs, s.inputCase("rank 0 logits are ErrShape", etShapeErr, []string{"logits shape [] has rank 0, want at least 1"}, false,
			func(o ...losses.Option) (T, error) {
				return losses.SparseSoftmaxCrossEntropy(losses.Scalar[T](1), []int{0}, o...)
			}))
		cs = append(cs, etWeightCases(s)...)
		cs = append(cs, etOptionCases(s)...)
		{
			// Labels {0, 0} are the bytes of g[0] == 0: the gradient covers them.
			g := etFill[T](6)
			g[0] = 0
			labels := unsafe.Slice((*uint8)(unsafe.Pointer(&g[0])), 2)
			x := etBaseP[T]()
			cs = append(cs, etCase[T]{
				name: s.name + "/Gradient overlapping the labels is ErrOption", fn: s.fn, want: etOptionErr,
				msg:   []string{"Gradient destination overlaps an input"},
				watch: []etWatched{etWatchSlice("Gradient (over the labels)", g)},
				call: func() (T, error) {
					return losses.SparseSoftmaxCrossEntropy(losses.New(x, 2, 3), labels, losses.Gradient(g))
				},
				control: func() (T, error, []etWatched) {
					g := etFill[T](6)
					w := etWatchSlice("Gradient", g)
					v, err := losses.SparseSoftmaxCrossEntropy(losses.New(etBaseP[T](), 2, 3), []uint8{0, 0}, losses.Gradient(g))
					return v, err, []etWatched{w}
				},
			})
		}
		cs = append(cs, etSparseLabelCases[T, int](s, "int", -1, 3, etMaxInt, -etMaxInt-1)...)
		cs = append(cs, etSparseLabelCases[T, int8](s, "int8", -1, 3, math.MaxInt8, math.MinInt8)...)
		cs = append(cs, etSparseLabelCases[T, int16](s, "int16", -1, math.MaxInt16)...)
		cs = append(cs, etSparseLabelCases[T, int32](s, "int32", -1, math.MaxInt32, math.MinInt32)...)
		cs = append(cs, etSparseLabelCases[T, int64](s, "int64", -1, 3, math.MaxInt64, math.MinInt64)...)
		cs = append(cs, etSparseLabelCases[T, uint](s, "uint", 3, ^uint(0))...)
		cs = append(cs, etSparseLabelCases[T, uint8](s, "uint8", 3, math.MaxUint8)...)
		cs = append(cs, etSparseLabelCases[T, uint16](s, "uint16", 3, math.MaxUint16)...)
		cs = append(cs, etSparseLabelCases[T, uint32](s, "uint32", 3, math.MaxUint32)...)
		cs = append(cs, etSparseLabelCases[T, uint64](s, "uint64", 3, 1<<63+5, math.MaxUint64)...)
		cs = append(cs, etSparseLabelCases[T, uintptr](s, "uintptr", 3, ^uintptr(0))...)
	}

	// ComputeWeightedLoss: one tensor of any rank, measurable = its shape.
	{
		f := func(x losses.Tensor[T], o ...losses.Option) (T, error) { return losses.ComputeWeightedLoss(x, o...) }
		s := etSubject[T]{name: "ComputeWeightedLoss", fn: "ComputeWeightedLoss", meas: []int{2, 3}, n: 6, reduce: true,
			mk: func() (etCall[T], [][]T) {
				x := etBaseP[T]()
				return func(o ...losses.Option) (T, error) { return f(losses.New(x, 2, 3), o...) }, [][]T{x}
			}}
		cs = append(cs, etSingleInputCases(s, f, "losses")...)
		cs = append(cs, etWeightCases(s)...)
		cs = append(cs, etOptionCases(s)...)
		cs = append(cs, s.inputCase("rank-1 weights on rank-0 losses are ErrWeights", etWeightsErr, []string{"weights shape [1]"}, false,
			func(o ...losses.Option) (T, error) {
				return losses.ComputeWeightedLoss(losses.Scalar[T](2), losses.Weights(losses.New(etOnes[T](1), 1)))
			}))
	}

	// L1 and L2: params of any rank, scale finite and >= 0, only Gradient/Into/Named.
	for _, r := range []struct {
		name string
		f    func(losses.Tensor[T], float64, ...losses.Option) (T, error)
	}{{"L1", losses.L1[T]}, {"L2", losses.L2[T]}} {
		f := func(x losses.Tensor[T], o ...losses.Option) (T, error) { return r.f(x, 0.5, o...) }
		s := etSubject[T]{name: r.name, fn: r.name, n: 6, noWeights: true,
			mk: func() (etCall[T], [][]T) {
				x := etBaseP[T]()
				return func(o ...losses.Option) (T, error) { return f(losses.New(x, 2, 3), o...) }, [][]T{x}
			}}
		cs = append(cs, etSingleInputCases(s, f, "params")...)
		cs = append(cs, etOptionCases(s)...)
		for _, scale := range []float64{-1, -1e-300, math.NaN(), math.Inf(1), math.Inf(-1)} {
			c := s.inputCase(fmt.Sprintf("scale %v is ErrOption", scale), etOptionErr, []string{fmt.Sprintf("scale %v", scale)}, true,
				func(o ...losses.Option) (T, error) { return r.f(losses.New(etBaseP[T](), 2, 3), scale, o...) })
			c.control = func() (T, error, []etWatched) {
				g := etFill[T](6)
				w := etWatchSlice("Gradient", g)
				v, err := r.f(losses.New(etBaseP[T](), 2, 3), 0, losses.Gradient(g))
				return v, err, []etWatched{w}
			}
			cs = append(cs, c)
		}
	}
	return cs
}

// ---------------------------------------------------------------------------
// Tests.

// TestErrors_EveryFunctionRejectsBadInputWithSentinelNoPanicNoWrites is the
// table of SPEC.md section 8 for float32 and float64.
func TestErrors_EveryFunctionRejectsBadInputWithSentinelNoPanicNoWrites(t *testing.T) {
	t.Run("float32", func(t *testing.T) {
		cs := etTable[float32]()
		t.Logf("%d cases", len(cs))
		etRunCases(t, cs)
	})
	t.Run("float64", func(t *testing.T) {
		cs := etTable[float64]()
		t.Logf("%d cases", len(cs))
		etRunCases(t, cs)
	})
}

// TestErrors_SentinelsAreDistinctAndWrapped: errors.Is matches through the
// wrapping, and no sentinel matches another.
func TestErrors_SentinelsAreDistinctAndWrapped(t *testing.T) {
	for i, a := range etSentinels {
		for j, b := range etSentinels {
			assert.Equal(t, i == j, errors.Is(a, b), "%v vs %v", a, b)
		}
	}
	_, err := losses.MeanSquaredError(losses.New([]float32{1, 2}, 2), losses.New([]float32{1, 2, 3}, 3))
	require.ErrorIs(t, err, losses.ErrShape)
	assert.NotEqual(t, losses.ErrShape, err, "the sentinel is wrapped with detail")
	assert.True(t, strings.HasPrefix(err.Error(), losses.ErrShape.Error()), "message starts with the sentinel: %q", err)
	wrapped := fmt.Errorf("outer: %w", err)
	assert.ErrorIs(t, wrapped, losses.ErrShape)
}

// TestErrors_InvalidWeightsTensorIsBothErrWeightsAndErrShapeOnEveryFunction:
// weights whose data length does not match their shape match both sentinels,
// whatever the weights' shape, on every weighted function.
func TestErrors_InvalidWeightsTensorIsBothErrWeightsAndErrShapeOnEveryFunction(t *testing.T) {
	p, y := losses.New([]float64{0.1, 0.2, 0.3, 0.4, 0.6, 0.8}, 2, 3), losses.New([]float64{0, 1, 0, 1, 0, 0}, 2, 3)
	fns := map[string]etCall[float64]{
		"AbsoluteDifference":  func(o ...losses.Option) (float64, error) { return losses.AbsoluteDifference(p, y, o...) },
		"MeanSquaredError":    func(o ...losses.Option) (float64, error) { return losses.MeanSquaredError(p, y, o...) },
		"LogLoss":             func(o ...losses.Option) (float64, error) { return losses.LogLoss(p, y, o...) },
		"HingeLoss":           func(o ...losses.Option) (float64, error) { return losses.HingeLoss(p, y, o...) },
		"SigmoidCrossEntropy": func(o ...losses.Option) (float64, error) { return losses.SigmoidCrossEntropy(p, y, o...) },
		"SoftmaxCrossEntropy": func(o ...losses.Option) (float64, error) { return losses.SoftmaxCrossEntropy(p, y, o...) },
		"SparseSoftmaxCrossEntropy": func(o ...losses.Option) (float64, error) {
			return losses.SparseSoftmaxCrossEntropy(p, []int{0, 1}, o...)
		},
		"CosineDistance":           func(o ...losses.Option) (float64, error) { return losses.CosineDistance(p, y, 1, o...) },
		"MeanPairwiseSquaredError": func(o ...losses.Option) (float64, error) { return losses.MeanPairwiseSquaredError(p, y, o...) },
		"SumOfPairwiseSquares":     func(o ...losses.Option) (float64, error) { return losses.SumOfPairwiseSquares(p, y, o...) },
		"ComputeWeightedLoss":      func(o ...losses.Option) (float64, error) { return losses.ComputeWeightedLoss(p, o...) },
	}
	weights := map[string]losses.Tensor[float64]{
		"shape [3] holding 2 values":       losses.New([]float64{1, 1}, 3),
		"shape [2] holding 3 values":       losses.New([]float64{1, 1, 1}, 2),
		"shape [] holding 2 values":        {Data: []float64{1, 1}, Shape: []int{}},
		"shape [] holding nothing":         {Shape: []int{}},
		"shape [2 1] holding nothing":      losses.New[float64](nil, 2, 1),
		"shape [-2] holding nothing":       losses.New[float64](nil, -2),
		"shape [2 -1] holding nothing":     losses.New[float64](nil, 2, -1),
		"shape overflowing int, no values": losses.New[float64](nil, etMaxInt/2+1, 2),
	}
	for _, name := range slices.Sorted(maps.Keys(fns)) {
		for _, wname := range slices.Sorted(maps.Keys(weights)) {
			t.Run(name+"/"+wname, func(t *testing.T) {
				g := etFill[float64](6)
				v, err := etNoPanic(t, func() (float64, error) { return fns[name](losses.Weights(weights[wname]), losses.Gradient(g)) })
				assert.ErrorIs(t, err, losses.ErrWeights)
				assert.ErrorIs(t, err, losses.ErrShape)
				assert.Zero(t, v)
				assert.Equal(t, etFill[float64](6), g, "Gradient written on error")
				if err != nil {
					assert.Contains(t, err.Error(), "weights shape")
				}
			})
		}
	}
}

// TestErrors_CosineDistanceMeasurableShapeOverflowIsErrShape: an empty input
// (a 0 in the middle) whose measurable shape — the input's without the axis —
// has more elements than int can count cannot be reduced or sized for
// Unreduced; it must be ErrShape, not a silent result computed from an
// overflowed element count.
func TestErrors_CosineDistanceMeasurableShapeOverflowIsErrShape(t *testing.T) {
	var huge64, pow64 int64 = 1<<33 + 1, 1 << 40 // huge*huge wraps to 2^34+1 in int64; pow*pow to 0
	if int64(etMaxInt) < pow64 {
		t.Skip("64-bit int only")
	}
	huge, pow := int(huge64), int(pow64)
	for _, tc := range []struct {
		name string
		call func() (float32, error)
	}{
		{"no options", func() (float32, error) {
			p := losses.New[float32](nil, huge, 0, huge)
			return losses.CosineDistance(p, p, 1)
		}},
		{"scalar weights and an empty Unreduced", func() (float32, error) {
			p := losses.New[float32](nil, huge, 0, huge)
			return losses.CosineDistance(p, p, 1, losses.Weights(losses.Scalar[float32](2)), losses.Unreduced([]float32{}))
		}},
		{"power-of-two dims and scalar weights", func() (float32, error) {
			p := losses.New[float32](nil, pow, 0, pow)
			return losses.CosineDistance(p, p, 1, losses.Weight(2))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := etNoPanic(t, tc.call)
			assert.ErrorIs(t, err, losses.ErrShape, "got %v, %v", v, err)
			assert.Zero(t, v)
		})
	}
}

// TestErrors_TotalLossOfEmptyCollectionIsErrNoLosses.
func TestErrors_TotalLossOfEmptyCollectionIsErrNoLosses(t *testing.T) {
	c := &losses.Collection{}
	for _, reg := range []bool{false, true} {
		v, err := etNoPanic(t, func() (float64, error) { return c.TotalLoss(reg) })
		require.ErrorIs(t, err, losses.ErrNoLosses, "addRegularization=%v", reg)
		assert.Zero(t, v)
		assert.Contains(t, err.Error(), "TotalLoss")
	}
	// Only regularisation losses: still nothing to sum without them.
	c.AddRegularizationLoss("r", 2)
	_, err := c.TotalLoss(false)
	assert.ErrorIs(t, err, losses.ErrNoLosses)
	v, err := c.TotalLoss(true)
	require.NoError(t, err, "positive control")
	assert.Equal(t, 2.0, v)
	// A loss that failed was not collected: the collection stays empty.
	c.Reset()
	_, err = losses.MeanSquaredError(losses.New[float32](nil, 2), losses.New[float32](nil, 2), losses.Into(c))
	require.ErrorIs(t, err, losses.ErrShape)
	_, err = c.TotalLoss(true)
	assert.ErrorIs(t, err, losses.ErrNoLosses)
}

// TestErrors_UseKernelUnknownOrUnavailableLevelIsErrKernel.
func TestErrors_UseKernelUnknownOrUnavailableLevelIsErrKernel(t *testing.T) {
	unavailable := "neon"
	if runtime.GOARCH == "arm64" {
		unavailable = "avx2"
	}
	before := losses.Kernel()
	for _, name := range []string{"nope", "", "GENERIC", unavailable} {
		t.Run(fmt.Sprintf("%q", name), func(t *testing.T) {
			restore, err := losses.UseKernel(name)
			require.ErrorIs(t, err, losses.ErrKernel)
			assert.Contains(t, err.Error(), fmt.Sprintf("%q", name), "message names the level")
			require.NotNil(t, restore, "restore is callable even on error")
			assert.NotPanics(t, restore)
			assert.Equal(t, before, losses.Kernel(), "a failed UseKernel changes nothing")
		})
	}
	// Positive control: the generic level always exists.
	restore, err := losses.UseKernel("generic")
	require.NoError(t, err)
	assert.Equal(t, "generic", losses.Kernel())
	restore()
	assert.Equal(t, before, losses.Kernel())
}
