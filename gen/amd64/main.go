// Command amd64 writes the AVX2 and AVX-512 kernels of package asm with avo:
// every loss body composed with every loop driver, for float32 and float64.
//
//	go run ./amd64 -out ../asm/elem_amd64.s -stubs ../asm/elem_amd64.go -pkg asm -table ../asm/levels_amd64.go
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"strings"
	"text/template"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// driver is one loop shape. Every driver returns a float64 sum (see generic.Elem).
type driver struct {
	Field  string
	Params string // Go parameter list
	Result string
	Doc    string
	W      bool // per-element weights
	Rows   bool // weights per row of inner elements, expanded in registers
	Dst    bool // writes dst
	S      bool // scale s
	Grad   bool // dst gets the gradient
	Stats  bool // also returns nonzero count and weight sum
}

var drivers = []driver{
	{Field: "Sum", Params: "p, y []T, a T", Result: "float64", Doc: "returns Σ l(i)"},
	{Field: "WSum", Params: "p, y, w []T, a T", Result: "(float64, int, float64)", W: true, Stats: true,
		Doc: "returns Σ w(i)·l(i), the number of w(i) != 0 and Σ w(i)"},
	{Field: "Unred", Params: "dst, p, y []T, s, a T", Result: "float64", Dst: true, S: true,
		Doc: "writes dst(i) = s·l(i) and returns Σ l(i)"},
	{Field: "WUnred", Params: "dst, p, y, w []T, a T", Result: "float64", W: true, Dst: true,
		Doc: "writes dst(i) = w(i)·l(i) and returns their sum"},
	{Field: "Grad", Params: "dst, p, y []T, s, a T", Result: "float64", Dst: true, S: true, Grad: true,
		Doc: "writes dst(i) = s·g(i) and returns Σ l(i)"},
	{Field: "WGrad", Params: "dst, p, y, w []T, s, a T", Result: "float64", W: true, Dst: true, S: true, Grad: true,
		Doc: "writes dst(i) = s·w(i)·g(i) and returns Σ w(i)·l(i)"},
	// The row forms: element i has weight w(i / inner), produced in registers
	// by a variable permute of the weights from the current row (idx and
	// step as for expandRows): no weight buffer, no call per row. The
	// statistics count every row weight inner times.
	{Field: "RowSum", Params: "p, y, w []T, idx, step []int32, inner int, a T", Result: "(float64, int, float64)",
		W: true, Rows: true, Stats: true, Doc: "returns Σ w(i/inner)·l(i), the count of elements with w != 0 and Σ w over elements"},
	{Field: "RowUnred", Params: "dst, p, y, w []T, idx, step []int32, inner int, a T", Result: "float64", W: true, Rows: true, Dst: true,
		Doc: "writes dst(i) = w(i/inner)·l(i) and returns their sum"},
	{Field: "RowGrad", Params: "dst, p, y, w []T, idx, step []int32, inner int, s, a T", Result: "float64", W: true, Rows: true, Dst: true, S: true, Grad: true,
		Doc: "writes dst(i) = s·w(i/inner)·g(i) and returns Σ w(i/inner)·l(i)"},
}

func (d driver) sig(e elt) string {
	return "func(" + strings.ReplaceAll(d.Params, "T", e.GoType) + ") " + strings.ReplaceAll(d.Result, "T", e.GoType)
}

var consts constTable

func main() {
	table := flag.String("table", "", "Go file to write the kernel table of the generated levels to")
	only := flag.String("only", "", "emit only kernels whose names contain this (debugging)")
	flag.Parse()
	ConstraintExpr("!purego")
	consts.declare()
	for _, is := range []isa{avx2, avx512} {
		for _, e := range []elt{f32, f64} {
			c := &g{isa: is, elt: e, consts: &consts}
			for _, b := range bodies {
				for _, d := range drivers {
					if strings.Contains(b.Fn+d.Field+c.suffix(), *only) {
						kernel(c, b, d)
					}
				}
			}
			logMap(c)
			expMap(c)
			log1pMap(c)
			softmaxKernels(c)
			cosPair(c)
			if e == f32 {
				readProbe(c)
			}
		}
	}
	consts.finish()
	vconsts.finish()
	Generate()
	if *table != "" {
		writeTable(*table)
	}
}

// ptrs holds a kernel's slice base pointers, advanced together.
type ptrs struct{ p, y, w, dst reg.GPVirtual }

