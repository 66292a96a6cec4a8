package fle

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/zk"
)

// A plain LOOKING round: our own vote (loopback) and one peer's agree, the
// finalize window opens, and when it closes we lead.
func TestLookingQuorumDecidesAfterFinalizeWindow(t *testing.T) {
	m := newMachine(t, 3, majority(t, []int64{1, 2, 3}))
	start := m.Start(zk.MakeZxid(1, 5), 1)
	self := last(t, loopback(m, start))
	assert.Nil(t, self.Decision)
	assert.False(t, m.finalizing, "one vote of three is no quorum")

	out := m.Step(note(1, zk.Looking, 3, zk.MakeZxid(1, 5), 1, 1))
	assert.Nil(t, out.Decision, "a LOOKING quorum waits for the finalize window")
	assert.True(t, cancelled(out, NotificationTimer), "the main poll is not waiting during the window")
	fin := armed(t, out, FinalizeTimer)
	assert.Equal(t, DefaultTiming().FinalizeWait, fin.After)

	out = m.Tick(FinalizeTimer, fin.Seq, true)
	require.NotNil(t, out.Decision)
	assert.Equal(t, Decision{Leader: 3, Zxid: zk.MakeZxid(1, 5), ElectionEpoch: 1, PeerEpoch: 1, State: zk.Leading, Path: PathFinalizeWindow}, *out.Decision)
	assert.Equal(t, zk.Leading, m.State())
	assert.Equal(t, Vote{Leader: 3, Zxid: zk.MakeZxid(1, 5), ElectionEpoch: 1, PeerEpoch: 1, State: zk.Looking}, m.CurrentVote())
	assert.Empty(t, out.Messages)
}

// A peer with a better vote is adopted, the proposal is re-sent to
// everyone, and the machine follows once a quorum agrees.
func TestAdoptBetterVoteAndFollow(t *testing.T) {
	m := newMachine(t, 1, majority(t, []int64{1, 2, 3}))
	loopback(m, m.Start(zk.MakeZxid(1, 1), 1))

	out := m.Step(note(3, zk.Looking, 3, zk.MakeZxid(1, 9), 1, 1))
	assert.Equal(t, Vote{Leader: 3, Zxid: zk.MakeZxid(1, 9), ElectionEpoch: -1, PeerEpoch: 1, State: zk.Looking}, m.Proposal())
	assert.Equal(t, []int64{1, 2, 3}, recipients(out), "the new proposal goes to every voter")
	assert.Equal(t, int64(3), out.Messages[0].Leader)
	assert.False(t, m.finalizing, "our recvset entry still holds our old vote")

	out = last(t, loopback(m, out))
	fin := armed(t, out, FinalizeTimer)
	out = m.Tick(FinalizeTimer, fin.Seq, true)
	require.NotNil(t, out.Decision)
	assert.Equal(t, zk.Following, out.Decision.State)
	assert.Equal(t, int64(3), out.Decision.Leader)
}

// A worse vote in the same round is recorded but does not change the
// proposal and sends nothing.
func TestWorseVoteIsRecordedOnly(t *testing.T) {
	m := newMachine(t, 3, majority(t, []int64{1, 2, 3, 4, 5}))
	m.Start(zk.MakeZxid(2, 0), 2)
	out := m.Step(note(1, zk.Looking, 1, zk.MakeZxid(2, 0), 1, 2))
	assert.Empty(t, out.Messages)
	assert.Equal(t, int64(3), m.Proposal().Leader)
	assert.Equal(t, Vote{Leader: 1, Zxid: zk.MakeZxid(2, 0), ElectionEpoch: 1, PeerEpoch: 2, State: zk.Looking}, m.ReceivedVotes()[1])
}

