package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Implementation names besides the kernel levels.
const (
	implGo     = "go-loop"
	implTorch  = "pytorch"
	implNumPy  = "numpy"
	implProbe  = "read-probe"
	implProbe2 = "read-probe-2t"
)

// row is one implementation's figure in one group.
type row struct {
	Impl     string
	Status   string  // "" when measured; otherwise why not ("missing: …", "n/a", "error: …")
	Ns       float64 // median ns per call
	Spread   float64 // (max − min)/median of the samples
	Reps     int
	Calls    int     // calls per sample
	InBytes  int     // bytes read per call (for the probes: the bytes they read)
	OutBytes int     // bytes written per call
	Faults   float64 // minor page faults per call (peers only; NaN otherwise)
	Value    float64 // the loss value (NaN for the probes)
}

// result is one group's rows.
type result struct {
	G    group
	Rows []row
}

// OK reports whether r was measured.
func (r row) OK() bool { return r.Status == "" && r.Ns > 0 }

// ElemPerNs is the group's elements per ns of r.
func (res *result) ElemPerNs(r row) float64 {
	if !r.OK() {
		return math.NaN()
	}
	return float64(res.G.Elements()) / r.Ns
}

// GBps is bytes read and written per ns.
func (r row) GBps() float64 {
	if !r.OK() {
		return math.NaN()
	}
	return float64(r.InBytes+r.OutBytes) / r.Ns
}

// Row returns the row of impl, if any.
func (res *result) Row(impl string) (row, bool) {
	for _, r := range res.Rows {
		if r.Impl == impl {
			return r, true
		}
	}
	return row{}, false
}

// Speedup is how many times faster r is than ref (ref's time over r's); NaN
// when either was not measured.
func (res *result) Speedup(r row, ref string) float64 {
	q, ok := res.Row(ref)
	if !ok || !q.OK() || !r.OK() {
		return math.NaN()
	}
	return q.Ns / r.Ns
}

// ProbeFrac is r's input read rate as a fraction of the probe's read rate:
// 1 means r runs as fast as merely reading its inputs.
func (res *result) ProbeFrac(r row, probe string) float64 {
	q, ok := res.Row(probe)
	if !ok || !q.OK() || !r.OK() {
		return math.NaN()
	}
	return (float64(r.InBytes) / r.Ns) / (float64(q.InBytes) / q.Ns)
}

// refStatus returns why a reference column is empty for the group: the
// reference's status when it has one.
func (res *result) refStatus(ref string) string {
	q, ok := res.Row(ref)
	if !ok {
		return "n/a"
	}
	return shortStatus(q.Status)
}

func shortStatus(s string) string {
	switch {
	case s == "":
		return "—"
	case strings.HasPrefix(s, "missing"):
		return "missing"
	case strings.HasPrefix(s, "n/a"):
		return "n/a"
	}
	return "error"
}

// sig formats x with 3 significant digits (plain notation), "—" for NaN.
func sig(x float64) string {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return "—"
	case x == 0:
		return "0"
	}
	a := math.Abs(x)
	switch {
	case a >= 100:
		return strconv.FormatFloat(math.Round(x), 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(x, 'f', 1, 64)
	case a >= 1:
		return strconv.FormatFloat(x, 'f', 2, 64)
	}
	d := 2 - int(math.Floor(math.Log10(a)))
	return strconv.FormatFloat(x, 'f', d, 64)
}

// times formats a speed-up as 12.3×.
func times(x float64) string {
	if math.IsNaN(x) {
		return "—"
	}
	return sig(x) + "×"
}

// percent formats a fraction as 93%.
func percent(x float64) string {
	if math.IsNaN(x) {
		return "—"
	}
	return strconv.FormatFloat(x*100, 'f', 0, 64) + "%"
}

// cellOr formats v with f, or the reference's status when v is NaN.
func cellOr(v float64, f func(float64) string, status string) string {
	if math.IsNaN(v) {
		return status
	}
	return f(v)
}

// mdTable writes a Markdown table.
func mdTable(w io.Writer, header []string, rows [][]string) {
	esc := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	line := func(cells []string) {
		var b strings.Builder
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" " + esc(c) + " |")
		}
		fmt.Fprintln(w, b.String())
	}
	line(header)
	seps := make([]string, len(header))
	for i := range seps {
		seps[i] = "---"
		if i > 0 {
			seps[i] = "--:"
		}
	}
	fmt.Fprintln(w, "|"+strings.Join(seps, "|")+"|")
	for _, r := range rows {
		line(r)
	}
}

// peerRefs are the implementations a figure is compared against.
var peerRefs = []string{implGo, implTorch, implNumPy}

// fullHeader is the header of the per-loss tables.
var fullHeader = []string{"type", "mode", "shape", "impl", "ns/call", "elem/ns", "GB/s", "× Go loop", "× PyTorch", "× NumPy", "of probe", "of probe 2t", "spread", "faults/call"}