func (q *ptrs) advance(bytes int) {
	for _, r := range []reg.GPVirtual{q.p, q.y, q.w, q.dst} {
		if r != nil {
			ADDQ(U32(bytes), r)
		}
	}
}

func kernel(c *g, b body, d driver) {
	name := b.Fn + d.Field + c.suffix()
	TEXT(name, NOSPLIT, d.sig(c.elt))
	Pragma("noescape")
	Doc(fmt.Sprintf("%s is the %s %s driver of %s: it %s.", name, c.isa.Name, d.Field, b.Doc, d.Doc))

	var q ptrs
	q.p = GP64()
	Load(Param("p").Base(), q.p)
	if b.UsesY {
		q.y = GP64()
		Load(Param("y").Base(), q.y)
	}
	var rw *rowState
	if d.Rows {
		rw = newRowState(c)
	} else if d.W {
		q.w = GP64()
		Load(Param("w").Base(), q.w)
	}
	if d.Dst {
		q.dst = GP64()
		Load(Param("dst").Base(), q.dst)
	}
	// Scalar parameters are broadcast from their argument slots at each use
	// rather than held in registers across the loop.
	param := func(name string) func() reg.VecVirtual {
		b, err := Param(name).Resolve()
		if err != nil {
			log.Fatal(err)
		}
		return func() reg.VecVirtual {
			v := c.vec()
			c.broadcastMem(v, b.Addr)
			return v
		}
	}
	var a, s func() reg.VecVirtual
	if b.UsesA {
		a = param("a")
	}
	if d.S {
		s = param("s")
	}
	u := b.Unroll
	if c.wide() && b.WideUnroll > 0 {
		u = b.WideUnroll
	}
	if d.W && !c.wide() {
		// Sixteen YMM registers: weighted steps hold more (and the
		// statistics two accumulators each). All weighted drivers unroll
		// alike, so their sums add in the same order.
		u = min(u, 4)
	}
	acc := make([]reg.VecVirtual, u)
	wacc := make([]reg.VecVirtual, u)
	for i := range acc {
		acc[i] = c.vec()
		c.zero(acc[i])
		if d.Stats {
			wacc[i] = c.vec()
			c.zero(wacc[i])
		}
	}
	var cnt reg.GPVirtual
	if d.Stats {
		cnt = GP64()
		XORQ(cnt, cnt)
	}
	c.derived = nil
	if b.setup != nil {
		c.derived = b.setup(c, a)
	}
	c.unhoist()
	if b.hoist != nil {
		b.hoist(c)
	}
	defer c.unhoist()

	// Element index of the current vector: every slice is addressed from its
	// base with it, so one register advances per iteration.
	i := GP64()
	XORQ(i, i)
	at := func(base reg.GPVirtual, off int) Mem {
		return Mem{Base: base, Index: i, Scale: uint8(c.Size), Disp: off}
	}

	// step processes one vector at byte offset off (from element i) into
	// accumulator k; a non-nil tail restricts it to that many lanes. The tail
	// mask is rebuilt at each use rather than held across the body: avo's
	// allocator has only seven opmask registers. It returns what is left to
	// emit of that vector: nothing, but for a phased body the part after its
	// first phase (see body.phased).
	step := func(off, k int, tail reg.Register) (rest func()) {
		rest = func() {}
		var m *mask
		remask := func() {
			if tail != nil {
				mm := c.tailMask(tail)
				m = &mm
			}
		}
		ld := func(base reg.GPVirtual) reg.VecVirtual {
			v := c.vec()
			remask()
			if m != nil {
				c.maskedLoad(v, *m, at(base, off))
			} else {
				c.load(v, at(base, off))
			}
			return v
		}
		st := func(v reg.VecVirtual) {
			remask()
			if m != nil {
				c.maskedStore(v, *m, at(q.dst, off))
			} else {
				c.store(v, at(q.dst, off))
			}
		}
		keep := func(v reg.VecVirtual) {
			remask()
			if m != nil {
				c.keep(v, *m)
			}
		}
		p := ld(q.p)
		whole := tail == nil
		if whole && d.Field == "Sum" && b.fused != nil && b.UsesY {
			// The plain sum of a fused body reads y straight from memory
			// (one instruction fewer per vector).
			f1, f2 := b.fused(c, p, at(q.y, off))
			c.fma(acc[k], f1, f2)
			return
		}
		if whole && d.Field == "Sum" && b.sumMem != nil && b.UsesY {
			c.add(acc[k], acc[k], b.sumMem(c, p, at(q.y, off)))
			return
		}
		y := p
		if b.UsesY {
			y = ld(q.y)
		}
		// Whole vectors accumulate the loss's last product with a fused
		// multiply-add (the weight product, or the body's own when it ends
		// in one); every driver does it the same way, so a sum is bitwise
		// the same whether or not per-element outputs are written (those
		// never fuse: they match generic).
		accum := func(l reg.VecVirtual, f1, f2 reg.VecVirtual) {
			if whole && f1 != nil {
				c.fma(acc[k], f1, f2)
				return
			}
			keep(l)
			c.add(acc[k], acc[k], l)
		}
		var f1, f2 reg.VecVirtual
		if whole && !d.W && b.fused != nil {
			if d.Field == "Sum" {
				f1, f2 = b.fused(c, p, y)
				c.fma(acc[k], f1, f2)
				return
			}
			f1, f2 = b.fused(c, p, y)
		}
		finish := func(l, gr reg.VecVirtual) {
			var w reg.VecVirtual
			switch {
			case d.Rows:
				w = rw.next(c)
				if tail != nil {
					keep(w) // lanes past the end may hold the last row's weight
				}
			case d.W:
				w = ld(q.w) // after the body: one register fewer across it
			}
			wl := func() reg.VecVirtual { // w·l, rounded
				v := c.vec()
				c.mul(v, w, l)
				return v
			}
			switch d.Field {
			case "Sum":
				accum(l, nil, nil)
			case "WSum", "RowSum":
				if whole {
					c.fma(acc[k], w, l)
				} else {
					accum(wl(), nil, nil)
				}
				c.add(wacc[k], wacc[k], w) // masked-out lanes were loaded as 0
				zero := c.vec()
				c.zero(zero)
				c.popcount(cnt, c.cmp(cmpNEQ, w, zero))
			case "Unred":
				v := c.vec()
				c.mul(v, s(), l)
				st(v)
				accum(l, f1, f2)
			case "WUnred", "RowUnred":
				v := wl()
				st(v)
				if whole {
					c.fma(acc[k], w, l)
				} else {
					accum(v, nil, nil)
				}
			case "Grad":
				v := c.vec()
				c.mul(v, s(), gr)
				st(v)
				accum(l, f1, f2)
			case "WGrad", "RowGrad":
				sw := c.vec()
				c.mul(sw, s(), w)
				gv := c.vec()
				c.mul(gv, sw, gr)
				st(gv)
				if whole {
					c.fma(acc[k], w, l)
				} else {
					accum(wl(), nil, nil)
				}
			}
		}
		// Phases hold a second vector's state across the first one's rest:
		// more registers than AVX2's sixteen where statistics hold two
		// accumulators per step.
		if b.phased != nil && (c.wide() || !d.Stats) {
			second := b.phased(c, p, y, a, d.Grad)
			return func() { finish(second()) }
		}
		finish(b.emit(c, p, y, a, d.Grad))
		return
	}

	lanes := c.lanes()
	// float32 lanes accumulate at most flushElems elements, then drain into
	// float64 accumulators: the sum's error is O(ε·flushElems/lanes), never O(ε·n).
	// The element count is reloaded where needed rather than held in a
	// register (the row forms use most of them).
	flush := !c.is64()
	var dacc, dwacc Mem // in the frame: no register is held for them
	lim := GP64()       // the current block's end, less what the loop needs
	if flush {
		// Written at the end of every block but the last, read at the end
		// of every block but the first: a call of one block never touches
		// them (no store-to-load round trip on its critical path).
		dacc = AllocLocal(c.Bytes)
		if d.Stats {
			dwacc = AllocLocal(c.Bytes)
		}
		Label("outer")
		MOVQ(i, lim)
		ADDQ(U32(flushElems), lim)
		n := Load(Param("p").Len(), GP64())
		CMPQ(lim, n)
		JLE(LabelRef("sized"))
		MOVQ(n, lim)
		Label("sized")
	} else {
		Load(Param("p").Len(), lim)
	}
	// Whole unrolled iterations while i <= end − u·lanes, the loop tested at
	// its bottom; then single vectors while i <= end − lanes; then the tail.
	SUBQ(U32(u*lanes), lim)
	CMPQ(i, lim)
	JG(LabelRef("single"))
	Label("loop")
	rests := make([]func(), u)
	for k := range rests {
		rests[k] = step(k*c.Bytes, k, nil)
	}
	for _, r := range rests {
		r()
	}
	ADDQ(U32(u*lanes), i)
	CMPQ(i, lim)
	JLE(LabelRef("loop"))

	Label("single")
	if u > 1 {
		ADDQ(U32((u-1)*lanes), lim)
	}
	Label("single1")
	CMPQ(i, lim)
	JG(LabelRef("tail"))
	step(0, 0, nil)()
	ADDQ(U32(lanes), i)
	JMP(LabelRef("single1"))

	Label("tail")
	rest := GP64()
	MOVQ(lim, rest)
	ADDQ(U32(lanes), rest)
	SUBQ(i, rest)
	JZ(LabelRef("drain"))
	step(0, 0, rest)()
	ADDQ(rest, i)

	Label("drain")
	var sum, wsum reg.VecVirtual
	if flush {
		// Every block but the last holds flushElems elements, so the first
		// one ends at i <= flushElems and has nothing drained before it.
		sum = c.widenSum(acc)
		if d.Stats {
			wsum = c.widenSum(wacc)
		}
		CMPQ(i, U32(flushElems))
		JLE(LabelRef("first"))
		VADDPD(dacc, sum, sum)
		if d.Stats {
			VADDPD(dwacc, wsum, wsum)
		}
		Label("first")
		CMPQ(i, Load(Param("p").Len(), GP64()))
		JGE(LabelRef("final"))
		VMOVUPD(sum, dacc)
		if d.Stats {
			VMOVUPD(wsum, dwacc)
		}
		for k := range acc {
			c.zero(acc[k])
			if d.Stats {
				c.zero(wacc[k])
			}
		}
		JMP(LabelRef("outer"))
		Label("final")
		sum = c.reduce64(sum)
		if d.Stats {
			wsum = c.reduce64(wsum)
		}
	} else {
		sum = c.reduce64(acc...)
		if d.Stats {
			wsum = c.reduce64(wacc...)
		}
	}
	Store(sum, ReturnIndex(0))
	if d.Stats {
		Store(cnt, ReturnIndex(1))
		Store(wsum, ReturnIndex(2))
	}
	VZEROUPPER()
	RET()
	c.derived = nil
}

