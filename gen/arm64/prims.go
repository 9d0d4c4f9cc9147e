package main

import (
	"fmt"
	"strings"
)

// prim is one hand-orchestrated primitive of a row loss (softmax, cosine,
// pairwise): its Go name without level and type, parameters and results
// with T for the element type, documentation, and the code generator.
type prim struct {
	fn, params, result, doc string
	gen                     func(c *kgen, arg func(string) string)
}

// emitPrims emits the primitives for element type e, each named
// fn + "NEON" + e.Name; doc rewrites a primitive's documentation for e.
func emitPrims(emit func(name, doc, sig string, gen func(c *kgen)), e elt, prims []prim, doc func(string) string) {
	T := e.GoType
	for _, p := range prims {
		name := p.fn + "NEON" + e.Name
		sig := "func(" + strings.ReplaceAll(p.params, "T", T) + ")"
		if p.result != "" {
			sig += " " + strings.ReplaceAll(p.result, "T", T)
		}
		p := p
		emit(name, name+" "+doc(p.doc), sig, func(c *kgen) {
			c.elt = e
			offs, argSize := frame(p.params, p.result, c.Size)
			switch p.result {
			case "":
				// The arguments end at the last one (no padding before results).
				offs, argSize = frameArgs(p.params, c.Size)
			case "T":
				argSize -= 8 - c.Size
			}
			arg := func(n string) string {
				o, ok := offs[n]
				if !ok {
					panic(name + ": no argument " + n)
				}
				return fmt.Sprintf("%s+%d(FP)", n, o)
			}
			c.Raw(fmt.Sprintf("TEXT ·%s(SB), NOSPLIT, $0-%d\n", name, argSize))
			p.gen(c, arg)
		})
	}
}
