package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// writeReport writes the Markdown report.
func writeReport(w io.Writer, cfg *config, info machineInfo, ps *peers, results []*result, elapsed time.Duration, charts []string) {
	fmt.Fprintf(w, "# simdloss benchmark report\n\n")
	fmt.Fprintf(w, "Produced by `%s` (%s grid, %d groups) in %s on %s.\n\n", cfg.Command, gridName(cfg.Quick), len(results), clock(elapsed), info.Date)
	fmt.Fprintf(w, "## Machine and software\n\n")
	writeMachine(w, cfg, info, ps)
	fmt.Fprintf(w, "\n## Summary (float32)\n\n")
	writeSummary(w, cfg, results)
	fmt.Fprintf(w, "\n## Where simdloss is slower than a peer\n\n")
	writeSlower(w, cfg, results)
	if len(charts) > 0 {
		fmt.Fprintf(w, "\n## Charts\n\n")
		for _, c := range charts {
			fmt.Fprintf(w, "![%s](%s)\n\n", strings.TrimSuffix(c, ".png"), c)
		}
	}
	fmt.Fprintf(w, "\n## How to read the figures\n\n")
	writeMethod(w, cfg)
	fmt.Fprintf(w, "\n## Value check\n\n")
	writeValueCheck(w, cfg, results)
	fmt.Fprintf(w, "\n## Full results\n\n")
	fmt.Fprintf(w, "Every group: each kernel level, the plain Go loop, PyTorch, NumPy and the two probes. Also in `results.csv`.\n")
	for _, l := range lossSpecs {
		var rows [][]string
		for _, res := range results {
			if res.G.Loss == l {
				rows = append(rows, fullRows(res)...)
			}
		}
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n### %s\n\n", l.Name)
		fmt.Fprintf(w, "PyTorch: `%s`", l.Torch)
		if l.NumPy != "" {
			fmt.Fprintf(w, "; NumPy: `%s`", l.NumPy)
			if !l.NumPyGrad {
				fmt.Fprintf(w, " (forward only)")
			}
		} else {
			fmt.Fprintf(w, "; NumPy: n/a")
		}
		fmt.Fprintf(w, ".\n\n")
		mdTable(w, fullHeader, rows)
	}
}

func writeMachine(w io.Writer, cfg *config, info machineInfo, ps *peers) {
	fmt.Fprintf(w, "- CPU: %s; %s; %s\n", info.CPU, info.Cores, info.Caches)
	fmt.Fprintf(w, "- cpuid flags the levels use: %s\n", info.Features)
	fmt.Fprintf(w, "- Kernel levels measured: %s; the default level here (chosen by cpuid): **%s**\n", strings.Join(cfg.Levels, ", "), cfg.Best)
	fmt.Fprintf(w, "- Go: %s, %s, GOMAXPROCS %d\n", info.GoVersion, info.OS, info.GOMAXPROCS)
	fmt.Fprintf(w, "- Load average (1 min) at start %s, at end %s (a shared machine: every ratio is taken within one group, measured together)\n", info.LoadStart, info.LoadEnd)
	h := ps.Hello
	if why := ps.Missing(implTorch); why != "" {
		fmt.Fprintf(w, "- PyTorch: **missing** (%s)\n", why)
	} else {
		fmt.Fprintf(w, "- PyTorch: %s, `torch.set_num_threads(1)` (%d thread)\n", h.Torch, h.TorchThreads)
	}
	if why := ps.Missing(implNumPy); why != "" {
		fmt.Fprintf(w, "- NumPy: **missing** (%s)\n", why)
	} else {
		fmt.Fprintf(w, "- NumPy: %s\n", h.NumPy)
	}
	if h.Python != "" {
		fmt.Fprintf(w, "- Python: %s (`%s`)\n", h.Python, h.Executable)
	}
	fmt.Fprintf(w, "- The peer process runs with `%s`: glibc then never returns PyTorch's or NumPy's large temporaries to the kernel between calls (by default it does, and each page fault costs microseconds), and each peer is warmed up until its calls stop faulting pages in (glibc's heap grows for a few calls with large tensors; at most 20 calls or 20 s), so the peers are measured at their steady state; the faults/call column shows what remains.\n", strings.Join(mallocEnv, " "))
	fmt.Fprintf(w, "- Read probe: %s; `read-probe-2t` runs it on two goroutines, one half each.\n", probeSource)
}

