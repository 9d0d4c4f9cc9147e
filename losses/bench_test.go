package losses_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/simdloss/simdloss/asm"
	"github.com/simdloss/simdloss/internal/cputime"
	"github.com/simdloss/simdloss/losses"
)

var benchSink float64

// benchZero is 0, in a variable the compiler cannot see through: it makes a
// benchmark's next input depend on its last result.
var benchZero uint64

func benchData[T losses.Float](n int) (p, y []T) {
	r := rand.New(rand.NewPCG(1, 2))
	p, y = make([]T, n), make([]T, n)
	for i := range p {
		p[i], y[i] = T(r.Float64()), T(r.IntN(2))
	}
	return p, y
}

func benchElementwise[T losses.Float](b *testing.B, name string) {
	for _, n := range []int{1 << 10, 1 << 16, 1 << 20} {
		p, y := benchData[T](n)
		grad := make([]T, n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.SetBytes(int64(2 * n * int(sizeOf[T]())))
			for b.Loop() {
				v, _ := callPair(name, losses.New(p), losses.New(y))
				benchSink += float64(v)
			}
		})
		b.Run(fmt.Sprintf("n=%d/Gradient", n), func(b *testing.B) {
			b.SetBytes(int64(3 * n * int(sizeOf[T]())))
			for b.Loop() {
				v, _ := callPair(name, losses.New(p), losses.New(y), losses.Gradient(grad))
				benchSink += float64(v)
			}
		})
	}
}

func sizeOf[T losses.Float]() uintptr {
	var z T
	switch any(z).(type) {
	case float32:
		return 4
	}
	return 8
}

func BenchmarkMeanSquaredError(b *testing.B) {
	b.Run("float32", func(b *testing.B) { benchElementwise[float32](b, "MeanSquaredError") })
	b.Run("float64", func(b *testing.B) { benchElementwise[float64](b, "MeanSquaredError") })
}

func BenchmarkLogLoss(b *testing.B) {
	b.Run("float32", func(b *testing.B) { benchElementwise[float32](b, "LogLoss") })
}

func BenchmarkSigmoidCrossEntropy(b *testing.B) {
	b.Run("float32", func(b *testing.B) { benchElementwise[float32](b, "SigmoidCrossEntropy") })
}

// softmaxBenchData returns rows·classes float32 logits drawn from N(0, 4),
// labels and dense one-hot labels.
func softmaxBenchData(rows, classes int) (x []float32, labels []int32, z []float32) {
	r := rand.New(rand.NewPCG(3, uint64(rows*classes)))
	x = make([]float32, rows*classes)
	for i := range x {
		x[i] = float32(2 * r.NormFloat64())
	}
	labels = make([]int32, rows)
	z = make([]float32, rows*classes)
	for i := range labels {
		labels[i] = int32(r.IntN(classes))
		z[i*classes+int(labels[i])] = 1
	}
	return x, labels, z
}

// plainSparseCE is the plain Go loop the sparse softmax cross-entropy is
// measured against: per row the maximum, Σ exp(x − m) with math.Exp and
// the loss with math.Log, all in float64; with grad, softmax − onehot.
func plainSparseCE(x []float32, classes int, labels []int32, grad []float32) float64 {
	var total float64
	n := float64(len(labels))
	for r, lab := range labels {
		xr := x[r*classes : (r+1)*classes]
		m := xr[0]
		for _, v := range xr {
			if v > m {
				m = v
			}
		}
		var s float64
		for _, v := range xr {
			s += math.Exp(float64(v - m))
		}
		ls := math.Log(s)
		total += float64(m-xr[lab]) + ls
		if grad != nil {
			gr := grad[r*classes : (r+1)*classes]
			for k, v := range xr {
				gr[k] = float32(math.Exp(float64(v-m)) / s / n)
			}
			gr[lab] -= float32(1 / n)
		}
	}
	return total / n
}

