package reduce

import "github.com/simdloss/simdloss/asm"

// Float is the set of element types reduce works on.
type Float = asm.Float
