package neon

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "regenerate testdata/encodings.golden with aarch64-linux-gnu-as (make neon-golden)")

const goldenPath = "testdata/encodings.golden"

// TestEncodingsMatchGNUAssembler compares every catalogued instruction with
// the encoding aarch64-linux-gnu-as gave for its GNU syntax (kept in the
// golden file, so this test needs no binutils).
func TestEncodingsMatchGNUAssembler(t *testing.T) {
	cat := Catalogue()
	if *update {
		writeGolden(t, cat)
	}
	f, err := os.Open(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	if len(lines) != len(cat) {
		t.Fatalf("golden file has %d instructions, the catalogue %d: run make neon-golden", len(lines), len(cat))
	}
	forms := map[string]bool{}
	for i, in := range cat {
		forms[in.Form] = true
		hex, gnu, ok := strings.Cut(lines[i], " ")
		if !ok || gnu != in.GNU {
			t.Errorf("golden line %d is %q, the catalogue has %q: run make neon-golden", i+1, lines[i], in.GNU)
			continue
		}
		want, err := strconv.ParseUint(hex, 16, 32)
		if err != nil {
			t.Fatal(err)
		}
		if uint32(want) != in.Enc {
			t.Errorf("%s: encoded %08x, the GNU assembler %08x", in.GNU, in.Enc, want)
		}
	}
	t.Logf("%d instructions, %d forms checked", len(cat), len(forms))
}

// writeGolden assembles the catalogue's GNU syntax and records the words.
func writeGolden(t *testing.T, cat []Inst) {
	dir := t.TempDir()
	var src strings.Builder
	for _, in := range cat {
		src.WriteString("\t" + in.GNU + "\n")
	}
	s, o := filepath.Join(dir, "x.s"), filepath.Join(dir, "x.o")
	if err := os.WriteFile(s, []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("aarch64-linux-gnu-as", "-o", o, s).CombinedOutput(); err != nil {
		t.Fatalf("aarch64-linux-gnu-as: %v\n%s", err, out)
	}
	dump, err := exec.Command("aarch64-linux-gnu-objdump", "-d", o).Output()
	if err != nil {
		t.Fatalf("aarch64-linux-gnu-objdump: %v", err)
	}
	words := regexp.MustCompile(`(?m)^\s+[0-9a-f]+:\s+([0-9a-f]{8})\s`).FindAllStringSubmatch(string(dump), -1)
	if len(words) != len(cat) {
		t.Fatalf("objdump shows %d instructions for %d lines", len(words), len(cat))
	}
	var b strings.Builder
	b.WriteString("# Encodings by aarch64-linux-gnu-as of every form gen/neon emits (make neon-golden).\n")
	b.WriteString("# " + strings.TrimSpace(firstLine(exec.Command("aarch64-linux-gnu-as", "--version"))) + "\n")
	for i, in := range cat {
		fmt.Fprintf(&b, "%s %s\n", words[i][1], in.GNU)
	}
	if err := os.WriteFile(goldenPath, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func firstLine(c *exec.Cmd) string {
	out, _ := c.Output()
	l, _, _ := strings.Cut(string(out), "\n")
	return l
}

// TestGoSyntaxAssemblesToTheSameEncoding assembles every form printed in Go
// syntax with Go's own assembler and compares the words.
func TestGoSyntaxAssemblesToTheSameEncoding(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go tool asm")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	var goForms []Inst
	var src strings.Builder
	src.WriteString("TEXT ·f(SB), 4, $0-0\n")
	for _, in := range Catalogue() {
		if in.Go != "" {
			goForms = append(goForms, in)
			src.WriteString("\t" + in.Go + "\n")
		}
	}
	src.WriteString("\tRET\n")
	dir := t.TempDir()
	s, o := filepath.Join(dir, "x.s"), filepath.Join(dir, "x.o")
	if err := os.WriteFile(s, []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go_asm.h"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "GOARCH=arm64", "GOOS=linux")
	asm := exec.Command(goBin, "tool", "asm", "-p", "main", "-o", o, s)
	asm.Env, asm.Dir = env, dir
	if out, err := asm.CombinedOutput(); err != nil {
		t.Fatalf("go tool asm: %v\n%s", err, out)
	}
	od := exec.Command(goBin, "tool", "objdump", o)
	od.Env = env
	dump, err := od.Output()
	if err != nil {
		t.Fatalf("go tool objdump: %v", err)
	}
	words := regexp.MustCompile(`(?m)^\s+x\.s:\d+\s+0x[0-9a-f]+\s+([0-9a-f]{8})\s`).FindAllStringSubmatch(string(dump), -1)
	if len(words) < len(goForms) {
		t.Fatalf("objdump shows %d instructions for %d lines", len(words), len(goForms))
	}
	for i, in := range goForms {
		got, _ := strconv.ParseUint(words[i][1], 16, 32)
		if uint32(got) != in.Enc {
			t.Errorf("%s: Go's assembler gives %08x, the encoder %08x (%s)", in.Go, got, in.Enc, in.GNU)
		}
	}
	t.Logf("%d Go-syntax instructions checked", len(goForms))
}
