package fle

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/zk"
)

// ZOOKEEPER-2988: a vote for a sid outside the voting view is ignored,
// even from a voter, and even a FOLLOWING one.
func TestVoteForNonVoterIgnored(t *testing.T) {
	m := newMachine(t, 1, majority(t, []int64{1, 2, 3}, 4))
	m.Start(5, 1)
	for _, n := range []Notification{
		note(2, zk.Looking, 4, 99, 1, 9),  // an observer
		note(2, zk.Looking, 77, 99, 1, 9), // an unknown sid
		note(2, zk.Following, 77, 99, 1, 9),
	} {
		out := m.Step(n)
		assert.Equal(t, []string{DropLeaderNotVoter}, reasons(out))
		assert.Empty(t, out.Messages)
		assert.Empty(t, out.Timers, "consumed, but the pending poll keeps its deadline")
	}
	assert.Equal(t, int64(1), m.Proposal().Leader)
	assert.Empty(t, m.ReceivedVotes())
	assert.Empty(t, m.OutOfElection())
}

// Voters of the last-seen configuration are valid voters.
func TestLastSeenVotersAreValid(t *testing.T) {
	m, err := New(Config{ID: 1, Verifier: majorityV(t, 1, []int64{1, 2, 3}), LastSeen: majorityV(t, 2, []int64{1, 2, 3, 4})})
	require.NoError(t, err)
	m.Start(5, 1)
	out := m.Step(note(4, zk.Looking, 4, 9, 1, 1))
	assert.Empty(t, out.Dropped)
	assert.Equal(t, int64(4), m.Proposal().Leader)
}

// FLEZeroWeightTest: with hierarchical quorums a weight-0 server is never
// proposed by others and never leads.
func TestZeroWeightNeverAdopted(t *testing.T) {
	v := hierarchical(t,
		map[int64][]int64{1: {0, 1, 2}, 2: {3, 4, 5}, 3: {6, 7, 8}},
		map[int64]int64{0: 1, 1: 1, 2: 1, 3: 0, 4: 0, 5: 0, 6: 0, 7: 0, 8: 0},
	)
	t.Run("a weighted server keeps its own vote", func(t *testing.T) {
		m := newMachine(t, 1, v)
		m.Start(5, 1)
		out := m.Step(note(7, zk.Looking, 7, 500, 1, 9))
		assert.Empty(t, out.Messages)
		assert.Equal(t, int64(1), m.Proposal().Leader)
		assert.Contains(t, m.ReceivedVotes(), int64(7), "the vote is still recorded")
	})
	t.Run("zero-weight votes form no quorum", func(t *testing.T) {
		m := newMachine(t, 5, v)
		loopback(m, m.Start(500, 9))
		for _, from := range []int64{3, 4, 6, 7, 8} {
			out := m.Step(note(from, zk.Looking, 5, 500, 1, 9))
			assert.Empty(t, out.Timers, "no window, and the pending poll keeps its deadline")
			assert.False(t, m.finalizing, "votes of weight 0 never make a quorum")
		}
	})
	t.Run("a zero-weight server adopts a better weighted vote", func(t *testing.T) {
		m := newMachine(t, 5, v)
		loopback(m, m.Start(1, 1))
		out := m.Step(note(2, zk.Looking, 2, 7, 1, 1))
		assert.Equal(t, int64(2), m.Proposal().Leader)
		loopback(m, out)
		// 2 and 0 are two of group 1's three: the window opens.
		out = m.Step(note(0, zk.Looking, 2, 7, 1, 1))
		require.True(t, m.finalizing)
		fin := armed(t, out, FinalizeTimer)
		// 1's equal vote is consumed by the window and leaves its deadline.
		out = m.Step(note(1, zk.Looking, 2, 7, 1, 1))
		assert.Empty(t, out.Timers)
		out = m.Tick(FinalizeTimer, fin.Seq, true)
		require.NotNil(t, out.Decision)
		assert.Equal(t, Decision{Leader: 2, Zxid: 7, ElectionEpoch: 1, PeerEpoch: 1, State: zk.Following, Path: PathFinalizeWindow}, *out.Decision)
	})
	t.Run("with equal data it keeps its own vote and joins out of election", func(t *testing.T) {
		// The predicate only asks whether the newcomer is better; a lower
		// sid with the same data is not, so the zero-weight server keeps
		// proposing itself to no avail until the leader is established.
		m := newMachine(t, 5, v)
		loopback(m, m.Start(1, 1))
		for _, from := range []int64{0, 1, 2} {
			m.Step(note(from, zk.Looking, 2, 1, 1, 1))
		}
		assert.Equal(t, int64(5), m.Proposal().Leader)
		assert.False(t, m.finalizing)
		m.Step(note(0, zk.Following, 2, 1, 1, 1))
		out := m.Step(note(2, zk.Leading, 2, 1, 1, 1))
		require.NotNil(t, out.Decision)
		assert.Equal(t, zk.Following, out.Decision.State)
	})
}

// ObserverLETest and the observer rules: an observer proposes MinValue,
// adopts any voter's vote, decides Observing, and is never counted.
func TestObserverDecidesObserving(t *testing.T) {
	t.Run("through a LOOKING quorum", func(t *testing.T) {
		m := newMachine(t, 4, majority(t, []int64{1, 2, 3}, 4))
		m.Start(zk.MakeZxid(1, 1), 1)
		out := m.Step(note(1, zk.Looking, 3, 7, 1, 1))
		assert.Equal(t, int64(3), m.Proposal().Leader)
		assert.Equal(t, []int64{1, 2, 3}, recipients(out))
		out = m.Step(note(2, zk.Looking, 3, 7, 1, 1))
		fin := armed(t, out, FinalizeTimer)
		out = m.Tick(FinalizeTimer, fin.Seq, true)
		require.NotNil(t, out.Decision)
		assert.Equal(t, Decision{Leader: 3, Zxid: 7, ElectionEpoch: 1, PeerEpoch: 1, State: zk.Observing, Path: PathFinalizeWindow}, *out.Decision)
		assert.Equal(t, zk.Observing, m.State())
	})
	t.Run("joining an established leader", func(t *testing.T) {
		m := newMachine(t, 4, majority(t, []int64{1, 2, 3}, 4))
		m.Start(0, 0)
		m.Step(note(1, zk.Following, 3, 7, 2, 1))
		out := m.Step(note(3, zk.Leading, 3, 7, 2, 1))
		require.NotNil(t, out.Decision)
		assert.Equal(t, zk.Observing, out.Decision.State)
	})
	t.Run("an observer's support is no quorum", func(t *testing.T) {
		m := newMachine(t, 3, majority(t, []int64{1, 2, 3}, 4, 5))
		loopback(m, m.Start(10, 1))
		for _, from := range []int64{4, 5} {
			out := m.Step(note(from, zk.Following, 3, 10, 1, 1))
			assert.Nil(t, out.Decision)
			assert.Equal(t, []string{DropNonVoterSender}, reasons(out))
			assert.Len(t, messagesTo(out, from), 1, "observers get replies")
		}
		assert.False(t, m.finalizing)
		assert.Equal(t, zk.Looking, m.State())
	})
}

func TestObservingNotificationIgnored(t *testing.T) {
	m := newMachine(t, 1, majority(t, []int64{1, 2, 3}))
	m.Start(5, 1)
	out := m.Step(note(2, zk.Observing, 3, 9, 1, 1))
	assert.Equal(t, []string{DropObserving}, reasons(out))
	assert.Empty(t, m.ReceivedVotes())
	assert.Empty(t, m.OutOfElection())
}