func writeSummary(w io.Writer, cfg *config, results []*result) {
	var rows [][]string
	for _, res := range results {
		if inSummary(res.G) {
			rows = append(rows, summaryRow(res, cfg.Levels, cfg.Best))
		}
	}
	if len(rows) == 0 {
		fmt.Fprintf(w, "(no float32 groups at the summary sizes in this run)\n")
		return
	}
	fmt.Fprintf(w, "Elements per ns (higher is better) of each kernel level and peer, then the default level's (%s) GB/s and ratios: ", cfg.Best)
	fmt.Fprintf(w, "× = how many times faster than the peer; of probe = its input read rate over the read probe's. fwd+grad is the forward with the `Gradient` option; PyTorch's figure there is forward+backward.\n\n")
	mdTable(w, summaryHeader(cfg.Levels, cfg.Best), rows)
}

func writeSlower(w io.Writer, cfg *config, results []*result) {
	var simd []string
	for _, l := range cfg.Levels {
		if l != "generic" {
			simd = append(simd, l)
		}
	}
	s := slower(results, simd)
	if len(s) == 0 {
		fmt.Fprintf(w, "Nowhere: at every group, every SIMD level (%s) is faster than the plain Go loop, PyTorch and NumPy.\n", strings.Join(simd, ", "))
	} else {
		fmt.Fprintf(w, "The SIMD-level figures slower than a peer's in the same group (× below 1: this level's speed relative to the peer's):\n\n")
		mdTable(w, []string{"loss", "type", "mode", "shape", "level", "slower than"}, s)
	}
	if slices.Contains(cfg.Levels, "generic") {
		n, total := 0, 0
		var where []string
		for _, res := range results {
			r, ok := res.Row("generic")
			if !ok || !r.OK() {
				continue
			}
			total++
			if s := res.Speedup(r, implGo); s < 1 {
				n++
				if len(where) < 8 {
					where = append(where, fmt.Sprintf("%s (%s)", res.G, times(s)))
				}
			}
		}
		fmt.Fprintf(w, "\nThe generic level (pure Go, the reference the SIMD levels are tested against) is slower than the plain Go loop in %d of %d groups", n, total)
		if n > 0 {
			more := ""
			if n > len(where) {
				more = ", …"
			}
			fmt.Fprintf(w, ": %s%s", strings.Join(where, "; "), more)
		}
		fmt.Fprintf(w, ".\n")
	}
}

func writeMethod(w io.Writer, cfg *config) {
	t := cfg.Timing
	fmt.Fprintf(w, "- **elem/ns**: elements of the predictions (logits) per nanosecond. **GB/s**: bytes read (inputs) plus bytes written (the gradient) per nanosecond; int32 labels count 4 bytes a row.\n")
	fmt.Fprintf(w, "- **× Go loop / × PyTorch / × NumPy**: the peer's median time over this figure's (above 1: faster than the peer). The plain Go loop is what one writes without a library: one accumulator of the element type, `math.Log`, `math.Exp`, `math.Log1p` for the transcendental parts.\n")
	fmt.Fprintf(w, "- **of probe**: this figure's input read rate over the read probe's on the same inputs (100%%: as fast as merely reading the inputs; a fused gradient also writes, so it stays below). **of probe 2t**: the same against two threads reading.\n")
	fmt.Fprintf(w, "- Timing: each implementation of a group is warmed up, then timed in samples of about %s (a batch of calls); the samples of all the group's Go implementations are interleaved, the order rotating, %d per implementation (at least %d when single calls are slow; about %s at most per implementation); figures are medians. **spread** is (max − min)/median of the samples. The peers are timed the same way in their process, right after the group's Go implementations.\n", t.Sample, t.Reps, t.MinRep, t.MaxImp)
	fmt.Fprintf(w, "- The simdloss figures are the public API (`losses.MeanSquaredError(...)` etc., default reduction, no weights; `losses.Gradient(dst)` for fwd+grad) at each level selected with `losses.UseKernel`. CosineDistance runs on rows of 128 along axis 1; MeanPairwiseSquaredError on rows of 1024; the cross-entropies on [rows, classes].\n")
	fmt.Fprintf(w, "- PyTorch's fwd+grad is `loss.backward()` with the input's `.grad` set to None before each call (a fresh gradient buffer per call, as `zero_grad(set_to_none=True)` does). NumPy's fwd+grad is the hand-written gradient of the mean.\n")
	fmt.Fprintf(w, "- **faults/call**: minor page faults per call in the peer process during the timed samples.\n")
}

