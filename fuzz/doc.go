// Package fuzz holds the fuzz targets of simdloss: every kernel at every
// available level against the generic reference, and the public API, which
// must never panic and must agree with an independent float64 evaluation of
// the formulas.
package fuzz
