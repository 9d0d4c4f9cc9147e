//go:build linux || darwin

package asm

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
)

// The probe at every level: the exact sum of small integers (any order of
// addition gives the same float32), for lengths 0..300 and a few larger,
// with x against an inaccessible page at either end and y in the other
// position, so a read past either slice faults.
func TestReadProbe(t *testing.T) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	lens := []int{}
	for n := 0; n <= 300; n++ {
		lens = append(lens, n)
	}
	lens = append(lens, 511, 512, 513, 4095, 4096, 4097, 100003)
	const maxN = 100003
	for _, p := range probes {
		t.Run(p.level, func(t *testing.T) {
			ax := newPageArena(t, maxN, float32(math.NaN()))
			ay := newPageArena(t, maxN, float32(math.NaN()))
			for _, n := range lens {
				vx, vy := make([]float32, n), make([]float32, n)
				want := 0.0
				for i := range vx {
					vx[i], vy[i] = float32(i%7), float32(i%5)-2
					want += float64(vx[i]) + float64(vy[i])
				}
				for off := 0; off < 2; off++ {
					x, y := ax.input(vx, off), ay.input(vy, 1-off)
					var got float32
					if err := protect(func() { got = p.f(x, y) }); err != nil {
						t.Fatalf("n=%d off=%d: %v", n, off, err)
					}
					if float64(got) != want {
						t.Fatalf("n=%d off=%d: got %v, want %v", n, off, got, want)
					}
				}
			}
		})
	}
	for _, p := range probes {
		if _, ok := Lookup(p.level); !ok {
			t.Errorf("probe of level %s, which is not available", p.level)
		}
	}
	if runtime.GOARCH == "amd64" && len(probes) != len(Levels()) {
		t.Errorf("%d probes for %d levels", len(probes), len(Levels()))
	}
	if got := ReadProbe([]float32{1, 2}, []float32{3, 4, 5}); got != 10 {
		t.Errorf("ReadProbe = %v, want 10 (y read only as far as x)", got)
	}
	if _, ok := ReadProbeAt("no-such-level", nil, nil); ok {
		t.Error("ReadProbeAt of an unknown level reported ok")
	}
}

// BenchmarkReadProbe/<level>/n=<size>: bytes are the 8n read.
func BenchmarkReadProbe(b *testing.B) {
	for _, p := range probes {
		for _, n := range []int{1 << 12, 1 << 20, 1 << 24} {
			x, y := make([]float32, n), make([]float32, n)
			b.Run(p.level+"/n="+itoa(n), func(b *testing.B) {
				b.SetBytes(int64(8 * n))
				var s float32
				for b.Loop() {
					s += p.f(x, y)
				}
				benchSink = float64(s)
			})
		}
	}
}

func itoa(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return itoaPlain(n>>20) + "Mi"
	case n >= 1<<10 && n%(1<<10) == 0:
		return itoaPlain(n>>10) + "Ki"
	}
	return itoaPlain(n)
}

func itoaPlain(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoaPlain(n/10) + string(rune('0'+n%10))
}
