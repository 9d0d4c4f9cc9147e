package losses_test

import (
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/simdloss/simdloss/asm"
	"github.com/simdloss/simdloss/losses"
)

// The multi-threaded benchmarks compare, within one run, a call on one
// thread (Threads(1)) with the same call on up to GOMAXPROCS threads (set
// it with -cpu). "forced" lowers the threshold so that sizes below it run
// multi-threaded too: that is how the threshold was chosen.
//
//	go test -run '^$' -bench 'Parallel' -cpu 2 -count 5 ./losses/

func sizeName(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMi", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKi", n>>10)
	}
	return fmt.Sprint(n)
}

// threadModes runs f as "threads=1" (Threads(1)), "threads=max" (the default
// settings) and, when force is set, "forced" (threshold lowered to 1).
func threadModes(b *testing.B, force bool, f func(b *testing.B, opt losses.Option)) {
	b.Run("threads=1", func(b *testing.B) { f(b, losses.Threads(1)) })
	b.Run("threads=max", func(b *testing.B) { f(b, losses.Threads(runtime.GOMAXPROCS(0))) })
	if force {
		b.Run("forced", func(b *testing.B) {
			defer losses.SetParallelThreshold(1)()
			f(b, losses.Threads(runtime.GOMAXPROCS(0)))
		})
	}
}

var parallelSizes = []int{48 << 10, 64 << 10, 128 << 10, 256 << 10, 512 << 10, 1 << 20, 2 << 20, 4 << 20, 16 << 20}

func BenchmarkParallelMeanSquaredError(b *testing.B) {
	for _, n := range parallelSizes {
		p, y := benchData[float32](n)
		b.Run("n="+sizeName(n), func(b *testing.B) {
			threadModes(b, n < losses.DefaultParallelThreshold, func(b *testing.B, opt losses.Option) {
				b.SetBytes(int64(8 * n))
				for b.Loop() {
					v, _ := losses.MeanSquaredError(losses.New(p), losses.New(y), opt)
					benchSink += float64(v)
				}
			})
		})
	}
}

func BenchmarkParallelMeanSquaredErrorGradient(b *testing.B) {
	for _, n := range []int{256 << 10, 1 << 20, 16 << 20} {
		p, y := benchData[float32](n)
		grad := make([]float32, n)
		b.Run("n="+sizeName(n), func(b *testing.B) {
			threadModes(b, false, func(b *testing.B, opt losses.Option) {
				b.SetBytes(int64(12 * n))
				for b.Loop() {
					v, _ := losses.MeanSquaredError(losses.New(p), losses.New(y), losses.Gradient(grad), opt)
					benchSink += float64(v)
				}
			})
		})
	}
}

func BenchmarkParallelLogLoss(b *testing.B) {
	for _, n := range []int{48 << 10, 64 << 10, 128 << 10, 256 << 10, 1 << 20} {
		p, y := benchData[float32](n)
		b.Run("n="+sizeName(n), func(b *testing.B) {
			threadModes(b, n < losses.DefaultParallelThreshold, func(b *testing.B, opt losses.Option) {
				b.SetBytes(int64(8 * n))
				for b.Loop() {
					v, _ := losses.LogLoss(losses.New(p), losses.New(y), opt)
					benchSink += float64(v)
				}
			})
		})
	}
}

// BenchmarkParallelSplitProbe is the ideal two-thread split of the sparse
// softmax cross-entropy at [16384, 1024]: GOMAXPROCS goroutines started per
// call, each computing its share of the rows with Threads(1). On a shared
// machine it shows how much a second core delivers at the moment; the
// library's threads=max is judged against threads=1 and against it.
func BenchmarkParallelSplitProbe(b *testing.B) {
	const rows, classes = 16384, 1024
	x, _ := benchData[float32](rows * classes)
	labels := make([]int32, rows)
	for i := range labels {
		labels[i] = int32(i * 7 % classes)
	}
	threads := runtime.GOMAXPROCS(0)
	b.SetBytes(int64(4 * rows * classes))
	res := make([]float32, threads)
	var wg sync.WaitGroup
	for b.Loop() {
		for t := range threads {
			wg.Go(func() {
				lo, hi := t*rows/threads, (t+1)*rows/threads
				res[t], _ = losses.SparseSoftmaxCrossEntropy(losses.New(x[lo*classes:hi*classes], hi-lo, classes), labels[lo:hi], losses.Threads(1))
			})
		}
		wg.Wait()
		benchSink += float64(res[0])
	}
}

