package neon

import (
	"fmt"
	"strings"
)

// Prog collects the lines of generated Go assembly: encoded instructions,
// Go's own instructions (general-purpose arithmetic, branches, argument
// loads) given as text, and labels.
type Prog struct {
	b     strings.Builder
	Forms map[string]int // how often each encoded form was emitted
}

// I emits encoded instructions.
func (p *Prog) I(ins ...Inst) {
	if p.Forms == nil {
		p.Forms = map[string]int{}
	}
	for _, in := range ins {
		p.Forms[in.Form]++
		p.b.WriteString("\t" + in.Text() + "\n")
	}
}

// Go emits one instruction of Go's assembler as text.
func (p *Prog) Go(format string, args ...any) {
	p.b.WriteString("\t" + fmt.Sprintf(format, args...) + "\n")
}

// Label starts a label.
func (p *Prog) Label(name string) { p.b.WriteString(name + ":\n") }

// Raw appends text as it is (directives, comments, blank lines).
func (p *Prog) Raw(s string) { p.b.WriteString(s) }

// String is the program text.
func (p *Prog) String() string { return p.b.String() }

// ErrNoRegister is the panic value of Pool.Get when every register is taken.
var ErrNoRegister = fmt.Errorf("neon: out of vector registers")

// Pool hands out vector registers V0..V31.
type Pool struct {
	used  uint32
	fixed uint32 // never returned by Put (held for the whole kernel)
	peak  int
}

// Get returns a free register, the lowest first; it panics with
// ErrNoRegister when none is left.
func (p *Pool) Get() V {
	for v := V(0); v < 32; v++ {
		if p.used&(1<<v) == 0 {
			p.used |= 1 << v
			if n := popcount(p.used); n > p.peak {
				p.peak = n
			}
			return v
		}
	}
	panic(ErrNoRegister)
}

// GetRun returns the first of n consecutive free registers (no wrap past
// V31), the lowest first; it panics with ErrNoRegister when there is none.
func (p *Pool) GetRun(n int) V {
	for v := 0; v+n <= 32; v++ {
		free := true
		for i := v; i < v+n; i++ {
			free = free && p.used&(1<<i) == 0
		}
		if !free {
			continue
		}
		for i := v; i < v+n; i++ {
			p.used |= 1 << i
		}
		if c := popcount(p.used); c > p.peak {
			p.peak = c
		}
		return V(v)
	}
	panic(ErrNoRegister)
}

// Fixed returns a register held until the end of the kernel.
func (p *Pool) Fixed() V {
	v := p.Get()
	p.fixed |= 1 << v
	return v
}

// Put returns registers to the pool; fixed ones stay taken, and a register
// named twice in one call is returned once.
func (p *Pool) Put(vs ...V) {
	var seen uint32
	for _, v := range vs {
		if seen&(1<<v) != 0 {
			continue // the same register named twice in one call
		}
		seen |= 1 << v
		if p.fixed&(1<<v) != 0 {
			continue
		}
		if p.used&(1<<v) == 0 {
			panic(fmt.Sprintf("neon: V%d returned twice", v))
		}
		p.used &^= 1 << v
	}
}

// Peak is the largest number of registers taken at once.
func (p *Pool) Peak() int { return p.peak }

func popcount(x uint32) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}
