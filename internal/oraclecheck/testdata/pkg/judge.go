package pkg

import "strings"

// Judge uses a helper of its own, Record and its fields, a local named
// like sim.go's N, and one function and one method of the simulator.
func Judge(r Record) bool {
	_ = strings.ToUpper(r.Name)
	N := 1
	return own(r) && simHelper(r.N) && r.Step() > 0 && Record{N: N}.N == 1
}

func own(r Record) bool { return r.N > 0 }
