package main

import "github.com/simdloss/simdloss/asm"

// readProbe reads two float32 slices as fast as the best kernel level's loads
// allow and returns a value that depends on every element: the bandwidth
// reference of the report.
var readProbe = asm.ReadProbe

// probeSource says what readProbe is, for the report.
const probeSource = "`asm.ReadProbe` (Σ x(i) + y(i) at the best level: the loads and nothing else)"
