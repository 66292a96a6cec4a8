package nodesim

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func newTestWorld(t *testing.T, n int) *World {
	t.Helper()
	w, err := NewWorld(Config{N: n, Seed: 7, EmptyDisks: true})
	require.NoError(t, err)
	return w
}

// TestControlRefusesBadRequests: every impossible request is a typed
// error (ErrControl) and changes nothing.
func TestControlRefusesBadRequests(t *testing.T) {
	w := newTestWorld(t, 3)
	w.RunFor(100 * time.Millisecond) // every node has booted
	require.ErrorIs(t, w.Crash(9), ErrControl)
	require.ErrorIs(t, w.Restart(1), ErrControl, "node 1 is up")
	require.ErrorIs(t, w.Partition([]int64{1, 2}, []int64{2, 3}), ErrControl, "node 2 on two sides")
	require.ErrorIs(t, w.Partition([]int64{1}, []int64{2}), ErrControl, "node 3 on no side")
	require.ErrorIs(t, w.Partition([]int64{1, 2}, []int64{3, 4}), ErrControl, "no node 4")
	require.ErrorIs(t, w.Cut(1, 1), ErrControl)
	require.ErrorIs(t, w.Cut(1, 5), ErrControl)
	require.ErrorIs(t, w.FailDisk(4, true), ErrControl)
	require.ErrorIs(t, w.SetFaultRates(1.5, 0, 0), ErrControl)
	require.ErrorIs(t, w.SetFaultRates(0, -0.1, 0), ErrControl)
	require.Empty(t, w.blocked, "a refused partition or cut blocks nothing")
	require.Zero(t, w.drop)

	require.NoError(t, w.Crash(1))
	require.ErrorIs(t, w.Crash(1), ErrControl, "node 1 is down")
	require.NoError(t, w.Restart(1))
}

// TestSettleFindsOneLeaderAndHoldsTheQuietPeriod: Settle returns the
// ensemble's one leader with everyone else following it, after the state
// held for the quiet period; SettledAmong agrees at that moment.
func TestSettleFindsOneLeaderAndHoldsTheQuietPeriod(t *testing.T) {
	w := newTestWorld(t, 3)
	st, ok := w.Settle(nil, time.Second, time.Minute)
	require.True(t, ok)
	require.Equal(t, int64(3), st.Leader, "cold start with equal votes: the largest sid")
	require.Equal(t, int64(1), st.Epoch)
	require.Equal(t, []int64{1, 2}, st.Followers)
	require.Equal(t, st.At+time.Second, w.Now(), "the clock ends at the end of the quiet period")
	now, ok := w.SettledAmong(nil)
	require.True(t, ok)
	require.Equal(t, st.Leader, now.Leader)
	l, ok := w.Leader()
	require.True(t, ok)
	require.Equal(t, int64(3), l)
}

// TestSettleWaitsOutTheQuietPeriod: a settlement that a partition is about
// to break is not reported: the leader cut off from both followers still
// looks settled at the moment of the cut, but not for the quiet period, and
// the three never settle again while the cut lasts.
func TestSettleWaitsOutTheQuietPeriod(t *testing.T) {
	w := newTestWorld(t, 3)
	_, ok := w.Settle(nil, time.Second, time.Minute)
	require.True(t, ok)
	require.NoError(t, w.Partition([]int64{3}, []int64{1, 2}))
	_, ok = w.SettledAmong(nil)
	require.True(t, ok, "nobody has noticed the cut yet")
	_, ok = w.Settle(nil, 3*time.Second, 20*time.Second)
	require.False(t, ok)
	st, ok := w.Settle([]int64{1, 2}, time.Second, time.Minute)
	require.True(t, ok)
	require.Equal(t, int64(2), st.Leader)
	require.Equal(t, int64(2), st.Epoch)
}

// TestSettleGivesUpAtTheLimit: a minority never settles, and Settle stops
// at its limit.
func TestSettleGivesUpAtTheLimit(t *testing.T) {
	w := newTestWorld(t, 3)
	require.ErrorIs(t, w.Crash(2), ErrControl, "not booted yet: down")
	w.RunFor(100 * time.Millisecond)
	require.NoError(t, w.Crash(2))
	require.NoError(t, w.Crash(3))
	start := w.Now()
	_, ok := w.Settle(nil, time.Second, 10*time.Second)
	require.False(t, ok, "one node of three cannot lead")
	require.Equal(t, start+10*time.Second, w.Now())
	_, ok = w.Leader()
	require.False(t, ok)
}

