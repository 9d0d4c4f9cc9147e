package main

import (
	"math"
	"slices"
	"sync"
	"time"
)

// sink keeps the measured calls' results alive.
var sink float64

// timing configures the measurement of one group.
type timing struct {
	Sample time.Duration // target duration of one sample (a batch of calls)
	Reps   int           // samples per implementation
	MinRep int           // fewest samples when single calls are slow
	MaxImp time.Duration // rough cap on the sampled time of one implementation
}

// impl is one implementation measured within a group.
type impl struct {
	Name string
	// Enter prepares a sample (e.g. selects a kernel level) and returns the
	// function that undoes it; nil when there is nothing to prepare.
	Enter func() (leave func())
	Call  func() float64
}

// measurement is one implementation's samples, in ns per call.
type measurement struct {
	Samples []float64
	Calls   int // calls per sample
}

// Median is the median ns per call.
func (m measurement) Median() float64 { return median(m.Samples) }

// Spread is (max − min)/median of the samples.
func (m measurement) Spread() float64 {
	if len(m.Samples) == 0 {
		return math.NaN()
	}
	return (slices.Max(m.Samples) - slices.Min(m.Samples)) / m.Median()
}

// median returns the median of xs (the mean of the middle two for even
// lengths), NaN when empty; xs is not modified.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	h := len(s) / 2
	if len(s)%2 == 1 {
		return s[h]
	}
	return (s[h-1] + s[h]) / 2
}

// batch times n calls of im in ns per call.
func batch(im impl, n int) float64 {
	if im.Enter != nil {
		leave := im.Enter()
		defer leave()
	}
	var acc float64
	t := time.Now()
	for range n {
		acc += im.Call()
	}
	d := time.Since(t)
	sink += acc
	return float64(d.Nanoseconds()) / float64(n)
}

// callsPerSample returns how many calls make a sample of about target,
// given the time of one call.
func callsPerSample(perCall float64, target time.Duration) int {
	if perCall <= 0 {
		perCall = 1
	}
	n := float64(target.Nanoseconds()) / perCall
	return int(max(1, min(n, 1e9)))
}

// repsFor returns how many samples an implementation gets when one sample
// takes perSample ns: t.Reps, fewer (at least t.MinRep) when that would
// exceed t.MaxImp.
func repsFor(t timing, perSample float64) int {
	r := t.Reps
	if perSample > 0 && float64(r)*perSample > float64(t.MaxImp.Nanoseconds()) {
		r = max(t.MinRep, int(float64(t.MaxImp.Nanoseconds())/perSample))
	}
	return min(r, t.Reps)
}

// measureAll measures the implementations together: each is warmed up and
// calibrated, then the samples are interleaved (one sample of each in turn,
// the order rotating), so that load changes on the machine hit them alike
// and ratios within the group stay meaningful.
func measureAll(t timing, ims []impl) []measurement {
	ms := make([]measurement, len(ims))
	reps := make([]int, len(ims))
	for i, im := range ims {
		one := batch(im, 1) // warm-up: fills the caches, settles the branch predictors
		if one >= float64(t.Sample.Nanoseconds()) {
			// A call longer than a sample: the inputs are far larger than the
			// caches and were written when built, so this call counts as a sample.
			ms[i].Calls = 1
			ms[i].Samples = append(ms[i].Samples, one)
			reps[i] = repsFor(t, one)
			continue
		}
		one = min(one, batch(im, 1))
		n := callsPerSample(one, t.Sample)
		if n > 1 { // refine on a batch of a tenth of the target
			m := max(1, n/10)
			n = callsPerSample(batch(im, m), t.Sample)
		}
		ms[i].Calls = n
		reps[i] = repsFor(t, one*float64(n))
	}
	for r := 0; ; r++ {
		done := true
		for j := range ims {
			i := (j + r) % len(ims)
			if len(ms[i].Samples) < reps[i] {
				ms[i].Samples = append(ms[i].Samples, batch(ims[i], ms[i].Calls))
				done = false
			}
		}
		if done {
			break
		}
	}
	return ms
}

// readProbe2 runs the read probe on two goroutines, each on one half.
func readProbe2(x, y []float32) float32 {
	h := len(x) / 2
	var a float32
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		a = readProbe(x[:h], y[:h])
		wg.Done()
	}()
	b := readProbe(x[h:], y[h:])
	wg.Wait()
	return a + b
}
