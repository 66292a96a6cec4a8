package pkg

func simHelper(n int) bool { return n > 1 }

// Step is a method of the simulator.
func (r Record) Step() int { return r.N }

// N is a top-level name that is also a field of Record.
var N = 3