// TestPartitionIsolatesUntilHeal: a partition blocks both directions
// between sides and nothing within a side; Heal restores every link.
func TestPartitionIsolatesUntilHeal(t *testing.T) {
	w := newTestWorld(t, 5)
	w.RunFor(100 * time.Millisecond)
	require.NoError(t, w.Partition([]int64{1, 2}, []int64{3, 4, 5}))
	require.False(t, w.reachable(1, 3))
	require.False(t, w.reachable(3, 1))
	require.True(t, w.reachable(1, 2))
	require.True(t, w.reachable(4, 5))
	w.Heal()
	require.True(t, w.reachable(1, 3))
	require.NoError(t, w.Cut(3, 1, 2))
	require.False(t, w.reachable(3, 1))
	require.True(t, w.reachable(1, 3), "a cut is one way")
}

// TestTraceIsDeterministic: one seed, one story: the same commands give
// the same trace, line for line.
func TestTraceIsDeterministic(t *testing.T) {
	story := func() string {
		w := newTestWorld(t, 5)
		tr := NewTrace(w)
		_, ok := w.Settle(nil, time.Second, time.Minute)
		require.True(t, ok)
		l, _ := w.Leader()
		require.NoError(t, w.Crash(l))
		_, ok = w.Settle(nil, time.Second, time.Minute)
		require.True(t, ok)
		return tr.Since(0)
	}
	a := story()
	require.Contains(t, a, "n5 DOWN (was LEADING epoch 1)")
	require.Contains(t, a, "n4 LEADING epoch 2")
	require.Equal(t, a, story())
}

// TestRunawayStopsTheWorld: events that keep scheduling each other at the
// same instant (a broken rule's message storm) stop a control call with a
// driver failure instead of hanging it; the world then runs nothing more.
func TestRunawayStopsTheWorld(t *testing.T) {
	w := newTestWorld(t, 3)
	require.NoError(t, w.Err())
	var storm func()
	storm = func() { w.s.after(0, storm) }
	w.s.after(10*time.Millisecond, storm)
	w.RunFor(time.Second)
	require.ErrorIs(t, w.Err(), ErrControl)
	require.Contains(t, w.Err().Error(), "runaway")
	require.False(t, w.step(time.Hour), "a failed world runs no more events")

	// A growing storm trips the queue budget long before the step budget.
	w = newTestWorld(t, 3)
	var grow func()
	grow = func() { w.s.after(0, grow); w.s.after(0, grow) }
	w.s.after(0, grow)
	_, ok := w.Settle(nil, time.Second, time.Minute)
	require.False(t, ok)
	require.ErrorIs(t, w.Err(), ErrControl)
}

// TestDiskFaultedNodeDoesNotStand: the QuorumPeer's disk-fault rule runs
// in the simulator. n3, the best voter, boots with a failed disk: it never
// decides LEADING (it votes, but not for itself), n2 leads. Once the disk
// works, a probe or a write clears the fault within a probe interval, and
// when n2 dies n3 stands and wins.
func TestDiskFaultedNodeDoesNotStand(t *testing.T) {
	w := newTestWorld(t, 3)
	n3Leads := 0
	w.Observe(func(e Event) {
		if e.Kind == EventDecided && e.Node == 3 && e.State == "LEADING" {
			n3Leads++
		}
	})
	require.NoError(t, w.FailDisk(3, true))
	st, ok := w.Settle([]int64{1, 2}, time.Second, time.Minute)
	require.True(t, ok)
	require.Equal(t, int64(2), st.Leader)
	require.Zero(t, n3Leads, "a node that cannot write its epochs does not stand for leader")
	require.False(t, w.nodes[3].qp.Candidate())

	require.NoError(t, w.FailDisk(3, false))
	w.RunFor(3 * time.Second)
	require.True(t, w.nodes[3].qp.Candidate(), "a probe or a write clears the fault")
	require.NoError(t, w.Crash(2))
	st, ok = w.Settle([]int64{1, 3}, time.Second, time.Minute)
	require.True(t, ok)
	require.Equal(t, int64(3), st.Leader)
	require.Positive(t, n3Leads)
}
