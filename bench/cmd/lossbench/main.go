// Command lossbench measures simdloss's throughput per loss, element type,
// kernel level and size, side by side with a plain Go loop, PyTorch (one
// thread) and NumPy, against a read-bandwidth probe, and writes a Markdown
// report, a CSV and charts.
//
//	go run ./cmd/lossbench -out report          # the full grid (about 10 minutes on 2 cores)
//	go run ./cmd/lossbench -quick -out /tmp/r   # a reduced grid (under a minute)
//
// The peers run in a python3 subprocess (peers.py, embedded) with glibc's
// malloc kept from returning memory to the kernel; missing peers are reported
// as missing.
package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/simdloss/simdloss/losses"
)

// config is the run's settings.
type config struct {
	Out     string
	Quick   bool
	Timing  timing
	Levels  []string // worst first
	Best    string   // the default level
	Command string
	// ChartPrefix is the path from the project README to the report directory.
	ChartPrefix string
}

func main() {
	out := flag.String("out", "report", "directory the report, CSV and charts are written to")
	quick := flag.Bool("quick", false, "reduced grid and fewer repetitions (under a minute)")
	lossRe := flag.String("loss", "", "measure only the losses whose name matches this regular expression")
	typesFlag := flag.String("types", "float32,float64", "element types, comma-separated")
	levelsFlag := flag.String("levels", "", "kernel levels, comma-separated (default: every available level)")
	python := flag.String("python", "/usr/bin/python3", "python3 that runs the PyTorch and NumPy peers ('' for none)")
	sample := flag.Duration("sample", 0, "target duration of one sample (default 2ms, -quick 1ms)")
	reps := flag.Int("reps", 0, "samples per implementation and group (default 15, -quick 7)")
	chartPrefix := flag.String("chart-prefix", "bench/report/", "path from the project README to -out, for summary.md's chart link")
	oneThread := flag.Bool("one-thread", false, "run every simdloss call on the calling goroutine (as the single-threaded peers), whatever its size")
	flag.Parse()
	if *oneThread {
		losses.SetParallelThreshold(math.MaxInt)
	}
	if err := run(*out, *quick, *lossRe, *typesFlag, *levelsFlag, *python, *sample, *reps, *chartPrefix); err != nil {
		fmt.Fprintln(os.Stderr, "lossbench:", err)
		os.Exit(1)
	}
}

