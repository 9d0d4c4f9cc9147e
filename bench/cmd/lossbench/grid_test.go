package main

import "testing"

func TestGrid(t *testing.T) {
	full, err := makeGrid(false, "", []string{"float32", "float64"})
	if err != nil {
		t.Fatal(err)
	}
	quick, err := makeGrid(true, "", []string{"float32", "float64"})
	if err != nil {
		t.Fatal(err)
	}
	if len(quick) >= len(full)/2 {
		t.Errorf("quick grid has %d groups, full %d", len(quick), len(full))
	}
	type key struct {
		loss, dtype string
		grad        bool
	}
	for _, gs := range [][]group{full, quick} {
		seen := map[key]int{}
		for _, g := range gs {
			n := g.Elements()
			if n < 1<<10 || n > 1<<24+1<<20 {
				t.Errorf("%s: %d elements, outside 1Ki..16Mi", g, n)
			}
			switch g.Loss.Kind {
			case elementwise:
				if len(g.Shape) != 1 {
					t.Errorf("%s: shape %v", g, g.Shape)
				}
			default:
				if len(g.Shape) != 2 || g.Shape[0] < 1 {
					t.Errorf("%s: shape %v", g, g.Shape)
				}
			}
			seen[key{g.Loss.Name, g.DType, g.Grad}]++
		}
		for _, l := range lossSpecs {
			for _, dt := range []string{"float32", "float64"} {
				for _, grad := range []bool{false, true} {
					if seen[key{l.Name, dt, grad}] < 2 {
						t.Errorf("%s %s grad=%v: %d shapes", l.Name, dt, grad, seen[key{l.Name, dt, grad}])
					}
				}
			}
		}
	}
	// Every required loss is there.
	for _, name := range []string{"MeanSquaredError", "AbsoluteDifference", "HingeLoss", "LogLoss", "SigmoidCrossEntropy",
		"SoftmaxCrossEntropy", "SparseSoftmaxCrossEntropy", "CosineDistance", "MeanPairwiseSquaredError"} {
		found := false
		for _, l := range lossSpecs {
			found = found || l.Name == name
		}
		if !found {
			t.Errorf("%s is not in the grid", name)
		}
	}
	// The classic cross-entropy shapes are in both grids.
	for _, s := range [][2]int{{256, 1000}, {64, 32000}, {4096, 10}} {
		for _, gs := range [][]group{full, quick} {
			found := false
			for _, g := range gs {
				found = found || (g.Loss.Kind == sparseRows && g.Shape[0] == s[0] && g.Shape[1] == s[1])
			}
			if !found {
				t.Errorf("shape %v missing", s)
			}
		}
	}
}

func TestGridFilter(t *testing.T) {
	gs, err := makeGrid(true, "^LogLoss$", []string{"float32"})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range gs {
		if g.Loss.Name != "LogLoss" || g.DType != "float32" {
			t.Errorf("unexpected group %s", g)
		}
	}
	if len(gs) != 2*len(quickSizes) {
		t.Errorf("%d groups, want %d", len(gs), 2*len(quickSizes))
	}
	if _, err := makeGrid(true, "NoSuchLoss", []string{"float32"}); err == nil {
		t.Error("no error for a filter matching nothing")
	}
	if _, err := makeGrid(true, "", []string{"float16"}); err == nil {
		t.Error("no error for float16")
	}
	if _, err := makeGrid(true, "(", []string{"float32"}); err == nil {
		t.Error("no error for a bad regular expression")
	}
}

func TestSizeName(t *testing.T) {
	for n, want := range map[int]string{1024: "1Ki", 4096: "4Ki", 1 << 20: "1Mi", 1 << 24: "16Mi", 1000: "1000", 32000: "32000", 3 << 10: "3072", 10: "10"} {
		if got := sizeName(n); got != want {
			t.Errorf("sizeName(%d) = %q, want %q", n, got, want)
		}
	}
	g := group{Loss: lossSpecs[0], DType: "float32", Shape: []int{64, 32000}, Grad: true}
	if got := g.String(); got != "MeanSquaredError float32 fwd+grad [64,32000]" {
		t.Errorf("group string %q", got)
	}
}
