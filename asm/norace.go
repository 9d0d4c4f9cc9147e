//go:build !race

package asm

// raceRead and raceWrite annotate assembly memory accesses in race builds.
func raceRead[T any](s []T)  {}
func raceWrite[T any](s []T) {}
