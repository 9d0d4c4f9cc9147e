//go:build !purego

package asm

// softmaxAsmOf returns the generated softmax kernels of a level, for tests
// (none yet on arm64).
func softmaxAsmOf[T Float](level string) *softmaxAsm[T] {
	return nil
}
