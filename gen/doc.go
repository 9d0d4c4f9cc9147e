// Package gen holds the code generators of simdloss. It is its own module so
// that users of the library never download generator dependencies.
//
//   - generic: the pure-Go elementwise kernels of package generic
//   - amd64: the AVX2 and AVX-512 kernels, with avo
//   - arm64: the NEON kernels, with neon, a small typed arm64 encoder whose
//     encodings are checked against the GNU assembler (make neon-golden)
//
// Every generated file is rewritten by `make generate`; CI regenerates into a
// temporary copy and fails when the committed output differs.
package gen
