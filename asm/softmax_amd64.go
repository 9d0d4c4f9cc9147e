//go:build !purego

package asm

// The generated softmax primitives of the AVX2 and AVX-512 levels.

var softmaxAsmAVX2F32 = &softmaxAsm[float32]{
	rowMax:          softmaxRowMaxAVX2F32,
	expSum:          softmaxExpSumAVX2F32,
	expSumE:         softmaxExpSumEAVX2F32,
	expSumDist:      softmaxExpSumDistAVX2F32,
	expSumDistE:     softmaxExpSumDistEAVX2F32,
	expSumDense:     softmaxExpSumDenseAVX2F32,
	expSumDenseE:    softmaxExpSumDenseEAVX2F32,
	gradSparse:      softmaxGradSparseAVX2F32,
	gradDense:       softmaxGradDenseAVX2F32,
	shortMax:        softmaxShortMax,
	shortSparse:     softmaxShortSparseAVX2F32,
	shortSparseGrad: softmaxShortSparseGradAVX2F32,
	shortDense:      softmaxShortDenseAVX2F32,
	shortDenseGrad:  softmaxShortDenseGradAVX2F32,
	table:           expandTables[0],
}

var softmaxAsmAVX2F64 = &softmaxAsm[float64]{
	rowMax:          softmaxRowMaxAVX2F64,
	expSum:          softmaxExpSumAVX2F64,
	expSumE:         softmaxExpSumEAVX2F64,
	expSumDist:      softmaxExpSumDistAVX2F64,
	expSumDistE:     softmaxExpSumDistEAVX2F64,
	expSumDense:     softmaxExpSumDenseAVX2F64,
	expSumDenseE:    softmaxExpSumDenseEAVX2F64,
	gradSparse:      softmaxGradSparseAVX2F64,
	gradDense:       softmaxGradDenseAVX2F64,
	shortMax:        softmaxShortMax,
	shortSparse:     softmaxShortSparseAVX2F64,
	shortSparseGrad: softmaxShortSparseGradAVX2F64,
	shortDense:      softmaxShortDenseAVX2F64,
	shortDenseGrad:  softmaxShortDenseGradAVX2F64,
	table:           expandTables[1],
}

var softmaxAsmAVX512F32 = &softmaxAsm[float32]{
	rowMax:          softmaxRowMaxAVX512F32,
	expSum:          softmaxExpSumAVX512F32,
	expSumE:         softmaxExpSumEAVX512F32,
	expSumDist:      softmaxExpSumDistAVX512F32,
	expSumDistE:     softmaxExpSumDistEAVX512F32,
	expSumDense:     softmaxExpSumDenseAVX512F32,
	expSumDenseE:    softmaxExpSumDenseEAVX512F32,
	gradSparse:      softmaxGradSparseAVX512F32,
	gradDense:       softmaxGradDenseAVX512F32,
	shortMax:        softmaxShortMax,
	shortSparse:     softmaxShortSparseAVX512F32,
	shortSparseGrad: softmaxShortSparseGradAVX512F32,
	shortDense:      softmaxShortDenseAVX512F32,
	shortDenseGrad:  softmaxShortDenseGradAVX512F32,
	table:           expandTables[2],
}

var softmaxAsmAVX512F64 = &softmaxAsm[float64]{
	rowMax:          softmaxRowMaxAVX512F64,
	expSum:          softmaxExpSumAVX512F64,
	expSumE:         softmaxExpSumEAVX512F64,
	expSumDist:      softmaxExpSumDistAVX512F64,
	expSumDistE:     softmaxExpSumDistEAVX512F64,
	expSumDense:     softmaxExpSumDenseAVX512F64,
	expSumDenseE:    softmaxExpSumDenseEAVX512F64,
	gradSparse:      softmaxGradSparseAVX512F64,
	gradDense:       softmaxGradDenseAVX512F64,
	shortMax:        softmaxShortMax,
	shortSparse:     softmaxShortSparseAVX512F64,
	shortSparseGrad: softmaxShortSparseGradAVX512F64,
	shortDense:      softmaxShortDenseAVX512F64,
	shortDenseGrad:  softmaxShortDenseGradAVX512F64,
	table:           expandTables[3],
}

// softmaxAsmOf returns the generated softmax kernels of a level, for tests.
func softmaxAsmOf[T Float](level string) *softmaxAsm[T] {
	var z T
	_, f32 := any(z).(float32)
	switch {
	case level == AVX2 && f32:
		return any(softmaxAsmAVX2F32).(*softmaxAsm[T])
	case level == AVX2:
		return any(softmaxAsmAVX2F64).(*softmaxAsm[T])
	case level == AVX512 && f32:
		return any(softmaxAsmAVX512F32).(*softmaxAsm[T])
	case level == AVX512:
		return any(softmaxAsmAVX512F64).(*softmaxAsm[T])
	}
	return nil
}
