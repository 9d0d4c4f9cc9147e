package losses

import (
	"strings"
	"sync"
)

// Collection gathers named losses and regularisation losses, as TensorFlow's
// GraphKeys.LOSSES and REGULARIZATION_LOSSES collections do. It is safe for
// concurrent use. A loss function adds its result only when given Into(c):
// unlike TensorFlow, nothing is collected implicitly, so a process computing
// millions of losses does not grow a collection it never reads.
type Collection struct {
	mu      sync.Mutex
	losses  []entry
	regular []entry
	names   map[string]string // interned names, so repeated Into(c) calls do not copy them
}

type entry struct {
	name string
	v    float64
}

// Default is the package-level collection of AddLoss, GetLosses,
// GetRegularizationLosses and GetTotalLoss.
var Default = &Collection{}

// AddLoss appends a loss under name.
func (c *Collection) AddLoss(name string, v float64) {
	c.mu.Lock()
	c.losses = append(c.losses, entry{c.intern(name), v})
	c.mu.Unlock()
}

// AddRegularizationLoss appends a regularisation loss under name.
func (c *Collection) AddRegularizationLoss(name string, v float64) {
	c.mu.Lock()
	c.regular = append(c.regular, entry{c.intern(name), v})
	c.mu.Unlock()
}

// intern returns a copy of name owned by c; c.mu is held.
func (c *Collection) intern(name string) string {
	if s, ok := c.names[name]; ok {
		return s
	}
	if c.names == nil {
		c.names = make(map[string]string)
	}
	s := strings.Clone(name)
	c.names[s] = s
	return s
}

// Losses returns, in insertion order, the losses whose names start with
// scope ("" selects all).
func (c *Collection) Losses(scope string) []float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return selectScope(c.losses, scope)
}

// RegularizationLosses returns, in insertion order, the regularisation losses
// whose names start with scope ("" selects all).
func (c *Collection) RegularizationLosses(scope string) []float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return selectScope(c.regular, scope)
}

func selectScope(es []entry, scope string) []float64 {
	out := []float64{}
	for _, e := range es {
		if strings.HasPrefix(e.name, scope) {
			out = append(out, e.v)
		}
	}
	return out
}

// TotalLoss returns the sum of the losses, plus the regularisation losses
// when addRegularization is true; ErrNoLosses when there is nothing to sum.
// The sum is compensated, so its order of insertion barely matters.
func (c *Collection) TotalLoss(addRegularization bool) (float64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(c.losses)
	if addRegularization {
		n += len(c.regular)
	}
	if n == 0 {
		return 0, errorf(ErrNoLosses, "TotalLoss", "the collection holds no losses")
	}
	var s, comp float64
	add := func(v float64) {
		t := s + v
		if abs(s) >= abs(v) {
			comp += (s - t) + v
		} else {
			comp += (v - t) + s
		}
		s = t
	}
	for _, e := range c.losses {
		add(e.v)
	}
	if addRegularization {
		for _, e := range c.regular {
			add(e.v)
		}
	}
	if s-s != 0 { // Inf or NaN
		return s, nil
	}
	return s + comp, nil
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

// Reset empties the collection.
func (c *Collection) Reset() {
	c.mu.Lock()
	c.losses, c.regular, c.names = nil, nil, nil
	c.mu.Unlock()
}

// AddLoss appends a loss to Default (tf.contrib.losses.add_loss).
func AddLoss(name string, v float64) { Default.AddLoss(name, v) }

// AddRegularizationLoss appends a regularisation loss to Default.
func AddRegularizationLoss(name string, v float64) { Default.AddRegularizationLoss(name, v) }

// GetLosses returns Default's losses under scope (tf.contrib.losses.get_losses).
func GetLosses(scope string) []float64 { return Default.Losses(scope) }

// GetRegularizationLosses returns Default's regularisation losses under scope
// (tf.contrib.losses.get_regularization_losses).
func GetRegularizationLosses(scope string) []float64 { return Default.RegularizationLosses(scope) }

// GetTotalLoss returns Default's total loss (tf.contrib.losses.get_total_loss).
func GetTotalLoss(addRegularization bool) (float64, error) {
	return Default.TotalLoss(addRegularization)
}
