//go:build !purego

package asm

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestNEONKernelsLeaveReservedRegistersAlone scans the generated assembly:
// R18 (platform), R26 (closure context), R27 (assembler temporary), R28 (g),
// R29 (frame pointer) and R30 (link register) must never be touched, every
// kernel must end in RET, and every WORD must say what it encodes.
func TestNEONKernelsLeaveReservedRegistersAlone(t *testing.T) {
	f, err := os.Open("elem_arm64.s")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	reserved := regexp.MustCompile(`\b(R(18|2[6-9]|30)|LR|g)\b`)
	word := regexp.MustCompile(`^WORD \$0x[0-9a-f]{8} // [a-z]`)
	fn, last, n := "", "", 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "TEXT ") {
			if fn != "" && last != "RET" {
				t.Errorf("%s does not end in RET", fn)
			}
			fn = line
			n++
			continue
		}
		if fn == "" || line == "" || strings.HasPrefix(line, "//") || strings.HasSuffix(line, ":") {
			continue
		}
		if strings.HasPrefix(line, "DATA ") || strings.HasPrefix(line, "GLOBL ") {
			continue
		}
		last = line
		code, _, _ := strings.Cut(line, "//")
		if m := reserved.FindString(code); m != "" {
			t.Errorf("%s uses %s: %s", fn, m, line)
		}
		if strings.HasPrefix(line, "WORD") && !word.MatchString(line) {
			t.Errorf("%s: WORD without its instruction: %s", fn, line)
		}
	}
	if n == 0 {
		t.Fatal("no NEON kernels found")
	}
}
