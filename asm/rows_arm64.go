//go:build !purego

package asm

import (
	"encoding/binary"
	"sync"
)

// The NEON row kernels (gen/arm64) expand the row weights with a table
// lookup: per row length inner (2 <= inner < rowsDirect) and per phase
// (element index mod inner) a 48-byte record of
//
//	[0:16]  TBL byte indices: lane j takes the weight of row (phase+j)/inner,
//	        relative to the current row
//	[16:24] rows to advance after a vector of elements
//	[24:32] byte offset of the phase record after a vector
//	[32:40] rows to advance after one element
//	[40:48] byte offset of the phase record after one element
const neonRecord = 48

type neonRowTables struct {
	byInner [rowsDirect][]byte
}

func newNeonRowTables(size int) *neonRowTables {
	lanes := 16 / size
	t := &neonRowTables{}
	for inner := 2; inner < rowsDirect; inner++ {
		b := make([]byte, neonRecord*inner)
		for ph := 0; ph < inner; ph++ {
			r := b[neonRecord*ph : neonRecord*(ph+1)]
			for j := 0; j < lanes; j++ {
				e := (ph + j) / inner
				for k := 0; k < size; k++ {
					r[j*size+k] = byte(e*size + k)
				}
			}
			binary.LittleEndian.PutUint64(r[16:], uint64((ph+lanes)/inner))
			binary.LittleEndian.PutUint64(r[24:], uint64(neonRecord*((ph+lanes)%inner)))
			binary.LittleEndian.PutUint64(r[32:], uint64((ph+1)/inner))
			binary.LittleEndian.PutUint64(r[40:], uint64(neonRecord*((ph+1)%inner)))
		}
		t.byInner[inner] = b
	}
	return t
}

var (
	neonRowTable32 = sync.OnceValue(func() *neonRowTables { return newNeonRowTables(4) })
	neonRowTable64 = sync.OnceValue(func() *neonRowTables { return newNeonRowTables(8) })
)