// flushElems is how many elements float32 lanes accumulate before they
// drain into float64 (a multiple of every unroll × lanes).
const flushElems = 4096

// addTree leaves the sum of vs in vs[0], added pairwise (a tree of depth
// log2 len(vs) rather than a chain of len(vs)−1 dependent adds); the other
// vectors are clobbered.
func (c *g) addTree(vs []reg.VecVirtual) {
	for step := 1; step < len(vs); step *= 2 {
		for i := 0; i+step < len(vs); i += 2 * step {
			c.add(vs[i], vs[i], vs[i+step])
		}
	}
}

// loaded returns a fresh vector loaded from m.
func (c *g) loaded(m Mem) reg.VecVirtual {
	v := c.vec()
	c.load(v, m)
	return v
}

// widenSum returns the sum of the float32 accumulators, widened to float64
// (the accumulators are clobbered).
func (c *g) widenSum(acc []reg.VecVirtual) reg.VecVirtual {
	c.addTree(acc)
	w := c.widen(acc[0])
	VADDPD(w[1], w[0], w[0])
	return w[0]
}

// drain adds the float32 accumulators, widened to float64, into the
// float64 vector at dm and zeroes them.
func (c *g) drain(acc []reg.VecVirtual, dm Mem) {
	d := c.vec()
	VMOVUPD(dm, d)
	lo := c.widenSum(acc)
	for _, v := range acc {
		c.zero(v)
	}
	VADDPD(lo, d, d)
	VMOVUPD(d, dm)
}