func run(out string, quick bool, lossRe, typesFlag, levelsFlag, python string, sample time.Duration, reps int, chartPrefix string) error {
	if err := losses.KernelError(); err != nil {
		return err
	}
	cfg := config{Out: out, Quick: quick, ChartPrefix: chartPrefix, Command: strings.TrimSpace("lossbench " + strings.Join(os.Args[1:], " "))}
	// Short samples, many of them: on a loaded machine a sample shorter than
	// a scheduler time slice is often not preempted at all, so the median
	// over interleaved short samples is much steadier than over long ones.
	cfg.Timing = timing{Sample: 2 * time.Millisecond, Reps: 15, MinRep: 3, MaxImp: 600 * time.Millisecond}
	if quick {
		cfg.Timing = timing{Sample: time.Millisecond, Reps: 7, MinRep: 2, MaxImp: 120 * time.Millisecond}
	}
	if sample > 0 {
		cfg.Timing.Sample = sample
	}
	if reps > 0 {
		cfg.Timing.Reps = reps
		cfg.Timing.MinRep = min(cfg.Timing.MinRep, reps)
	}
	avail := losses.Kernels() // best first
	cfg.Best = avail[0]
	if levelsFlag == "" {
		cfg.Levels = slices.Clone(avail)
	} else {
		for _, l := range strings.Split(levelsFlag, ",") {
			l = strings.TrimSpace(l)
			if !slices.Contains(avail, l) {
				return fmt.Errorf("-levels: %q is not available here (available: %v)", l, avail)
			}
			cfg.Levels = append(cfg.Levels, l)
		}
		if !slices.Contains(cfg.Levels, cfg.Best) {
			cfg.Best = cfg.Levels[0]
		}
	}
	slices.SortFunc(cfg.Levels, func(a, b string) int { return slices.Index(avail, b) - slices.Index(avail, a) })
	grid, err := makeGrid(quick, lossRe, strings.Split(typesFlag, ","))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	info := machine()
	fmt.Printf("lossbench: %s, %d groups (%s grid), levels %s (default %s), %s\n",
		info.CPU, len(grid), gridName(quick), strings.Join(cfg.Levels, ", "), cfg.Best, info.GoVersion)
	ps := startPeers(python)
	defer ps.Close()
	for _, p := range []string{implTorch, implNumPy} {
		if why := ps.Missing(p); why != "" {
			fmt.Printf("lossbench: %s missing: %s\n", p, why)
		}
	}
	if ps.Hello.Torch != "" {
		fmt.Printf("lossbench: PyTorch %s (%d thread), NumPy %s, Python %s\n", ps.Hello.Torch, ps.Hello.TorchThreads, ps.Hello.NumPy, ps.Hello.Python)
	}
	start := time.Now()
	var results []*result
	for i, g := range grid {
		runtime.GC()
		res, err := runGroup(g, &cfg, ps)
		if err != nil {
			return fmt.Errorf("%s: %v", g, err)
		}
		results = append(results, res)
		fmt.Printf("[%3d/%d %s] %s\n", i+1, len(grid), clock(time.Since(start)), progress(res, &cfg))
	}
	elapsed := time.Since(start)
	info.LoadEnd = loadAvg()
	files, err := writeOutputs(&cfg, info, ps, results, elapsed)
	if err != nil {
		return err
	}
	fmt.Printf("lossbench: %d groups in %s; wrote %s\n", len(results), clock(elapsed), strings.Join(files, ", "))
	return nil
}

func gridName(quick bool) string {
	if quick {
		return "quick"
	}
	return "full"
}

