// Package generic holds the pure-Go reference kernels of simdloss.
//
// Every kernel here is the oracle that the SIMD kernels (package asm) are
// tested against, and the fallback level ("generic") on machines without
// SIMD support or under the purego build tag. Kernels compute per-element
// values in the element type's own arithmetic and accumulate sums in
// float64, so a float32 sum is accurate to float32 rounding of its terms.
//
// The package is low level: slices are trusted to have the lengths the
// documentation of each kernel states; validation happens in package losses.
package generic

// Float is the set of element types the kernels are instantiated for.
type Float interface{ float32 | float64 }
