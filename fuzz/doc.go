// Package fuzz holds the fuzz targets of simdloss: every kernel at every
// available level against the generic reference, and the public API, which
// must never panic and must agree with an independent float64 evaluation of
// the formulas.
//
// Everything is in _test.go files:
//
//   - FuzzKernel<Loss> (one per elementwise loss: all nine drivers),
//     FuzzKernelSoftmaxCE, FuzzKernelSparseCE, FuzzKernelCosine,
//     FuzzKernelPairwise, FuzzKernelWeightStats and FuzzKernelLog run every
//     level of asm.Levels() (read at run time, so new levels join by
//     themselves) on decoded inputs, every slice inside NaN guards at a
//     decoded alignment offset, and compare each level with the generic one
//     and with the oracle under SPEC.md section 6's tolerances.
//   - Fuzz<Function> (one per public function) decode shapes, weight shapes,
//     labels and options, invalid ones included, and call the function at
//     every level: no panic; an error must wrap a SPEC.md sentinel that the
//     inputs call for (validated independently) and leave every destination
//     untouched; a success must agree with the oracle, write only the
//     destinations and collect through Into exactly what it returned.
//   - The oracle (oracle_test.go, api_check_test.go) is SPEC.md sections
//     3-5 written again, evaluated in float64, with weights broadcast by
//     explicit index arithmetic. It records where an implementation in the
//     element type may overflow or underflow, which is where SPEC.md accepts
//     infinities.
//   - TestKernelsPageGuard (Linux) runs every kernel at every level on
//     lengths 0..300 with its slices flush against PROT_NONE pages;
//     TestDeterminism* check bitwise identical results across alignment
//     offsets 0..15, GOMAXPROCS 1 and 2, and repeated calls.
//   - known_test.go lists the library defects the targets found (all fixed)
//     with their regression tests; SIMDLOSS_FUZZ_STRICT=0 would relax each
//     one's check while a new defect is open.
//
// go test ./fuzz runs the seed corpora (seeds in code and testdata/fuzz) and
// the tests; -short samples the guard-page and alignment sweeps. smoke.sh
// fuzzes every target for FUZZTIME each.
package fuzz
