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
			switch {
			case p.result == "":
				// The arguments end at the last one (no padding before results).
				delete(offs, "ret")
				argSize = 0
				for n, o := range offs {
					sz := c.Size // a scalar T
					switch {
					case strings.HasSuffix(n, "_base"):
						sz = 24 // a slice
					case strings.HasSuffix(n, "_len"), isWordParam(p.params, n):
						sz = 8
					}
					argSize = max(argSize, o+sz)
				}
			case p.result == "T":
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

// isWordParam reports whether parameter n of params is an int or a float64
// (eight bytes whatever T is).
func isWordParam(params, n string) bool {
	var pending []string
	for _, tok := range strings.Split(params, ", ") {
		name, typ, hasType := strings.Cut(tok, " ")
		pending = append(pending, name)
		if !hasType {
			continue
		}
		for _, p := range pending {
			if p == n {
				return typ == "int" || typ == "float64"
			}
		}
		pending = nil
	}
	return false
}
