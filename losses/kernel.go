package losses

import (
	"os"
	"sync/atomic"
	"unsafe"

	"github.com/simdloss/simdloss/asm"
)

// active is the kernel level every loss runs on.
var active atomic.Pointer[asm.Level]

// kernelErr is the error of a bad SIMDLOSS_KERNEL value at start-up.
var kernelErr error

func init() {
	active.Store(asm.Best())
	if name, ok := os.LookupEnv("SIMDLOSS_KERNEL"); ok && name != "" {
		if l, err := lookupLevel(name); err != nil {
			kernelErr = err
		} else {
			active.Store(l)
		}
	}
}

func lookupLevel(name string) (*asm.Level, error) {
	if l, ok := asm.Lookup(name); ok {
		return l, nil
	}
	if asm.Known(name) {
		return nil, errorf(ErrKernel, "UseKernel", "level %q is not available on this machine or build (available: %v)", name, Kernels())
	}
	return nil, errorf(ErrKernel, "UseKernel", "unknown level %q (levels: generic, avx2, avx512, neon)", name)
}

// Kernel names the active kernel level: "generic", "avx2", "avx512" or "neon".
func Kernel() string { return active.Load().Name }

// Kernels lists the levels available on this machine and build, best first.
func Kernels() []string {
	ls := asm.Levels()
	names := make([]string, len(ls))
	for i, l := range ls {
		names[i] = l.Name
	}
	return names
}

// KernelError reports a SIMDLOSS_KERNEL environment value that named an
// unknown or unavailable level (the best level stays active); nil otherwise.
func KernelError() error { return kernelErr }

// UseKernel makes the named level active for every subsequent call and
// returns a function that restores the previous one, as in
//
//	restore, err := losses.UseKernel("generic")
//	if err != nil { … }
//	defer restore()
//
// An unknown or unavailable name is ErrKernel and changes nothing.
func UseKernel(name string) (restore func(), err error) {
	l, err := lookupLevel(name)
	if err != nil {
		return func() {}, err
	}
	prev := active.Swap(l)
	return func() { active.Store(prev) }, nil
}

// kernels returns the active level's kernels for element type E.
func kernels[E asm.Float]() *asm.Kernels[E] {
	l := active.Load()
	// E is float32 or float64 (asm.Float): its size tells which, and the
	// conversion is a no-op (no interface round trip on the hot path).
	if is32[E]() {
		return (*asm.Kernels[E])(unsafe.Pointer(l.F32))
	}
	return (*asm.Kernels[E])(unsafe.Pointer(l.F64))
}
