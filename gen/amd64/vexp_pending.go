package main

import "github.com/mmcloughlin/avo/reg"

// vexpReady is false until the vectorised exponential joins the generator;
// the softmax kernels that need it are emitted only then.
const vexpReady = false

func (c *g) vexp(reg.VecVirtual) reg.VecVirtual {
	panic("vexp: the vectorised exponential is not in this generator yet")
}