// plainSoftmaxCE is the same loop for dense labels z.
func plainSoftmaxCE(x, z []float32, classes int, grad []float32) float64 {
	var total float64
	rows := len(x) / classes
	n := float64(rows)
	for r := 0; r < rows; r++ {
		xr, zr := x[r*classes:(r+1)*classes], z[r*classes:(r+1)*classes]
		m := xr[0]
		for _, v := range xr {
			if v > m {
				m = v
			}
		}
		var s float64
		for _, v := range xr {
			s += math.Exp(float64(v - m))
		}
		lse := float64(m) + math.Log(s)
		var sz float64
		for k, v := range xr {
			total += float64(zr[k]) * (lse - float64(v))
			sz += float64(zr[k])
		}
		if grad != nil {
			gr := grad[r*classes : (r+1)*classes]
			for k, v := range xr {
				gr[k] = float32((math.Exp(float64(v)-lse)*sz - float64(zr[k])) / n)
			}
		}
	}
	return total / n
}

// softmaxShapes are the [rows, classes] of the softmax benchmarks.
var softmaxShapes = [][2]int{{256, 1000}, {64, 32000}, {4096, 10}}

// softmaxBench is one softmax benchmark's calls: plain (the plain Go loop,
// writing grad when it is not nil) and api (the public call, with options
// opts) on the data of a [rows, classes] shape, and the bytes a forward call
// reads per element (the gradient adds 4).
type softmaxBench struct {
	bytes int
	plain func(grad []float32) float64
	api   func(opts ...losses.Option) float32
}

// runSoftmaxBench runs <rows>x<classes>/<plain-go|level>[/Gradient] for every
// softmax shape: float32, single-threaded, at every available level next to
// the plain Go loop, in one run: compare within it.
func runSoftmaxBench(b *testing.B, setup func(rows, classes int) softmaxBench) {
	for _, sh := range softmaxShapes {
		rows, classes := sh[0], sh[1]
		sb := setup(rows, classes)
		grad := make([]float32, rows*classes)
		prefix := fmt.Sprintf("%dx%d/", rows, classes)
		fwd, bwd := int64(sb.bytes*rows*classes), int64((sb.bytes+4)*rows*classes)
		b.Run(prefix+"plain-go", func(b *testing.B) {
			b.SetBytes(fwd)
			cputime.Report(b, func() { benchSink += sb.plain(nil) })
		})
		b.Run(prefix+"plain-go/Gradient", func(b *testing.B) {
			b.SetBytes(bwd)
			cputime.Report(b, func() { benchSink += sb.plain(grad) })
		})
		for _, level := range losses.Kernels() {
			b.Run(prefix+level, func(b *testing.B) {
				defer useKernel(b, level)()
				b.SetBytes(fwd)
				cputime.Report(b, func() { benchSink += float64(sb.api(losses.Threads(1))) })
			})
			b.Run(prefix+level+"/Gradient", func(b *testing.B) {
				defer useKernel(b, level)()
				b.SetBytes(bwd)
				cputime.Report(b, func() { benchSink += float64(sb.api(losses.Gradient(grad), losses.Threads(1))) })
			})
		}
	}
}

// BenchmarkSparseSoftmaxCrossEntropy/<rows>x<classes>/<plain-go|level>[/Gradient]:
// the sparse softmax cross-entropy against plainSparseCE (runSoftmaxBench).
func BenchmarkSparseSoftmaxCrossEntropy(b *testing.B) {
	runSoftmaxBench(b, func(rows, classes int) softmaxBench {
		x, labels, _ := softmaxBenchData(rows, classes)
		return softmaxBench{
			bytes: 4,
			plain: func(grad []float32) float64 { return plainSparseCE(x, classes, labels, grad) },
			api: func(opts ...losses.Option) float32 {
				v, _ := losses.SparseSoftmaxCrossEntropy(losses.New(x, rows, classes), labels, opts...)
				return v
			},
		}
	})
}

