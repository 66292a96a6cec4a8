package sim

import (
	"fmt"
	"testing"
	"time"

	"github.com/zkfle/zkfle/fle"
)

// BenchmarkElection simulates clean elections (all nodes start together,
// random data, delays of 1 ms to FinalizeWait/2, nothing lost) until every
// node has decided, and reports per election the notifications sent
// (loopback included), the highest round reached, ns/op (wall time of one
// whole simulated election, harness included) and cpu-ns/election (the
// process's CPU time for it, GC included; steadier than ns/op on a shared
// machine).
//
//	go test -run='^$' -bench=. ./fle/sim/
func BenchmarkElection(b *testing.B) { benchElection(b, false) }

// BenchmarkElectionFast is BenchmarkElection with the fast paths on; it
// also reports the share of decisions a fast path made. Both report the
// simulated time from start to every node settled (settle-ms/election).
//
//	go test -run='^$' -bench=ElectionFast ./fle/sim/
func BenchmarkElectionFast(b *testing.B) { benchElection(b, true) }

func benchElection(b *testing.B, fast bool) {
	for _, n := range []int{3, 5, 9, 25, 51} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			var messages, rounds, decisions, fastDecisions int64
			var settle time.Duration
			b.ReportAllocs()
			cpu := processCPU()
			for i := 0; i < b.N; i++ {
				res := Run(Options{Seed: uint64(i), N: n, FastPaths: fast})
				if res.Failed() || !res.Clean {
					b.Fatalf("run failed: %s", res.String())
				}
				messages += int64(res.Stats.Messages)
				rounds += res.Stats.MaxRound
				settle += res.SettledAt
				decisions += int64(res.Stats.Decisions)
				fastDecisions += int64(res.Stats.ByPath[fle.PathUnanimity] + res.Stats.ByPath[fle.PathReachable])
			}
			b.ReportMetric(float64(settle.Milliseconds())/float64(b.N), "settle-ms/election")
			if fast {
				b.ReportMetric(float64(fastDecisions)/float64(max(decisions, 1)), "fast-share")
			}
			b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/election")
			b.ReportMetric(float64(messages)/float64(b.N), "messages/election")
			b.ReportMetric(float64(rounds)/float64(b.N), "rounds/election")
		})
	}
}
