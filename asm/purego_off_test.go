//go:build !purego

package asm

// puregoBuild: the purego tag builds the generic level alone (SPEC.md section 9).
const puregoBuild = false
