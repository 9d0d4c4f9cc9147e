package asm_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// eachSpecialLane runs a map kernel of both types (fn64, fn32) on vectors of
// n = 1..33 elements of 0.5 with specials[si] at each position in turn, and
// calls check with the special's lane (k = 0: the float64 result, k = 1:
// the float32 one widened). The float64 lanes next to the special must be
// alone, the kernel's value at 0.5 (a special must not disturb its
// neighbours).
func eachSpecialLane(t *testing.T, level string, specials []float64, fn64 func(dst, x []float64), fn32 func(dst, x []float32), alone float64, check func(si, k int, got float64)) {
	t.Helper()
	for n := 1; n <= 33; n++ {
		for pos := 0; pos < n; pos++ {
			for si, s := range specials {
				x64 := make([]float64, n)
				x32 := make([]float32, n)
				for i := range x64 {
					x64[i], x32[i] = 0.5, 0.5
				}
				x64[pos], x32[pos] = s, float32(s)
				g64, g32 := make([]float64, n), make([]float32, n)
				fn64(g64, x64)
				fn32(g32, x32)
				check(si, 0, g64[pos])
				check(si, 1, float64(g32[pos]))
				for i := range g64 {
					if i != pos {
						require.Equal(t, alone, g64[i], "%s lane %d next to %g", level, i, s)
					}
				}
			}
		}
	}
}
