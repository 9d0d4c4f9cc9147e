package main

import (
	"bytes"
	"encoding/csv"
	"math"
	"strings"
	"testing"
)

func TestFormat(t *testing.T) {
	for x, want := range map[float64]string{
		0: "0", 1234.4: "1234", 123.4: "123", 12.345: "12.3", 1.2345: "1.23", 0.12345: "0.123", 0.0012345: "0.00123", -2.5: "-2.50", math.NaN(): "—", math.Inf(1): "—",
	} {
		if got := sig(x); got != want {
			t.Errorf("sig(%v) = %q, want %q", x, got, want)
		}
	}
	if got := times(12.34); got != "12.3×" {
		t.Errorf("times = %q", got)
	}
	if got := percent(0.934); got != "93%" {
		t.Errorf("percent = %q", got)
	}
	if got := percent(math.NaN()); got != "—" {
		t.Errorf("percent(NaN) = %q", got)
	}
}

func TestMdTable(t *testing.T) {
	var b bytes.Buffer
	mdTable(&b, []string{"a", "b"}, [][]string{{"x|y", "1"}, {"z", "2"}})
	want := "| a | b |\n|---|--:|\n| x\\|y | 1 |\n| z | 2 |\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

// testResult is a group with a level, the peers and the probes.
func testResult() *result {
	g := group{Loss: lossSpecs[0], DType: "float32", Shape: []int{1000}}
	nan := math.NaN()
	return &result{G: g, Rows: []row{
		{Impl: "avx2", Ns: 100, InBytes: 8000, Faults: nan, Value: 0.5, Reps: 7, Calls: 10},
		{Impl: implGo, Ns: 1000, InBytes: 8000, Faults: nan, Value: 0.5},
		{Impl: implTorch, Ns: 50, InBytes: 8000, Faults: 0.25, Value: 0.5},
		{Impl: implNumPy, Status: "missing: NumPy missing (ImportError)", Faults: nan, Value: nan},
		{Impl: implProbe, Ns: 80, InBytes: 8000, Faults: nan, Value: nan},
		{Impl: implProbe2, Ns: 40, InBytes: 8000, Faults: nan, Value: nan},
	}}
}

func TestRatios(t *testing.T) {
	res := testResult()
	r, _ := res.Row("avx2")
	if got := res.Speedup(r, implGo); got != 10 {
		t.Errorf("× Go loop = %v, want 10", got)
	}
	if got := res.Speedup(r, implTorch); got != 0.5 {
		t.Errorf("× PyTorch = %v, want 0.5", got)
	}
	if got := res.Speedup(r, implNumPy); !math.IsNaN(got) {
		t.Errorf("× missing NumPy = %v, want NaN", got)
	}
	if got := res.ProbeFrac(r, implProbe); got != 0.8 {
		t.Errorf("of probe = %v, want 0.8", got)
	}
	if got := res.ElemPerNs(r); got != 10 {
		t.Errorf("elem/ns = %v", got)
	}
	if got := r.GBps(); got != 80 {
		t.Errorf("GB/s = %v", got)
	}
	// A probe that reads half the bytes (the sparse labels' case) at the same
	// speed per byte gives the same fraction.
	res.Rows[4].InBytes, res.Rows[4].Ns = 4000, 40
	if got := res.ProbeFrac(r, implProbe); got != 0.8 {
		t.Errorf("of probe with fewer bytes = %v, want 0.8", got)
	}
}

func TestFullRowsAndSummary(t *testing.T) {
	res := testResult()
	rows := fullRows(res)
	if len(rows) != len(res.Rows) {
		t.Fatalf("%d rows", len(rows))
	}
	for _, r := range rows {
		if len(r) != len(fullHeader) {
			t.Errorf("row %v has %d cells, header %d", r, len(r), len(fullHeader))
		}
	}
	avx2 := strings.Join(rows[0], ";")
	if want := "float32;forward;[1000];avx2;100;10.0;80.0;10.0×;0.500×;missing;80%;40%;0%;"; avx2 != want {
		t.Errorf("avx2 row\n%s\nwant\n%s", avx2, want)
	}
	if !strings.Contains(strings.Join(rows[3], ";"), "missing: NumPy missing") {
		t.Errorf("numpy row %v", rows[3])
	}
	h := summaryHeader([]string{"avx2"}, "avx2")
	s := summaryRow(res, []string{"avx2"}, "avx2")
	if len(h) != len(s) {
		t.Fatalf("summary header %d cells, row %d", len(h), len(s))
	}
	if got := strings.Join(s, ";"); got != "MeanSquaredError;forward;[1000];10.0;1.00;20.0;missing;80.0;10.0×;0.500×;missing;80%" {
		t.Errorf("summary row %s", got)
	}
	sl := slower([]*result{res}, []string{"avx2"})
	if len(sl) != 1 || sl[0][4] != "avx2" || sl[0][5] != "pytorch 0.500×" {
		t.Errorf("slower = %v", sl)
	}
}

func TestCSV(t *testing.T) {
	var b bytes.Buffer
	if err := writeCSV(&b, []*result{testResult()}); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1+6 {
		t.Fatalf("%d records", len(recs))
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, r := range recs {
		if len(r) != len(csvHeader) {
			t.Errorf("record %v has %d fields", r, len(r))
		}
	}
	avx2 := recs[1]
	for k, want := range map[string]string{"impl": "avx2", "ns_per_call": "100", "vs_go_loop": "10", "vs_pytorch": "0.5", "vs_numpy": "", "of_read_probe": "0.8", "shape": "1000", "elements": "1000"} {
		if got := avx2[col[k]]; got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if got := recs[4][col["status"]]; !strings.HasPrefix(got, "missing") {
		t.Errorf("numpy status %q", got)
	}
	if got := recs[3][col["faults_per_call"]]; got != "0.25" {
		t.Errorf("pytorch faults %q", got)
	}
}

func TestInSummary(t *testing.T) {
	var n int
	gs, _ := makeGrid(false, "", []string{"float32", "float64"})
	for _, g := range gs {
		if inSummary(g) {
			n++
			if g.DType != "float32" {
				t.Errorf("%s in the summary", g)
			}
		}
	}
	if n < 30 || n > 80 {
		t.Errorf("%d groups in the summary", n)
	}
}