func BenchmarkParallelSparseSoftmaxCrossEntropy(b *testing.B) {
	for _, s := range [][2]int{{48, 1024}, {64, 1024}, {128, 1024}, {256, 1024}, {1024, 1024}, {16384, 1024}} {
		rows, classes := s[0], s[1]
		x, _ := benchData[float32](rows * classes)
		labels := make([]int32, rows)
		for i := range labels {
			labels[i] = int32(i * 7 % classes)
		}
		b.Run(fmt.Sprintf("%dx%d", rows, classes), func(b *testing.B) {
			threadModes(b, rows*classes < losses.DefaultParallelThreshold, func(b *testing.B, opt losses.Option) {
				b.SetBytes(int64(4 * rows * classes))
				for b.Loop() {
					v, _ := losses.SparseSoftmaxCrossEntropy(losses.New(x, rows, classes), labels, opt)
					benchSink += float64(v)
				}
			})
		})
	}
}

// BenchmarkParallelReadProbe reads two float32 slices (the traffic of a
// two-input loss) with asm.ReadProbe on one goroutine and on GOMAXPROCS
// goroutines, each reading one contiguous share: the memory bandwidth the
// memory-bound losses are judged against.
func BenchmarkParallelReadProbe(b *testing.B) {
	for _, n := range []int{1 << 20, 16 << 20} {
		x, y := benchData[float32](n)
		b.Run("n="+sizeName(n), func(b *testing.B) {
			for _, threads := range []int{1, runtime.GOMAXPROCS(0)} {
				name := "threads=1"
				if threads > 1 {
					name = "threads=max"
				}
				b.Run(name, func(b *testing.B) {
					b.SetBytes(int64(8 * n))
					res := make([]float32, threads)
					var wg sync.WaitGroup
					for b.Loop() {
						for t := range threads {
							wg.Go(func() {
								lo, hi := t*n/threads, (t+1)*n/threads
								res[t] = asm.ReadProbe(x[lo:hi], y[lo:hi])
							})
						}
						wg.Wait()
						benchSink += float64(res[0])
					}
				})
			}
		})
	}
}

// BenchmarkParallelCost times each kind of loss over the same 128Ki input
// elements on one thread: the relative costs per element that scale the
// parallel threshold (reduce.Cost).
func BenchmarkParallelCost(b *testing.B) {
	const rows, c = 128, 1024
	x, y := benchData[float32](rows * c)
	labels := make([]int32, rows)
	for i := range labels {
		labels[i] = int32(i * 7 % c)
	}
	one := losses.Threads(1)
	calls := []struct {
		name string
		f    func() (float32, error)
	}{
		{"MeanSquaredError", func() (float32, error) { return losses.MeanSquaredError(losses.New(x), losses.New(y), one) }},
		{"HingeLoss", func() (float32, error) { return losses.HingeLoss(losses.New(x), losses.New(y), one) }},
		{"LogLoss", func() (float32, error) { return losses.LogLoss(losses.New(x), losses.New(y), one) }},
		{"SigmoidCrossEntropy", func() (float32, error) { return losses.SigmoidCrossEntropy(losses.New(x), losses.New(y), one) }},
		{"SoftmaxCrossEntropy", func() (float32, error) {
			return losses.SoftmaxCrossEntropy(losses.New(x, rows, c), losses.New(y, rows, c), one)
		}},
		{"SparseSoftmaxCrossEntropy", func() (float32, error) {
			return losses.SparseSoftmaxCrossEntropy(losses.New(x, rows, c), labels, one)
		}},
		{"CosineDistance", func() (float32, error) {
			return losses.CosineDistance(losses.New(x, rows, c), losses.New(y, rows, c), 1, one)
		}},
		{"MeanPairwiseSquaredError", func() (float32, error) {
			return losses.MeanPairwiseSquaredError(losses.New(x, rows, c), losses.New(y, rows, c), one)
		}},
	}
	for _, call := range calls {
		b.Run(call.name, func(b *testing.B) {
			b.SetBytes(int64(4 * rows * c))
			for b.Loop() {
				v, _ := call.f()
				benchSink += float64(v)
			}
		})
	}
}
