package losses_test

import (
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/simdloss/simdloss/losses"
)

func threadCPU() time.Duration {
	var r syscall.Rusage
	syscall.Getrusage(1 /* RUSAGE_THREAD */, &r)
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}

func TestZZPaired(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	n := 1 << 20
	r := rand.New(rand.NewPCG(1, 2))
	x, y := make([]float32, n), make([]float32, n)
	for i := range x {
		x[i], y[i] = float32(16*r.Float64()-8), float32(r.IntN(2))
	}
	plain := func() float64 {
		var s float32
		for i := range x {
			v := x[i]
			s += max(v, 0) - v*y[i] + float32(math.Log1p(math.Exp(-math.Abs(float64(v)))))
		}
		return float64(s) / float64(n)
	}
	api := func(level string) func() float64 {
		return func() float64 {
			restore, _ := losses.UseKernel(level)
			defer restore()
			v, _ := losses.SigmoidCrossEntropy(losses.New(x), losses.New(y))
			return float64(v)
		}
	}
	measure := func(f func() float64, reps int) (cpu, wall float64) {
		c0, w0 := threadCPU(), time.Now()
		for range reps {
			benchSink += f()
		}
		return float64(threadCPU()-c0) / float64(reps), float64(time.Since(w0)) / float64(reps)
	}
	var r2c, r2w, r52c, r52w []float64
	for round := 0; round < 15; round++ {
		pc, pw := measure(plain, 2)
		ac, aw := measure(api("avx2"), 40)
		bc, bw := measure(api("avx512"), 40)
		r2c, r2w = append(r2c, pc/ac), append(r2w, pw/aw)
		r52c, r52w = append(r52c, ac/bc), append(r52w, aw/bw)
		t.Logf("round %d: plain %.1f ms cpu %.1f wall; avx2 %.3f/%.3f; avx512 %.3f/%.3f", round, pc/1e6, pw/1e6, ac/1e6, aw/1e6, bc/1e6, bw/1e6)
	}
	med := func(v []float64) float64 { sort.Float64s(v); return v[len(v)/2] }
	t.Logf("median ratios: plain/avx2 cpu %.1f wall %.1f; avx2/avx512 cpu %.2f wall %.2f", med(r2c), med(r2w), med(r52c), med(r52w))
}
