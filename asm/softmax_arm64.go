//go:build !purego

package asm

// The generated softmax primitives of the neon level (see softmax.go). The
// short-row gradient kernels gather and scatter the rows' columns by lanes
// and need no expansion tables.

var softmaxAsmNEONF32 = &softmaxAsm[float32]{
	rowMax:          softmaxRowMaxNEONF32,
	expSum:          softmaxExpSumNEONF32,
	expSumE:         softmaxExpSumENEONF32,
	expSumDist:      softmaxExpSumDistNEONF32,
	expSumDistE:     softmaxExpSumDistENEONF32,
	expSumDense:     softmaxExpSumDenseNEONF32,
	expSumDenseE:    softmaxExpSumDenseENEONF32,
	gradSparse:      softmaxGradSparseNEONF32,
	gradDense:       softmaxGradDenseNEONF32,
	shortMax:        softmaxShortMax,
	shortSparse:     softmaxShortSparseNEONF32,
	shortSparseGrad: softmaxShortSparseGradNEONF32,
	shortDense:      softmaxShortDenseNEONF32,
	shortDenseGrad:  softmaxShortDenseGradNEONF32,
}

var softmaxAsmNEONF64 = &softmaxAsm[float64]{
	rowMax:          softmaxRowMaxNEONF64,
	expSum:          softmaxExpSumNEONF64,
	expSumE:         softmaxExpSumENEONF64,
	expSumDist:      softmaxExpSumDistNEONF64,
	expSumDistE:     softmaxExpSumDistENEONF64,
	expSumDense:     softmaxExpSumDenseNEONF64,
	expSumDenseE:    softmaxExpSumDenseENEONF64,
	gradSparse:      softmaxGradSparseNEONF64,
	gradDense:       softmaxGradDenseNEONF64,
	shortMax:        softmaxShortMax,
	shortSparse:     softmaxShortSparseNEONF64,
	shortSparseGrad: softmaxShortSparseGradNEONF64,
	shortDense:      softmaxShortDenseNEONF64,
	shortDenseGrad:  softmaxShortDenseGradNEONF64,
}

// softmaxAsmOf returns the generated softmax kernels of a level, for tests.
func softmaxAsmOf[T Float](level string) *softmaxAsm[T] {
	if level != NEON {
		return nil
	}
	var z T
	if _, ok := any(z).(float32); ok {
		return any(softmaxAsmNEONF32).(*softmaxAsm[T])
	}
	return any(softmaxAsmNEONF64).(*softmaxAsm[T])
}
