package history

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/messages"
)

var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func sample(ms int, round int64, sent, recv uint64) Sample {
	return Sample{At: t0.Add(time.Duration(ms) * time.Millisecond), Round: round, Sent: sent, Received: recv}
}

func change(from, to messages.ServerState, leader, epoch int64) *messages.StateChanged {
	return &messages.StateChanged{OldState: from, NewState: to, Leader: leader,
		ElectionEpoch: epoch, PeerEpoch: 1, Zxid: 1 << 32}
}

// The first election runs from attach to the decision; rounds and
// notification counts are deltas over it.
func TestRecorderFirstElection(t *testing.T) {
	rec, err := New(2)
	require.NoError(t, err)
	var heard []Election
	rec.OnFinished(func(e Election) { heard = append(heard, e) })

	rec.Begin(nil, sample(0, 0, 5, 7)) // clock not yet incremented
	cur, ok := rec.Current(sample(100, 2, 9, 10))
	require.True(t, ok)
	assert.True(t, cur.InProgress)
	assert.Equal(t, "startup", cur.Trigger)
	assert.Equal(t, int64(1), cur.FirstRound)
	assert.Equal(t, int64(2), cur.Rounds)
	assert.Equal(t, 100*time.Millisecond, cur.Duration)
	assert.Equal(t, uint64(4), cur.NotificationsSent)
	assert.Equal(t, uint64(3), cur.NotificationsReceived)

	rec.Change(change(messages.ServerState_LOOKING, messages.ServerState_FOLLOWING, 3, 3), sample(450, 3, 20, 30))
	_, ok = rec.Current(sample(500, 3, 20, 30))
	assert.False(t, ok, "no election in progress after the decision")
	done := rec.Finished()
	require.Len(t, done, 1)
	e := done[0]
	assert.False(t, e.InProgress)
	assert.Equal(t, "FOLLOWING", e.State)
	assert.Equal(t, int64(3), e.Leader)
	assert.Equal(t, int64(3), e.ElectionEpoch)
	assert.Equal(t, int64(3), e.Rounds)
	assert.Equal(t, 450*time.Millisecond, e.Duration)
	assert.InDelta(t, 450.0, e.DurationMillis, 1e-9)
	assert.Equal(t, uint64(15), e.NotificationsSent)
	assert.Equal(t, uint64(23), e.NotificationsReceived)
	assert.Equal(t, uint64(1), rec.Total())
	assert.Equal(t, done, heard, "listeners hear every finished election")
}

// A re-election starts one round past the last decision even when the
// sample was read before the election's clock moved, and names the state
// it left. The ring keeps only the newest elections.
func TestRecorderReelectionAndRing(t *testing.T) {
	rec, err := New(2)
	require.NoError(t, err)
	rec.Begin(change(messages.ServerState_LOOKING, messages.ServerState_LEADING, 1, 4), sample(0, 4, 0, 0))
	_, ok := rec.Current(sample(1, 4, 0, 0))
	assert.False(t, ok, "a decided node is not electing")

	ms := 10
	for i, leader := range []int64{2, 3, 1} {
		rec.Change(change(messages.ServerState_LEADING, messages.ServerState_LOOKING, -1, 0), sample(ms, 4+int64(i), 0, 0))
		rec.Change(change(messages.ServerState_LOOKING, messages.ServerState_LOOKING, -1, 0), sample(ms+1, 5, 0, 0))
		rec.Change(change(messages.ServerState_LOOKING, messages.ServerState_LEADING, leader, 5+int64(i)), sample(ms+20, 5, 1, 1))
		ms += 100
	}
	done := rec.Finished()
	require.Len(t, done, 2)
	assert.Equal(t, uint64(3), rec.Total())
	assert.Equal(t, []int64{3, 1}, []int64{done[0].Leader, done[1].Leader}, "oldest first, first one evicted")
	for _, e := range done {
		assert.Equal(t, "LEADING", e.Trigger)
		assert.Equal(t, int64(1), e.Rounds, "one round per re-election")
		assert.Equal(t, 20*time.Millisecond, e.Duration)
	}
}

// Counters that went backwards (a failed query) count as no progress.
func TestRecorderCounterReset(t *testing.T) {
	rec, err := New(0)
	require.NoError(t, err)
	rec.Change(change(messages.ServerState_LOOKING, messages.ServerState_LEADING, 1, 1), sample(5, 1, 0, 0))
	done := rec.Finished()
	require.Len(t, done, 1, "a change without Begin closes the startup election")
	rec.Change(change(messages.ServerState_LEADING, messages.ServerState_LOOKING, 1, 1), sample(10, 2, 50, 50))
	rec.Change(change(messages.ServerState_LOOKING, messages.ServerState_FOLLOWING, 2, 2), sample(20, 2, 0, 0))
	done = rec.Finished()
	require.Len(t, done, 2)
	assert.Zero(t, done[1].NotificationsSent)
	assert.Zero(t, done[1].NotificationsReceived)
	rec.Change(nil, sample(30, 2, 0, 0))
	assert.Equal(t, uint64(2), rec.Total(), "a nil change is ignored")
}

func TestNewRejectsNegativeCapacity(t *testing.T) {
	_, err := New(-3)
	require.ErrorIs(t, err, ErrBadCapacity)
	assert.Contains(t, err.Error(), "-3")
}

// The supervision ring keeps the newest events, oldest first.
func TestRecorderSupervision(t *testing.T) {
	rec, err := New(2)
	require.NoError(t, err)
	for i, kind := range []actors.Kind{actors.KindElection, actors.KindPeer, actors.KindBridge} {
		rec.Supervised(actors.SupervisionEvent{Kind: kind, ID: "x", Restarted: i%2 == 1, Reason: "boom", At: t0})
	}
	got := rec.RecentSupervision()
	require.Len(t, got, 2)
	assert.Equal(t, "peer", got[0].Kind)
	assert.True(t, got[0].Restarted)
	assert.Equal(t, "bridge", got[1].Kind)
}
