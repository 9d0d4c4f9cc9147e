//go:build !purego

package asm

// The neon softmax primitives are wired in the generated level table
// (levels_arm64.go).

// softmaxAsmOf returns the generated softmax kernels of a level, for tests.
func softmaxAsmOf[T Float](level string) *softmaxAsm[T] {
	if level != NEON {
		return nil
	}
	var z T
	if _, ok := any(z).(float32); ok {
		return any(softmaxAsmNEONF32).(*softmaxAsm[T])
	}
	return any(softmaxAsmNEONF64).(*softmaxAsm[T])
}
