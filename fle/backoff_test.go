package fle

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/zk"
)

// The notification timeout doubles from the minimum on every silent
// interval up to the cap (ZooKeeper logs "Notification time out: 400, 800,
// ..., 60000") and is not reset by notifications arriving in between.
func TestNotificationBackoff(t *testing.T) {
	m := newMachine(t, 1, majority(t, []int64{1, 2, 3}))
	out := m.Start(0, 0)
	tm := armed(t, out, NotificationTimer)
	require.Equal(t, 200*time.Millisecond, tm.After)

	var got []time.Duration
	for i := range 12 {
		if i == 3 {
			// A notification restarts the poll with the same timeout.
			out = m.Step(note(2, zk.Looking, 2, 0, 1, 0))
			tm = armed(t, out, NotificationTimer)
			require.Equal(t, got[len(got)-1], tm.After, "a notification does not reset the back-off")
		}
		out = m.Tick(NotificationTimer, tm.Seq, true)
		tm = armed(t, out, NotificationTimer)
		got = append(got, tm.After)
	}
	ms := time.Millisecond
	want := []time.Duration{400 * ms, 800 * ms, 1600 * ms, 3200 * ms, 6400 * ms, 12800 * ms, 25600 * ms, 51200 * ms, 60 * time.Second, 60 * time.Second, 60 * time.Second, 60 * time.Second}
	assert.Equal(t, want, got)

	out = m.Start(0, 0)
	assert.Equal(t, 200*time.Millisecond, armed(t, out, NotificationTimer).After, "the next Start resets it")
}

func TestNotificationBackoffCustomTiming(t *testing.T) {
	m, err := New(Config{ID: 1, Verifier: majority(t, []int64{1, 2, 3}), Timing: Timing{
		MinNotificationInterval: 50 * time.Millisecond, MaxNotificationInterval: 150 * time.Millisecond,
	}})
	require.NoError(t, err)
	tm := armed(t, m.Start(0, 0), NotificationTimer)
	var got []time.Duration
	for range 3 {
		tm = armed(t, m.Tick(NotificationTimer, tm.Seq, false), NotificationTimer)
		got = append(got, tm.After)
	}
	assert.Equal(t, []time.Duration{100 * time.Millisecond, 150 * time.Millisecond, 150 * time.Millisecond}, got)
}

func TestNotificationTimeoutResendsOrConnects(t *testing.T) {
	m := newMachine(t, 1, majority(t, []int64{1, 2, 3}))
	tm := armed(t, m.Start(4, 1), NotificationTimer)

	out := m.Tick(NotificationTimer, tm.Seq, false)
	assert.True(t, out.ConnectAll, "nothing delivered: connect to everyone")
	assert.Empty(t, out.Messages)

	tm = armed(t, out, NotificationTimer)
	out = m.Tick(NotificationTimer, tm.Seq, true)
	assert.False(t, out.ConnectAll)
	assert.Equal(t, []int64{1, 2, 3}, recipients(out), "something delivered: re-send the proposal")
	assert.Equal(t, Message{To: 2, State: zk.Looking, Leader: 1, Zxid: 4, ElectionEpoch: 1, PeerEpoch: 1}, out.Messages[1])
}

func TestStaleTicksAreIgnored(t *testing.T) {
	m := newMachine(t, 1, majority(t, []int64{1, 2, 3}))
	first := armed(t, m.Start(0, 0), NotificationTimer)
	second := armed(t, m.Step(note(2, zk.Looking, 2, 0, 1, 0)), NotificationTimer)
	require.NotEqual(t, first.Seq, second.Seq)

	assert.Equal(t, Output{}, m.Tick(NotificationTimer, first.Seq, true), "re-armed since")
	assert.Equal(t, Output{}, m.Tick(FinalizeTimer, second.Seq, true), "wrong kind")
	assert.Equal(t, Output{}, m.Tick(TimerKind(99), second.Seq, true), "unknown kind")
	assert.Equal(t, Output{}, m.Tick(NotificationTimer, 0, true), "seq 0 is never armed")
	assert.NotEmpty(t, m.Tick(NotificationTimer, second.Seq, true).Timers)
	assert.Equal(t, Output{}, m.Tick(NotificationTimer, second.Seq, true), "a timer fires once")
}
