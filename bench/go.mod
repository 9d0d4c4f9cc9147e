module github.com/simdloss/simdloss/bench

go 1.26

require github.com/simdloss/simdloss v0.0.0

require (
	github.com/klauspost/cpuid/v2 v2.4.2 // indirect
	golang.org/x/sys v0.41.0 // indirect
)

replace github.com/simdloss/simdloss => ../
