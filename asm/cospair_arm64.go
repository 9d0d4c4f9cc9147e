//go:build !purego

package asm

import "github.com/simdloss/simdloss/generic"

// The NEON cosine and pairwise kernels (asm/cospair.go) on the generated
// primitives; the generated level tables call these.

func cosPairNEONF32(k *Kernels[float32]) {
	c := &cosPrims[float32]{dotRows: cosDotRowsNEONF32, dotCols: cosDotColsNEONF32, finish: cosFinishNEONF32,
		gradRows: cosGradRowsNEONF32, gradCols: cosGradColsNEONF32, lanes: 4,
		dotT: cosDotTNEONF32, gradT: cosGradTNEONF32, tMax: 4}
	p := &pairPrims[float32]{stats: pairStatsNEONF32, finish: pairFinishNEONF32, grad: pairGradNEONF32,
		ref: generic.RowKernels[float32]().Pairwise, statsT: pairStatsTNEONF32, gradT: pairGradTNEONF32, lanes: 4, tMax: 4}
	k.Rows.Cosine, k.Rows.Pairwise = c.cosine, p.pairwise
}

func cosPairNEONF64(k *Kernels[float64]) {
	c := &cosPrims[float64]{dotRows: cosDotRowsNEONF64, dotCols: cosDotColsNEONF64, finish: cosFinishNEONF64,
		gradRows: cosGradRowsNEONF64, gradCols: cosGradColsNEONF64, lanes: 2,
		dotT: cosDotTNEONF64, gradT: cosGradTNEONF64, tMax: 4}
	p := &pairPrims[float64]{stats: pairStatsNEONF64, finish: pairFinishNEONF64, grad: pairGradNEONF64,
		ref: generic.RowKernels[float64]().Pairwise, statsT: pairStatsTNEONF64, gradT: pairGradTNEONF64, lanes: 2, tMax: 4}
	k.Rows.Cosine, k.Rows.Pairwise = c.cosine, p.pairwise
}
