//go:build !race

package losses_test

const raceEnabled = false
