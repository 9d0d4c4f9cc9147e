// Command lossbench measures simdloss's throughput per loss, element type,
// kernel level and size, side by side with peers, and writes a report.
package main

import (
	"fmt"
	"os"

	"github.com/simdloss/simdloss/losses"
)

func main() {
	fmt.Printf("lossbench: kernel level %s (available %v)\n", losses.Kernel(), losses.Kernels())
	fmt.Println("lossbench: the full report is not implemented yet; run 'make bench-go' for go test benchmarks")
	os.Exit(0)
}
