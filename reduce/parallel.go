package reduce

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/simdloss/simdloss/asm"
)

// Large inputs are reduced on several goroutines. The blocks are the same as
// on one thread (they depend only on shapes); helpers claim them one at a
// time, each block's partial is stored at its index, and the caller combines
// the partials in block order with the same compensated sum as the
// single-threaded loop. So the result is bitwise identical whatever the
// number of threads, and identical to the single-threaded path.

// MaxThreads bounds the goroutines one call runs on, the caller's included.
const MaxThreads = 64

// DefaultParallelThreshold is the number of input elements of the cheapest
// losses (squared or absolute difference, hinge, the weighted sum and the
// regularisers) from which a call runs on several threads by default (see
// SetParallelThreshold); costlier losses scale it down by their weight
// (elemCost, rowCost). Measured on a 2-core AMD EPYC (AVX-512; BenchmarkParallel* in package
// losses): a call gains from a second thread once its single-threaded work
// takes about 100 µs; the squared error at 1Mi elements (90 µs) ran 0.9x to
// 1.0x on two threads, at 2Mi and beyond 1.5x to 2x.
const DefaultParallelThreshold = 2 << 20

// Weights of the losses against the squared difference: a call reading n
// elements may split when n·weight reaches the threshold. They grow with
// the work per element (BenchmarkParallelCost in package losses, AVX-512, one
// thread: log loss 3.7x the squared difference, sigmoid cross-entropy 4.8x,
// softmax 3.4x, sparse softmax 2.9x, cosine 1.1x, pairwise 2.4x) and more
// than in proportion, because compute-bound calls gain from a second core
// at much shorter durations than memory-bound ones (on two threads, with the
// threshold forced to 1: log loss 1.34x at 256Ki elements, 70 µs on one
// thread, 0.95x at 128Ki; sparse softmax 1.2x at [128, 1024], 28 µs, and
// 1.05x at [48, 1024]; the squared error 0.9x to 1.0x at 1Mi, 90 µs).
var elemCost = [asm.NumElemLoss]int{asm.LogLoss: 8, asm.SigmoidCE: 8}

var rowCost = [...]int{jobSoftmax: 16, jobSparse: 16, jobCosine: 1, jobPairwise: 2}

func costOfElem(loss asm.ElemLoss) int {
	if loss >= 0 && loss < asm.NumElemLoss && elemCost[loss] > 0 {
		return elemCost[loss]
	}
	return 1
}

// stackSafeBytes is the size above which a slice cannot lie on a goroutine
// stack: the compiler's largest stack variable is 128 KiB
// (cmd/compile/internal/ir.MaxStackVarSize). Helpers may read only such
// slices (or copies the call owns): a stack can move while its goroutine
// waits, and the callers' slices are hidden from escape analysis.
const stackSafeBytes = 128 << 10

var parallelThreshold atomic.Int64

func init() { parallelThreshold.Store(DefaultParallelThreshold) }

// SetParallelThreshold sets the number of input elements (the elements the
// kernels read: predictions, logits) from which a call of the cheapest
// losses may run on several threads (costlier ones divide it by their cost),
// and returns the previous setting. n <= 0 restores the default.
// Results do not depend on it: only the speed does. Inputs of 128 KiB or
// less always run on the calling goroutine.
func SetParallelThreshold(n int) (previous int) {
	if n <= 0 {
		n = DefaultParallelThreshold
	}
	return int(parallelThreshold.Swap(int64(n)))
}

// ParallelThreshold returns the current setting of SetParallelThreshold.
func ParallelThreshold() int { return int(parallelThreshold.Load()) }

// Exec says how a call runs and what it reports besides its value.
type Exec struct {
	// Threads bounds the goroutines the call runs on, the caller's
	// included; 0 means GOMAXPROCS, 1 runs everything on the caller.
	Threads int
	// Partial, when not nil, receives the call's partial: Num, Nonzero,
	// WSum and N of all its measurable elements, also where the reduction
	// needs only some of them.
	Partial *Partial
}

