// Package noescape hides values from the compiler's escape analysis.
//
// Kernels are called through function values, and the compiler assumes that
// anything passed through an indirect call escapes; escape analysis is also
// field-insensitive, so one escaping field (a tensor's Data) drags every
// other pointer of the same value (its Shape, often the variadic array of
// New) to the heap on every call. The callees here never retain what they
// are given — the property //go:noescape states for assembly stubs — so
// hiding it is sound.
package noescape

import "unsafe"

// Slice returns s unchanged, hidden from escape analysis. nil stays nil.
func Slice[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return unsafe.Slice(Ptr(unsafe.SliceData(s)), len(s))
}

// Ptr returns p unchanged, hidden from escape analysis.
func Ptr[T any](p *T) *T {
	x := uintptr(unsafe.Pointer(p))
	return (*T)(*(*unsafe.Pointer)(unsafe.Pointer(&x)))
}
