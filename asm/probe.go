package asm

// probe is one level's read-bandwidth probe.
type probe struct {
	level string
	f     func(x, y []float32) float32
}

// probes are the available levels' probes, best first; the last is the
// plain Go one. Files per ISA prepend theirs in init.
var probes = []probe{{Generic, readProbeGo}}

// ReadProbe reads x and y[:len(x)] once, as fast as the best level's loads
// allow, and returns Σ x(i) + y(i) (a value that depends on every element,
// so that no read can be skipped). It is the read-bandwidth reference that
// the benchmarks compare memory-bound losses with: a loss of two float32
// tensors of n elements reads the same 8n bytes. y shorter than x panics.
func ReadProbe(x, y []float32) float32 {
	_ = y[:len(x)]
	return probes[0].f(x, y)
}

// ReadProbeAt is ReadProbe with the probe of the named level; false when the
// level is not available.
func ReadProbeAt(level string, x, y []float32) (float32, bool) {
	_ = y[:len(x)]
	for _, p := range probes {
		if p.level == level {
			return p.f(x, y), true
		}
	}
	return 0, false
}

func readProbeGo(x, y []float32) float32 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] + y[i]
		s1 += x[i+1] + y[i+1]
		s2 += x[i+2] + y[i+2]
		s3 += x[i+3] + y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] + y[i]
	}
	return (s0 + s1) + (s2 + s3)
}
