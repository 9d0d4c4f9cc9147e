//go:build !purego && (amd64 || arm64)

package asm

// The generated softmax primitives of a SIMD level (see softmax.go), with
// their race annotations; softmax_amd64.go and softmax_arm64.go list each
// level's kernels.

// softmaxShortMax is the longest row of the batched short-row kernels
// (gen/amd64's and gen/arm64's shortMaxClasses).
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

// expand returns the expansion tables of rows of c classes for the
// short-row gradient kernels, nil where the level needs none.
func (a *softmaxAsm[T]) expand(c int) (idx, step []int32) {
	if a.table == nil {
		return nil, nil
	}
	t := a.table()
	return t.idx[c], t.step[c]
}
