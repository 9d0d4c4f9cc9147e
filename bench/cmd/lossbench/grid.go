package main

import (
	"fmt"
	"regexp"
	"strings"
)

// kind is how a loss lays out its inputs.
type kind int

const (
	elementwise  kind = iota // predictions and labels of shape [n]
	softmaxRows              // logits and one-hot labels of shape [rows, classes]
	sparseRows               // logits [rows, classes] and int32 labels [rows]
	cosineRows               // predictions and labels [n/dim, dim], axis 1
	pairwiseRows             // predictions and labels [n/dim, dim], one batch row per row
)

// lossSpec is one loss of the grid.
type lossSpec struct {
	Name string
	Kind kind
	Dim  int // the row length of cosineRows and pairwiseRows
	// Torch and NumPy name the peer implementations ("" when the peer has
	// none); NumPyGrad: NumPy also has a (hand-written) gradient.
	Torch, NumPy string
	NumPyGrad    bool
}

// The losses lossbench measures, in report order. The peer names are what
// peers.py runs (keep both in step).
var lossSpecs = []*lossSpec{
	{Name: "MeanSquaredError", Kind: elementwise, Torch: "F.mse_loss", NumPy: "np.square(p-y).mean()", NumPyGrad: true},
	{Name: "AbsoluteDifference", Kind: elementwise, Torch: "F.l1_loss", NumPy: "np.abs(p-y).mean()", NumPyGrad: true},
	{Name: "HingeLoss", Kind: elementwise, Torch: "clamp(1-(2y-1)x, min=0).mean()", NumPy: "np.maximum(0, 1-(2y-1)x).mean()", NumPyGrad: true},
	{Name: "LogLoss", Kind: elementwise, Torch: "F.binary_cross_entropy", NumPy: "TF formula with np.log", NumPyGrad: true},
	{Name: "SigmoidCrossEntropy", Kind: elementwise, Torch: "F.binary_cross_entropy_with_logits"},
	{Name: "SoftmaxCrossEntropy", Kind: softmaxRows, Torch: "F.cross_entropy (probability targets)"},
	{Name: "SparseSoftmaxCrossEntropy", Kind: sparseRows, Torch: "F.cross_entropy (int64 labels)"},
	{Name: "CosineDistance", Kind: cosineRows, Dim: 128, Torch: "(1-(p*y).sum(1)).mean()", NumPy: "(1-(p*y).sum(1)).mean()"},
	{Name: "MeanPairwiseSquaredError", Kind: pairwiseRows, Dim: 1024, Torch: "d=p-y; (2*((d-d.mean(1))**2).mean(1)).sum()", NumPy: "as PyTorch, in NumPy"},
}

// Element counts of the elementwise, cosine and pairwise shapes.
var (
	fullSizes  = []int{1 << 10, 1 << 12, 1 << 14, 1 << 16, 1 << 18, 1 << 20, 1 << 22, 1 << 24}
	quickSizes = []int{1 << 12, 1 << 20}
)

// Row shapes [rows, classes] of the cross-entropies.
var (
	fullRowShapes  = [][2]int{{16, 64}, {4096, 10}, {256, 1000}, {1024, 1000}, {64, 32000}, {512, 32000}}
	quickRowShapes = [][2]int{{4096, 10}, {256, 1000}, {64, 32000}}
)

// group is one cell of the grid: a loss, an element type, a mode and a
// shape. Every implementation of a group is measured together.
type group struct {
	Loss  *lossSpec
	DType string // "float32" or "float64"
	Grad  bool   // forward with the Gradient option (PyTorch: forward+backward)
	Shape []int
}

// Elements is the number of elements of the predictions (logits).
func (g group) Elements() int {
	n := 1
	for _, d := range g.Shape {
		n *= d
	}
	return n
}

// Mode names the group's mode as the report prints it.
func (g group) Mode() string {
	if g.Grad {
		return "fwd+grad"
	}
	return "forward"
}

// ShapeString prints the shape as [a,b].
func (g group) ShapeString() string { return shapeString(g.Shape) }

func (g group) String() string {
	return fmt.Sprintf("%s %s %s %s", g.Loss.Name, g.DType, g.Mode(), g.ShapeString())
}

func shapeString(s []int) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = sizeName(d)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// sizeName writes powers of two from 1Ki as 4Ki, 16Mi; other numbers as they are.
func sizeName(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0 && n&(n-1) == 0:
		return fmt.Sprintf("%dMi", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0 && n&(n-1) == 0:
		return fmt.Sprintf("%dKi", n>>10)
	}
	return fmt.Sprint(n)
}

// shapesOf returns the shapes a loss is measured at.
func shapesOf(l *lossSpec, quick bool) [][]int {
	sizes, rows := fullSizes, fullRowShapes
	if quick {
		sizes, rows = quickSizes, quickRowShapes
	}
	var out [][]int
	switch l.Kind {
	case elementwise:
		for _, n := range sizes {
			out = append(out, []int{n})
		}
	case softmaxRows, sparseRows:
		for _, s := range rows {
			out = append(out, []int{s[0], s[1]})
		}
	case cosineRows, pairwiseRows:
		for _, n := range sizes {
			if n >= l.Dim {
				out = append(out, []int{n / l.Dim, l.Dim})
			}
		}
	}
	return out
}

// makeGrid lists the groups in report order: loss, type, mode, shape.
// filter (a regular expression on the loss name, "" for all) and types
// select a part.
func makeGrid(quick bool, filter string, types []string) ([]group, error) {
	var re *regexp.Regexp
	if filter != "" {
		var err error
		if re, err = regexp.Compile(filter); err != nil {
			return nil, fmt.Errorf("-loss: %v", err)
		}
	}
	var gs []group
	for _, l := range lossSpecs {
		if re != nil && !re.MatchString(l.Name) {
			continue
		}
		for _, t := range types {
			if t != "float32" && t != "float64" {
				return nil, fmt.Errorf("-types: unknown element type %q", t)
			}
			for _, grad := range []bool{false, true} {
				for _, s := range shapesOf(l, quick) {
					gs = append(gs, group{Loss: l, DType: t, Grad: grad, Shape: s})
				}
			}
		}
	}
	if len(gs) == 0 {
		return nil, fmt.Errorf("no loss matches -loss %q", filter)
	}
	return gs, nil
}
