package generic

// WeightStats returns the number of non-zero weights and their sum.
func WeightStats[T Float](w []T) (nonzero int, sum float64) {
	for _, v := range w {
		sum += float64(v)
		if v != 0 {
			nonzero++
		}
	}
	return nonzero, sum
}