// BenchmarkSoftmaxCrossEntropy: the same for dense (one-hot) labels against
// plainSoftmaxCE.
func BenchmarkSoftmaxCrossEntropy(b *testing.B) {
	runSoftmaxBench(b, func(rows, classes int) softmaxBench {
		x, _, z := softmaxBenchData(rows, classes)
		return softmaxBench{
			bytes: 8,
			plain: func(grad []float32) float64 { return plainSoftmaxCE(x, z, classes, grad) },
			api: func(opts ...losses.Option) float32 {
				v, _ := losses.SoftmaxCrossEntropy(losses.New(x, rows, classes), losses.New(z, rows, classes), opts...)
				return v
			},
		}
	})
}

// useKernel switches to level for one benchmark and returns the restore.
func useKernel(b *testing.B, level string) func() {
	restore, err := losses.UseKernel(level)
	if err != nil {
		b.Fatal(err)
	}
	return restore
}

// BenchmarkRowWeights: [B] weights on rows of length C against no weights,
// at the same element count (the row-weight kernels batch short rows).
func BenchmarkRowWeights(b *testing.B) {
	const n = 1 << 18
	p, y := benchData[float32](n)
	for _, c := range []int{1, 3, 16, 1000} {
		rows := n / c
		w := make([]float32, rows)
		for i := range w {
			w[i] = float32(i%3) + 0.5
		}
		b.Run(fmt.Sprintf("C=%d/unweighted", c), func(b *testing.B) {
			b.SetBytes(int64(8 * rows * c))
			for b.Loop() {
				v, _ := losses.MeanSquaredError(losses.New(p[:rows*c], rows, c), losses.New(y[:rows*c], rows, c))
				benchSink += float64(v)
			}
		})
		b.Run(fmt.Sprintf("C=%d/weights[B]", c), func(b *testing.B) {
			b.SetBytes(int64(8 * rows * c))
			for b.Loop() {
				v, _ := losses.MeanSquaredError(losses.New(p[:rows*c], rows, c), losses.New(y[:rows*c], rows, c), losses.Weights(losses.New(w, rows)))
				benchSink += float64(v)
			}
		})
	}
}

// BenchmarkLevels runs the public API at every available level next to a
// plain Go loop of the same formula, at 4Ki and 1Mi float32 elements (and
// float64 squared error), in one run: compare within it. The sigmoid
// cross-entropy takes logits in [−8, 8].
func BenchmarkLevels(b *testing.B) {
	for _, n := range []int{1 << 12, 1 << 20} {
		p, y := benchData[float32](n)
		for i := range p {
			p[i] = 0.01 + 0.98*p[i] // log loss's domain
		}
		p64, y64 := benchData[float64](n)
		x := benchLogits(p)
		plain := map[string]func() float64{
			"MeanSquaredError": func() float64 {
				var s float32
				for i := range p {
					d := p[i] - y[i]
					s += d * d
				}
				return float64(s) / float64(n)
			},
			"AbsoluteDifference": func() float64 {
				var s float32
				for i := range p {
					s += float32(math.Abs(float64(p[i] - y[i])))
				}
				return float64(s) / float64(n)
			},
			"HingeLoss": func() float64 {
				var s float32
				for i := range p {
					s += max(0, 1-(2*y[i]-1)*p[i])
				}
				return float64(s) / float64(n)
			},
			"LogLoss": func() float64 {
				var s float32
				for i := range p {
					s += -y[i]*float32(math.Log(float64(p[i]+1e-7))) - (1-y[i])*float32(math.Log(float64(1-p[i]+1e-7)))
				}
				return float64(s) / float64(n)
			},
			"SigmoidCrossEntropy": func() float64 {
				var s float32
				for i := range x {
					v := x[i]
					s += max(v, 0) - v*y[i] + float32(math.Log1p(math.Exp(-math.Abs(float64(v)))))
				}
				return float64(s) / float64(n)
			},
			"MeanSquaredError64": func() float64 {
				var s float64
				for i := range p64 {
					d := p64[i] - y64[i]
					s += d * d
				}
				return s / float64(n)
			},
		}
		for _, name := range []string{"MeanSquaredError", "AbsoluteDifference", "HingeLoss", "LogLoss", "SigmoidCrossEntropy", "MeanSquaredError64"} {
			prefix := fmt.Sprintf("n=%d/%s/", n, name)
			b.Run(prefix+"plain-go", func(b *testing.B) {
				b.SetBytes(int64(8 * n))
				f := plain[name]
				cputime.Report(b, func() { benchSink += f() })
			})
			for _, level := range losses.Kernels() {
				b.Run(prefix+level, func(b *testing.B) {
					restore, err := losses.UseKernel(level)
					if err != nil {
						b.Fatal(err)
					}
					defer restore()
					b.SetBytes(int64(8 * n))
					if name == "MeanSquaredError64" {
						P, Y := losses.New(p64), losses.New(y64)
						cputime.Report(b, func() {
							v, _ := losses.MeanSquaredError(P, Y)
							benchSink += v
						})
						return
					}
					in := p
					if name == "SigmoidCrossEntropy" {
						in = x
					}
					cputime.Report(b, heldCall(name, in, y))
				})
			}
		}
	}
}

