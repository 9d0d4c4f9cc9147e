//go:build purego || !(amd64 || arm64)

package asm

// hasSoftmaxPrims reports whether a level builds its softmax cross-entropies
// from vector primitives (none does on this architecture or build yet).
func hasSoftmaxPrims(string) bool { return false }
