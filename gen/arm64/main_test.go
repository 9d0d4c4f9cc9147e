package main

import (
	"bytes"
	"testing"

	"github.com/simdloss/simdloss/gen/neon"
)

// TestEveryEmittedFormIsInTheGoldenCatalogue: the golden test of gen/neon
// checks the catalogue, so every form the kernels use must be in it.
func TestEveryEmittedFormIsInTheGoldenCatalogue(t *testing.T) {
	generate("asm")
	have := map[string]bool{}
	for _, in := range neon.Catalogue() {
		have[in.Form] = true
	}
	if len(lastForms) == 0 {
		t.Fatal("no forms recorded")
	}
	for f, n := range lastForms {
		if !have[f] {
			t.Errorf("form %s (emitted %d times) is not in neon.Catalogue", f, n)
		}
	}
}

func TestGenerationIsDeterministic(t *testing.T) {
	a1, s1 := generate("asm")
	a2, s2 := generate("asm")
	if !bytes.Equal(a1, a2) || !bytes.Equal(s1, s2) {
		t.Fatal("two runs of the generator differ")
	}
}

func TestFrameMatchesGoABI(t *testing.T) {
	offs, size := frame("dst, p, y, w []T, tbl []byte, s, a T", "float64", 4)
	want := map[string]int{"dst_base": 0, "p_base": 24, "w_len": 80, "tbl_base": 96, "s": 120, "a": 124, "ret": 128}
	for k, v := range want {
		if offs[k] != v {
			t.Errorf("%s at %d, want %d", k, offs[k], v)
		}
	}
	if size != 136 {
		t.Errorf("args size %d, want 136", size)
	}
}