// heldCall returns the public call of the float32 loss name on tensors of
// p and y built once, as a caller holding its tensors calls it (the
// arguments are copied from tensors written long before).
func heldCall(name string, p, y []float32) func() {
	P, Y := losses.New(p), losses.New(y)
	switch name {
	case "MeanSquaredError":
		return func() { v, _ := losses.MeanSquaredError(P, Y); benchSink += float64(v) }
	case "AbsoluteDifference":
		return func() { v, _ := losses.AbsoluteDifference(P, Y); benchSink += float64(v) }
	case "HingeLoss":
		return func() { v, _ := losses.HingeLoss(P, Y); benchSink += float64(v) }
	case "LogLoss":
		return func() { v, _ := losses.LogLoss(P, Y); benchSink += float64(v) }
	case "SigmoidCrossEntropy":
		return func() { v, _ := losses.SigmoidCrossEntropy(P, Y); benchSink += float64(v) }
	}
	panic("unknown loss " + name)
}

// newCall is heldCall with the tensors built in the call expression
// (losses.New(p), losses.New(y)): the compiler writes the second tensor
// with 8-byte stores and copies it into the argument area with 16-byte
// loads, which cannot be forwarded from those stores and wait until they
// retire, and so until the previous call has finished: consecutive calls
// no longer overlap.
func newCall(name string, p, y []float32) func() {
	switch name {
	case "MeanSquaredError":
		return func() { v, _ := losses.MeanSquaredError(losses.New(p), losses.New(y)); benchSink += float64(v) }
	case "AbsoluteDifference":
		return func() { v, _ := losses.AbsoluteDifference(losses.New(p), losses.New(y)); benchSink += float64(v) }
	case "HingeLoss":
		return func() { v, _ := losses.HingeLoss(losses.New(p), losses.New(y)); benchSink += float64(v) }
	case "LogLoss":
		return func() { v, _ := losses.LogLoss(losses.New(p), losses.New(y)); benchSink += float64(v) }
	case "SigmoidCrossEntropy":
		return func() { v, _ := losses.SigmoidCrossEntropy(losses.New(p), losses.New(y)); benchSink += float64(v) }
	}
	panic("unknown loss " + name)
}

// benchLogits maps p in [0, 1] to logits 16p − 8 in [−8, 8].
func benchLogits(p []float32) []float32 {
	x := make([]float32, len(p))
	for i, v := range p {
		x[i] = 16*v - 8
	}
	return x
}