// fullRows formats the rows of one group for the per-loss tables.
func fullRows(res *result) [][]string {
	var out [][]string
	for _, r := range res.Rows {
		cells := []string{res.G.DType, res.G.Mode(), res.G.ShapeString(), r.Impl}
		if !r.OK() {
			cells = append(cells, r.Status, "", "", "", "", "", "", "", "", "")
			out = append(out, cells)
			continue
		}
		cells = append(cells, sig(r.Ns), sig(res.ElemPerNs(r)), sig(r.GBps()))
		for _, ref := range peerRefs {
			if ref == r.Impl {
				cells = append(cells, "1×")
				continue
			}
			cells = append(cells, cellOr(res.Speedup(r, ref), times, res.refStatus(ref)))
		}
		cells = append(cells, percent(res.ProbeFrac(r, implProbe)), percent(res.ProbeFrac(r, implProbe2)))
		cells = append(cells, percent(r.Spread))
		if math.IsNaN(r.Faults) {
			cells = append(cells, "")
		} else {
			cells = append(cells, sig(r.Faults))
		}
		out = append(out, cells)
	}
	return out
}

// summaryHeader builds the summary table's header for the levels (worst first).
func summaryHeader(levels []string, best string) []string {
	h := []string{"loss", "mode", "shape"}
	for _, l := range levels {
		h = append(h, l)
	}
	h = append(h, "Go loop", "PyTorch", "NumPy", best+" GB/s", best+" × Go loop", best+" × PyTorch", best+" × NumPy", best+" of probe")
	return h
}

// summaryRow formats one group for the summary table: elements/ns of each
// level and peer, then the best level's GB/s and ratios.
func summaryRow(res *result, levels []string, best string) []string {
	cells := []string{res.G.Loss.Name, res.G.Mode(), res.G.ShapeString()}
	for _, l := range append(slices.Clone(levels), peerRefs...) {
		r, ok := res.Row(l)
		switch {
		case !ok:
			cells = append(cells, "n/a")
		case !r.OK():
			cells = append(cells, shortStatus(r.Status))
		default:
			cells = append(cells, sig(res.ElemPerNs(r)))
		}
	}
	b, ok := res.Row(best)
	if !ok || !b.OK() {
		return append(cells, "—", "—", "—", "—", "—")
	}
	cells = append(cells, sig(b.GBps()))
	for _, ref := range peerRefs {
		cells = append(cells, cellOr(res.Speedup(b, ref), times, res.refStatus(ref)))
	}
	return append(cells, percent(res.ProbeFrac(b, implProbe)))
}

// inSummary selects the groups of the summary table: float32 at 4Ki, 1Mi and
// 16Mi elements, and the cross-entropies' three classic row shapes.
func inSummary(g group) bool {
	if g.DType != "float32" {
		return false
	}
	switch g.Loss.Kind {
	case softmaxRows, sparseRows:
		for _, s := range quickRowShapes {
			if g.Shape[0] == s[0] && g.Shape[1] == s[1] {
				return true
			}
		}
		return false
	}
	n := g.Elements()
	return n == 1<<12 || n == 1<<20 || n == 1<<24
}

// slower lists, per group and SIMD level, the peers that level is slower
// than, with the ratio.
func slower(results []*result, simd []string) [][]string {
	var out [][]string
	for _, res := range results {
		for _, l := range simd {
			r, ok := res.Row(l)
			if !ok || !r.OK() {
				continue
			}
			var than []string
			for _, ref := range peerRefs {
				if s := res.Speedup(r, ref); s < 1 {
					than = append(than, ref+" "+times(s))
				}
			}
			if len(than) > 0 {
				out = append(out, []string{res.G.Loss.Name, res.G.DType, res.G.Mode(), res.G.ShapeString(), l, strings.Join(than, ", ")})
			}
		}
	}
	return out
}

var csvHeader = []string{"loss", "dtype", "mode", "shape", "elements", "impl", "status", "ns_per_call", "elem_per_ns", "gb_per_s",
	"in_bytes", "out_bytes", "vs_go_loop", "vs_pytorch", "vs_numpy", "of_read_probe", "of_read_probe_2t", "spread", "reps", "calls_per_rep", "faults_per_call", "value"}

// writeCSV writes every row of every group.
func writeCSV(w io.Writer, results []*result) error {
	cw := csv.NewWriter(w)
	cw.Write(csvHeader)
	num := func(x float64) string {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return ""
		}
		return strconv.FormatFloat(x, 'g', 6, 64)
	}
	for _, res := range results {
		g := res.G
		shape := strings.Trim(strings.ReplaceAll(fmt.Sprint(g.Shape), " ", "x"), "[]")
		for _, r := range res.Rows {
			rec := []string{g.Loss.Name, g.DType, g.Mode(), shape, strconv.Itoa(g.Elements()), r.Impl, r.Status,
				num(nanUnless(r.OK(), r.Ns)), num(res.ElemPerNs(r)), num(r.GBps()),
				strconv.Itoa(r.InBytes), strconv.Itoa(r.OutBytes),
				num(res.Speedup(r, implGo)), num(res.Speedup(r, implTorch)), num(res.Speedup(r, implNumPy)),
				num(res.ProbeFrac(r, implProbe)), num(res.ProbeFrac(r, implProbe2)),
				num(nanUnless(r.OK(), r.Spread)), strconv.Itoa(r.Reps), strconv.Itoa(r.Calls), num(r.Faults), num(r.Value)}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func nanUnless(ok bool, x float64) float64 {
	if !ok {
		return math.NaN()
	}
	return x
}
