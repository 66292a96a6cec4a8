package tests

import (
	"fmt"
	"testing"
	"time"

	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/actors/actorstest"
	"github.com/zkfle/zkfle/fle"
)

// BenchmarkElectionLoopback runs whole elections of N in-process nodes over
// real TCP on loopback with ZooKeeper's default timing (finalizeWait 200 ms,
// notification interval 200 ms doubling to 60 s, connect timeout 5 s), all
// nodes started together, and reports per election:
//   - ms-to-decided: from the first Start to every node decided;
//   - notifications: notifications handed to peer connections, all nodes;
//   - actor-msgs: messages processed by all nodes' actors.
//
// go test -run '^$' -bench BenchmarkElectionLoopback -benchtime 5x ./tests/
func BenchmarkElectionLoopback(b *testing.B) {
	for _, n := range []int{3, 5, 9, 25, 51} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			var total time.Duration
			var notes, msgs uint64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				e := newEnsemble(b, participants(n), func(c *actors.Config) {
					c.TickTime = 2 * time.Second
					c.Election = fle.DefaultTiming()
					c.ConnectTimeout = 5 * time.Second
				})
				b.StartTimer()
				start := time.Now()
				e.start()
				e.waitAgreed(2 * time.Minute)
				total += time.Since(start)
				b.StopTimer()
				for _, sid := range e.running() {
					node := e.node(sid)
					msgs += actorstest.MessagesProcessed(node)
					st, err := node.CnxStatus(5 * time.Second)
					if err != nil {
						b.Fatal(err)
					}
					for _, p := range st.GetPeers() {
						notes += p.GetSent()
					}
				}
				e.stopAll()
				b.StartTimer()
			}
			b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms-to-decided")
			b.ReportMetric(float64(notes)/float64(b.N), "notifications")
			b.ReportMetric(float64(msgs)/float64(b.N), "actor-msgs")
		})
	}
}