// BenchmarkOverhead/n=<n>/<loss>/<level>/{kernel,kernel-chained,api,api-new}: the public
// call next to the level's Sum kernel called directly on the same data
// (divided by n like the API's default reduction), in one run: the API's
// per-call cost. api calls on tensors built once (heldCall), api-new on
// tensors built in the call expression (newCall).
func BenchmarkOverhead(b *testing.B) {
	for _, n := range []int{1 << 10, 1 << 12} {
		p, y := benchData[float32](n)
		x := benchLogits(p)
		losses32 := []struct {
			name string
			loss asm.ElemLoss
			a    float32
			in   []float32 // the first argument
		}{
			{"MeanSquaredError", asm.SqDiff, 0, p},
			{"AbsoluteDifference", asm.AbsDiff, 0, p},
			{"HingeLoss", asm.Hinge, 0, p},
			{"LogLoss", asm.LogLoss, 1e-7, p},
			{"SigmoidCrossEntropy", asm.SigmoidCE, 0, x},
		}
		for _, l := range losses32 {
			for _, lv := range asm.Levels() {
				prefix := fmt.Sprintf("n=%d/%s/%s/", n, l.name, lv.Name)
				sum, in := lv.F32.Elem[l.loss].Sum, l.in
				b.Run(prefix+"kernel", func(b *testing.B) {
					b.SetBytes(int64(8 * n))
					cputime.Report(b, func() { benchSink += sum(in, y, l.a) / float64(n) })
				})
				// kernel-chained: each call's input starts at an offset
				// (always 0) computed from the previous result, so calls
				// cannot overlap: the kernel's latency rather than its
				// throughput, the regime api-new runs in.
				b.Run(prefix+"kernel-chained", func(b *testing.B) {
					b.SetBytes(int64(8 * n))
					off := 0
					cputime.Report(b, func() {
						v := sum(in[off:], y[off:], l.a) / float64(n)
						off = int(math.Float64bits(v) & benchZero)
						benchSink += v
					})
				})
				for _, form := range []struct {
					name string
					call func(string, []float32, []float32) func()
				}{{"api", heldCall}, {"api-new", newCall}} {
					b.Run(prefix+form.name, func(b *testing.B) {
						restore, err := losses.UseKernel(lv.Name)
						if err != nil {
							b.Fatal(err)
						}
						defer restore()
						b.SetBytes(int64(8 * n))
						cputime.Report(b, form.call(l.name, in, y))
					})
				}
			}
		}
	}
}

// BenchmarkBandwidth/<loss>/<level>: float32 at 16Mi elements (128 MiB
// read per call, far beyond the caches), each call next to a call of the
// level's read-bandwidth probe on the same two slices, alternated in one
// loop: the machine's memory bandwidth drifts by tens of percent from one
// second to the next, so only interleaved calls compare. It reports the
// wall time per call of each (probe-ns/op, loss-ns/op) and the loss's
// bytes/s as a share of the probe's (%probe). Both run on one thread (the
// probe has no other form; BenchmarkParallel has the two-thread figures).
func BenchmarkBandwidth(b *testing.B) {
	const n = 1 << 24
	p, y := benchData[float32](n)
	defer losses.SetParallelThreshold(math.MaxInt)()
	for _, level := range losses.Kernels() {
		for _, name := range []string{"MeanSquaredError", "AbsoluteDifference", "HingeLoss", "LogLoss"} {
			b.Run(name+"/"+level, func(b *testing.B) {
				restore, err := losses.UseKernel(level)
				if err != nil {
					b.Fatal(err)
				}
				defer restore()
				call := heldCall(name, p, y)
				var probe, loss time.Duration
				calls := 0
				for b.Loop() {
					t0 := time.Now()
					v, _ := asm.ReadProbeAt(level, p, y)
					benchSink += float64(v)
					t1 := time.Now()
					call()
					t2 := time.Now()
					probe += t1.Sub(t0)
					loss += t2.Sub(t1)
					calls++
				}
				b.ReportMetric(float64(probe.Nanoseconds())/float64(calls), "probe-ns/op")
				b.ReportMetric(float64(loss.Nanoseconds())/float64(calls), "loss-ns/op")
				b.ReportMetric(100*probe.Seconds()/loss.Seconds(), "%probe")
			})
		}
	}
}
