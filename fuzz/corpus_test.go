package fuzz

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// parseCorpus reads a file of Go's fuzz corpus format holding one []byte.
func parseCorpus(t testing.TB, b []byte) []byte {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 || lines[0] != "go test fuzz v1" || !strings.HasPrefix(lines[1], "[]byte(") {
		t.Fatalf("not a one-[]byte corpus file")
	}
	s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
	if err != nil {
		t.Fatal(err)
	}
	return []byte(s)
}

// TestCorpusFiles: every file under testdata/fuzz belongs to a target of
// this package and holds one []byte, so go test replays it.
func TestCorpusFiles(t *testing.T) {
	targets := map[string]bool{}
	for _, name := range fuzzTargetNames() {
		targets[name] = true
	}
	dirs, err := os.ReadDir(filepath.Join("testdata", "fuzz"))
	require.NoError(t, err)
	for _, d := range dirs {
		require.True(t, targets[d.Name()], "testdata/fuzz/%s is not a fuzz target", d.Name())
		files, err := os.ReadDir(filepath.Join("testdata", "fuzz", d.Name()))
		require.NoError(t, err)
		for _, f := range files {
			b, err := os.ReadFile(filepath.Join("testdata", "fuzz", d.Name(), f.Name()))
			require.NoError(t, err)
			parseCorpus(t, b)
		}
	}
}

// fuzzTargetNames lists the fuzz targets (as go test -list '^Fuzz' does).
func fuzzTargetNames() []string {
	return []string{
		"FuzzAbsoluteDifference", "FuzzMeanSquaredError", "FuzzLogLoss", "FuzzHingeLoss",
		"FuzzSigmoidCrossEntropy", "FuzzSoftmaxCrossEntropy", "FuzzSparseSoftmaxCrossEntropy",
		"FuzzCosineDistance", "FuzzMeanPairwiseSquaredError", "FuzzComputeWeightedLoss", "FuzzL1", "FuzzL2",
		"FuzzKernelAbsDiff", "FuzzKernelSqDiff", "FuzzKernelLogLoss", "FuzzKernelHinge", "FuzzKernelSigmoidCE",
		"FuzzKernelIdentity", "FuzzKernelL1", "FuzzKernelL2", "FuzzKernelLog", "FuzzKernelSoftmaxCE",
		"FuzzKernelSparseCE", "FuzzKernelCosine", "FuzzKernelPairwise", "FuzzKernelWeightStats",
	}
}
