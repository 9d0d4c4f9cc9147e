// Command loopcost prints the static cost of the generated kernels: the
// instructions of each kernel's main (unrolled) loop divided by the elements
// one trip handles, as a Markdown table with AVX2, AVX-512 and NEON side by
// side. Instructions are counted in the generated assembly between the
// "loop:" label and the branch back to it; that includes the loop's compare,
// branches, pointer updates and any constants loaded inside the loop, but not
// the row kernels' partial weight loads (from a "rowpart" label to its
// "rowperm" label), which run only at the end of the weights.
//
//	go run ./internal/cmd/loopcost asm/elem_amd64.s asm/elem_arm64.s
package main

import (
	"bufio"
	"fmt"
	"log"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

var (
	textRe = regexp.MustCompile(`^TEXT ·(\w+?)(AVX2|AVX512|NEON)(F32|F64)\(SB\)`)
	subRe  = regexp.MustCompile(`^(?:SUBQ?|ADDQ)\s+\$(0x[0-9a-fA-F]+|\d+),`)
	backRe = regexp.MustCompile(`^(JMP|JLE|B)\s+loop$`)
)

type cost struct{ insts, elems int }

func main() {
	if len(os.Args) < 2 {
		log.Fatal("usage: loopcost file.s ...")
	}
	fmt.Print(table(os.Args[1:]...))
}

// table returns the Markdown table of the kernels in the assembly files.
func table(paths ...string) string {
	costs := map[string]map[string]cost{} // kernel → ISA+type → cost
	for _, path := range paths {
		scan(path, costs)
	}
	var b strings.Builder
	cols := []string{"AVX2F32", "AVX512F32", "NEONF32", "AVX2F64", "AVX512F64", "NEONF64"}
	var names []string
	for n := range costs {
		names = append(names, n)
	}
	sort.Strings(names)
	b.WriteString("| kernel | AVX2 f32 | AVX-512 f32 | NEON f32 | AVX2 f64 | AVX-512 f64 | NEON f64 |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|\n")
	for _, n := range names {
		row := "| " + n
		for _, c := range cols {
			k, ok := costs[n][c]
			if !ok {
				row += " | –"
				continue
			}
			row += fmt.Sprintf(" | %.2f", float64(k.insts)/float64(k.elems))
		}
		b.WriteString(row + " |\n")
	}
	return b.String()
}

func scan(path string, costs map[string]map[string]cost) {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	var name, col string
	inLoop, done, cold := false, false, false
	n, elems := 0, 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if m := textRe.FindStringSubmatch(line); m != nil {
			name, col = m[1], m[2]+m[3]
			inLoop, done, n, elems = false, false, 0, 0
			continue
		}
		if name == "" || done {
			continue
		}
		if line == "loop:" {
			inLoop = true
			continue
		}
		if strings.HasPrefix(line, "rowpart") && strings.HasSuffix(line, ":") {
			cold = true
		}
		if strings.HasPrefix(line, "rowperm") && strings.HasSuffix(line, ":") {
			cold = false
		}
		if !inLoop || cold || line == "" || strings.HasPrefix(line, "//") || strings.HasSuffix(line, ":") {
			continue
		}
		n++
		if m := subRe.FindStringSubmatch(line); m != nil {
			v, err := strconv.ParseInt(m[1], 0, 64)
			if err != nil {
				log.Fatal(err)
			}
			elems = int(v)
		}
		if backRe.MatchString(line) {
			if elems == 0 {
				log.Fatalf("%s: %s%s: no element count in its loop", path, name, col)
			}
			if costs[name] == nil {
				costs[name] = map[string]cost{}
			}
			costs[name][col] = cost{n, elems}
			done = true
		}
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}
}