func TestNewerRoundIsJoined(t *testing.T) {
	tests := []struct {
		name       string
		n          Notification
		wantLeader int64
	}{
		// Judged against the initial vote, not the current proposal: the
		// proposal had moved to 4, yet 2's vote for 3 beats our own vote.
		{"better than our initial vote", note(2, zk.Looking, 3, 5, 7, 1), 3},
		{"worse than our initial vote", note(2, zk.Looking, 0, 5, 7, 1), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMachine(t, 1, majority(t, []int64{0, 1, 2, 3, 4}))
			m.Start(5, 1)
			m.Step(note(4, zk.Looking, 4, 5, 1, 1))
			require.Equal(t, int64(4), m.Proposal().Leader)
			require.Contains(t, m.ReceivedVotes(), int64(4))

			out := m.Step(tt.n)
			assert.Equal(t, int64(7), m.LogicalClock())
			assert.Equal(t, tt.wantLeader, m.Proposal().Leader)
			assert.Equal(t, []int64{0, 1, 2, 3, 4}, recipients(out))
			for _, msg := range out.Messages {
				assert.Equal(t, int64(7), msg.ElectionEpoch)
				assert.Equal(t, tt.wantLeader, msg.Leader)
			}
			assert.NotContains(t, m.ReceivedVotes(), int64(4), "the old round's votes are cleared")
			assert.Contains(t, m.ReceivedVotes(), int64(2))
		})
	}
}

func TestOldRoundGetsOurRoundBack(t *testing.T) {
	m := newMachine(t, 1, majority(t, []int64{1, 2, 3}))
	m.Start(5, 1)
	m.Step(note(2, zk.Looking, 2, 5, 4, 1)) // moves us to round 4, proposing 2
	require.Equal(t, int64(4), m.LogicalClock())

	out := m.Step(note(3, zk.Looking, 3, 9, 2, 1))
	assert.Equal(t, []string{DropOldRound}, reasons(out))
	assert.Equal(t, []Message{{To: 3, State: zk.Looking, Leader: 2, Zxid: 5, ElectionEpoch: 4, PeerEpoch: 1}}, out.Messages,
		"the lagging peer gets our proposal and round")
	assert.NotContains(t, m.ReceivedVotes(), int64(3))
	assert.Equal(t, int64(2), m.Proposal().Leader, "a better vote from an old round is not adopted")
}

// FLEBackwardElectionRoundTest (ZOOKEEPER-1514): FOLLOWING votes naming us
// may make us leader only in the round they were cast in.
func TestBackwardElectionRound(t *testing.T) {
	m := newMachine(t, 0, majority(t, []int64{0, 1, 2}))
	m.Start(0, 0)
	following := []Notification{note(1, zk.Following, 0, 0, 1, 1), note(2, zk.Following, 0, 0, 1, 1)}

	out := m.Step(following[0])
	assert.Nil(t, out.Decision, "one FOLLOWING vote is no quorum")
	out = m.Step(following[1])
	require.NotNil(t, out.Decision, "round 1: two FOLLOWING votes for us are a quorum")
	assert.Equal(t, zk.Leading, out.Decision.State)

	m.Start(0, 0)
	require.Equal(t, int64(2), m.LogicalClock())
	for _, n := range append(following, following...) {
		out = m.Step(n)
		assert.Nil(t, out.Decision, "round 2 must not decide on round-1 votes")
	}
	assert.Equal(t, zk.Looking, m.State())
	assert.Equal(t, int64(2), m.LogicalClock())
}

// FLELostMessageTest: peer 1 runs the election; peer 0 sends LOOKING for
// itself, then FOLLOWING for peer 1 in the same round; peer 1 leads on its
// own LOOKING vote and peer 0's FOLLOWING vote.
func TestLostMessage(t *testing.T) {
	m := newMachine(t, 1, majority(t, []int64{0, 1, 2}))
	start := m.Start(0, 0)
	loopback(m, start)

	out := m.Step(note(0, zk.Looking, 0, 0, 1, 0))
	assert.Empty(t, out.Messages, "0's vote is worse")
	assert.Nil(t, out.Decision)

	out = m.Step(note(0, zk.Following, 1, 0, 1, 0))
	require.NotNil(t, out.Decision)
	assert.Equal(t, Decision{Leader: 1, Zxid: 0, ElectionEpoch: 1, PeerEpoch: 0, State: zk.Leading, Path: PathLeaderNotification}, *out.Decision)
	assert.True(t, cancelled(out, NotificationTimer))
}

