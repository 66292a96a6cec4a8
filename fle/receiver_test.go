package fle

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/quorum"
	"github.com/zkfle/zkfle/zk"
)

// decidedFollower returns machine 1 of {1,2,3} (+ observer 4) following 3,
// decided in round 6 with peer epoch 2.
func decidedFollower(t *testing.T) *Machine {
	t.Helper()
	m := newMachine(t, 1, majority(t, []int64{1, 2, 3}, 4))
	m.Start(5, 1)
	m.Step(note(2, zk.Following, 3, 9, 6, 2))
	require.NotNil(t, m.Step(note(3, zk.Leading, 3, 9, 6, 2)).Decision)
	return m
}

// decidedLeader returns machine 3 of {1,2,3} leading in round 1.
func decidedLeader(t *testing.T) *Machine {
	t.Helper()
	m := newMachine(t, 3, majority(t, []int64{1, 2, 3}, 4))
	loopback(m, m.Start(10, 1))
	fin := armed(t, m.Step(note(1, zk.Looking, 3, 10, 1, 1)), FinalizeTimer)
	require.NotNil(t, m.Tick(FinalizeTimer, fin.Seq, true).Decision)
	require.Equal(t, zk.Leading, m.State())
	return m
}

func TestNonVoterGetsReplyOnly(t *testing.T) {
	t.Run("while looking", func(t *testing.T) {
		m := newMachine(t, 1, majority(t, []int64{1, 2, 3}, 4))
		m.Start(5, 2)
		out := m.Step(note(4, zk.Looking, 4, 99, 9, 9))
		assert.Equal(t, []Message{{To: 4, State: zk.Looking, Leader: 1, Zxid: 5, ElectionEpoch: 1, PeerEpoch: 2}}, out.Messages,
			"the current vote (the initial one) with our round")
		assert.Equal(t, []string{DropNonVoterSender}, reasons(out))
		assert.Empty(t, m.ReceivedVotes(), "observers never influence the election")
		assert.Empty(t, out.Timers, "not queued, so the poll is not restarted")
	})
	t.Run("while following", func(t *testing.T) {
		m := decidedFollower(t)
		out := m.Step(note(4, zk.Looking, 4, 99, 9, 9))
		assert.Equal(t, []Message{{To: 4, State: zk.Following, Leader: 3, Zxid: 9, ElectionEpoch: 6, PeerEpoch: 2}}, out.Messages)
	})
	t.Run("unknown sid, even with an unknown state code", func(t *testing.T) {
		m := newMachine(t, 1, majority(t, []int64{1, 2, 3}))
		m.Start(5, 2)
		out := m.Step(Notification{From: 42, State: zk.ServerState(17)})
		assert.Len(t, messagesTo(out, 42), 1, "the voter check comes before the state check")
	})
}

func TestUnknownStateFromVoterIsDropped(t *testing.T) {
	m := newMachine(t, 1, majority(t, []int64{1, 2, 3}))
	m.Start(5, 2)
	for _, st := range []zk.ServerState{-1, 4, 1 << 20} {
		out := m.Step(Notification{From: 2, State: st, Leader: 2, Zxid: 99, ElectionEpoch: 1, PeerEpoch: 9})
		assert.Equal(t, []string{DropUnknownState}, reasons(out), "state %d", st)
		assert.Empty(t, out.Messages)
		assert.Empty(t, out.Timers)
	}
	assert.Empty(t, m.ReceivedVotes())
}

func TestNotLookingRepliesToLookingVoter(t *testing.T) {
	m := decidedFollower(t)
	out := m.Step(note(2, zk.Looking, 2, 50, 1, 1))
	assert.Equal(t, []Message{{To: 2, State: zk.Following, Leader: 3, Zxid: 9, ElectionEpoch: 6, PeerEpoch: 2}}, out.Messages,
		"the current vote, in the round it was decided in, with our real state")
	assert.Empty(t, out.LookingSids, "only a leader reports looking voters")
	assert.Empty(t, out.NewerRoundLookingSids, "round 1 is older than our leader's round 6")
	assert.Equal(t, zk.Following, m.State())
}

// A follower reports voters looking in a round after its leader's: they
// lost the leader. The leader's own round, or an older one (a restarted
// server), says nothing.
func TestFollowerReportsVotersLookingInNewerRound(t *testing.T) {
	m := decidedFollower(t)
	out := m.Step(note(2, zk.Looking, 2, 50, 7, 2))
	assert.Equal(t, []int64{2}, out.NewerRoundLookingSids)
	assert.Len(t, out.Messages, 1, "still answered")
	assert.Empty(t, m.Step(note(2, zk.Looking, 2, 50, 6, 2)).NewerRoundLookingSids)

	l := decidedLeader(t)
	assert.Empty(t, l.Step(note(2, zk.Looking, 2, 50, 9, 1)).NewerRoundLookingSids, "a leader has its own watch")
}

