//go:build !purego

package asm

import "github.com/simdloss/simdloss/generic"

// The AVX2 and AVX-512 cosine and pairwise kernels (asm/cospair.go) on the
// generated primitives; the generated level tables call these.

func cosPairAVX2F32(k *Kernels[float32]) {
	c := &cosPrims[float32]{dotRows: cosDotRowsAVX2F32, dotCols: cosDotColsAVX2F32, finish: cosFinishAVX2F32,
		gradRows: cosGradRowsAVX2F32, gradCols: cosGradColsAVX2F32, dotWide: cosDotWideAVX2F32, lanes: 8,
		dotT: cosDotTAVX2F32, gradT: cosGradTAVX2F32, tMax: 4}
	p := &pairPrims[float32]{stats: pairStatsAVX2F32, finish: pairFinishAVX2F32, grad: pairGradAVX2F32,
		ref: generic.RowKernels[float32]().Pairwise, statsT: pairStatsTAVX2F32, gradT: pairGradTAVX2F32, lanes: 8, tMax: 4}
	k.Rows.Cosine, k.Rows.Pairwise = c.cosine, p.pairwise
}

func cosPairAVX2F64(k *Kernels[float64]) {
	c := &cosPrims[float64]{dotRows: cosDotRowsAVX2F64, dotCols: cosDotColsAVX2F64, finish: cosFinishAVX2F64,
		gradRows: cosGradRowsAVX2F64, gradCols: cosGradColsAVX2F64, dotWide: cosDotWideAVX2F64, lanes: 4,
		dotT: cosDotTAVX2F64, gradT: cosGradTAVX2F64, tMax: 4}
	p := &pairPrims[float64]{stats: pairStatsAVX2F64, finish: pairFinishAVX2F64, grad: pairGradAVX2F64,
		ref: generic.RowKernels[float64]().Pairwise, statsT: pairStatsTAVX2F64, gradT: pairGradTAVX2F64, lanes: 4, tMax: 4}
	k.Rows.Cosine, k.Rows.Pairwise = c.cosine, p.pairwise
}

func cosPairAVX512F32(k *Kernels[float32]) {
	c := &cosPrims[float32]{dotRows: cosDotRowsAVX512F32, dotCols: cosDotColsAVX512F32, finish: cosFinishAVX512F32,
		gradRows: cosGradRowsAVX512F32, gradCols: cosGradColsAVX512F32, dotWide: cosDotWideAVX512F32, lanes: 16,
		dotT: cosDotTAVX512F32, gradT: cosGradTAVX512F32, tMax: 8}
	p := &pairPrims[float32]{stats: pairStatsAVX512F32, finish: pairFinishAVX512F32, grad: pairGradAVX512F32,
		ref: generic.RowKernels[float32]().Pairwise, statsT: pairStatsTAVX512F32, gradT: pairGradTAVX512F32, lanes: 16, tMax: 8}
	k.Rows.Cosine, k.Rows.Pairwise = c.cosine, p.pairwise
}

func cosPairAVX512F64(k *Kernels[float64]) {
	c := &cosPrims[float64]{dotRows: cosDotRowsAVX512F64, dotCols: cosDotColsAVX512F64, finish: cosFinishAVX512F64,
		gradRows: cosGradRowsAVX512F64, gradCols: cosGradColsAVX512F64, dotWide: cosDotWideAVX512F64, lanes: 8,
		dotT: cosDotTAVX512F64, gradT: cosGradTAVX512F64, tMax: 8}
	p := &pairPrims[float64]{stats: pairStatsAVX512F64, finish: pairFinishAVX512F64, grad: pairGradAVX512F64,
		ref: generic.RowKernels[float64]().Pairwise, statsT: pairStatsTAVX512F64, gradT: pairGradTAVX512F64, lanes: 8, tMax: 8}
	k.Rows.Cosine, k.Rows.Pairwise = c.cosine, p.pairwise
}
