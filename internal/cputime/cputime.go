// Package cputime reports the CPU time a benchmark's process spent, next to
// its wall time: on a shared machine the wall time of a run swings with the
// other load, while the CPU time it was actually given swings far less.
package cputime

import "testing"

// Report runs b.Loop-style iterations of f and adds the metric
// "cpu-ns/op": the process's user+system CPU time per iteration.
func Report(b *testing.B, f func()) {
	start := now()
	n := 0
	for b.Loop() {
		f()
		n++
	}
	if d := now() - start; n > 0 && d >= 0 {
		b.ReportMetric(float64(d)/float64(n), "cpu-ns/op")
	}
}