// reduce64 adds float64 vectors and returns the sum of their lanes in the
// low lane of an XMM register.
func (c *g) reduce64(vs ...reg.VecVirtual) reg.VecVirtual {
	c.addTree(vs)
	d := vs[0]
	if c.wide() {
		hi := YMM()
		VEXTRACTF64X4(U8(1), d, hi)
		y := YMM()
		VADDPD(hi, d.AsY(), y)
		d = y
	}
	hi := XMM()
	VEXTRACTF128(U8(1), d, hi)
	x := XMM()
	VADDPD(hi, d.AsX(), x)
	sw := XMM()
	VPERMILPD(U8(1), x, sw)
	VADDSD(sw, x, x)
	return x
}

// logMap emits logMap<ISA><T>(dst, x): dst(i) = ln x(i), the vectorised
// logarithm of the log loss on its own, for accuracy tests.
func logMap(c *g) {
	mapKernelMask(c, "logMap"+c.suffix(), "writes dst(i) = ln x(i) with the "+c.isa.Name+" vectorised logarithm.", c.vlog, false)
}

// The Go side of the generated levels: race-annotated wrappers around every
// assembly kernel and the tables that put them in place.
var tableTmpl = template.Must(template.New("table").Parse(`// Code generated by gen/amd64. DO NOT EDIT.

//go:build !purego

package asm

import "github.com/simdloss/simdloss/generic"

func init() {
	f := Detect()
	if f.AVX2 {
		levels = append([]*Level{{"{{"}}Name: AVX2, F32: avx2Kernels32(), F64: avx2Kernels64()}}, levels...)
		probes = append([]probe{{"{{"}}AVX2, readProbeRAVX2F32}}, probes...)
	}
	if f.AVX512 {
		levels = append([]*Level{{"{{"}}Name: AVX512, F32: avx512Kernels32(), F64: avx512Kernels64()}}, levels...)
		probes = append([]probe{{"{{"}}AVX512, readProbeRAVX512F32}}, probes...)
	}
}
{{range $s := .Sets}}
// {{.Func}} is the {{.Level}} level for {{.GoType}}: generated kernels where
// they exist, the generic ones elsewhere.
func {{.Func}}() *Kernels[{{.GoType}}] {
	k := genericKernels[{{.GoType}}]()
{{- range .Bodies}}
	k.Elem[generic.{{.Name}}] = withRows(&rowFused[{{$s.GoType}}]{ {{.Fn}}RowSumR{{$s.Suffix}}, {{.Fn}}RowUnredR{{$s.Suffix}}, {{.Fn}}RowGradR{{$s.Suffix}} }, Elem[{{$s.GoType}}]{
		Sum:    {{.Fn}}SumR{{$s.Suffix}},
		WSum:   {{.Fn}}WSumR{{$s.Suffix}},
		Unred:  {{.Fn}}UnredR{{$s.Suffix}},
		WUnred: {{.Fn}}WUnredR{{$s.Suffix}},
		Grad:   {{.Fn}}GradR{{$s.Suffix}},
		WGrad:  {{.Fn}}WGradR{{$s.Suffix}},
	})
{{- end}}
	k.Log = logMapR{{.Suffix}}
	k.Exp = expMapR{{.Suffix}}
	k.Log1p = log1pMapR{{.Suffix}}
	k.Rows = softmaxRows(softmaxAsm{{.Suffix}}.prims(), k.Rows)
	cosPair{{.Suffix}}(k)
	return k
}

// softmaxAsm{{.Suffix}} are the {{.Level}} softmax primitives for {{.GoType}} (softmax.go).
var softmaxAsm{{.Suffix}} = &softmaxAsm[{{.GoType}}]{
	rowMax:          softmaxRowMax{{.Suffix}},
	expSum:          softmaxExpSum{{.Suffix}},
	expSumE:         softmaxExpSumE{{.Suffix}},
	expSumDist:      softmaxExpSumDist{{.Suffix}},
	expSumDistE:     softmaxExpSumDistE{{.Suffix}},
	expSumDense:     softmaxExpSumDense{{.Suffix}},
	expSumDenseE:    softmaxExpSumDenseE{{.Suffix}},
	gradSparse:      softmaxGradSparse{{.Suffix}},
	gradDense:       softmaxGradDense{{.Suffix}},
	shortMax:        softmaxShortMax,
	shortSparse:     softmaxShortSparse{{.Suffix}},
	shortSparseGrad: softmaxShortSparseGrad{{.Suffix}},
	shortDense:      softmaxShortDense{{.Suffix}},
	shortDenseGrad:  softmaxShortDenseGrad{{.Suffix}},
	table:           expandTables[{{.TableIndex}}],
}

// cosPair{{.Suffix}} installs the {{.Level}} cosine distance and pairwise
// squared error for {{.GoType}} (cospair.go) on the generated primitives.
func cosPair{{.Suffix}}(k *Kernels[{{.GoType}}]) {
	c := &cosPrims[{{.GoType}}]{dotRows: cosDotRows{{.Suffix}}, dotCols: cosDotCols{{.Suffix}}, finish: cosFinish{{.Suffix}},
		gradRows: cosGradRows{{.Suffix}}, gradCols: cosGradCols{{.Suffix}}, dotWide: cosDotWide{{.Suffix}}, lanes: {{.Lanes}},
		dotT: cosDotT{{.Suffix}}, gradT: cosGradT{{.Suffix}}, tMax: {{.TransMax}}}
	p := &pairPrims[{{.GoType}}]{stats: pairStats{{.Suffix}}, finish: pairFinish{{.Suffix}}, grad: pairGrad{{.Suffix}},
		ref: generic.RowKernels[{{.GoType}}]().Pairwise, statsT: pairStatsT{{.Suffix}}, gradT: pairGradT{{.Suffix}}, lanes: {{.Lanes}}, tMax: {{.TransMax}}}
	k.Rows.Cosine, k.Rows.Pairwise = c.cosine, p.pairwise
}
{{range .Bodies}}
func {{.Fn}}SumR{{$s.Suffix}}(p, y []{{$s.GoType}}, a {{$s.GoType}}) float64 {
	raceRead(p)
	raceRead(y)
	return {{.Fn}}Sum{{$s.Suffix}}(p, y, a)
}

func {{.Fn}}WSumR{{$s.Suffix}}(p, y, w []{{$s.GoType}}, a {{$s.GoType}}) (float64, int, float64) {
	raceRead(p)
	raceRead(y)
	raceRead(w)
	return {{.Fn}}WSum{{$s.Suffix}}(p, y, w, a)
}

func {{.Fn}}UnredR{{$s.Suffix}}(dst, p, y []{{$s.GoType}}, s, a {{$s.GoType}}) float64 {
	raceRead(p)
	raceRead(y)
	raceWrite(dst)
	return {{.Fn}}Unred{{$s.Suffix}}(dst, p, y, s, a)
}

func {{.Fn}}WUnredR{{$s.Suffix}}(dst, p, y, w []{{$s.GoType}}, a {{$s.GoType}}) float64 {
	raceRead(p)
	raceRead(y)
	raceRead(w)
	raceWrite(dst)
	return {{.Fn}}WUnred{{$s.Suffix}}(dst, p, y, w, a)
}

func {{.Fn}}GradR{{$s.Suffix}}(dst, p, y []{{$s.GoType}}, s, a {{$s.GoType}}) float64 {
	raceRead(p)
	raceRead(y)
	raceWrite(dst)
	return {{.Fn}}Grad{{$s.Suffix}}(dst, p, y, s, a)
}

func {{.Fn}}WGradR{{$s.Suffix}}(dst, p, y, w []{{$s.GoType}}, s, a {{$s.GoType}}) float64 {
	raceRead(p)
	raceRead(y)
	raceRead(w)
	raceWrite(dst)
	return {{.Fn}}WGrad{{$s.Suffix}}(dst, p, y, w, s, a)
}

func {{.Fn}}RowSumR{{$s.Suffix}}(p, y, w []{{$s.GoType}}, inner int, a {{$s.GoType}}) (float64, int, float64) {
	t := expandTables[{{$s.TableIndex}}]()
	raceRead(p)
	raceRead(y)
	raceRead(w)
	s, nz, ws := {{.Fn}}RowSum{{$s.Suffix}}(p, y, w, t.idx[inner], t.step[inner], inner, a)
	return s, nz / inner, ws / float64(inner)
}

func {{.Fn}}RowUnredR{{$s.Suffix}}(dst, p, y, w []{{$s.GoType}}, inner int, a {{$s.GoType}}) float64 {
	t := expandTables[{{$s.TableIndex}}]()
	raceRead(p)
	raceRead(y)
	raceRead(w)
	raceWrite(dst)
	return {{.Fn}}RowUnred{{$s.Suffix}}(dst, p, y, w, t.idx[inner], t.step[inner], inner, a)
}

func {{.Fn}}RowGradR{{$s.Suffix}}(dst, p, y, w []{{$s.GoType}}, inner int, s, a {{$s.GoType}}) float64 {
	t := expandTables[{{$s.TableIndex}}]()
	raceRead(p)
	raceRead(y)
	raceRead(w)
	raceWrite(dst)
	return {{.Fn}}RowGrad{{$s.Suffix}}(dst, p, y, w, t.idx[inner], t.step[inner], inner, s, a)
}
{{end}}
func logMapR{{.Suffix}}(dst, x []{{.GoType}}) {
	raceRead(x)
	raceWrite(dst)
	logMap{{.Suffix}}(dst, x)
}

func expMapR{{.Suffix}}(dst, x []{{.GoType}}) {
	raceRead(x)
	raceWrite(dst)
	expMap{{.Suffix}}(dst, x)
}

func log1pMapR{{.Suffix}}(dst, x []{{.GoType}}) {
	raceRead(x)
	raceWrite(dst)
	log1pMap{{.Suffix}}(dst, x)
}
{{if eq .GoType "float32"}}
func readProbeR{{.Suffix}}(x, y []float32) float32 {
	raceRead(x)
	raceRead(y[:len(x)])
	return readProbe{{.Suffix}}(x, y)
}
{{end}}

{{end}}`))

