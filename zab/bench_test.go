package zab

import (
	"testing"

	"github.com/zkfle/zkfle/netbridge/quorumwire"
)

// BenchmarkLeaderHeartbeat measures one half-tick of a leader with four
// learners: the tick check and four pings, then the four replies.
func BenchmarkLeaderHeartbeat(b *testing.B) {
	l := newLeader(b, LeaderConfig{ID: 1, Verifier: ensemble(b, []int64{1, 2, 3, 4, 5})})
	l.Start()
	for c := ConnID(2); c <= 5; c++ {
		l.Connected(c)
		l.Received(c, info(int64(c), 0))
	}
	var hb Timer
	for c := ConnID(2); c <= 5; c++ {
		l.Received(c, quorumwire.NewAckEpochPacket(0, 0))
	}
	for c := ConnID(2); c <= 5; c++ {
		out := l.Received(c, quorumwire.NewAckPacket(mkZxid(1, 0)))
		for _, tm := range out.Timers {
			if tm.Kind == HeartbeatTimer {
				hb = tm
			}
		}
	}
	if !l.IsEstablished() {
		b.Fatal("not established")
	}
	reply := quorumwire.PingReply(quorumwire.NewPingPacket(mkZxid(1, 0)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		out := l.Tick(hb)
		hb = out.Timers[len(out.Timers)-1]
		for c := ConnID(2); c <= 5; c++ {
			l.Received(c, reply)
		}
	}
}

// BenchmarkSimRun measures one seeded 15-second simulation run.
func BenchmarkSimRun(b *testing.B) {
	opts := defaultSimOptions()
	opts.voters = 0
	seed := uint64(0)
	for range b.N {
		seed++
		if err := simRun(b, seed, opts).run(); err != nil {
			b.Fatal(err)
		}
	}
}
