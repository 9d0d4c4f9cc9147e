package main

import (
	"math"
	"os"
	"testing"
	"time"
)

// TestPeersCompute runs peers.py on small groups of every loss and checks the
// peers' values against simdloss's: the peers get the same inputs and
// compute the same loss. Skipped where Debian's python3 or NumPy is missing.
func TestPeersCompute(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PyTorch")
	}
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		t.Skip("no /usr/bin/python3")
	}
	ps := startPeers("/usr/bin/python3")
	defer ps.Close()
	if why := ps.Missing(implNumPy); why != "" {
		t.Skip(why)
	}
	tm := timing{Sample: 100 * time.Microsecond, Reps: 2, MinRep: 1, MaxImp: 10 * time.Millisecond}
	for _, l := range lossSpecs {
		for _, dt := range []string{"float32", "float64"} {
			for _, grad := range []bool{false, true} {
				g := group{Loss: l, DType: dt, Grad: grad, Shape: smallShape(l)}
				w, err := newWorkload(g)
				if err != nil {
					t.Fatal(err)
				}
				want, err := w.api()
				if err != nil {
					t.Fatal(err)
				}
				var names []string
				if ps.Missing(implTorch) == "" {
					names = append(names, implTorch)
				}
				if l.NumPy != "" && (!grad || l.NumPyGrad) {
					names = append(names, implNumPy)
				}
				got, err := ps.Measure(g, names, tm)
				if err != nil {
					t.Fatalf("%s: %v", g, err)
				}
				for _, p := range names {
					r, ok := got[p]
					if !ok {
						t.Errorf("%s: no %s result", g, p)
						continue
					}
					tol := 1e-12
					if dt == "float32" || l.Name == "LogLoss" { // float32 sums; PyTorch's log loss has no ε
						tol = 1e-4
					}
					if d := math.Abs(r.Value-want) / math.Abs(want); !(d <= tol) {
						t.Errorf("%s: %s value %v, simdloss %v (rel %.2g)", g, p, r.Value, want, d)
					}
					if len(r.Samples) < 1 || r.Calls < 1 || !(r.Samples[0] > 0) || math.IsNaN(r.MinFlt) {
						t.Errorf("%s: %s result %+v", g, p, r)
					}
				}
			}
		}
	}
}

func TestPeersMissing(t *testing.T) {
	ps := startPeers("/nonexistent/python3")
	defer ps.Close()
	for _, p := range []string{implTorch, implNumPy} {
		if ps.Missing(p) == "" {
			t.Errorf("%s not reported missing", p)
		}
	}
	g := group{Loss: lossSpecs[0], DType: "float32", Shape: []int{1024}}
	if m, err := ps.Measure(g, []string{implTorch}, timing{Reps: 1}); m != nil || err != nil {
		t.Errorf("Measure without a process: %v, %v", m, err)
	}
	if ps := startPeers(""); ps.Missing(implTorch) == "" {
		t.Error("-python '' does not report the peers missing")
	}
}
