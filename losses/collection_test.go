package losses_test

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdloss/simdloss/losses"
)

func TestCollectionKeepsInsertionOrderAndFiltersByScope(t *testing.T) {
	var c losses.Collection
	c.AddLoss("tower0/mse", 1)
	c.AddLoss("tower1/mse", 2)
	c.AddLoss("tower0/xent", 3)
	c.AddRegularizationLoss("tower0/l2", 0.5)
	c.AddRegularizationLoss("head/l1", 0.25)

	assert.Equal(t, []float64{1, 2, 3}, c.Losses(""))
	assert.Equal(t, []float64{1, 3}, c.Losses("tower0"))
	assert.Equal(t, []float64{2}, c.Losses("tower1/"))
	assert.Empty(t, c.Losses("nothing"))
	assert.Equal(t, []float64{0.5, 0.25}, c.RegularizationLosses(""))
	assert.Equal(t, []float64{0.25}, c.RegularizationLosses("head"))

	total, err := c.TotalLoss(false)
	require.NoError(t, err)
	assert.Equal(t, 6.0, total)
	total, err = c.TotalLoss(true)
	require.NoError(t, err)
	assert.Equal(t, 6.75, total)

	c.Reset()
	assert.Empty(t, c.Losses(""))
	_, err = c.TotalLoss(true)
	assert.ErrorIs(t, err, losses.ErrNoLosses)
}

func TestTotalLossWithOnlyRegularizationLosses(t *testing.T) {
	var c losses.Collection
	c.AddRegularizationLoss("l2", 2)
	_, err := c.TotalLoss(false)
	assert.ErrorIs(t, err, losses.ErrNoLosses, "no losses without the regularisation ones")
	total, err := c.TotalLoss(true)
	require.NoError(t, err)
	assert.Equal(t, 2.0, total)
}

func TestTotalLossIsCompensated(t *testing.T) {
	var c losses.Collection
	c.AddLoss("big", 1e16)
	for range 10 {
		c.AddLoss("small", 1)
	}
	c.AddLoss("minus", -1e16)
	total, err := c.TotalLoss(false)
	require.NoError(t, err)
	assert.Equal(t, 10.0, total, "a plain running sum gives 0 here")
}

func TestTotalLossPropagatesNaN(t *testing.T) {
	var c losses.Collection
	c.AddLoss("a", 1)
	c.AddLoss("b", math.NaN())
	total, err := c.TotalLoss(false)
	require.NoError(t, err)
	assert.True(t, math.IsNaN(total))
}

func TestIntoCollectsReturnedValueUnderTFName(t *testing.T) {
	var c losses.Collection
	p := losses.New([]float64{1, 2, 3, 4}, 2, 2)
	y := losses.New([]float64{0, 2, 5, 4}, 2, 2)
	v, err := losses.MeanSquaredError(p, y, losses.Into(&c))
	require.NoError(t, err)
	v2, err := losses.AbsoluteDifference(p, y, losses.Into(&c), losses.Named("tower0/abs"))
	require.NoError(t, err)
	r, err := losses.L2(p, 0.5, losses.Into(&c))
	require.NoError(t, err)

	assert.Equal(t, []float64{v, v2}, c.Losses(""))
	assert.Equal(t, []float64{v}, c.Losses("mean_squared_error"))
	assert.Equal(t, []float64{v2}, c.Losses("tower0/"))
	assert.Equal(t, []float64{r}, c.RegularizationLosses("l2_regularizer"))
	assert.Equal(t, 0.5*(1+4+9+16)/2, r)
}

func TestIntoIsNotCalledOnError(t *testing.T) {
	var c losses.Collection
	_, err := losses.MeanSquaredError(losses.New([]float32{1}), losses.New([]float32{1, 2}), losses.Into(&c))
	require.ErrorIs(t, err, losses.ErrShape)
	assert.Empty(t, c.Losses(""))
}

func TestDefaultCollectionFunctions(t *testing.T) {
	losses.Default.Reset()
	defer losses.Default.Reset()
	losses.AddLoss("a", 1.5)
	losses.AddRegularizationLoss("r", 0.5)
	_, err := losses.MeanSquaredError(losses.New([]float32{3}), losses.New([]float32{1}), losses.Into(losses.Default))
	require.NoError(t, err)
	assert.Equal(t, []float64{1.5, 4}, losses.GetLosses(""))
	assert.Equal(t, []float64{0.5}, losses.GetRegularizationLosses(""))
	total, err := losses.GetTotalLoss(true)
	require.NoError(t, err)
	assert.Equal(t, 6.0, total)
}

// TestCollectionConcurrentWriters runs under -race in make test.
func TestCollectionConcurrentWriters(t *testing.T) {
	var c losses.Collection
	const writers, each = 8, 200
	var wg sync.WaitGroup
	p := losses.New([]float32{1, 2, 3})
	y := losses.New([]float32{1, 2, 4})
	errs := make(chan error, writers)
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("tower%d/", g)
			for i := range each {
				switch i % 3 {
				case 0:
					c.AddLoss(name+"direct", 1)
				case 1:
					if _, err := losses.MeanSquaredError(p, y, losses.Into(&c), losses.Named(name+"mse")); err != nil {
						errs <- err
						return
					}
				case 2:
					c.AddRegularizationLoss(name+"reg", 2)
				}
				_ = c.Losses(name)
				_, _ = c.TotalLoss(true)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	var direct, mse, reg int
	for i := range each {
		switch i % 3 {
		case 0:
			direct++
		case 1:
			mse++
		case 2:
			reg++
		}
	}
	assert.Len(t, c.Losses(""), writers*(direct+mse))
	assert.Len(t, c.RegularizationLosses(""), writers*reg)
	assert.Len(t, c.Losses("tower3/"), direct+mse)
	total, err := c.TotalLoss(true)
	require.NoError(t, err)
	// Into records the returned float32 value.
	third := float64(float32(1.0 / 3))
	assert.InDelta(t, float64(writers)*(float64(direct)+float64(mse)*third+2*float64(reg)), total, 1e-9)
}

func TestErrNoLossesIsASentinel(t *testing.T) {
	var c losses.Collection
	_, err := c.TotalLoss(false)
	assert.True(t, errors.Is(err, losses.ErrNoLosses))
	assert.False(t, errors.Is(err, losses.ErrShape))
}
