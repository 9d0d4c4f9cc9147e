package cputime

import (
	"testing"
	"time"
)

// CPU time advances with work done and not with sleeping.
func TestNowCountsWorkNotSleep(t *testing.T) {
	t0 := now()
	if t0 < 0 {
		t.Skip("no CPU clock on this system")
	}
	time.Sleep(50 * time.Millisecond)
	slept := now() - t0
	// Spin until 20 ms of CPU time are counted: on a loaded machine a spin
	// of fixed wall time may be given little CPU. A clock that does not
	// advance with work fails after 10 s; one that runs faster than the wall
	// clock (it measures more than this thread) fails the second check.
	t1, start := now(), time.Now()
	x := 1.0
	for now()-t1 < 20e6 {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("10 s of work counted %d ns of CPU time (x=%v)", now()-t1, x)
		}
		for range 10000 {
			x = x*1.0000001 + 1e-9
		}
	}
	worked, wall := now()-t1, time.Since(start)
	if time.Duration(worked) > wall+5*time.Millisecond {
		t.Errorf("%v of wall time counted %d ns of CPU time", wall, worked)
	}
	if slept > 20e6 {
		t.Errorf("50 ms of sleep counted %d ns of CPU time", slept)
	}
}

func BenchmarkReport(b *testing.B) {
	s := 0
	Report(b, func() {
		for i := range 1000 {
			s += i
		}
	})
	_ = s
}