type tableSet struct {
	Func, Level, GoType, Suffix string
	TableIndex                  int // into asm's expandTables: by vector width and element size
	Lanes                       int // elements per vector
	TransMax                    int // the longest row the transposing cosine/pairwise primitives take
	Bodies                      []body
}

func writeTable(path string) {
	var sets []tableSet
	for _, is := range []isa{avx2, avx512} {
		for _, e := range []elt{f32, f64} {
			bits := "32"
			if e.Size == 8 {
				bits = "64"
			}
			sets = append(sets, tableSet{
				Func: strings.ToLower(is.Name) + "Kernels" + bits, Level: is.Level, GoType: e.GoType,
				Suffix: is.Name + e.Name, TableIndex: 2*(is.Bytes/64) + e.Size/8, Bodies: bodies,
				Lanes: is.Bytes / e.Size, TransMax: (&g{isa: is, elt: e}).transMax(),
			})
		}
	}
	var buf bytes.Buffer
	if err := tableTmpl.Execute(&buf, struct{ Sets []tableSet }{sets}); err != nil {
		log.Fatal(err)
	}
	src, err := format.Source(buf.Bytes())
	if err != nil {
		log.Fatalf("format: %v\n%s", err, buf.Bytes())
	}
	if err := os.WriteFile(path, src, 0o644); err != nil {
		log.Fatal(err)
	}
}

