package fle

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/zk"
)

func TestNewRejectsBadConfig(t *testing.T) {
	v := majority(t, []int64{1, 2, 3})
	tests := []struct {
		name     string
		cfg      Config
		field    string
		contains string
	}{
		{"nil verifier", Config{ID: 1}, "Verifier", "Verifier"},
		{"negative id", Config{ID: -4, Verifier: v}, "ID", "-4"},
		{"id not a member", Config{ID: 7, Verifier: v}, "ID", "7"},
		{"negative finalize wait", Config{ID: 1, Verifier: v, Timing: Timing{FinalizeWait: -time.Second}}, "Timing.FinalizeWait", "-1s"},
		{"negative min interval", Config{ID: 1, Verifier: v, Timing: Timing{MinNotificationInterval: -1}}, "Timing.MinNotificationInterval", "-1ns"},
		{"negative max interval", Config{ID: 1, Verifier: v, Timing: Timing{MaxNotificationInterval: -5 * time.Millisecond}}, "Timing.MaxNotificationInterval", "-5ms"},
		{
			"min above max",
			Config{ID: 1, Verifier: v, Timing: Timing{MinNotificationInterval: 2 * time.Second, MaxNotificationInterval: time.Second}},
			"Timing.MinNotificationInterval", "2s",
		},
		{
			"min above the default max",
			Config{ID: 1, Verifier: v, Timing: Timing{MinNotificationInterval: 2 * time.Minute}},
			"Timing.MinNotificationInterval", "2m0s",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := New(tt.cfg)
			require.Error(t, err)
			assert.Nil(t, m)
			assert.ErrorIs(t, err, ErrInvalidConfig)
			var ce *ConfigError
			require.True(t, errors.As(err, &ce))
			assert.Equal(t, tt.field, ce.Field)
			assert.Contains(t, err.Error(), tt.field)
			assert.Contains(t, err.Error(), tt.contains)
		})
	}
}

func TestNewAcceptsMemberOfLastSeenOnly(t *testing.T) {
	m, err := New(Config{ID: 4, Verifier: majorityV(t, 1, []int64{1, 2, 3}), LastSeen: majorityV(t, 2, []int64{1, 2, 3, 4})})
	require.NoError(t, err)
	assert.False(t, m.IsObserver())
}

func TestNewDefaultsAndInitialState(t *testing.T) {
	m := newMachine(t, 2, majority(t, []int64{1, 2, 3}))
	assert.Equal(t, int64(2), m.ID())
	assert.Equal(t, zk.Looking, m.State())
	assert.Equal(t, int64(0), m.LogicalClock())
	assert.Equal(t, DefaultTiming(), m.timing, "zero timing takes ZooKeeper's defaults")
	assert.Equal(t, int64(-1), m.Proposal().Leader)
	assert.Equal(t, zk.Zxid(-1), m.Proposal().Zxid)

	out := m.Step(note(1, zk.Looking, 1, 0, 1, 0))
	assert.Equal(t, []string{DropNotStarted}, reasons(out), "nothing is processed before Start")
	assert.Empty(t, out.Messages)
}

func TestStartProposesSelfToEveryVoter(t *testing.T) {
	m := newMachine(t, 2, majority(t, []int64{1, 2, 3}, 4))
	out := m.Start(zk.MakeZxid(3, 7), 3)

	assert.Equal(t, int64(1), m.LogicalClock())
	assert.Equal(t, zk.Looking, m.State())
	want := Vote{Leader: 2, Zxid: zk.MakeZxid(3, 7), ElectionEpoch: -1, PeerEpoch: 3, State: zk.Looking}
	assert.Equal(t, want, m.Proposal())
	assert.Equal(t, want, m.CurrentVote(), "before any decision the current vote is the initial one")

	assert.Equal(t, []int64{1, 2, 3}, recipients(out), "every voter, self included, never the observer")
	for _, msg := range out.Messages {
		assert.Equal(t, Message{To: msg.To, State: zk.Looking, Leader: 2, Zxid: zk.MakeZxid(3, 7), ElectionEpoch: 1, PeerEpoch: 3}, msg)
	}
	tm := armed(t, out, NotificationTimer)
	assert.Equal(t, 200*time.Millisecond, tm.After)
	assert.NotZero(t, tm.Seq)
	assert.Nil(t, out.Decision)
}

func TestStartNotifiesVotersOfBothConfigs(t *testing.T) {
	m, err := New(Config{ID: 1, Verifier: majorityV(t, 1, []int64{1, 2, 3}), LastSeen: majorityV(t, 2, []int64{1, 3, 5})})
	require.NoError(t, err)
	out := m.Start(0, 0)
	assert.Equal(t, []int64{1, 2, 3, 5}, recipients(out))
}

func TestObserverStart(t *testing.T) {
	m := newMachine(t, 4, majority(t, []int64{1, 2, 3}, 4))
	require.True(t, m.IsObserver())
	out := m.Start(zk.MakeZxid(1, 1), 1)

	assert.Equal(t, Vote{Leader: MinValue, Zxid: zk.Zxid(MinValue), ElectionEpoch: -1, PeerEpoch: MinValue, State: zk.Looking}, m.Proposal())
	assert.Equal(t, []int64{1, 2, 3}, recipients(out), "an observer notifies only the voters")
	assert.Equal(t, int64(4), m.CurrentVote().Leader, "QuorumPeer's current vote names myid even for an observer")
}

func TestStopResetsProposalAndIgnoresInput(t *testing.T) {
	m := newMachine(t, 1, majority(t, []int64{1, 2, 3}))
	out := m.Start(5, 1)
	tm := armed(t, out, NotificationTimer)

	m.Stop()
	assert.Equal(t, int64(-1), m.Proposal().Leader)
	assert.Equal(t, zk.Zxid(-1), m.Proposal().Zxid)
	assert.Equal(t, Output{}, m.Tick(NotificationTimer, tm.Seq, true), "timers pending at Stop are stale")
	assert.Equal(t, []string{DropNotStarted}, reasons(m.Step(note(2, zk.Looking, 2, 9, 1, 1))))

	out = m.Start(5, 1)
	assert.Equal(t, int64(2), m.LogicalClock(), "Start after Stop continues the clock")
	assert.Equal(t, int64(1), m.Proposal().Leader)
	assert.Len(t, out.Messages, 3)
}

func TestVoteMapsAreCopies(t *testing.T) {
	m := newMachine(t, 1, majority(t, []int64{1, 2, 3}))
	m.Start(0, 0)
	m.Step(note(2, zk.Looking, 1, 0, 1, 0))
	m.Step(note(3, zk.Following, 3, 0, 7, 0))

	rv := m.ReceivedVotes()
	require.Contains(t, rv, int64(2))
	delete(rv, 2)
	assert.Contains(t, m.ReceivedVotes(), int64(2))

	oe := m.OutOfElection()
	require.Contains(t, oe, int64(3))
	delete(oe, 3)
	assert.Contains(t, m.OutOfElection(), int64(3))
}

func TestTimerKindString(t *testing.T) {
	assert.Equal(t, "notification", NotificationTimer.String())
	assert.Equal(t, "finalize", FinalizeTimer.String())
	assert.Equal(t, "timer(9)", TimerKind(9).String())
}
