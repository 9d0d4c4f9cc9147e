package asm

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// exactPairwise is (2/n)·Σ(d − mean d)² of float32 differences d = p − y
// (rounded to float32, as the kernels' contract says), in 512-bit
// arithmetic (exact for these inputs up to far below float64 rounding).
func exactPairwise(p, y []float32) float64 {
	const prec = 512
	n := len(p)
	nf := new(big.Float).SetPrec(prec).SetInt64(int64(n))
	sum := new(big.Float).SetPrec(prec)
	d := new(big.Float).SetPrec(prec)
	for i := range p {
		sum.Add(sum, d.SetFloat64(float64(p[i]-y[i])))
	}
	mean := new(big.Float).SetPrec(prec).Quo(sum, nf)
	ss := new(big.Float).SetPrec(prec)
	e := new(big.Float).SetPrec(prec)
	for i := range p {
		e.Sub(d.SetFloat64(float64(p[i]-y[i])), mean)
		ss.Add(ss, e.Mul(e, e))
	}
	ss.Quo(ss.Mul(ss, new(big.Float).SetPrec(prec).SetInt64(2)), nf)
	f, _ := ss.Float64()
	return f
}

// SPEC.md section 5: MeanPairwiseSquaredError must lose no accuracy to an
// offset of d. With d = 1000 + N(0, 1) in float32 every level's loss is
// within 1e-5 of the exact value (a one-pass Σd² − (Σd)²/n in float32 is
// off by percents), for rows of one vector and rows of many.
func TestPairwiseKeepsAccuracyWhenDIsOffsetBy1000(t *testing.T) {
	for _, n := range []int{2, 3, 4, 8, 16, 17, 100, 1000, 4096, 100000} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) { pairwiseOffsetCase(t, n) })
	}
}

func pairwiseOffsetCase(t *testing.T, n int) {
	r := rand.New(rand.NewPCG(11, uint64(n)))
	rows := max(1, 20000/n)
	p, y := make([]float32, rows*n), make([]float32, rows*n)
	for i := range p {
		y[i] = float32(r.NormFloat64())
		p[i] = y[i] + float32(1000+r.NormFloat64())
	}
	want := make([]float64, rows)
	var wantSum float64
	for row := range want {
		want[row] = exactPairwise(p[row*n:(row+1)*n], y[row*n:(row+1)*n])
		wantSum += want[row]
	}
	if n == 1000 {
		// The test can fail: a one-pass float32 evaluation misses by far more.
		var s, s2 float32
		for i := 0; i < n; i++ {
			d := p[i] - y[i]
			s += d
			s2 += d * d
		}
		naive := 2 * (float64(s2) - float64(s)*float64(s)/float64(n)) / float64(n)
		require.Greater(t, math.Abs(naive-want[0])/want[0], 1e-3, "one-pass float32 should be inaccurate here")
	}
	forEachLevel(t, func(t *testing.T, l *Level) {
		unred := make([]float32, rows)
		got := l.F32.Rows.Pairwise(p, y, rows, n, nil, 1, unred, nil)
		worst := math.Abs(got/wantSum - 1)
		require.InDelta(t, 1, got/wantSum, 1e-5, "n=%d: sum %v, exact %v", n, got, wantSum)
		for row, u := range unred {
			worst = max(worst, math.Abs(float64(u)/want[row]-1))
			require.InDelta(t, 1, float64(u)/want[row], 1e-5, "n=%d row %d: %v, exact %v", n, row, u, want[row])
		}
		t.Logf("n=%d, %d rows: largest relative error %.2g", n, rows, worst)
	})
}
