package losses_test

import (
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdloss/simdloss/asm"
	"github.com/simdloss/simdloss/losses"
)

func TestKernelNamesAnAvailableLevel(t *testing.T) {
	avail := losses.Kernels()
	require.NotEmpty(t, avail)
	assert.Equal(t, "generic", avail[len(avail)-1], "generic is always available, last")
	assert.Contains(t, avail, losses.Kernel())
	if os.Getenv("SIMDLOSS_KERNEL") == "" {
		assert.Equal(t, avail[0], losses.Kernel(), "the best level is active by default")
	}
}

func TestUseKernelSwitchesAndRestores(t *testing.T) {
	before := losses.Kernel()
	restore, err := losses.UseKernel("generic")
	require.NoError(t, err)
	assert.Equal(t, "generic", losses.Kernel())
	v, err := losses.MeanSquaredError(losses.New([]float32{1, 2}), losses.New([]float32{0, 0}))
	require.NoError(t, err)
	assert.Equal(t, float32(2.5), v)
	restore()
	assert.Equal(t, before, losses.Kernel())
}

func TestUseKernelRejectsUnknownAndUnavailableLevels(t *testing.T) {
	before := losses.Kernel()
	for _, name := range []string{"", "sse2", "AVX2", "generic "} {
		restore, err := losses.UseKernel(name)
		assert.ErrorIs(t, err, losses.ErrKernel, name)
		require.NotNil(t, restore, "restore is callable even on error")
		restore()
		assert.Equal(t, before, losses.Kernel())
	}
	// A known level that this machine or build lacks.
	missing := "neon"
	if runtime.GOARCH == "arm64" {
		missing = "avx2"
	}
	_, err := losses.UseKernel(missing)
	assert.ErrorIs(t, err, losses.ErrKernel)
	assert.Contains(t, err.Error(), missing)
	assert.Equal(t, before, losses.Kernel())
}

func TestDetectionIsConsistentWithTheTable(t *testing.T) {
	f := asm.Detect()
	for _, name := range losses.Kernels() {
		switch name {
		case "avx2":
			assert.True(t, f.AVX2)
		case "avx512":
			assert.True(t, f.AVX512)
		case "neon":
			assert.True(t, f.NEON)
		}
	}
}

// TestBadEnvironmentLevelIsReportedNotFatal re-runs this test binary with a
// bad SIMDLOSS_KERNEL: start-up must not panic, the best level stays active
// and KernelError reports the value.
func TestBadEnvironmentLevelIsReportedNotFatal(t *testing.T) {
	if os.Getenv("SIMDLOSS_CHILD") == "1" {
		err := losses.KernelError()
		if err == nil || !strings.Contains(err.Error(), "bogus") {
			t.Fatalf("KernelError() = %v, want an ErrKernel naming the value", err)
		}
		if losses.Kernel() != losses.Kernels()[0] {
			t.Fatalf("Kernel() = %s, want the best level %s", losses.Kernel(), losses.Kernels()[0])
		}
		return
	}
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, "-test.run=^TestBadEnvironmentLevelIsReportedNotFatal$", "-test.count=1")
	cmd.Env = append(os.Environ(), "SIMDLOSS_CHILD=1", "SIMDLOSS_KERNEL=bogus")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "child: %s", out)
	assert.Contains(t, string(out), "PASS")
}

func TestKernelErrorIsNilForAGoodEnvironment(t *testing.T) {
	if v := os.Getenv("SIMDLOSS_KERNEL"); v != "" && !slices.Contains(losses.Kernels(), v) {
		t.Skip("environment names a bad level")
	}
	assert.NoError(t, losses.KernelError())
}
