//go:build unix

package cputime

import "syscall"

// now is the process's user+system CPU time in nanoseconds.
func now() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return -1 << 62
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
