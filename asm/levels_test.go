package asm

import (
	"fmt"
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// knownLevels lists the levels this library defines for the architecture
// the tests run on, best first (SPEC.md section 9).
func knownLevels() []string {
	switch runtime.GOARCH {
	case "amd64":
		return []string{AVX512, AVX2, Generic}
	case "arm64":
		return []string{NEON, Generic}
	}
	return []string{Generic}
}

// cpuSupports reports whether this CPU has what a level needs, and names it.
func cpuSupports(name string) (bool, string) {
	f := Detect()
	switch name {
	case AVX2:
		return f.AVX2, "AVX2+FMA"
	case AVX512:
		return f.AVX512, "AVX-512 F/DQ/BW/VL"
	case NEON:
		return f.NEON, "Advanced SIMD (NEON)"
	}
	return true, "nothing"
}

// missingReason says why a known level is not in Levels().
func missingReason(name string) string {
	has, what := cpuSupports(name)
	switch {
	case name == Generic:
		return "the generic level is missing: it must always be present"
	case puregoBuild:
		return fmt.Sprintf("level %q SKIPPED: built with -tags purego, which compiles the generic level alone", name)
	case !has:
		return fmt.Sprintf("level %q SKIPPED: this CPU (%s) lacks %s", name, CPUName(), what)
	}
	return fmt.Sprintf("level %q SKIPPED: this CPU (%s) has %s, but this build has no %s kernels", name, CPUName(), what, name)
}

// forEachLevel runs f as one subtest per known level of this architecture;
// a level this machine or build lacks is reported as skipped, with why.
// A level in Levels() that is not known here fails the test.
func forEachLevel(t *testing.T, f func(t *testing.T, l *Level)) {
	t.Helper()
	known := knownLevels()
	for _, l := range Levels() {
		assert.Contains(t, known, l.Name, "Levels() lists %q, which is not a level of %s", l.Name, runtime.GOARCH)
	}
	for _, name := range known {
		t.Run(name, func(t *testing.T) {
			l, ok := Lookup(name)
			if !ok {
				if name == Generic {
					t.Fatal(missingReason(name))
				}
				t.Skip(missingReason(name))
			}
			f(t, l)
		})
	}
}

// forEachType runs f for float32 and float64 as subtests.
func forEachType(t *testing.T, l *Level, f32 func(t *testing.T, k, g *Kernels[float32]), f64 func(t *testing.T, k, g *Kernels[float64])) {
	t.Run("float32", func(t *testing.T) { f32(t, l.F32, GenericLevel.F32) })
	t.Run("float64", func(t *testing.T) { f64(t, l.F64, GenericLevel.F64) })
}

// TestMain says up front which levels run and which are skipped, so that a
// level the machine lacks is never silently untested.
func TestMain(m *testing.M) {
	var tested, skipped []string
	for _, name := range knownLevels() {
		if _, ok := Lookup(name); ok {
			tested = append(tested, name)
		} else {
			skipped = append(skipped, missingReason(name))
		}
	}
	fmt.Fprintf(os.Stderr, "asm kernel tests: levels tested: %s (CPU: %s)\n", strings.Join(tested, ", "), CPUName())
	for _, s := range skipped {
		fmt.Fprintf(os.Stderr, "asm kernel tests: %s\n", s)
	}
	os.Exit(m.Run())
}

func TestEveryKnownLevelIsTestedOrSkippedWithAReason(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l *Level) {
		has, what := cpuSupports(l.Name)
		t.Logf("level %q available: CPU %s, needs %s", l.Name, CPUName(), what)
		require.True(t, has, "level %q is listed but the CPU lacks %s", l.Name, what)
	})
}

func TestLevelsListOnlyLevelsThisCPUAndBuildSupportBestFirst(t *testing.T) {
	ls := Levels()
	require.NotEmpty(t, ls)
	require.Same(t, GenericLevel, ls[len(ls)-1], "the last level is always the generic one")
	require.Same(t, ls[0], Best(), "Best is the first level")
	if puregoBuild {
		require.Len(t, ls, 1, "under -tags purego only the generic level exists")
	}
	rank := map[string]int{}
	for i, name := range knownLevels() {
		rank[name] = i
	}
	seen := map[string]bool{}
	for i, l := range ls {
		require.True(t, Known(l.Name), "level %q is not a known name", l.Name)
		require.False(t, seen[l.Name], "level %q listed twice", l.Name)
		seen[l.Name] = true
		has, what := cpuSupports(l.Name)
		require.True(t, has, "level %q listed on a CPU without %s", l.Name, what)
		got, ok := Lookup(l.Name)
		require.True(t, ok)
		require.Same(t, l, got, "Lookup(%q)", l.Name)
		require.Equal(t, l.Name, got.Name)
		require.NotNil(t, l.F32, "level %q has no float32 kernels", l.Name)
		require.NotNil(t, l.F64, "level %q has no float64 kernels", l.Name)
		if i > 0 {
			require.Less(t, rank[ls[i-1].Name], rank[l.Name], "levels are listed best first")
		}
	}
	for _, name := range []string{"", "GENERIC", "sse2", "avx", "avx512f"} {
		_, ok := Lookup(name)
		require.False(t, ok, "Lookup(%q) finds nothing", name)
		require.False(t, Known(name), "Known(%q)", name)
	}
	ls[0] = nil
	require.NotNil(t, Levels()[0], "Levels returns a copy")
}

// nilKernels lists the nil function values of a Kernels struct, whatever
// kernels it holds (found by reflection, so a kernel added to the table is
// covered without editing this test).
func nilKernels(v reflect.Value, path string) []string {
	var bad []string
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return []string{path}
		}
		return nilKernels(v.Elem(), path)
	case reflect.Func:
		if v.IsNil() {
			return []string{path}
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			bad = append(bad, nilKernels(v.Field(i), path+"."+v.Type().Field(i).Name)...)
		}
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			name := fmt.Sprint(i)
			if v.Type().Elem() == reflect.TypeOf(Elem[float32]{}) || v.Type().Elem() == reflect.TypeOf(Elem[float64]{}) {
				name = ElemLoss(i).String()
			}
			bad = append(bad, nilKernels(v.Index(i), path+"["+name+"]")...)
		}
	}
	return bad
}

func TestEveryLevelProvidesEveryKernel(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l *Level) {
		require.Empty(t, nilKernels(reflect.ValueOf(l.F32), "F32"), "nil kernels at level %q", l.Name)
		require.Empty(t, nilKernels(reflect.ValueOf(l.F64), "F64"), "nil kernels at level %q", l.Name)
	})
}
