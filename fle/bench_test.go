package fle

import (
	"testing"

	"github.com/zkfle/zkfle/zk"
)

// BenchmarkStepLooking measures one LOOKING notification through
// WorkerReceiver and the election loop (5 voters, proposal unchanged).
func BenchmarkStepLooking(b *testing.B) {
	m := newMachine(b, 3, majority(b, []int64{1, 2, 3, 4, 5}))
	m.Start(zk.MakeZxid(1, 9), 1)
	n := note(1, zk.Looking, 1, zk.MakeZxid(1, 1), 1, 1)
	b.ReportAllocs()
	for range b.N {
		m.Step(n)
	}
}

// BenchmarkElection5 measures a whole 5-server election with FIFO
// delivery, from Start to every server decided.
func BenchmarkElection5(b *testing.B) {
	v := majority(b, []int64{1, 2, 3, 4, 5})
	b.ReportAllocs()
	for range b.N {
		e := newEnsemble(b, v, 1, 2, 3, 4, 5)
		for _, id := range e.order {
			e.start(id, zk.MakeZxid(1, id), 1)
		}
		e.run()
	}
}
