package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/klauspost/cpuid/v2"
	"github.com/simdloss/simdloss/asm"
)

// machineInfo describes where the report was measured.
type machineInfo struct {
	CPU        string
	Features   string // the cpuid flags the kernel levels rely on
	Caches     string
	Cores      string
	GoVersion  string
	OS         string
	Date       string
	LoadStart  string
	LoadEnd    string
	GOMAXPROCS int
}

func machine() machineInfo {
	f := asm.Detect()
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	var flags []string
	for _, fl := range []struct {
		name string
		id   cpuid.FeatureID
	}{{"AVX2", cpuid.AVX2}, {"FMA3", cpuid.FMA3}, {"AVX512F", cpuid.AVX512F}, {"AVX512DQ", cpuid.AVX512DQ}, {"AVX512BW", cpuid.AVX512BW}, {"AVX512VL", cpuid.AVX512VL}} {
		if cpuid.CPU.Supports(fl.id) {
			flags = append(flags, fl.name)
		}
	}
	c := cpuid.CPU.Cache
	kib := func(n int) string {
		if n <= 0 {
			return "?"
		}
		if n >= 1<<20 && n%(1<<20) == 0 {
			return fmt.Sprintf("%d MiB", n>>20)
		}
		return fmt.Sprintf("%d KiB", n>>10)
	}
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	return machineInfo{
		CPU:        asm.CPUName(),
		Features:   fmt.Sprintf("%s (AVX2+FMA3: %s; AVX-512 F/DQ/BW/VL: %s)", strings.Join(flags, " "), yes(f.AVX2), yes(f.AVX512)),
		Caches:     caches(c.L1D, c.L2, c.L3, kib),
		Cores:      fmt.Sprintf("%d logical CPUs", runtime.NumCPU()),
		GoVersion:  runtime.Version(),
		OS:         strings.TrimSpace(fmt.Sprintf("%s/%s, Linux %s", runtime.GOOS, runtime.GOARCH, strings.TrimSpace(string(kernel)))),
		Date:       time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		LoadStart:  loadAvg(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
	}
}

// loadAvg is the 1-minute load average ("?" when unknown).
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "?"
}

// caches lists the known cache sizes.
func caches(l1d, l2, l3 int, kib func(int) string) string {
	var parts []string
	for i, n := range []int{l1d, l2, l3} {
		if n > 0 {
			parts = append(parts, []string{"L1d ", "L2 ", "L3 "}[i]+kib(n))
		}
	}
	if len(parts) == 0 {
		return "caches unknown"
	}
	return strings.Join(parts, ", ")
}
