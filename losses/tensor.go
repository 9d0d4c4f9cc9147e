package losses

import (
	"math/bits"
	"unsafe"
)

// Float is the set of element types of tensors.
type Float interface{ ~float32 | ~float64 }

// Integer is the set of label types of SparseSoftmaxCrossEntropy: every Go integer type.
type Integer interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr
}

// Tensor is a dense row-major array. Shape[0] is the batch dimension.
//
// A tensor is valid when every dim is >= 0, the product of the dims does not
// overflow int, and len(Data) equals that product. A nil or empty Shape is
// rank 0 (one element).
type Tensor[T Float] struct {
	Data  []T
	Shape []int
}

// New returns the tensor of data with the given shape; with no dims the shape
// is [len(data)]. It does not copy data or check the shape (losses do).
func New[T Float](data []T, shape ...int) Tensor[T] {
	if len(shape) == 0 {
		shape = []int{len(data)}
	}
	return Tensor[T]{Data: data, Shape: shape}
}

// Scalar returns a rank-0 tensor holding v.
func Scalar[T Float](v T) Tensor[T] {
	return Tensor[T]{Data: []T{v}, Shape: []int{}}
}

// elems returns the product of dims, or false when a dim is negative or the
// product overflows int.
// A dim of 0 makes the product 0 whatever the other dims are.
func elems(dims []int) (int, bool) {
	n := 1
	for _, d := range dims {
		if d < 0 {
			return 0, false
		}
		if d == 0 {
			n = 0
		}
	}
	if n == 0 {
		return 0, true
	}
	for _, d := range dims {
		hi, lo := bits.Mul64(uint64(n), uint64(d))
		if hi != 0 || lo > uint64(maxInt) {
			return 0, false
		}
		n = int(lo)
	}
	return n, true
}

const maxInt = int(^uint(0) >> 1)

// subElems is the element count of dims derived from arg's valid shape (its
// rows, or its shape without an axis), which can overflow int when arg's own
// product is 0.
func subElems(fn, arg string, shape, dims []int) (int, error) {
	n, ok := elems(dims)
	if !ok {
		return 0, errorf(ErrShape, fn, "%s shape %s: its measurable elements %s overflow int", arg, shapeString(shape), shapeString(dims))
	}
	return n, nil
}

// check validates t as argument arg of fn with rank at least minRank.
func (t Tensor[T]) check(fn, arg string, minRank int) error {
	n, ok := elems(t.Shape)
	if !ok {
		return errorf(ErrShape, fn, "%s shape %s: negative dim or element count overflows int", arg, shapeString(t.Shape))
	}
	if len(t.Data) != n {
		return errorf(ErrShape, fn, "%s shape %s holds %d elements, data has %d", arg, shapeString(t.Shape), n, len(t.Data))
	}
	if len(t.Shape) < minRank {
		return errorf(ErrShape, fn, "%s shape %s has rank %d, want at least %d", arg, shapeString(t.Shape), len(t.Shape), minRank)
	}
	return nil
}

// sameShape reports whether a and b have equal dims.
func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// is32 reports whether T is a float32 type.
func is32[T Float]() bool { return unsafe.Sizeof(T(0)) == 4 }

// as reinterprets a slice of T as a slice of the kernel type E of the same size.
func as[E, T Float](s []T) []E {
	return unsafe.Slice((*E)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}
