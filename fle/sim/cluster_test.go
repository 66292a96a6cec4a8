package sim

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/zk"
)

// leaders lists the Leader field of the notifications a fake received.
func leaders(m *fakeMachine) []int64 {
	var out []int64
	for _, n := range m.got {
		out = append(out, n.Leader)
	}
	return out
}

func TestSendQueueKeepsOnlyNewestWhilePeerIsDown(t *testing.T) {
	f := &fakes{}
	c, err := newFakeCluster(2, 10*time.Millisecond, f)
	require.NoError(t, err)
	require.NoError(t, c.Start(1))
	m1 := f.latest[1]

	// 2 is down: both sends wait in the queue of capacity one.
	c.apply(c.byID[1], fle.Output{Messages: []fle.Message{msg(2, 100), msg(2, 200)}})
	assert.Equal(t, 0, c.InFlight())
	assert.False(t, c.byID[1].mgr.HaveDelivered(), "the only queue is not empty")

	// 2 starts and sends to 1: the connection flushes 1's newest message.
	f.onStart = func(m *fakeMachine) fle.Output {
		return fle.Output{Messages: []fle.Message{msg(1, m.id)}}
	}
	require.NoError(t, c.Start(2))
	c.RunUntil(nil, time.Second, 0)
	assert.Equal(t, []int64{200}, leaders(f.latest[2]), "only the newest queued message survives")
	assert.Equal(t, []int64{2}, leaders(m1))
	assert.True(t, c.byID[1].mgr.HaveDelivered())
}

func TestNewConnectionResendsLastMessageBothWays(t *testing.T) {
	f := &fakes{}
	c, err := newFakeCluster(3, 10*time.Millisecond, f)
	require.NoError(t, err)
	for _, sid := range []int64{1, 2, 3} {
		require.NoError(t, c.Start(sid))
	}
	c.apply(c.byID[1], fle.Output{Messages: []fle.Message{msg(2, 11)}})
	c.apply(c.byID[2], fle.Output{Messages: []fle.Message{msg(1, 22)}})
	c.RunUntil(nil, time.Second, 0)
	require.Equal(t, []int64{11}, leaders(f.latest[2]))
	require.Equal(t, []int64{22}, leaders(f.latest[1]))

	require.NoError(t, c.Partition([]int64{1}, []int64{2, 3}))
	c.apply(c.byID[1], fle.Output{ConnectAll: true})
	assert.False(t, linked(c.byID[1], 2), "unreachable: connectAll cannot connect")
	c.Heal()
	assert.False(t, linked(c.byID[1], 2), "a heal does not reconnect by itself")

	c.apply(c.byID[1], fle.Output{ConnectAll: true})
	c.RunUntil(nil, 2*time.Second, 0)
	assert.Equal(t, []int64{11, 11}, leaders(f.latest[2]), "1 re-sent its last message to 2")
	assert.Equal(t, []int64{22, 22}, leaders(f.latest[1]), "2 re-sent its last message to 1")
	assert.Empty(t, f.latest[3].got, "1 never sent anything to 3")
}

func TestHaveDeliveredIsTheManagers(t *testing.T) {
	f := &fakes{}
	c, err := newFakeCluster(3, time.Millisecond, f)
	require.NoError(t, err)
	require.NoError(t, c.Start(1))
	n1 := c.byID[1]
	// With no queue at all the production manager says true (ZooKeeper
	// says false): cnx.Manager.HaveDelivered's one deliberate difference.
	assert.True(t, n1.mgr.HaveDelivered(), "no queues at all")
	c.apply(n1, fle.Output{Messages: []fle.Message{msg(2, 1), msg(3, 1)}})
	assert.False(t, n1.mgr.HaveDelivered(), "every queue holds a message")
	require.NoError(t, c.Start(2))
	assert.False(t, n1.mgr.HaveDelivered(), "2 runs but nobody connected to it yet")
	c.apply(n1, fle.Output{ConnectAll: true})
	assert.True(t, n1.mgr.HaveDelivered(), "the queue to 2 was flushed; the one to 3 still waits")
}

func TestLoopbackIsDeliveredEvenWhenIsolated(t *testing.T) {
	f := &fakes{}
	c, err := newFakeCluster(3, 50*time.Millisecond, f)
	require.NoError(t, err)
	require.NoError(t, c.Start(1))
	require.NoError(t, c.Partition([]int64{1}))
	c.apply(c.byID[1], fle.Output{Messages: []fle.Message{msg(1, 7)}})
	c.RunUntil(nil, time.Second, 0)
	require.Len(t, f.latest[1].got, 1)
	assert.Equal(t, int64(1), f.latest[1].got[0].From)
	assert.Equal(t, time.Duration(0), c.Now(), "loopback takes no time")
}

