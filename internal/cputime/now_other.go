//go:build !unix

package cputime

// now is unavailable here: Report adds no metric.
func now() int64 { return -1 << 62 }
