//go:build linux

package fuzz

import (
	"fmt"
	"os"
	"runtime/debug"
	"syscall"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/simdloss/simdloss/asm"
)

// pageGuard is an anonymous mapping laid out as [PROT_NONE page][data
// pages][PROT_NONE page]: a slice placed flush against either end of the data
// faults on the first access past it.
type pageGuard struct {
	mem  []byte
	page int
	data int // bytes between the two guard pages
}

func newPageGuard(t testing.TB, dataBytes int) *pageGuard {
	t.Helper()
	page := os.Getpagesize()
	pages := max(1, (dataBytes+page-1)/page)
	mem, err := syscall.Mmap(-1, 0, (pages+2)*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	require.NoError(t, err)
	t.Cleanup(func() { _ = syscall.Munmap(mem) })
	require.NoError(t, syscall.Mprotect(mem[:page], syscall.PROT_NONE))
	require.NoError(t, syscall.Mprotect(mem[(pages+1)*page:], syscall.PROT_NONE))
	return &pageGuard{mem: mem, page: page, data: pages * page}
}

// atEnd returns n elements of E ending exactly where the trailing PROT_NONE
// page begins.
func atEnd[E any](g *pageGuard, n int) []E {
	size := int(unsafe.Sizeof(*new(E)))
	if n*size > g.data {
		panic("pageGuard too small")
	}
	end := unsafe.Add(unsafe.Pointer(unsafe.SliceData(g.mem)), g.page+g.data)
	return unsafe.Slice((*E)(unsafe.Add(end, -n*size)), n)
}

// atStart returns n elements of E starting right after the leading
// PROT_NONE page.
func atStart[E any](g *pageGuard, n int) []E {
	size := int(unsafe.Sizeof(*new(E)))
	if n*size > g.data {
		panic("pageGuard too small")
	}
	return unsafe.Slice((*E)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(g.mem)), g.page)), n)
}

func TestPageGuardHelpers(t *testing.T) {
	g := newPageGuard(t, 4096)
	for _, n := range []int{0, 1, 7, 300} {
		e := atEnd[float64](g, n)
		require.Len(t, e, n)
		require.Equal(t, uintptr(unsafe.Pointer(unsafe.SliceData(g.mem)))+uintptr(g.page+g.data),
			uintptr(unsafe.Pointer(unsafe.SliceData(e)))+uintptr(8*n), "ends at the guard page")
		s := atStart[float32](g, n)
		require.Equal(t, uintptr(unsafe.Pointer(unsafe.SliceData(g.mem)))+uintptr(g.page), uintptr(unsafe.Pointer(unsafe.SliceData(s))))
		for i := range e {
			e[i] = 1 // writable
		}
	}
	// One element past the end faults, and the fault is recoverable here.
	err := faultOf(func() {
		e := atEnd[float64](g, 1)
		p := (*float64)(unsafe.Add(unsafe.Pointer(&e[0]), 8))
		sink = *p
	})
	require.Error(t, err, "reading the guard page must fault")
	err = faultOf(func() {
		s := atStart[float32](g, 1)
		p := (*float32)(unsafe.Add(unsafe.Pointer(&s[0]), -4))
		*p = 1
	})
	require.Error(t, err, "writing the guard page must fault")
}

var sink float64

// faultOf runs f with memory faults turned into panics and returns the
// recovered fault, if any.
func faultOf(f func()) (err error) {
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	f()
	return nil
}

// Placement modes: every argument flush against the end of its guard
// region, against the start, or alternately.
var pageModes = []string{"all at end", "all at start", "even at end, odd at start", "even at start, odd at end"}

// TestKernelsPageGuard runs every kernel at every level on lengths 0..300
// with every argument flush against a PROT_NONE page, in turn at its end and
// at its start: any read or write past a slice faults, and the test names
// the kernel, the level, the length and the placement. The results must be
// bitwise those of the same call in ordinary memory.
func TestKernelsPageGuard(t *testing.T) {
	lengths := make([]int, 0, 301)
	for n := 0; n <= 300; n++ {
		if testing.Short() && n > 40 && n%37 != 0 && n != 255 && n != 256 && n != 257 && n != 300 {
			continue
		}
		lengths = append(lengths, n)
	}
	for _, lv := range levelsToTest() {
		t.Run(lv.Name+"/float32", func(t *testing.T) { pageGuardSweep(t, kernelsOf[float32](lv), lengths) })
		t.Run(lv.Name+"/float64", func(t *testing.T) { pageGuardSweep(t, kernelsOf[float64](lv), lengths) })
	}
}

func pageGuardSweep[T Float](t *testing.T, ks *asm.Kernels[T], lengths []int) {
	const slots = 6
	var guards [slots]*pageGuard
	for i := range guards {
		guards[i] = newPageGuard(t, 300*8)
	}
	labelGuard := newPageGuard(t, 300*8)
	calls := 0
	for _, n := range lengths {
		for _, c := range kernelCalls[T](n) {
			want := runPlaced(ks, &c, heapPlace[T](func(int) int { return 0 }), heapInts)
			for mode, mname := range pageModes {
				end := func(i int) bool {
					switch mode {
					case 0:
						return true
					case 1:
						return false
					case 2:
						return i%2 == 0
					}
					return i%2 == 1
				}
				place := func(i, n int) []T {
					if end(i) {
						return atEnd[T](guards[i], n)
					}
					return atStart[T](guards[i], n)
				}
				placeInt := func(n int) []int {
					if end(slots) {
						return atEnd[int](labelGuard, n)
					}
					return atStart[int](labelGuard, n)
				}
				var got result[T]
				if err := faultOf(func() { got = runPlaced(ks, &c, place, placeInt) }); err != nil {
					t.Fatalf("%s [%s]: %s: memory fault next to a guard page: %v", c.name, typeName[T](), mname, err)
				}
				if !got.equal(want) {
					t.Fatalf("%s [%s]: %s: results differ from the same call in ordinary memory:\n  got  %v\n  want %v",
						c.name, typeName[T](), mname, got.scalars, want.scalars)
				}
				calls++
			}
		}
	}
	t.Logf("%d guarded calls", calls)
}
