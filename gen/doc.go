// Package gen holds the code generators of simdloss. It is its own module so
// that users of the library never download generator dependencies.
//
// Every generated file is rewritten by `make generate`; CI regenerates into a
// temporary copy and fails when the committed output differs.
package gen