// writeValueCheck compares every implementation's loss value against the
// default level's: the peers compute the same loss on the same inputs.
func writeValueCheck(w io.Writer, cfg *config, results []*result) {
	type worst struct {
		rel   float64
		where string
		n     int
	}
	agg := map[string]*worst{}
	var keys []string
	for _, res := range results {
		ref, ok := res.Row(cfg.Best)
		if !ok || math.IsNaN(ref.Value) {
			continue
		}
		for _, r := range res.Rows {
			if r.Impl == cfg.Best || math.IsNaN(r.Value) || r.Status != "" {
				continue
			}
			k := r.Impl + " " + res.G.DType
			a := agg[k]
			if a == nil {
				a = &worst{}
				agg[k] = a
				keys = append(keys, k)
			}
			a.n++
			rel := math.Abs(r.Value-ref.Value) / math.Max(math.Abs(ref.Value), 1e-300)
			if !(rel <= a.rel) { // NaN counts as worst
				a.rel, a.where = rel, fmt.Sprintf("%s (%.9g vs %.9g)", res.G, r.Value, ref.Value)
			}
		}
	}
	if len(keys) == 0 {
		fmt.Fprintf(w, "No values to compare.\n")
		return
	}
	fmt.Fprintf(w, "Every implementation's returned loss against the %s level's on the same inputs (largest relative difference over the groups). The plain Go loop's float32 single accumulator drifts at large sizes; PyTorch's binary_cross_entropy has no ε (LogLoss) and clamps its logs at −100.\n\n", cfg.Best)
	var rows [][]string
	for _, k := range keys {
		a := agg[k]
		rows = append(rows, []string{k, fmt.Sprint(a.n), fmt.Sprintf("%.2g", a.rel), a.where})
	}
	mdTable(w, []string{"implementation", "groups", "max rel. difference", "where"}, rows)
}

// writeSnippet writes the text for the project README: the command, the
// machine, the summary table and the chart.
func writeSnippet(w io.Writer, cfg *config, info machineInfo, ps *peers, results []*result, elapsed time.Duration, chartPrefix string, charts []string) {
	fmt.Fprintf(w, "`make bench` (runs `%s`, %s grid, %s) on %s (%s; levels %s, default %s), %s; PyTorch %s and NumPy %s single-threaded in the same run; load average %s–%s.\n\n",
		cfg.Command, gridName(cfg.Quick), clock(elapsed), info.CPU, info.Cores, strings.Join(cfg.Levels, ", "), cfg.Best, info.GoVersion,
		orMissing(ps.Hello.Torch, ps.Missing(implTorch)), orMissing(ps.Hello.NumPy, ps.Missing(implNumPy)), info.LoadStart, info.LoadEnd)
	writeSummary(w, cfg, results)
	for _, c := range charts {
		if c == chartName("float32", false) {
			fmt.Fprintf(w, "\n![float32 forward throughput](%s%s)\n", chartPrefix, c)
		}
	}
}

func orMissing(v, why string) string {
	if why != "" {
		return "(missing)"
	}
	return v
}
