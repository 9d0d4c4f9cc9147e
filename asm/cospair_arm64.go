//go:build !purego

package asm

import "github.com/simdloss/simdloss/generic"

// The NEON cosine and pairwise kernels (asm/cospair.go) on the generated
// primitives; the generated level tables call these.

func cosPairNEONF32(k *Kernels[float32]) {
	c := &cosPrims[float32]{cosDotRowsNEONF32, cosDotColsNEONF32, cosFinishNEONF32, cosGradRowsNEONF32, cosGradColsNEONF32, nil, 0}
	p := &pairPrims[float32]{pairStatsNEONF32, pairFinishNEONF32, pairGradNEONF32, generic.RowKernels[float32]().Pairwise}
	k.Rows.Cosine, k.Rows.Pairwise = c.cosine, p.pairwise
}

func cosPairNEONF64(k *Kernels[float64]) {
	c := &cosPrims[float64]{cosDotRowsNEONF64, cosDotColsNEONF64, cosFinishNEONF64, cosGradRowsNEONF64, cosGradColsNEONF64, nil, 0}
	p := &pairPrims[float64]{pairStatsNEONF64, pairFinishNEONF64, pairGradNEONF64, generic.RowKernels[float64]().Pairwise}
	k.Rows.Cosine, k.Rows.Pairwise = c.cosine, p.pairwise
}
