//go:build !purego

package asm

// The generated softmax primitives of the AVX2 and AVX-512 levels (see
// softmax.go), with their race annotations.

// softmaxShortMax is the longest row of the batched short-row kernels
// (gen/amd64's shortMaxClasses).
const softmaxShortMax = 16

// softmaxAsm is one level's generated softmax kernels for one element type.
type softmaxAsm[T Float] struct {
	rowMax          func(x []T) T
	expSum          func(x []T, m T) (float64, int)
	expSumE         func(dst, x []T, m T) (float64, int)
	expSumDist      func(x []T, m T) (float64, float64, int)
	expSumDistE     func(dst, x []T, m T) (float64, float64, int)
	expSumDense     func(x, z []T, m, pos, neg T) (float64, float64, float64, int)
	expSumDenseE    func(dst, x, z []T, m, pos, neg T) (float64, float64, float64, int)
	gradSparse      func(g []T, p, q T)
	gradDense       func(g, z []T, pos, neg, p, r, q T)
	shortMax        int
	shortSparse     func(x []T, c int, labels []int, w []T, ws, gs, neg, zl T, dst, par []T) (float64, int)
	shortSparseGrad func(g, x []T, c int, labels []int, par []T, idx, step []int32)
	shortDense      func(x, z []T, c int, w []T, ws, gs, pos, neg T, dst, par []T) (float64, int)
	shortDenseGrad  func(g, x, z []T, c int, pos, neg T, par []T, idx, step []int32)
	table           func() *expandTable
}

// prims wraps the kernels with their race annotations and the choice
// between the storing and the plain exp sums.
func (a *softmaxAsm[T]) prims() *softmaxPrims[T] {
	if a == nil {
		return nil
	}
	p := &softmaxPrims[T]{
		rowMax: func(x []T) T {
			raceRead(x)
			return a.rowMax(x)
		},
		expSum: func(dst, x []T, m T) (float64, int) {
			raceRead(x)
			if len(dst) == 0 {
				return a.expSum(x, m)
			}
			raceWrite(dst[:len(x)])
			return a.expSumE(dst, x, m)
		},
		expSumDist: func(dst, x []T, m T) (float64, float64, int) {
			raceRead(x)
			if len(dst) == 0 {
				return a.expSumDist(x, m)
			}
			raceWrite(dst[:len(x)])
			return a.expSumDistE(dst, x, m)
		},
		expSumDense: func(dst, x, z []T, m, pos, neg T) (float64, float64, float64, int) {
			raceRead(x)
			raceRead(z[:len(x)])
			if len(dst) == 0 {
				return a.expSumDense(x, z, m, pos, neg)
			}
			raceWrite(dst[:len(x)])
			return a.expSumDenseE(dst, x, z, m, pos, neg)
		},
		gradSparse: func(g []T, p, q T) {
			raceRead(g)
			raceWrite(g)
			a.gradSparse(g, p, q)
		},
		gradDense: func(g, z []T, pos, neg, p, r, q T) {
			raceRead(g)
			raceRead(z[:len(g)])
			raceWrite(g)
			a.gradDense(g, z, pos, neg, p, r, q)
		},
	}
	if a.shortSparse == nil {
		return p
	}
	p.short = &softmaxShort[T]{
		max: a.shortMax,
		sparse: func(x []T, c int, labels []int, w []T, ws, gs, neg, zl T, dst, par []T) (float64, int) {
			raceRead(x[:len(labels)*c])
			raceRead(labels)
			raceRead(w)
			raceWrite(dst[:len(labels)])
			raceWrite(par)
			return a.shortSparse(x, c, labels, w, ws, gs, neg, zl, dst, par)
		},
		sparseGrad: func(g, x []T, c int, labels []int, par []T, idx, step []int32) {
			raceRead(x[:len(labels)*c])
			raceRead(labels)
			raceRead(par)
			raceWrite(g[:len(labels)*c])
			a.shortSparseGrad(g, x, c, labels, par, idx, step)
		},
		dense: func(x, z []T, c int, w []T, ws, gs, pos, neg T, dst, par []T) (float64, int) {
			raceRead(x[:len(dst)*c])
			raceRead(z[:len(dst)*c])
			raceRead(w)
			raceWrite(dst)
			raceWrite(par)
			return a.shortDense(x, z, c, w, ws, gs, pos, neg, dst, par)
		},
		denseGrad: func(g, x, z []T, c int, pos, neg T, par []T, idx, step []int32) {
			raceRead(x)
			raceRead(z[:len(x)])
			raceRead(par)
			raceWrite(g[:len(x)])
			a.shortDenseGrad(g, x, z, c, pos, neg, par, idx, step)
		},
		table: a.table,
	}
	return p
}

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