// rowState walks the row weights of a row-form kernel: the current row r0
// and phase (element index mod inner).
type rowState struct {
	w, nw, idx, step, ph, r0 reg.Register
}

func newRowState(c *g) *rowState {
	r := &rowState{w: GP64(), idx: GP64(), step: GP64(), ph: GP64(), r0: GP64()}
	Load(Param("w").Base(), r.w)
	r.nw = Load(Param("w").Len(), GP64())
	Load(Param("idx").Base(), r.idx)
	Load(Param("step").Base(), r.step)
	XORQ(r.ph, r.ph)
	XORQ(r.r0, r.r0)
	return r
}

var rowLabels int

// next returns the weights of the next vector of elements and advances.
func (r *rowState) next(c *g) reg.VecVirtual {
	rowLabels++
	part, perm := fmt.Sprintf("rowpart%d", rowLabels), fmt.Sprintf("rowperm%d", rowLabels)
	src := c.vec()
	left := GP64()
	MOVQ(r.nw, left)
	SUBQ(r.r0, left)
	src0 := Mem{Base: r.w, Index: r.r0, Scale: uint8(c.Size)}
	CMPQ(left, U32(c.lanes()))
	JL(LabelRef(part))
	c.load(src, src0)
	JMP(LabelRef(perm))
	Label(part)
	c.maskedLoad(src, c.tailMask(left), src0)
	Label(perm)
	ix := c.vec()
	off := GP64()
	MOVQ(r.ph, off)
	SHLQ(U8(6), off) // 64 bytes of indices per phase
	VMOVUPS(Mem{Base: r.idx, Index: off, Scale: 1}, ix)
	w := c.vec()
	VPERMPS(src, ix, w)
	t := GP64()
	MOVLQSX(Mem{Base: r.step, Index: r.ph, Scale: 8}, t)
	ADDQ(t, r.r0)
	MOVLQSX(Mem{Base: r.step, Index: r.ph, Scale: 8, Disp: 4}, r.ph)
	return w
}
