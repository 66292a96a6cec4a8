package fle

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/zk"
)

// FLETest.testJoin / FLERestartTest (ZOOKEEPER-975): a fresh server hearing
// FOLLOWING/LEADING from a quorum joins the established leader at once,
// without a LOOKING round and without a finalize window, adopting the
// leader's round.
func TestJoinEstablishedEnsemble(t *testing.T) {
	m := newMachine(t, 3, majority(t, []int64{1, 2, 3}))
	m.Start(zk.MakeZxid(1, 4), 1)

	out := m.Step(note(1, zk.Following, 2, zk.MakeZxid(2, 0), 5, 2))
	assert.Nil(t, out.Decision, "one follower is no quorum")
	out = m.Step(note(2, zk.Leading, 2, zk.MakeZxid(2, 0), 5, 2))
	require.NotNil(t, out.Decision)
	assert.Equal(t, Decision{Leader: 2, Zxid: zk.MakeZxid(2, 0), ElectionEpoch: 5, PeerEpoch: 2, State: zk.Following, Path: PathLeaderNotification}, *out.Decision)
	assert.Equal(t, int64(5), m.LogicalClock(), "the clock jumps to the leader's round")
	assert.Equal(t, zk.Following, m.State())
	for _, tm := range out.Timers {
		assert.True(t, tm.Cancel, "no finalize window")
	}
}

// FLETest.testJoinInconsistentEnsemble (ZOOKEEPER-1732): members report
// different zxids and rounds for the same leader; the joiner still joins.
func TestJoinInconsistentEnsemble(t *testing.T) {
	m := newMachine(t, 3, majority(t, []int64{1, 2, 3}))
	m.Start(0, 0)
	m.Step(note(1, zk.Following, 2, zk.MakeZxid(2, 0)+100, 5+100, 2))
	out := m.Step(note(2, zk.Leading, 2, zk.MakeZxid(2, 0), 5, 2))
	require.NotNil(t, out.Decision)
	assert.Equal(t, int64(2), out.Decision.Leader)
	assert.Equal(t, int64(5), out.Decision.ElectionEpoch, "the decision takes the notification that completed the quorum")
}

// Joining needs the named leader itself to say LEADING: followers of a
// crashed leader are not enough (ZOOKEEPER-975).
func TestJoinNeedsLeadingVote(t *testing.T) {
	m := newMachine(t, 3, majority(t, []int64{1, 2, 3, 4, 5}))
	m.Start(0, 0)
	for _, from := range []int64{1, 2, 4} {
		out := m.Step(note(from, zk.Following, 5, 9, 4, 1))
		assert.Nil(t, out.Decision)
	}
	assert.Equal(t, zk.Looking, m.State())
	assert.Len(t, m.OutOfElection(), 3)
}

// A joiner with an untrusted empty database (zxid -1) ignores every
// LOOKING vote, its own included, and joins only via FOLLOWING/LEADING.
func TestOwnZxidMinusOneJoinsOnlyOutOfElection(t *testing.T) {
	m := newMachine(t, 3, majority(t, []int64{1, 2, 3}))
	start := m.Start(-1, 0)
	assert.Equal(t, zk.Zxid(-1), start.Messages[0].Zxid, "it still announces its vote")

	self := last(t, loopback(m, start))
	assert.Equal(t, []string{DropOwnZxidUnknown}, reasons(self))
	out := m.Step(note(1, zk.Looking, 1, 50, 1, 1))
	assert.Equal(t, []string{DropOwnZxidUnknown}, reasons(out))
	assert.Empty(t, out.Messages)
	assert.Empty(t, m.ReceivedVotes())
	assert.Equal(t, int64(3), m.Proposal().Leader)

	m.Step(note(1, zk.Following, 2, 50, 3, 1))
	out = m.Step(note(2, zk.Leading, 2, 50, 3, 1))
	require.NotNil(t, out.Decision)
	assert.Equal(t, zk.Following, out.Decision.State)
}

func TestLookingVoteWithZxidMinusOneIgnored(t *testing.T) {
	m := newMachine(t, 1, majority(t, []int64{1, 2, 3}))
	m.Start(5, 1)
	out := m.Step(note(3, zk.Looking, 3, -1, 4, 9))
	assert.Equal(t, []string{DropZxidUnknown}, reasons(out))
	assert.Equal(t, int64(1), m.LogicalClock(), "not even the round is taken")
	assert.Equal(t, int64(1), m.Proposal().Leader)
	assert.Empty(t, m.ReceivedVotes())
	assert.Empty(t, out.Timers, "an ignored vote leaves the pending poll's deadline where it is")
}
