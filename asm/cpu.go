package asm

import "github.com/klauspost/cpuid/v2"

// Features is what cpuid detection found, whether or not kernels for it are
// compiled into this build.
type Features struct {
	AVX2   bool // AVX2 and FMA3 (and POPCNT, which every such CPU has)
	AVX512 bool // AVX-512 F, DQ, BW and VL (and POPCNT)
	NEON   bool // arm64 Advanced SIMD
}

// Detect reads the CPU's features.
func Detect() Features {
	c := cpuid.CPU
	return Features{
		AVX2:   c.Supports(cpuid.AVX2, cpuid.FMA3, cpuid.POPCNT),
		AVX512: c.Supports(cpuid.AVX512F, cpuid.AVX512DQ, cpuid.AVX512BW, cpuid.AVX512VL, cpuid.POPCNT),
		NEON:   c.Supports(cpuid.ASIMD),
	}
}

// CPUName is the processor's brand string.
func CPUName() string { return cpuid.CPU.BrandName }
