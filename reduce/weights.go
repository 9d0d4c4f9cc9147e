package reduce

import "github.com/simdloss/simdloss/internal/noescape"

// maxGroups bounds the canonical groups of a weighting: groups alternate
// between broadcast and full and skip size-1 dims, so each holds a dim >= 2
// and a valid shape (product <= MaxInt) has fewer than 64 of them.
const maxGroups = 64

// WeightError says why weights do not broadcast (see Weighting.Init).
type WeightError int

// The ways weights can fail to broadcast.
const (
	WeightsOK       WeightError = iota
	WeightsRank                 // more dims than the measurable shape
	WeightsDim                  // a dim that is neither 1 nor the measurable dim
	WeightsTooMany              // too many dims to canonicalise (cannot happen for valid shapes)
	WeightsNotValid             // data length does not match the shape
)

type group struct {
	n    int
	full bool // weights vary along this group; else they broadcast
}

// Weighting is the broadcast of a weight tensor (or one scalar weight) over
// the measurable elements, in canonical form: the measurable index space is a
// row-major sequence of groups, each either broadcast or full.
type Weighting[T Float] struct {
	n      int // measurable elements
	scalar T   // the weight when w is nil
	w      []T
	g      [maxGroups]group
	ng     int
	// The kernel part: the trailing full group (elem form) or full group and
	// trailing broadcast group (rows form); the leading groups repeat it.
	rows, inner int // weights per piece, elements per weight; rows == 0: uniform
	lead        int // number of leading groups
	wstride     [maxGroups]int
}

// Uniform sets a single scalar weight over n measurable elements.
func (wt *Weighting[T]) Uniform(n int, s T) {
	// Only the fields the uniform form reads: the group arrays are large.
	wt.n, wt.scalar, wt.w = n, s, nil
	wt.ng, wt.rows, wt.inner, wt.lead = 0, 0, 0, 0
}

// Init sets weights w of shape ws (SPEC.md section 3 rules: a trailing 1 is
// dropped when rank > 1, dims align with the leading measurable dims ls and
// are equal or 1). A rank-0 ws is one scalar weight w[0].
func (wt *Weighting[T]) Init(ls, ws []int, w []T) (WeightError, int) {
	n := 1
	for _, d := range ls {
		n *= d
	}
	nw := 1
	for _, d := range ws {
		nw *= d
	}
	if len(w) != nw {
		return WeightsNotValid, -1
	}
	if len(ws) > 1 && ws[len(ws)-1] == 1 {
		ws = ws[:len(ws)-1]
	}
	if len(ws) > len(ls) {
		return WeightsRank, len(ws)
	}
	for k, d := range ws {
		if d != ls[k] && d != 1 {
			return WeightsDim, k
		}
	}
	*wt = Weighting[T]{n: n, w: noescape.Slice(w)}
	if n == 0 {
		return WeightsOK, 0
	}
	for k, d := range ls {
		if d == 1 {
			continue
		}
		full := k < len(ws) && ws[k] == d
		if wt.ng > 0 && wt.g[wt.ng-1].full == full {
			wt.g[wt.ng-1].n *= d
			continue
		}
		if wt.ng == maxGroups {
			return WeightsTooMany, k
		}
		wt.g[wt.ng] = group{n: d, full: full}
		wt.ng++
	}
	last := -1
	for i := wt.ng - 1; i >= 0; i-- {
		if wt.g[i].full {
			last = i
			break
		}
	}
	if last < 0 { // no dim varies: one weight for everything
		wt.scalar, wt.w = w[0], nil
		return WeightsOK, 0
	}
	wt.rows, wt.inner, wt.lead = wt.g[last].n, 1, last
	if last+1 < wt.ng {
		wt.inner = wt.g[last+1].n
	}
	stride := wt.rows
	for i := last - 1; i >= 0; i-- {
		if wt.g[i].full {
			wt.wstride[i] = stride
			stride *= wt.g[i].n
		}
	}
	return WeightsOK, 0
}

// N is the number of measurable elements.
func (wt *Weighting[T]) N() int { return wt.n }

// stats returns the number of non-zero fully broadcast weights and their sum.
func (wt *Weighting[T]) stats(ws func([]T) (int, float64)) Partial {
	p := Partial{N: wt.n}
	if wt.n == 0 {
		return p
	}
	if wt.w == nil {
		if wt.scalar != 0 {
			p.Nonzero = wt.n
		}
		p.WSum = float64(wt.scalar) * float64(wt.n)
		return p
	}
	nz, s := ws(noescape.Slice(wt.w))
	mult := wt.n / len(wt.w)
	p.Nonzero, p.WSum = nz*mult, s*float64(mult)
	return p
}

// block is a contiguous range of measurable elements with one weight form:
// W == nil means the uniform weight S; otherwise W[j] weighs the Inner
// elements starting at M0 + j·Inner.
type block[T Float] struct {
	M0, N int
	W     []T
	S     T
	Inner int
}

// blocks iterates the measurable elements in blocks of at most per elements
// (whole weight rows where a row fits, otherwise parts of one row).
type blocks[T Float] struct {
	wt    *Weighting[T]
	per   int
	b     block[T]
	piece int // index of the current piece
	pos   int // position in the current piece, in measurable elements
	woff  int // weight offset of the current piece
	idx   [maxGroups]int
}

func (wt *Weighting[T]) blocks(per int) blocks[T] {
	return blocks[T]{wt: wt, per: max(per, 1)}
}

// next advances to the next block; it returns false at the end.
func (it *blocks[T]) next() bool {
	wt := it.wt
	if wt.rows == 0 { // uniform: one piece, the whole range
		m0 := it.b.M0 + it.b.N
		if m0 >= wt.n {
			return false
		}
		it.b = block[T]{M0: m0, N: min(it.per, wt.n-m0), S: wt.scalar}
		return true
	}
	size := wt.rows * wt.inner
	if it.pos == size {
		it.pos = 0
		it.piece++
		it.advance()
	}
	if it.piece*size >= wt.n {
		return false
	}
	m0 := it.piece*size + it.pos
	if wt.inner >= it.per {
		// Parts of one weight row: uniform blocks.
		r, k := it.pos/wt.inner, it.pos%wt.inner
		nb := min(it.per, wt.inner-k)
		it.b = block[T]{M0: m0, N: nb, S: wt.w[it.woff+r]}
		it.pos += nb
		return true
	}
	r := it.pos / wt.inner
	nr := min(it.per/wt.inner, wt.rows-r)
	it.b = block[T]{M0: m0, N: nr * wt.inner, W: wt.w[it.woff+r : it.woff+r+nr], Inner: wt.inner}
	it.pos += nr * wt.inner
	return true
}

// advance moves the leading-group odometer one piece on and updates woff.
func (it *blocks[T]) advance() {
	wt := it.wt
	for i := wt.lead - 1; i >= 0; i-- {
		it.idx[i]++
		it.woff += wt.wstride[i]
		if it.idx[i] < wt.g[i].n {
			return
		}
		it.woff -= wt.wstride[i] * it.idx[i]
		it.idx[i] = 0
	}
}
