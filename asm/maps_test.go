package asm

// The table's elementwise maps, Log (the logarithm of the log loss), Exp and
// Log1p (the exponential and log1p of the sigmoid and softmax
// cross-entropies), at every level against generic's, in guarded windows at
// every alignment (and, in pages_test.go, against inaccessible pages). Their
// accuracy against the correctly rounded results is log_test.go's,
// exp_test.go's and log1p_test.go's business; here a level may differ from
// generic by 3 ulp (2 from the correctly rounded value, plus generic's own
// error: float64 math.Exp and math.Log1p are within 1 ulp, float32 rounds
// them or the logarithm once more), with no relative slack.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

const mapULPs = 3

// elemMap is one of the table's elementwise maps: its kernels, the seed of
// its inputs and their distribution.
type elemMap struct {
	name string
	k32  func(*Kernels[float32]) func(dst, x []float32)
	k64  func(*Kernels[float64]) func(dst, x []float64)
	seed uint64
	gen  func(r *rand.Rand) float64
}

var elemMaps = []elemMap{
	{
		name: "Log",
		k32:  func(k *Kernels[float32]) func(dst, x []float32) { return k.Log },
		k64:  func(k *Kernels[float64]) func(dst, x []float64) { return k.Log },
		seed: 11,
		gen: func(r *rand.Rand) float64 {
			switch r.IntN(4) {
			case 0:
				return 1 + 1e-3*(2*r.Float64()-1) // near 1: a result near 0
			case 1:
				return math.Exp(80 * (2*r.Float64() - 1)) // wide range
			}
			return r.Float64()
		},
	},
	{
		name: "Exp",
		k32:  func(k *Kernels[float32]) func(dst, x []float32) { return k.Exp },
		k64:  func(k *Kernels[float64]) func(dst, x []float64) { return k.Exp },
		seed: 13,
		gen: func(r *rand.Rand) float64 {
			switch r.IntN(4) {
			case 0:
				return 1e-3 * (2*r.Float64() - 1) // near 1
			case 1:
				return -110 + 210*r.Float64() // float32's whole range, 0 and +Inf
			case 2:
				return -750 + 1465*r.Float64() // float64's whole range
			}
			return -20 * r.Float64() // the sigmoid cross-entropy's exp(−|x|)
		},
	},
	{
		name: "Log1p",
		k32:  func(k *Kernels[float32]) func(dst, x []float32) { return k.Log1p },
		k64:  func(k *Kernels[float64]) func(dst, x []float64) { return k.Log1p },
		seed: 13,
		gen: func(r *rand.Rand) float64 {
			switch r.IntN(4) {
			case 0:
				return 1e-6 * (2*r.Float64() - 1) // near 0
			case 1:
				return math.Exp(80*(2*r.Float64()-1)) - 1 // wide range, towards −1
			case 2:
				return math.Exp(-100 * r.Float64()) // the sigmoid cross-entropy's log1p(exp(−|x|))
			}
			return 2*r.Float64() - 1
		},
	},
}

func elemMapOf[T Float](m *elemMap, k *Kernels[T]) func(dst, x []T) {
	if isF32[T]() {
		return any(m.k32(any(k).(*Kernels[float32]))).(func(dst, x []T))
	}
	return any(m.k64(any(k).(*Kernels[float64]))).(func(dst, x []T))
}

func mapSweep[T Float](m *elemMap, lk, gk *Kernels[T], special bool, plan *sweepPlan, da, xa placer[T]) error {
	const (
		argDst = 0
		argX   = 1
	)
	names := []string{"dst", "x"}
	args := []int{argDst, argX}
	lf, gf := elemMapOf(m, lk), elemMapOf(m, gk)
	var baseOut []T
	for _, n := range plan.lengths {
		r := rand.New(rand.NewPCG(m.seed, uint64(n)))
		x := make([]T, n)
		for i := range x {
			x[i] = T(m.gen(r))
		}
		if special {
			inject(r, x, 8)
		}
		want := make([]T, n)
		gf(want, x)
		ref := newOutRef(want, nil, mapULPs)
		ref.maxAbs = 0 // ulps only
		for ci, cfg := range plan.configs(n, args) {
			where := func(format string, a ...any) error {
				return fmt.Errorf("%s n=%d %s: %s", m.name, n, cfg.describe(args, names), fmt.Sprintf(format, a...))
			}
			xw := xa.input(x, cfg[argX])
			dst := da.output(n, cfg[argDst], unwrittenNaN[T]())
			if err := protect(func() { lf(dst, xw) }); err != nil {
				return where("%v", err)
			}
			if err := xa.checkGuards(n, cfg[argX]); err != nil {
				return where("x: %v", err)
			}
			if err := checkInput("x", xw, x); err != nil {
				return where("%v", err)
			}
			if err := da.checkGuards(n, cfg[argDst]); err != nil {
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
				return where("f(%v) = dst[%d]: %s", x[i], i, msg)
			}
		}
	}
	return nil
}

func TestMapKernelsMatchGenericAtEveryLengthAndAlignment(t *testing.T) {
	plan := &sweepPlan{lengths: concat(lengthRange(0, 300, 1), pow2Lengths, largeLengths), fullUpTo: 40, perArg: func(int) int { return 1 }}
	if testing.Short() {
		plan = &sweepPlan{lengths: concat(lengthRange(0, 40, 1), []int{300, 1025}), fullUpTo: 12}
	}
	forEachLevel(t, func(t *testing.T, l *Level) {
		for i := range elemMaps {
			m := &elemMaps[i]
			for _, special := range []bool{false, true} {
				name := m.name + "/realistic"
				if special {
					name = m.name + "/specials"
				}
				t.Run(name, func(t *testing.T) {
					forEachType(t, l,
						func(t *testing.T, k, g *Kernels[float32]) {
							require.NoError(t, mapSweep(m, k, g, special, plan, guarded[float32](plan.maxLength()), guarded[float32](plan.maxLength())))
						},
						func(t *testing.T, k, g *Kernels[float64]) {
							require.NoError(t, mapSweep(m, k, g, special, plan, guarded[float64](plan.maxLength()), guarded[float64](plan.maxLength())))
						})
				})
			}
		}
	})
}
