//go:build !purego

package asm

import (
	"os"
	"regexp"
	"testing"
)

// The AVX-512 kernels read their constants one element at a time, broadcast
// by the instruction (.BCST): Go's linker aligns data to at most 32 bytes, so
// a 64-byte constant would straddle two cache lines in every other binary
// and cost two loads per use. No 64-byte constant table may come back.
func TestAVX512ConstantsAreBroadcast(t *testing.T) {
	src, err := os.ReadFile("elem_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`vconsts(32x16|64x8)`).Find(src); m != nil {
		t.Errorf("elem_amd64.s uses a full-width AVX-512 constant table (%s)", m)
	}
	if !regexp.MustCompile(`\.BCST\s+consts32<>`).Match(src) || !regexp.MustCompile(`\.BCST\s+consts64<>`).Match(src) {
		t.Error("elem_amd64.s has no broadcast constant operands of one of the element types")
	}
}
