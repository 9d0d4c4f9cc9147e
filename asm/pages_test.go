//go:build linux || darwin

package asm

// DESIGN.md: kernels also run on slices that end where an mmap'd page ends,
// a PROT_NONE page following (and start where one precedes): reading or
// writing even one byte past a slice faults. debug.SetPanicOnFault turns the
// fault into a panic that protect reports as the kernel's failure.

import (
	"os"
	"runtime/debug"
	"syscall"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// pageArena places windows against inaccessible pages. Offset 0: the window
// ends where the data pages end; offset 1: it starts where they start. The
// guardLen elements on the window's other side hold NaN guards.
type pageArena[E any] struct {
	data []E
	fill []E
}

func newPageArena[E any](t testing.TB, maxN int, guard E) *pageArena[E] {
	ps := os.Getpagesize()
	var z E
	sz := int(unsafe.Sizeof(z))
	dataBytes := ((maxN+guardLen)*sz + ps - 1) / ps * ps
	mem, err := syscall.Mmap(-1, 0, dataBytes+2*ps, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	require.NoError(t, err)
	t.Cleanup(func() { _ = syscall.Munmap(mem) })
	require.NoError(t, syscall.Mprotect(mem[:ps], syscall.PROT_NONE))
	require.NoError(t, syscall.Mprotect(mem[ps+dataBytes:], syscall.PROT_NONE))
	p := &pageArena[E]{data: unsafe.Slice((*E)(unsafe.Pointer(&mem[ps])), dataBytes/sz), fill: make([]E, guardLen)}
	for i := range p.fill {
		p.fill[i] = guard
	}
	return p
}

func (p *pageArena[E]) window(n, off int) []E {
	if off == 0 {
		lo := len(p.data) - n
		copy(p.data[lo-guardLen:lo], p.fill)
		return p.data[lo:len(p.data):len(p.data)]
	}
	copy(p.data[n:n+guardLen], p.fill)
	return p.data[0:n:n]
}

func (p *pageArena[E]) input(vals []E, off int) []E {
	w := p.window(len(vals), off)
	copy(w, vals)
	return w
}

func (p *pageArena[E]) output(n, off int, v E) []E {
	w := p.window(n, off)
	for i := range w {
		w[i] = v
	}
	return w
}

func (p *pageArena[E]) checkGuards(n, off int) error {
	lo := len(p.data) - n - guardLen
	if off != 0 {
		lo = n
	}
	return checkInput("guard (out-of-bounds write)", p.data[lo:lo+guardLen], p.fill)
}

func pagePlan() *sweepPlan {
	if testing.Short() {
		return &sweepPlan{lengths: concat(lengthRange(0, 20, 1), []int{513}), only: []int{1}}
	}
	return &sweepPlan{lengths: concat(lengthRange(0, 70, 1), []int{127, 255, 511, 513, 1025, 4097}), only: []int{1}}
}

func runPageSweeps[T Float](t *testing.T, k, g *Kernels[T]) {
	plan := pagePlan()
	maxN := 3 * plan.maxLength()
	t.Run("Elem", func(t *testing.T) {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		ar := &elemArenas[T]{}
		for i := range ar.a {
			ar.a[i] = newPageArena(t, maxN, guardNaN[T]())
		}
		for i := range elemSpecs {
			spec := &elemSpecs[i]
			for _, a := range spec.params {
				for d := driver(0); d < numDrivers; d++ {
					require.NoError(t, elemSweep(k, g, spec, d, T(a), T(a), false, plan, ar), "%v %v a=%v", spec.loss, d, a)
				}
			}
		}
	})
	t.Run("Rows", func(t *testing.T) {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		ra := &rowArenas[T]{labels: newPageArena(t, maxRowLen(plan), -1)}
		for i := range ra.f {
			ra.f[i] = newPageArena(t, maxRowLen(plan), guardNaN[T]())
		}
		for _, rk := range rowKernels {
			mk := func(L, v int) *rowCase[T] {
				if isF32[T]() {
					return any(rk.mk32(L, v, false)).(*rowCase[T])
				}
				return any(rk.mk64(L, v, false)).(*rowCase[T])
			}
			require.NoError(t, rowSweep(&k.Rows, &g.Rows, mk, plan, ra), rk.name)
		}
	})
	t.Run("WeightStats", func(t *testing.T) {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		require.NoError(t, weightStatsSweep(k, g, false, plan, newPageArena(t, maxN, guardNaN[T]())))
	})
	for i := range elemMaps {
		m := &elemMaps[i]
		t.Run(m.name, func(t *testing.T) {
			defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
			require.NoError(t, mapSweep(m, k, g, false, plan, newPageArena(t, maxN, guardNaN[T]()), newPageArena(t, maxN, guardNaN[T]())))
		})
	}
}

func TestKernelsStayInsideTheirSlicesAtPageBoundaries(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l *Level) {
		forEachType(t, l, runPageSweeps[float32], runPageSweeps[float64])
	})
}

// The page arena must turn an overrun into a reported failure, not a crash.
func TestPageArenaCatchesAReadPastTheEnd(t *testing.T) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	g := GenericLevel.F32
	k := *g
	sum := g.Elem[SqDiff].Sum
	k.Elem[SqDiff].Sum = func(p, y []float32, a float32) float64 {
		if len(p) == 0 {
			return sum(p, y, a)
		}
		return sum(p, y, a) + 0*float64(*at(p, len(p))) // one past: the PROT_NONE page at offset 0
	}
	ar := &elemArenas[float32]{}
	for i := range ar.a {
		ar.a[i] = newPageArena(t, 64, guardNaN[float32]())
	}
	err := elemSweep(&k, g, &elemSpecs[SqDiff], dSum, 0, 0, false, &sweepPlan{lengths: []int{5}, only: []int{1}}, ar)
	require.ErrorContains(t, err, "kernel panicked")
}
