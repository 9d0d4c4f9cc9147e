// Package reduce turns kernel calls into losses: it broadcasts weights over
// the measurable elements, splits the work into fixed-size blocks, combines
// the blocks' partial sums in float64 in a fixed order, and applies the four
// reductions of SPEC.md section 4.
//
// Block boundaries depend only on shapes, never on addresses or on the
// number of threads, so a result is bitwise identical for the same data at
// any alignment. Large inputs (see SetParallelThreshold and Exec) are split
// across a shared pool of helper goroutines that claim blocks one at a time;
// the caller combines the blocks' partials in block order, so the result is
// also bitwise identical whatever the number of threads or GOMAXPROCS. A
// call's Partial (Num, Nonzero, WSum, N) merges across shards by addition. The package is low level: callers (package losses) validate
// shapes and options first.
package reduce
