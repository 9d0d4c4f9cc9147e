//go:build !purego

package asm

// The AVX2 and AVX-512 softmax primitives are wired in the generated level
// tables (levels_amd64.go).

// softmaxAsmOf returns the generated softmax kernels of a level, for tests.
func softmaxAsmOf[T Float](level string) *softmaxAsm[T] {
	var z T
	_, f32 := any(z).(float32)
	switch {
	case level == AVX2 && f32:
		return any(softmaxAsmAVX2F32).(*softmaxAsm[T])
	case level == AVX2:
		return any(softmaxAsmAVX2F64).(*softmaxAsm[T])
	case level == AVX512 && f32:
		return any(softmaxAsmAVX512F32).(*softmaxAsm[T])
	case level == AVX512:
		return any(softmaxAsmAVX512F64).(*softmaxAsm[T])
	}
	return nil
}
