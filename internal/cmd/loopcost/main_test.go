package main

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEHasTheCurrentTable: the README's static-cost table is this
// command's output for the committed assembly (make loop-cost prints it).
func TestREADMEHasTheCurrentTable(t *testing.T) {
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want := table("../../../asm/elem_amd64.s", "../../../asm/elem_arm64.s")
	if !strings.Contains(string(readme), want) {
		t.Fatalf("README.md lacks the current static-cost table; paste the output of make loop-cost:\n%s", want)
	}
}
