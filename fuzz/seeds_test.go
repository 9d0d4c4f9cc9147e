package fuzz

// kernelSeeds are the seed inputs of the kernel targets: the first byte
// picks the element type, the rest drive the decoder (see decodeElemCase,
// decodeRowsCase); the PRNG fills in what the bytes do not say.
func kernelSeeds() [][]byte {
	var seeds [][]byte
	for t := byte(0); t < 2; t++ {
		for _, n := range []byte{0, 1, 7, 8, 9, 17, 32, 120, 150, 200, 230} {
			for p := byte(0); p < 11; p++ {
				seeds = append(seeds, []byte{t, n, p, p, p, p, p, p, p})
			}
		}
	}
	return seeds
}

// apiSeeds are the seed inputs of the public API targets: the first byte
// picks the element type, the rest drive decodeAPI.
func apiSeeds() [][]byte {
	var seeds [][]byte
	for t := byte(0); t < 2; t++ {
		for i := byte(0); i < 40; i++ {
			seeds = append(seeds, []byte{t, i * 37, i * 11, i * 5, i, i * 3, i * 7, i * 13, i * 17, i * 19})
		}
	}
	return seeds
}
