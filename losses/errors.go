package losses

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The error sentinels of SPEC.md section 8. Every error a function returns
// wraps one of them (match with errors.Is) and says which argument, shape,
// index or value is at fault.
var (
	// ErrShape: an invalid tensor (negative dim, dims whose product overflows
	// int, data length not equal to the product), a rank not accepted, or
	// predictions and labels that do not match.
	ErrShape = errors.New("simdloss: invalid shape")
	// ErrWeights: weights that do not broadcast to the losses (SPEC.md section 3).
	ErrWeights = errors.New("simdloss: weights do not broadcast")
	// ErrInvalidLabel: a sparse label outside [0, classes).
	ErrInvalidLabel = errors.New("simdloss: invalid label")
	// ErrAxis: an axis outside [-rank, rank).
	ErrAxis = errors.New("simdloss: invalid axis")
	// ErrOption: an option that does not apply, is given twice, has a value out
	// of range, or a destination of the wrong length or type or overlapping an input.
	ErrOption = errors.New("simdloss: invalid option")
	// ErrNoLosses: a total over an empty collection.
	ErrNoLosses = errors.New("simdloss: no losses collected")
	// ErrKernel: an unknown kernel level, or one this machine or build lacks.
	ErrKernel = errors.New("simdloss: kernel level not available")
)

// errorf wraps sentinel with a message prefixed by the function's name.
// It is only reached on the error path: arguments are strings and numbers,
// never a caller's slices, so nothing the caller owns escapes.
func errorf(sentinel error, fn, format string, args ...any) error {
	// Cloning fn keeps the caller's config (whose fn it often is) from escaping.
	return fmt.Errorf("%w: %s: %s", sentinel, strings.Clone(fn), fmt.Sprintf(format, args...))
}

// shapeString formats dims as [d0 d1 …] without retaining them.
func shapeString(dims []int) string {
	b := make([]byte, 0, 2+8*len(dims))
	b = append(b, '[')
	for i, d := range dims {
		if i > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendInt(b, int64(d), 10)
	}
	return string(append(b, ']'))
}
