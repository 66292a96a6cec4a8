package pkg

// Record is the data the judge reads.
type Record struct {
	Name string
	N    int
}
