//go:build !purego

package asm

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestAVX2KernelsUseOnlyAVX2Registers scans the generated assembly: an AVX2
// kernel that touched Y16–Y31, a ZMM or an opmask register would assemble
// (as EVEX) but fault on a CPU without AVX-512.
func TestAVX2KernelsUseOnlyAVX2Registers(t *testing.T) {
	f, err := os.Open("elem_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	evexOnly := regexp.MustCompile(`\b([XY](1[6-9]|2[0-9]|3[01])|Z[0-9]+|K[0-7])\b`)
	fn, n := "", 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "TEXT ") {
			fn = line
			continue
		}
		if strings.Contains(fn, "AVX2") {
			n++
			if m := evexOnly.FindString(line); m != "" {
				t.Errorf("%s uses %s: %s", fn, m, strings.TrimSpace(line))
			}
		}
	}
	if n == 0 {
		t.Fatal("no AVX2 kernels found")
	}
}