// threads returns how many goroutines a call reading n elements of size
// esize, each of the given relative cost, may use (1: run on the caller).
// The common answer is inlined; the rest is not.
func (ex *Exec) threads(n, cost int, esize uintptr) int {
	if ex.Threads == 1 || n*cost < ParallelThreshold() {
		return 1
	}
	return ex.threadsAbove(n, esize)
}

//go:noinline
func (ex *Exec) threadsAbove(n int, esize uintptr) int {
	if uintptr(n)*esize <= stackSafeBytes {
		return 1
	}
	t := ex.Threads
	if t <= 0 {
		t = runtime.GOMAXPROCS(0)
	}
	return min(t, MaxThreads)
}

// report stores st as the call's partial when one is asked for.
func (ex *Exec) report(st Partial) {
	if ex.Partial != nil {
		*ex.Partial = st
	}
}

// blockRes is a block's contribution: its Σ w·l and, where it computed them,
// its weight statistics.
type blockRes struct {
	s  float64
	nz int
	ws float64
}

// helping is what a helper goroutine runs: claim and compute blocks until
// none are left, then drop its reference to the job.
type helping interface{ help() }

// helpers is the pool of helper goroutines shared by all calls. They are
// started on demand, at most MaxThreads-1 of them, and never exit.
var helpers struct {
	mu      sync.Mutex
	started atomic.Int32
	queue   chan helping
}

func init() { helpers.queue = make(chan helping, MaxThreads) }

// ensureHelpers starts helpers until at least n run.
func ensureHelpers(n int) {
	if int(helpers.started.Load()) >= n {
		return
	}
	helpers.mu.Lock()
	defer helpers.mu.Unlock()
	for int(helpers.started.Load()) < n {
		helpers.started.Add(1)
		go helperLoop()
	}
}

// spinFor is how long a helper keeps polling for the next job after one,
// and a caller for its helpers' last blocks, before blocking in the
// scheduler: waking a parked goroutine on another core costs several
// microseconds, a large share of a call near the threshold, and calls in
// a training loop follow each other closely.
const spinFor = 50 * time.Microsecond

// helperLoop runs jobs from the queue, polling it for spinFor after each
// before it blocks.
func helperLoop() {
	for {
		pollQueue().help()
	}
}

// pollQueue waits for the next job: polling for spinFor, then blocking.
func pollQueue() helping {
	var h helping
	if spin(func() bool {
		select {
		case h = <-helpers.queue:
			return true
		default:
			return false
		}
	}) {
		return h
	}
	return <-helpers.queue
}

// spin polls done, yielding to other goroutines in between, until it
// reports true (spin returns true) or spinFor has passed (false).
func spin(done func() bool) bool {
	deadline := time.Now().Add(spinFor)
	for i := 0; !done(); i++ {
		if i%64 == 63 && time.Now().After(deadline) {
			return false
		}
		runtime.Gosched()
	}
	return true
}

type jobKind uint8

const (
	jobElem jobKind = iota
	jobSoftmax
	jobSparse
	jobCosine
	jobPairwise
)

// job is one parallel call: its block descriptors, their partials, and what
// computing a block needs. Jobs are recycled (see getJob), so a call in the
// steady state allocates nothing.
type job[T Float] struct {
	refs atomic.Int32 // the caller and each helper handed the job
	_    [cacheLine]byte
	next atomic.Int64 // the next block to claim
	_    [cacheLine]byte
	left atomic.Int64 // blocks not yet finished
	_    [cacheLine]byte
	done chan struct{}
	// threads is how many goroutines the call runs on (claims are sized by it).
	threads int

	kind   jobKind
	wt     Weighting[T] // the call's weighting, its weights heap-safe
	blocks []block[T]
	res    []blockRes
	elem   elemCall[T]
	rows   rowCall[T]
	free   chan *job[T]

	// Copies of inputs and outputs that might lie on the caller's stack.
	wbuf, ubuf []T
	lbuf       []int
}

const freeJobs = 8

var (
	freeJobs32 = make(chan *job[float32], freeJobs)
	freeJobs64 = make(chan *job[float64], freeJobs)
)