func TestCrashLosesMessagesInFlightToTheNode(t *testing.T) {
	f := &fakes{}
	c, err := newFakeCluster(2, 10*time.Millisecond, f)
	require.NoError(t, err)
	require.NoError(t, c.Start(1))
	require.NoError(t, c.Start(2))
	old := f.latest[2]
	c.apply(c.byID[1], fle.Output{Messages: []fle.Message{msg(2, 5)}})
	require.Equal(t, 1, c.InFlight())
	require.NoError(t, c.Restart(2))
	assert.Equal(t, 0, c.InFlight())
	c.RunUntil(nil, time.Second, 0)
	assert.Empty(t, old.got)
	assert.Empty(t, f.latest[2].got, "a new process never sees its predecessor's messages")
	assert.Equal(t, 1, c.Stats().Lost)
}

func TestPartitionLosesMessagesInFlightAcrossTheCut(t *testing.T) {
	f := &fakes{}
	c, err := newFakeCluster(3, 10*time.Millisecond, f)
	require.NoError(t, err)
	for _, sid := range []int64{1, 2, 3} {
		require.NoError(t, c.Start(sid))
	}
	c.apply(c.byID[1], fle.Output{Messages: []fle.Message{msg(2, 1), msg(3, 1)}})
	require.NoError(t, c.Partition([]int64{1, 2}, []int64{3}))
	c.RunUntil(nil, time.Second, 0)
	assert.Len(t, f.latest[2].got, 1, "same side: delivered")
	assert.Empty(t, f.latest[3].got, "across the cut: lost")
}

// decreasingDelay makes every message faster than the one before.
type decreasingDelay struct {
	next    time.Duration
	reorder bool
}

func (p *decreasingDelay) Fate(_, _ int64) Fate {
	p.next -= 10 * time.Millisecond
	return Fate{Copies: 1, Delays: [2]time.Duration{p.next}, Reorder: p.reorder}
}

func TestLinksDeliverInOrderUnlessTheyMayReorder(t *testing.T) {
	for _, reorder := range []bool{false, true} {
		f := &fakes{latest: map[int64]*fakeMachine{}}
		c, err := NewCluster(Config{
			Members:    []Member{{ID: 1}, {ID: 2}},
			Policy:     &decreasingDelay{next: 100 * time.Millisecond, reorder: reorder},
			NewMachine: f.newMachine,
		})
		require.NoError(t, err)
		require.NoError(t, c.Start(1))
		require.NoError(t, c.Start(2))
		// The first send connects (it waits in the queue of one until the
		// link is up, as production's manager makes it); the next two go
		// on the live link, each faster than the one before.
		c.apply(c.byID[1], fle.Output{Messages: []fle.Message{msg(2, 1)}})
		require.True(t, linked(c.byID[1], 2))
		c.apply(c.byID[1], fle.Output{Messages: []fle.Message{msg(2, 2), msg(2, 3)}})
		c.RunUntil(nil, time.Second, 0)
		if reorder {
			assert.Equal(t, []int64{3, 2, 1}, leaders(f.latest[2]))
		} else {
			assert.Equal(t, []int64{1, 2, 3}, leaders(f.latest[2]))
		}
	}
}

func TestTimersFireWithTheirSeqAndCancelledOnesDoNot(t *testing.T) {
	f := &fakes{}
	c, err := newFakeCluster(1, time.Millisecond, f)
	require.NoError(t, err)
	require.NoError(t, c.Start(1))
	n := c.byID[1]
	c.apply(n, fle.Output{Timers: []fle.Timer{
		{Kind: fle.NotificationTimer, After: 200 * time.Millisecond, Seq: 1},
		{Kind: fle.NotificationTimer, After: 400 * time.Millisecond, Seq: 2}, // replaces seq 1
		{Kind: fle.FinalizeTimer, After: 100 * time.Millisecond, Seq: 3},
		{Kind: fle.FinalizeTimer, Seq: 3, Cancel: true},
	}})
	c.RunUntil(nil, time.Second, 0)
	// haveDelivered is true with no send queue at all (the production
	// manager's rule, cnx.Manager.HaveDelivered).
	require.Equal(t, []fakeTick{{kind: fle.NotificationTimer, seq: 2, haveDelivered: true}}, f.latest[1].ticks)
	assert.Equal(t, 400*time.Millisecond, c.Now())
	assert.ErrorIs(t, c.FireTimer(1, fle.FinalizeTimer), ErrNoTimer)
}

