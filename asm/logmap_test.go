package asm

// The table's Log kernel (the logarithm of the log loss) at every level
// against generic's, in guarded windows at every alignment. Its accuracy
// against the correctly rounded logarithm is log_test.go's business; here a
// level may differ from generic by 3 ulp (2 from the correctly rounded value,
// plus generic's rare double rounding in float32), with no relative slack.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

const logULPs = 3

func logSweep[T Float](lk, gk *Kernels[T], special bool, plan *sweepPlan, da, xa placer[T]) error {
	const (
		argDstLog = 0
		argX      = 1
	)
	names := []string{"dst", "x"}
	args := []int{argDstLog, argX}
	var baseOut []T
	for _, n := range plan.lengths {
		r := rand.New(rand.NewPCG(11, uint64(n)))
		x := make([]T, n)
		for i := range x {
			switch r.IntN(4) {
			case 0:
				x[i] = T(1 + 1e-3*(2*r.Float64()-1)) // near 1: a result near 0
			case 1:
				x[i] = T(math.Exp(80 * (2*r.Float64() - 1))) // wide range
			default:
				x[i] = T(r.Float64())
			}
		}
		if special {
			inject(r, x, 8)
		}
		want := make([]T, n)
		gk.Log(want, x)
		ref := newOutRef(want, nil, logULPs)
		ref.maxAbs = 0 // ulps only
		for ci, cfg := range plan.configs(n, args) {
			where := func(format string, a ...any) error {
				return fmt.Errorf("n=%d %s: %s", n, cfg.describe(args, names), fmt.Sprintf(format, a...))
			}
			xw := xa.input(x, cfg[argX])
			dst := da.output(n, cfg[argDstLog], unwrittenNaN[T]())
			if err := protect(func() { lk.Log(dst, xw) }); err != nil {
				return where("%v", err)
			}
			if err := xa.checkGuards(n, cfg[argX]); err != nil {
				return where("x: %v", err)
			}
			if err := checkInput("x", xw, x); err != nil {
				return where("%v", err)
			}
			if err := da.checkGuards(n, cfg[argDstLog]); err != nil {
				return where("dst: %v", err)
			}
			if ci > 0 {
				if i := firstDifference(dst, baseOut); i >= 0 {
					return where("output depends on alignment: element %d is %v at offset 0, %v here", i, baseOut[i], dst[i])
				}
				continue
			}
			baseOut = append(baseOut[:0], dst...)
			if i, msg := checkOutputs(dst, &ref); i >= 0 {
				return where("ln(%v) = dst[%d]: %s", x[i], i, msg)
			}
		}
	}
	return nil
}

func TestLogKernelMatchesGenericAtEveryLengthAndAlignment(t *testing.T) {
	plan := &sweepPlan{lengths: concat(lengthRange(0, 300, 1), pow2Lengths, largeLengths), fullUpTo: 40, perArg: func(int) int { return 1 }}
	if testing.Short() {
		plan = &sweepPlan{lengths: concat(lengthRange(0, 40, 1), []int{300, 1025}), fullUpTo: 12}
	}
	forEachLevel(t, func(t *testing.T, l *Level) {
		for _, special := range []bool{false, true} {
			name := "realistic"
			if special {
				name = "specials"
			}
			t.Run(name, func(t *testing.T) {
				forEachType(t, l,
					func(t *testing.T, k, g *Kernels[float32]) {
						require.NoError(t, logSweep(k, g, special, plan, guarded[float32](plan.maxLength()), guarded[float32](plan.maxLength())))
					},
					func(t *testing.T, k, g *Kernels[float64]) {
						require.NoError(t, logSweep(k, g, special, plan, guarded[float64](plan.maxLength()), guarded[float64](plan.maxLength())))
					})
			})
		}
	})
}
