package main

import (
	"math"
	"testing"

	"github.com/simdloss/simdloss/losses"
)

// smallShape is a small shape of the loss's layout.
func smallShape(l *lossSpec) []int {
	switch l.Kind {
	case softmaxRows, sparseRows:
		return []int{37, 10}
	case cosineRows, pairwiseRows:
		return []int{3, l.Dim}
	}
	return []int{1000}
}

// TestPlainLoopsMatchSimdloss checks that the plain Go loops compute what
// simdloss computes (value and gradient), at every level: the speed-ups
// compare like with like.
func TestPlainLoopsMatchSimdloss(t *testing.T) {
	for _, level := range losses.Kernels() {
		restore, err := losses.UseKernel(level)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lossSpecs {
			for _, dt := range []string{"float32", "float64"} {
				for _, grad := range []bool{false, true} {
					g := group{Loss: l, DType: dt, Grad: grad, Shape: smallShape(l)}
					w, err := newWorkload(g)
					if err != nil {
						t.Fatal(err)
					}
					tol := 1e-12
					if dt == "float32" {
						tol = 2e-5
					}
					want, err := w.api()
					if err != nil {
						t.Fatalf("%s %s: %v", level, g, err)
					}
					var wantG []float64
					if grad {
						wantG = w.gradient()
					}
					got := w.plain()
					if d := math.Abs(got-want) / math.Max(math.Abs(want), 1e-6); !(d <= tol) {
						t.Errorf("%s %s: plain loop %v, simdloss %v (rel %.2g)", level, g, got, want, d)
					}
					if !grad {
						if w.gradient != nil {
							t.Errorf("%s: gradient without Gradient", g)
						}
						continue
					}
					gotG := w.gradient()
					scale := 0.0
					for _, v := range wantG {
						scale = math.Max(scale, math.Abs(v))
					}
					for i := range wantG {
						if d := math.Abs(gotG[i] - wantG[i]); !(d <= 4*tol*scale) {
							t.Errorf("%s %s: gradient[%d] plain %v, simdloss %v", level, g, i, gotG[i], wantG[i])
							break
						}
					}
				}
			}
		}
		restore()
	}
}

func TestWorkloadBytes(t *testing.T) {
	for _, l := range lossSpecs {
		for _, dt := range []string{"float32", "float64"} {
			esz := 4
			if dt == "float64" {
				esz = 8
			}
			for _, grad := range []bool{false, true} {
				g := group{Loss: l, DType: dt, Grad: grad, Shape: smallShape(l)}
				w, err := newWorkload(g)
				if err != nil {
					t.Fatal(err)
				}
				n := g.Elements()
				in := 2 * n * esz
				if l.Kind == sparseRows {
					in = n*esz + 4*g.Shape[0]
				}
				if w.inBytes != in {
					t.Errorf("%s: inBytes %d, want %d", g, w.inBytes, in)
				}
				if out := map[bool]int{false: 0, true: n * esz}[grad]; w.outBytes != out {
					t.Errorf("%s: outBytes %d, want %d", g, w.outBytes, out)
				}
				// The probe reads the loss's main inputs: all of them but the sparse labels.
				pb := 4 * (len(w.probeX) + len(w.probeY))
				if want := map[bool]int{true: n * esz, false: 2 * n * esz}[l.Kind == sparseRows]; pb != want {
					t.Errorf("%s: probe reads %d bytes, want %d", g, pb, want)
				}
			}
		}
	}
}

func TestSequences(t *testing.T) {
	// The sequences are in [0, 1), and the class labels in [0, c).
	for i := range 100000 {
		if v := frac(i, seqP); !(v >= 0 && v < 1) {
			t.Fatalf("frac(%d) = %v", i, v)
		}
		if c := class(i, 10); c < 0 || c >= 10 {
			t.Fatalf("class(%d) = %d", i, c)
		}
	}
	// Both labels occur.
	var ones float64
	for i := range 1000 {
		ones += label(i)
	}
	if ones < 400 || ones > 600 {
		t.Errorf("%v ones among 1000 labels", ones)
	}
}