// FLEMalformedNotificationMessageTest's "invalid config": a notification
// whose config did not parse (Config nil) still counts.
func TestVoteWithUnparsableConfigCounts(t *testing.T) {
	m := newMachine(t, 0, majority(t, []int64{0, 1, 2}))
	loopback(m, m.Start(0, 0))

	n := note(1, zk.Looking, 1, 0, 1, 0)
	n.Config = nil
	out := m.Step(n)
	assert.Equal(t, int64(1), m.Proposal().Leader, "the vote was adopted")
	assert.Contains(t, m.ReceivedVotes(), int64(1))

	out = last(t, loopback(m, out))
	fin := armed(t, out, FinalizeTimer)
	out = m.Tick(FinalizeTimer, fin.Seq, true)
	require.NotNil(t, out.Decision, "the election finishes")
	assert.Equal(t, Decision{Leader: 1, Zxid: 0, ElectionEpoch: 1, PeerEpoch: 0, State: zk.Following, Path: PathFinalizeWindow}, *out.Decision)
}

// ZOOKEEPER-3537: a same-round FOLLOWING/LEADING notification is weighed
// with the round's LOOKING votes in recvset, whose leader check keeps the
// sender's state.
func TestSameRoundLeadingCountsLookingVotes(t *testing.T) {
	m := newMachine(t, 1, majority(t, []int64{1, 2, 3}))
	m.Start(5, 1)
	m.Step(note(1, zk.Looking, 3, 9, 1, 1)) // our loopback, after adopting 3

	out := m.Step(note(3, zk.Leading, 3, 9, 1, 1))
	require.NotNil(t, out.Decision, "recvset {1: LOOKING for 3, 3: LEADING} is a quorum with a leading leader")
	assert.Equal(t, Decision{Leader: 3, Zxid: 9, ElectionEpoch: 1, PeerEpoch: 1, State: zk.Following, Path: PathLeaderNotification}, *out.Decision)
	assert.Empty(t, m.OutOfElection(), "decided on recvset before outofelection was consulted")
	assert.Equal(t, zk.Leading, m.ReceivedVotes()[3].State)
	assert.Equal(t, int32(0), m.ReceivedVotes()[3].Version, "recvset entries carry version 0")

	// The same LEADING vote from another round reaches only outofelection,
	// where it is alone: no decision.
	m = newMachine(t, 1, majority(t, []int64{1, 2, 3}))
	m.Start(5, 1)
	m.Step(note(1, zk.Looking, 3, 9, 1, 1))
	out = m.Step(note(3, zk.Leading, 3, 9, 2, 1))
	assert.Nil(t, out.Decision)
	assert.Len(t, m.OutOfElection(), 1)
}

// Same round, but the named leader only says FOLLOWING: checkLeader fails.
func TestSameRoundNeedsLeaderToLead(t *testing.T) {
	m := newMachine(t, 1, majority(t, []int64{1, 2, 3}))
	m.Start(5, 1)
	m.Step(note(2, zk.Following, 3, 9, 1, 1))
	out := m.Step(note(3, zk.Following, 3, 9, 1, 1))
	assert.Nil(t, out.Decision)
	assert.Equal(t, zk.Looking, m.State())
}

// The decided vote keeps being what replies carry when the next round
// starts (leader lost), and the clock carries on from the decided round.
func TestStartAfterDecisionKeepsCurrentVote(t *testing.T) {
	m := newMachine(t, 1, majority(t, []int64{1, 2, 3}))
	m.Start(5, 1)
	m.Step(note(2, zk.Following, 3, 9, 6, 2))
	out := m.Step(note(3, zk.Leading, 3, 9, 6, 2))
	require.NotNil(t, out.Decision)
	decided := m.CurrentVote()
	assert.Equal(t, int64(6), decided.ElectionEpoch)

	out = m.Start(zk.MakeZxid(2, 3), 2)
	assert.Equal(t, zk.Looking, m.State())
	assert.Equal(t, int64(7), m.LogicalClock())
	assert.Equal(t, decided, m.CurrentVote())
	assert.Empty(t, m.ReceivedVotes())
	assert.Empty(t, m.OutOfElection())
	assert.Equal(t, int64(1), m.Proposal().Leader)
	assert.Equal(t, int64(7), out.Messages[0].ElectionEpoch)
}
