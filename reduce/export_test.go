package reduce

// HelpedBlocks returns how many blocks helper goroutines have computed so far.
func HelpedBlocks() int64 { return helpedBlocks.Load() }
