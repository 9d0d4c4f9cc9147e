// Command levels prints the kernel levels available on this machine and
// build, best first, one per line.
package main

import (
	"fmt"

	"github.com/simdloss/simdloss/asm"
)

func main() {
	for _, l := range asm.Levels() {
		fmt.Println(l.Name)
	}
}
