package sim

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/cnx"
	"github.com/zkfle/zkfle/fle"
)

// The simulator's wiring of the production connection manager: what the
// machines are told and which connections survive come from cnx, not from
// a copy of its rules. Each test judges by its own expectations, never by
// asking the manager what it would answer.

// tickNotification fires n's notification timer with a fresh seq and
// returns the haveDelivered the machine was given.
func tickNotification(t *testing.T, c *Cluster, f *fakes, sid int64, seq uint64) bool {
	t.Helper()
	c.apply(c.byID[sid], fle.Output{Timers: []fle.Timer{{Kind: fle.NotificationTimer, After: time.Millisecond, Seq: seq}}})
	require.NoError(t, c.FireTimer(sid, fle.NotificationTimer))
	ticks := f.latest[sid].ticks
	require.NotEmpty(t, ticks)
	last := ticks[len(ticks)-1]
	require.Equal(t, seq, last.seq)
	return last.haveDelivered
}

func TestTickIsFedTheManagersHaveDelivered(t *testing.T) {
	f := &fakes{}
	c, err := newFakeCluster(3, time.Millisecond, f)
	require.NoError(t, err)
	require.NoError(t, c.Start(1))

	// A fresh process has no send queue: production's manager answers
	// true (ZooKeeper's would answer false), so the election re-sends.
	assert.True(t, tickNotification(t, c, f, 1, 1), "no queue at all")

	// 2 and 3 are down: both votes wait, every queue holds a message.
	c.apply(c.byID[1], fle.Output{Messages: []fle.Message{msg(2, 1), msg(3, 1)}})
	assert.False(t, tickNotification(t, c, f, 1, 2), "every queue holds a message")

	// 2 comes up and 1 connects: 1's queue to 2 is flushed, so one queue
	// is empty and haveDelivered is true although 3's still waits.
	require.NoError(t, c.Start(2))
	c.apply(c.byID[1], fle.Output{ConnectAll: true})
	assert.True(t, tickNotification(t, c, f, 1, 3), "the queue to 2 was flushed")
}

func TestOnlyTheLargerSidsDialKeepsTheConnection(t *testing.T) {
	f := &fakes{}
	c, err := newFakeCluster(2, time.Millisecond, f)
	require.NoError(t, err)
	require.NoError(t, c.Start(1))
	require.NoError(t, c.Start(2))

	// 1 (the smaller sid) sends first: its dial is only a call, 2 calls
	// back, and the one connection both keep is the one 2 dialled.
	c.apply(c.byID[1], fle.Output{Messages: []fle.Message{msg(2, 7)}})
	require.Len(t, c.net.conns, 1, "one connection per pair")
	for _, cn := range c.net.conns {
		assert.Equal(t, int64(2), cn.a, "the larger sid dialled the connection that stands")
		assert.Equal(t, int64(1), cn.b)
	}
	k1, d1, ok1 := c.byID[1].mgr.Link(2)
	k2, d2, ok2 := c.byID[2].mgr.Link(1)
	require.True(t, ok1)
	require.True(t, ok2)
	assert.Equal(t, k1, k2, "both ends hold the same connection")
	assert.Equal(t, cnx.Inbound, d1)
	assert.Equal(t, cnx.Outbound, d2)

	var kinds []TraceKind
	for _, e := range c.trace.Events {
		if e.Kind == TraceCall || e.Kind == TraceConnect {
			kinds = append(kinds, e.Kind)
		}
	}
	assert.Equal(t, []TraceKind{TraceCall, TraceConnect}, kinds, "1 calls, 2 connects")

	// The vote that waited for the connection arrives.
	c.RunUntil(nil, time.Second, 0)
	assert.Equal(t, []int64{7}, leaders(f.latest[2]))
}

func TestRestartMakesAFreshManager(t *testing.T) {
	f := &fakes{}
	c, err := newFakeCluster(2, time.Millisecond, f)
	require.NoError(t, err)
	require.NoError(t, c.Start(1))
	c.apply(c.byID[1], fle.Output{Messages: []fle.Message{msg(2, 5)}})
	require.False(t, tickNotification(t, c, f, 1, 1), "the vote to 2 waits")

	// A new process forgets the old one's queues (production makes one
	// manager per process): nothing waits for 2 any more, and 2 hears
	// nothing of the old vote when it comes up.
	require.NoError(t, c.Restart(1))
	assert.True(t, tickNotification(t, c, f, 1, 2), "a fresh manager has no queue")
	require.NoError(t, c.Start(2))
	c.apply(c.byID[2], fle.Output{Messages: []fle.Message{msg(1, 9)}})
	c.RunUntil(nil, time.Second, 0)
	assert.Empty(t, f.latest[2].got, "the old process's queued vote died with it")
	assert.Equal(t, []int64{9}, leaders(f.latest[1]))
}

// The reachable fast path after a leader's crash needs the failed dial
// of the new round reported (the crash's close alone is forgotten when
// the round starts): fast_reachable.txt's story, asserted on the
// decisions rather than on the trace.
func TestFailedDialFeedsTheReachablePath(t *testing.T) {
	ms := []Member{{ID: 1, Weight: 1}, {ID: 2, Weight: 1}, {ID: 3, Weight: 1}}
	c, err := NewCluster(Config{Members: ms, FastPaths: true, Policy: &FixedPolicy{Default: DefaultDelay}})
	require.NoError(t, err)
	for _, sid := range []int64{1, 2, 3} {
		require.NoError(t, c.Start(sid))
	}
	require.Equal(t, StopDone, c.RunUntil(c.Settled, time.Minute, 0))
	require.Equal(t, int64(3), c.leader())

	var after []fle.Decision
	c.onDecide = func(_ int64, d fle.Decision) { after = append(after, d) }
	require.NoError(t, c.Crash(3))
	crashed := c.Now()
	require.Equal(t, StopDone, c.RunUntil(c.Settled, time.Minute, 0))
	require.Len(t, after, 2)
	for _, d := range after {
		assert.Equal(t, int64(2), d.Leader)
		assert.Equal(t, fle.PathReachable, d.Path, "3 is known unreachable: no finalize window")
	}
	assert.Less(t, c.Now()-crashed, DefaultDetectorTimeout+fle.DefaultTiming().FinalizeWait,
		"decided before a finalize window could have closed")
}
