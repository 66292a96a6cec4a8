package actors

import (
	"io"
	"log/slog"
	"testing"
)

// BenchmarkStartStop is the cost of starting a node and stopping it
// again: a lone voter, its election port bound, its actors spawned. On
// 2 cores, one actor system per node cost about 10 ms of CPU and 33,000
// allocations per Start; the shared system leaves the node's own.
func BenchmarkStartStop(b *testing.B) {
	b.ReportAllocs()
	for range b.N {
		b.StopTimer()
		cfg, ln := oneVoter(b)
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		b.StartTimer()
		n, err := Start(cfg, WithListeners(ln))
		if err != nil {
			b.Fatal(err)
		}
		if err := n.Stop(); err != nil {
			b.Fatal(err)
		}
	}
}