// getJob returns a recycled job, or a new one, holding the caller's reference.
func getJob[T Float]() *job[T] {
	var free chan *job[T]
	if is32[T]() {
		free = any(freeJobs32).(chan *job[T])
	} else {
		free = any(freeJobs64).(chan *job[T])
	}
	var j *job[T]
	select {
	case j = <-free:
	default:
		j = &job[T]{done: make(chan struct{}, 1), free: free}
	}
	j.refs.Store(1)
	return j
}

// release drops one reference; the last one recycles the job.
func (j *job[T]) release() {
	if j.refs.Add(-1) != 0 {
		return
	}
	j.elem, j.rows = elemCall[T]{}, rowCall[T]{} // drop the callers' slices
	clear(j.blocks)
	j.wt.w = nil
	select {
	case j.free <- j:
	default:
	}
}

func is32[T Float]() bool {
	var z T
	return unsafe.Sizeof(z) == 4
}

// setWeighting copies wt into the job, with its weights copied where they
// might lie on the caller's stack, and lists its blocks of at most per elements.
func (j *job[T]) setWeighting(wt *Weighting[T], per int) {
	j.wt = *wt
	if w := wt.w; w != nil && uintptr(len(w))*unsafe.Sizeof(w[0]) <= stackSafeBytes {
		j.wbuf = grow(j.wbuf, len(w))
		copy(j.wbuf, w)
		j.wt.w = j.wbuf
	}
	j.blocks = j.blocks[:0]
	it := j.wt.blocks(per)
	for it.next() {
		j.blocks = append(j.blocks, it.b)
	}
}

// heapSafe returns s, or a copy in buf when s might lie on the caller's stack.
func heapSafe[T any](s []T, buf *[]T) []T {
	if s == nil || uintptr(len(s))*unsafe.Sizeof(s[0]) > stackSafeBytes {
		return s
	}
	*buf = grow(*buf, len(s))
	copy(*buf, s)
	return *buf
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// run computes every block on up to threads goroutines and returns their
// partials in block order. The caller keeps its reference until it has read
// them, then releases the job.
func (j *job[T]) run(threads int) []blockRes {
	nb := len(j.blocks)
	j.res = grow(j.res, nb)
	j.next.Store(0)
	j.left.Store(int64(nb))
	if nb == 0 {
		return j.res
	}
	threads = min(threads, nb)
	j.threads = threads
	ensureHelpers(threads - 1)
	for range threads - 1 {
		j.refs.Add(1)
		select {
		case helpers.queue <- j:
		default: // every helper is queued up: the others will do
			j.refs.Add(-1)
		}
	}
	j.work()
	// The helpers' last blocks are short (see work): poll for them before
	// blocking on done, which the last one to finish signals in any case.
	spin(func() bool { return j.left.Load() == 0 })
	<-j.done
	return j.res
}

// helpedBlocks counts the blocks helpers computed, for tests and diagnostics.
var helpedBlocks atomic.Int64

func (j *job[T]) help() {
	if n := j.work(); n > 0 {
		helpedBlocks.Add(int64(n))
	}
	j.release()
}

// cacheLine pads the counters every goroutine of a job updates onto lines
// of their own.
const cacheLine = 64

// work claims and computes blocks until none are left and returns how many
// it computed; whoever finishes the last block signals done. Each claim takes
// a run of consecutive blocks, a share of those left that shrinks as they
// run out (guided scheduling): a few claims per goroutine rather than one
// per block, whose contended counters and result slots shared between
// cores would cost a cache-line transfer every block, and neighbouring
// blocks read by one core.
func (j *job[T]) work() (n int) {
	nb := int64(len(j.res))
	share := 2 * int64(j.threads)
	for {
		k := max(1, (nb-j.next.Load())/share)
		lo := j.next.Add(k) - k
		if lo >= nb {
			return n
		}
		hi := min(lo+k, nb)
		for i := lo; i < hi; i++ {
			j.res[i] = j.block(&j.blocks[i])
		}
		n += int(hi - lo)
		if j.left.Add(lo-hi) == 0 {
			j.done <- struct{}{}
		}
	}
}

func (j *job[T]) block(b *block[T]) blockRes {
	if j.kind == jobElem {
		return j.elem.block(b)
	}
	return blockRes{s: j.rows.block(j.kind, b, nil)}
}
