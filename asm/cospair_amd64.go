//go:build !purego

package asm

import "github.com/simdloss/simdloss/generic"

// The AVX2 and AVX-512 cosine and pairwise kernels (asm/cospair.go) on the
// generated primitives; the generated level tables call these.

func cosPairAVX2F32(k *Kernels[float32]) {
	c := &cosPrims[float32]{cosDotRowsAVX2F32, cosDotColsAVX2F32, cosFinishAVX2F32, cosGradRowsAVX2F32, cosGradColsAVX2F32, cosDotWideAVX2F32, 8}
	p := &pairPrims[float32]{pairStatsAVX2F32, pairFinishAVX2F32, pairGradAVX2F32, generic.RowKernels[float32]().Pairwise}
	k.Rows.Cosine, k.Rows.Pairwise = c.cosine, p.pairwise
}

func cosPairAVX2F64(k *Kernels[float64]) {
	c := &cosPrims[float64]{cosDotRowsAVX2F64, cosDotColsAVX2F64, cosFinishAVX2F64, cosGradRowsAVX2F64, cosGradColsAVX2F64, cosDotWideAVX2F64, 4}
	p := &pairPrims[float64]{pairStatsAVX2F64, pairFinishAVX2F64, pairGradAVX2F64, generic.RowKernels[float64]().Pairwise}
	k.Rows.Cosine, k.Rows.Pairwise = c.cosine, p.pairwise
}

func cosPairAVX512F32(k *Kernels[float32]) {
	c := &cosPrims[float32]{cosDotRowsAVX512F32, cosDotColsAVX512F32, cosFinishAVX512F32, cosGradRowsAVX512F32, cosGradColsAVX512F32, cosDotWideAVX512F32, 16}
	p := &pairPrims[float32]{pairStatsAVX512F32, pairFinishAVX512F32, pairGradAVX512F32, generic.RowKernels[float32]().Pairwise}
	k.Rows.Cosine, k.Rows.Pairwise = c.cosine, p.pairwise
}

func cosPairAVX512F64(k *Kernels[float64]) {
	c := &cosPrims[float64]{cosDotRowsAVX512F64, cosDotColsAVX512F64, cosFinishAVX512F64, cosGradRowsAVX512F64, cosGradColsAVX512F64, cosDotWideAVX512F64, 8}
	p := &pairPrims[float64]{pairStatsAVX512F64, pairFinishAVX512F64, pairGradAVX512F64, generic.RowKernels[float64]().Pairwise}
	k.Rows.Cosine, k.Rows.Pairwise = c.cosine, p.pairwise
}