func TestNotLookingIgnoresDecidedVoter(t *testing.T) {
	m := decidedFollower(t)
	for _, st := range []zk.ServerState{zk.Following, zk.Leading, zk.Observing} {
		out := m.Step(note(2, st, 3, 9, 6, 2))
		assert.Equal(t, []string{DropNotLooking}, reasons(out))
		assert.Empty(t, out.Messages)
	}
}

// A leader reports voters of its election that went back to LOOKING
// (ZOOKEEPER-3109), and still answers them.
func TestLeaderReportsLookingVoters(t *testing.T) {
	m := decidedLeader(t)
	out := m.Step(note(2, zk.Looking, 2, 50, 1, 1))
	assert.Equal(t, []int64{2}, out.LookingSids)
	assert.Equal(t, []Message{{To: 2, State: zk.Leading, Leader: 3, Zxid: 10, ElectionEpoch: 1, PeerEpoch: 1}}, out.Messages)

	out = m.Step(note(4, zk.Looking, 4, 50, 1, 1))
	assert.Empty(t, out.LookingSids, "an observer is no voter of the leading vote set")
	assert.Len(t, out.Messages, 1)
}

// QuorumPeer.updateElectionVote: later replies carry the established epoch.
func TestUpdateElectionVote(t *testing.T) {
	m := decidedFollower(t)
	m.UpdateElectionVote(7)
	assert.Equal(t, Vote{Leader: 3, Zxid: 9, ElectionEpoch: 6, PeerEpoch: 7, State: zk.Looking}, m.CurrentVote())
	out := m.Step(note(2, zk.Looking, 2, 50, 1, 1))
	assert.Equal(t, int64(7), out.Messages[0].PeerEpoch)
}

func TestNewerConfigWhileLooking(t *testing.T) {
	committed := majorityV(t, 1, []int64{1, 2, 3})
	tests := []struct {
		name     string
		cfg      Notification
		wantDrop bool
	}{
		{"newer and different", withConfig(majorityV(t, 5, []int64{1, 2, 3, 4})), true},
		{"newer but the same members", withConfig(majorityV(t, 5, []int64{1, 2, 3})), false},
		{"same version", withConfig(majorityV(t, 1, []int64{1, 2})), false},
		{"older", withConfig(majorityV(t, 0, []int64{1, 2, 3, 4})), false},
		{"no parsable config", withConfig(nil), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := New(Config{ID: 1, Verifier: committed})
			require.NoError(t, err)
			m.Start(5, 1)
			out := m.Step(tt.cfg)
			if tt.wantDrop {
				assert.Equal(t, []string{DropNewerConfig}, reasons(out))
				assert.Empty(t, out.Messages)
				assert.Empty(t, m.ReceivedVotes())
				assert.Equal(t, int64(1), m.LogicalClock(), "the election is not restarted")
				return
			}
			assert.Empty(t, out.Dropped)
			assert.Contains(t, m.ReceivedVotes(), int64(2))
		})
	}

	// When not LOOKING a newer config is ignored and the message handled.
	m := decidedFollower(t)
	n := withConfig(majorityV(t, 5, []int64{1, 2, 3, 4}))
	assert.Len(t, m.Step(n).Messages, 1)
}

// withConfig is a LOOKING vote from voter 2 carrying v as its config.
func withConfig(v quorum.Verifier) Notification {
	n := note(2, zk.Looking, 2, 9, 1, 1)
	n.Config = v
	return n
}

// Two followers of a leader elected in an older round (a ZooKeeper leader
// followed election-only) must not push each other back into LOOKING for
// ever: each voter's LOOKING in a round is news once. A re-look announces
// the round after the leader's again (rejoining set the clock back to the
// leader's round), so the echo of an echo carries a round already seen.
func TestNewerRoundNewsOncePerVoterAndRound(t *testing.T) {
	m := decidedFollower(t) // the leader's round is 6
	assert.Equal(t, []int64{2}, m.Step(note(2, zk.Looking, 2, 50, 7, 2)).NewerRoundLookingSids)
	assert.Empty(t, m.Step(note(2, zk.Looking, 2, 50, 7, 2)).NewerRoundLookingSids, "the same round again: no news")
	assert.Equal(t, []int64{3}, m.Step(note(3, zk.Looking, 3, 50, 7, 2)).NewerRoundLookingSids, "another voter's loss is news")
	assert.Equal(t, []int64{2}, m.Step(note(2, zk.Looking, 2, 50, 8, 2)).NewerRoundLookingSids, "a newer round is news")

	// Re-looking and rejoining the leader of round 6 does not forget.
	loopback(m, m.Start(9, 2))
	m.Step(note(2, zk.Following, 3, 9, 6, 2))
	require.NotNil(t, m.Step(note(3, zk.Leading, 3, 9, 6, 2)).Decision)
	assert.Empty(t, m.Step(note(2, zk.Looking, 2, 50, 8, 2)).NewerRoundLookingSids)
}
