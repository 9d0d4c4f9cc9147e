package main

import (
	"math"
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{1, 100, 2, 3, 1000}, 3},
	} {
		in := append([]float64(nil), c.in...)
		if got := median(in); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.in, got, c.want)
		}
		for i := range in {
			if in[i] != c.in[i] {
				t.Fatalf("median modified its input: %v", in)
			}
		}
	}
	if !math.IsNaN(median(nil)) {
		t.Error("median of nothing is not NaN")
	}
}

func TestSpread(t *testing.T) {
	m := measurement{Samples: []float64{9, 10, 12}}
	if got := m.Spread(); math.Abs(got-0.3) > 1e-12 {
		t.Errorf("spread = %v, want 0.3", got)
	}
	if !math.IsNaN((measurement{}).Spread()) {
		t.Error("spread of no samples is not NaN")
	}
}

func TestCallsPerSample(t *testing.T) {
	for _, c := range []struct {
		perCall float64
		target  time.Duration
		want    int
	}{
		{100, time.Millisecond, 10000},
		{2e6, time.Millisecond, 1}, // slower than the target: one call
		{0, time.Microsecond, 1000},
		{1e-6, time.Second, 1e9}, // capped
	} {
		if got := callsPerSample(c.perCall, c.target); got != c.want {
			t.Errorf("callsPerSample(%v, %v) = %d, want %d", c.perCall, c.target, got, c.want)
		}
	}
}

func TestRepsFor(t *testing.T) {
	tm := timing{Reps: 7, MinRep: 3, MaxImp: time.Second}
	for _, c := range []struct {
		perSample float64
		want      int
	}{
		{20e6, 7},  // 7 × 20ms fits
		{200e6, 5}, // 1s / 200ms
		{900e6, 3}, // at least MinRep
		{0, 7},
	} {
		if got := repsFor(tm, c.perSample); got != c.want {
			t.Errorf("repsFor(%v) = %d, want %d", c.perSample, got, c.want)
		}
	}
}

func TestMeasureAllInterleaves(t *testing.T) {
	var order []string
	entered := 0
	mk := func(name string, d time.Duration) impl {
		return impl{
			Name:  name,
			Enter: func() func() { entered++; order = append(order, name); return func() { entered-- } },
			Call: func() float64 {
				if entered != 1 {
					t.Fatalf("%s called outside Enter", name)
				}
				for t0 := time.Now(); time.Since(t0) < d; {
				}
				return 1
			},
		}
	}
	tm := timing{Sample: 2 * time.Millisecond, Reps: 4, MinRep: 2, MaxImp: time.Second}
	ms := measureAll(tm, []impl{mk("a", 100*time.Microsecond), mk("b", 400*time.Microsecond)})
	for i, m := range ms {
		if len(m.Samples) != 4 {
			t.Errorf("impl %d: %d samples, want 4", i, len(m.Samples))
		}
		if m.Calls < 1 {
			t.Errorf("impl %d: %d calls per sample", i, m.Calls)
		}
	}
	if !(ms[0].Median() < ms[1].Median()) {
		t.Errorf("medians %v, %v: the faster implementation is not faster", ms[0].Median(), ms[1].Median())
	}
	// After the calibration, the samples come in rounds of one each.
	tail := order[len(order)-8:]
	for i := 0; i < len(tail); i += 2 {
		if tail[i] == tail[i+1] {
			t.Errorf("samples not interleaved: %v", tail)
			break
		}
	}
}

func TestReadProbe2(t *testing.T) {
	x, y := make([]float32, 1001), make([]float32, 1001)
	for i := range x {
		x[i], y[i] = float32(i%7), float32(i%5)
	}
	one, two := readProbe(x, y), readProbe2(x, y)
	if math.Abs(float64(one-two)) > 1e-4*math.Abs(float64(one)) {
		t.Errorf("readProbe %v, readProbe2 %v", one, two)
	}
	x[500] = float32(math.NaN())
	if v := readProbe(x, y); !math.IsNaN(float64(v)) {
		t.Errorf("readProbe does not depend on every element: %v", v)
	}
}
