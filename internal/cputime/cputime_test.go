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
	t1 := now()
	x := 1.0
	for deadline := time.Now().Add(50 * time.Millisecond); time.Now().Before(deadline); {
		x = x*1.0000001 + 1e-9
	}
	worked := now() - t1
	if worked < 20e6 {
		t.Errorf("50 ms of work counted %d ns of CPU time (x=%v)", worked, x)
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