func clock(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// runGroup measures one group: every level, the plain Go loop and the probes
// interleaved, then the peers in the peer process.
func runGroup(g group, cfg *config, ps *peers) (*result, error) {
	w, err := newWorkload(g)
	if err != nil {
		return nil, err
	}
	res := &result{G: g}
	var ims []impl
	var rows []row
	add := func(name string, enter func() func(), call func() float64, value float64, in int) {
		ims = append(ims, impl{Name: name, Enter: enter, Call: call})
		rows = append(rows, row{Impl: name, InBytes: in, OutBytes: w.outBytes, Faults: math.NaN(), Value: value})
	}
	for _, l := range cfg.Levels {
		enter := func() func() {
			restore, err := losses.UseKernel(l)
			if err != nil {
				panic(err) // checked below
			}
			return restore
		}
		leave := enter()
		v, err := w.api()
		leave()
		if err != nil {
			return nil, fmt.Errorf("level %s: %v", l, err)
		}
		add(l, enter, func() float64 { v, _ := w.api(); return v }, v, w.inBytes)
	}
	add(implGo, nil, w.plain, w.plain(), w.inBytes)
	probeBytes := 4 * (len(w.probeX) + len(w.probeY))
	x, y := w.probeX, w.probeY
	add(implProbe, nil, func() float64 { return float64(readProbe(x, y)) }, math.NaN(), probeBytes)
	add(implProbe2, nil, func() float64 { return float64(readProbe2(x, y)) }, math.NaN(), probeBytes)
	rows[len(rows)-1].OutBytes, rows[len(rows)-2].OutBytes = 0, 0

	ms := measureAll(cfg.Timing, ims)
	for i := range rows {
		rows[i].Ns, rows[i].Spread, rows[i].Reps, rows[i].Calls = ms[i].Median(), ms[i].Spread(), len(ms[i].Samples), ms[i].Calls
	}
	probes := slices.Clone(rows[len(rows)-2:])
	rows = rows[:len(rows)-2]

	// The peers that apply, in the peer process.
	var want []string
	applies := map[string]bool{
		implTorch: g.Loss.Torch != "",
		implNumPy: g.Loss.NumPy != "" && (!g.Grad || g.Loss.NumPyGrad),
	}
	for _, p := range []string{implTorch, implNumPy} {
		if applies[p] && ps.Missing(p) == "" {
			want = append(want, p)
		}
	}
	got, perr := ps.Measure(g, want, cfg.Timing)
	for _, p := range []string{implTorch, implNumPy} {
		r := row{Impl: p, InBytes: w.inBytes, OutBytes: w.outBytes, Faults: math.NaN(), Value: math.NaN()}
		pr, ok := got[p]
		switch {
		case !applies[p]:
			r.Status = "n/a"
		case ps.Missing(p) != "":
			r.Status = "missing: " + ps.Missing(p)
		case perr != nil:
			r.Status = "error: " + perr.Error()
		case !ok:
			r.Status = "error: no result"
		default:
			m := measurement{Samples: pr.Samples, Calls: pr.Calls}
			r.Ns, r.Spread, r.Reps, r.Calls = m.Median(), m.Spread(), len(pr.Samples), pr.Calls
			r.Faults, r.Value = pr.MinFlt, pr.Value
		}
		rows = append(rows, r)
	}
	res.Rows = append(rows, probes...)
	return res, nil
}

// progress is the one-line summary of a group.
func progress(res *result, cfg *config) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-56s elem/ns:", res.G)
	for _, r := range res.Rows {
		if r.Impl == implProbe2 {
			continue
		}
		v := "—"
		if r.OK() {
			v = sig(res.ElemPerNs(r))
		} else if r.Status != "n/a" {
			v = shortStatus(r.Status)
		} else {
			continue
		}
		fmt.Fprintf(&b, " %s %s", r.Impl, v)
	}
	if best, ok := res.Row(cfg.Best); ok && best.OK() {
		fmt.Fprintf(&b, " | %s: %s Go loop", cfg.Best, times(res.Speedup(best, implGo)))
		if s := res.Speedup(best, implTorch); !math.IsNaN(s) {
			fmt.Fprintf(&b, ", %s PyTorch", times(s))
		}
		fmt.Fprintf(&b, ", %s of probe", percent(res.ProbeFrac(best, implProbe)))
	}
	return b.String()
}

// writeOutputs writes report.md, results.csv and the charts into cfg.Out.
func writeOutputs(cfg *config, info machineInfo, ps *peers, results []*result, elapsed time.Duration) ([]string, error) {
	var files []string
	impls := append(append(slices.Clone(cfg.Levels), implGo, implTorch, implNumPy), implProbe, implProbe2)
	var charts []string
	for _, dt := range []string{"float32", "float64"} {
		for _, grad := range []bool{false, true} {
			name := chartName(dt, grad)
			ok, err := writeChart(filepath.Join(cfg.Out, name), results, dt, grad, impls)
			if err != nil {
				return nil, fmt.Errorf("chart %s: %v", name, err)
			}
			if ok {
				charts = append(charts, name)
			}
		}
	}
	f, err := os.Create(filepath.Join(cfg.Out, "results.csv"))
	if err != nil {
		return nil, err
	}
	if err := writeCSV(f, results); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	files = append(files, "results.csv")
	f, err = os.Create(filepath.Join(cfg.Out, "report.md"))
	if err != nil {
		return nil, err
	}
	writeReport(f, cfg, info, ps, results, elapsed, charts)
	if err := f.Close(); err != nil {
		return nil, err
	}
	files = append(files, "report.md")
	f, err = os.Create(filepath.Join(cfg.Out, "summary.md"))
	if err != nil {
		return nil, err
	}
	writeSnippet(f, cfg, info, ps, results, elapsed, cfg.ChartPrefix, charts)
	if err := f.Close(); err != nil {
		return nil, err
	}
	files = append(files, "summary.md")
	for i := range files {
		files[i] = filepath.Join(cfg.Out, files[i])
	}
	for _, c := range charts {
		files = append(files, filepath.Join(cfg.Out, c))
	}
	return files, nil
}
