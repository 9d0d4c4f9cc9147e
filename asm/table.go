// Package asm holds the kernel table: one set of kernels per level (generic
// Go, AVX2, AVX-512, NEON), the run-time detection of the levels this machine
// supports, and the generated assembly with its stubs.
//
// A level is a struct of function values with one signature per primitive,
// the same as in package generic, so switching levels swaps one pointer.
package asm

import "github.com/simdloss/simdloss/generic"

// Float is the set of element types the kernels exist for.
type Float = generic.Float

// Elem is the kernel set of one elementwise loss; see generic.Elem.
type Elem[T Float] = generic.Elem[T]

// Rows is the kernel set of the row-reducing losses; see generic.Rows.
type Rows[T Float] = generic.Rows[T]

// ElemLoss indexes Kernels.Elem.
type ElemLoss = generic.ElemLoss

// The elementwise losses.
const (
	AbsDiff     = generic.AbsDiff
	SqDiff      = generic.SqDiff
	LogLoss     = generic.LogLoss
	Hinge       = generic.Hinge
	SigmoidCE   = generic.SigmoidCE
	Identity    = generic.Identity
	L1          = generic.L1
	L2          = generic.L2
	NumElemLoss = generic.NumElemLoss
)

// Kernels is every kernel of one level for one element type.
type Kernels[T Float] struct {
	Elem [NumElemLoss]Elem[T]
	Rows Rows[T]
	// WeightStats returns the number of non-zero weights and their sum.
	WeightStats func(w []T) (nonzero int, sum float64)
	// Log writes dst(i) = ln x(i) with the level's logarithm (the one of the log loss).
	Log func(dst, x []T)
	// Exp writes dst(i) = e**x(i) with the level's exponential (the one of the
	// sigmoid and softmax cross-entropies).
	Exp func(dst, x []T)
	// Log1p writes dst(i) = ln(1 + x(i)) with the level's log1p (the one of the
	// sigmoid cross-entropy).
	Log1p func(dst, x []T)
}

// Level is one kernel level: its name and its kernels for both element types.
type Level struct {
	Name string
	F32  *Kernels[float32]
	F64  *Kernels[float64]
}

// Level names, as SPEC.md section 9 and SIMDLOSS_KERNEL spell them.
const (
	Generic = "generic"
	AVX2    = "avx2"
	AVX512  = "avx512"
	NEON    = "neon"
)

// Known reports whether name is a level this library defines on some machine.
func Known(name string) bool {
	switch name {
	case Generic, AVX2, AVX512, NEON:
		return true
	}
	return false
}

func genericKernels[T Float]() *Kernels[T] {
	return &Kernels[T]{
		Elem:        generic.ElemKernels[T](),
		Rows:        generic.RowKernels[T](),
		WeightStats: generic.WeightStats[T],
		Log:         generic.LogMap[T],
		Exp:         generic.ExpMap[T],
		Log1p:       generic.Log1pMap[T],
	}
}

// GenericLevel is the pure-Go level, present on every machine and build.
var GenericLevel = &Level{Name: Generic, F32: genericKernels[float32](), F64: genericKernels[float64]()}

// levels lists the levels available on this machine and build, best first;
// the last is always GenericLevel. Files per ISA prepend theirs in init.
var levels = []*Level{GenericLevel}

// Levels returns the available levels, best first.
func Levels() []*Level { return append([]*Level(nil), levels...) }

// Best returns the best available level.
func Best() *Level { return levels[0] }

// Lookup returns the available level of that name.
func Lookup(name string) (*Level, bool) {
	for _, l := range levels {
		if l.Name == name {
			return l, true
		}
	}
	return nil, false
}
