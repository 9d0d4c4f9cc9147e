package main

import "github.com/simdloss/simdloss/asm"

// readProbe reads two float32 slices as fast as the best kernel level can and
// returns a value that depends on every element: the bandwidth reference.
//
// Stand-in until asm.ReadProbe exists: the best level's squared-difference
// sum kernel (two loads and one FMA per lane, so it is load-bound).
var readProbe = func(x, y []float32) float32 {
	return float32(asm.Best().F32.Elem[asm.SqDiff].Sum(x, y, 0))
}

// probeSource says what readProbe is, for the report.
const probeSource = "stand-in: the best level's squared-difference sum kernel (asm.ReadProbe not yet available)"