func TestDetectorSendsFollowersOfALostLeaderBackToLooking(t *testing.T) {
	f := &fakes{}
	c, err := newFakeCluster(3, time.Millisecond, f)
	require.NoError(t, err)
	for _, sid := range []int64{1, 2, 3} {
		require.NoError(t, c.Start(sid))
	}
	decide := func(sid, leader int64) {
		st := zk.Following
		if sid == leader {
			st = zk.Leading
		}
		f.latest[sid].state = st
		c.apply(c.byID[sid], fle.Output{Decision: &fle.Decision{Leader: leader, ElectionEpoch: 1, State: st}})
	}
	decide(1, 3)
	decide(2, 3)
	// 3 has not decided yet: its followers wait DetectorGrace, not D.
	assert.True(t, c.byID[1].det.unhealthy)
	decide(3, 3)
	assert.True(t, c.Settled())

	require.NoError(t, c.Crash(3))
	assert.False(t, c.Settled())
	c.RunUntil(c.Settled, DefaultDetectorTimeout-time.Millisecond, 0)
	assert.Equal(t, int64(1), f.latest[1].round, "still following before D")
	c.RunUntil(nil, DefaultDetectorTimeout, 0)
	assert.Equal(t, int64(2), f.latest[1].round, "looking again after D")
	assert.Equal(t, int64(2), f.latest[2].round)
	assert.Nil(t, c.byID[1].decision)
}

func TestNodeErrorsAreTyped(t *testing.T) {
	f := &fakes{}
	c, err := newFakeCluster(2, time.Millisecond, f)
	require.NoError(t, err)
	require.NoError(t, c.Start(1))

	err = c.Crash(9)
	assert.ErrorIs(t, err, ErrUnknownNode)
	var ne *NodeError
	require.True(t, errors.As(err, &ne))
	assert.Equal(t, int64(9), ne.Sid)
	assert.Contains(t, err.Error(), "9")

	assert.ErrorIs(t, c.Crash(2), ErrNodeDown)
	assert.ErrorIs(t, c.Start(1), ErrNodeUp)
	assert.ErrorIs(t, c.Look(2), ErrNodeDown)
	assert.ErrorIs(t, c.Inject(2, fle.Notification{From: 1}), ErrNodeDown)
	assert.ErrorIs(t, c.FireTimer(1, fle.TimerKind(7)), ErrNoTimer)
	assert.ErrorIs(t, c.Partition([]int64{5}), ErrUnknownNode)
	_, err = c.Status(0)
	assert.ErrorIs(t, err, ErrUnknownNode)
}

func TestNewClusterRejectsBadConfigs(t *testing.T) {
	cases := map[string]Config{
		"no members":      {},
		"duplicate sid":   {Members: []Member{{ID: 1}, {ID: 1}}},
		"zero sid":        {Members: []Member{{ID: 0}}},
		"no voter":        {Members: []Member{{ID: 1, Observer: true}}},
		"negative weight": {Hierarchical: true, Members: []Member{{ID: 1, Group: 1, Weight: -1}}},
		"negative D":      {Members: []Member{{ID: 1}}, DetectorTimeout: -time.Second},
		"negative G":      {Members: []Member{{ID: 1}}, DetectorGrace: -time.Second},
		"voter no group":  {Hierarchical: true, Members: []Member{{ID: 1, Group: 1, Weight: 1}, {ID: 2}}},
	}
	for name, cfg := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := NewCluster(cfg)
			assert.ErrorIs(t, err, ErrBadConfig)
			var ce *ConfigError
			assert.True(t, errors.As(err, &ce))
		})
	}
}

func TestRunUntilStopsForTheRightReason(t *testing.T) {
	f := &fakes{}
	c, err := newFakeCluster(2, time.Millisecond, f)
	require.NoError(t, err)
	assert.Equal(t, StopIdle, c.RunUntil(nil, time.Second, 0))
	c.Schedule(2*time.Second, func() {})
	assert.Equal(t, StopDeadline, c.RunUntil(nil, time.Second, 0))
	assert.Equal(t, time.Second, c.Now())
	assert.Equal(t, StopBudget, c.RunUntil(nil, time.Hour, 1), "one event processed, budget spent")
	assert.Equal(t, StopDone, c.RunUntil(func() bool { return true }, time.Hour, 0))
}
