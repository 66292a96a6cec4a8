package fle

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/zk"
)

// A server that does not stand for leader starts its round with the
// non-participant vote, the one ZooKeeper's observers send.
func TestNonCandidateInitialVoteIsNonParticipant(t *testing.T) {
	m := newMachine(t, 3, majority(t, []int64{1, 2, 3}))
	m.SetCandidate(false)
	require.False(t, m.Candidate())
	out := m.Start(zk.MakeZxid(5, 9), 5)
	require.Len(t, out.Messages, 3)
	for _, msg := range out.Messages {
		assert.Equal(t, zk.Looking, msg.State)
		assert.Equal(t, MinValue, msg.Leader, "to %d", msg.To)
		assert.Equal(t, zk.Zxid(MinValue), msg.Zxid)
		assert.Equal(t, MinValue, msg.PeerEpoch)
		assert.Equal(t, int64(1), msg.ElectionEpoch)
	}
}

// The others drop the non-participant vote (its leader is no voter) but
// still answer a sender in an older round, so it learns their votes.
func TestNonParticipantVoteDroppedButAnswered(t *testing.T) {
	m := newMachine(t, 1, majority(t, []int64{1, 2, 3}))
	m.Start(zk.MakeZxid(1, 1), 1)
	m.Start(zk.MakeZxid(1, 1), 1) // round 2
	out := m.Step(note(3, zk.Looking, MinValue, zk.Zxid(MinValue), 1, MinValue))
	assert.Equal(t, []string{DropLeaderNotVoter}, reasons(out))
	require.Len(t, messagesTo(out, 3), 1, "a sender in an older round is answered")
	assert.Equal(t, int64(1), messagesTo(out, 3)[0].Leader)
	assert.Empty(t, m.ReceivedVotes(), "the vote does not count")
}

// A non-candidate adopts better votes for others, never one for itself.
func TestNonCandidateDoesNotAdoptItself(t *testing.T) {
	m := newMachine(t, 3, majority(t, []int64{1, 2, 3}))
	m.SetCandidate(false)
	m.Start(zk.MakeZxid(5, 9), 5)

	// 1 and 2 both vote for 3 (they saw its vote before the fault): no
	// quorum forms around 3 here, and 3 keeps proposing nobody.
	out := m.Step(note(1, zk.Looking, 3, zk.MakeZxid(5, 9), 1, 5))
	assert.Empty(t, out.Messages, "no new proposal")
	m.Step(note(2, zk.Looking, 3, zk.MakeZxid(5, 9), 1, 5))
	assert.Equal(t, MinValue, m.Proposal().Leader)
	assert.Equal(t, zk.Looking, m.State())

	// A vote for 2 is adopted and sent to everyone.
	out = m.Step(note(2, zk.Looking, 2, zk.MakeZxid(5, 3), 1, 5))
	require.Len(t, out.Messages, 3)
	assert.Equal(t, int64(2), m.Proposal().Leader)

	// Joining a newer round that names us: not adopted either.
	out = m.Step(note(1, zk.Looking, 3, zk.MakeZxid(5, 9), 7, 5))
	assert.Equal(t, int64(7), m.LogicalClock())
	assert.Equal(t, MinValue, m.Proposal().Leader)
	for _, msg := range out.Messages {
		assert.Equal(t, MinValue, msg.Leader)
	}
}

// FOLLOWING/LEADING notifications naming a non-candidate never make it
// lead; it can still follow.
func TestNonCandidateNeverLeadsFromOutOfElection(t *testing.T) {
	m := newMachine(t, 3, majority(t, []int64{1, 2, 3}))
	m.SetCandidate(false)
	m.Start(zk.MakeZxid(5, 9), 5)
	m.Step(note(1, zk.Following, 3, zk.MakeZxid(5, 9), 1, 5))
	out := m.Step(note(2, zk.Following, 3, zk.MakeZxid(5, 9), 1, 5))
	assert.Nil(t, out.Decision)
	assert.Equal(t, zk.Looking, m.State())

	m.Step(note(1, zk.Following, 2, zk.MakeZxid(5, 3), 1, 5))
	out = m.Step(note(2, zk.Leading, 2, zk.MakeZxid(5, 3), 1, 5))
	require.NotNil(t, out.Decision)
	assert.Equal(t, zk.Following, out.Decision.State)
	assert.Equal(t, int64(2), out.Decision.Leader)
}

// Candidacy withdrawn mid-round with a quorum already on our own vote:
// the finalize window closes without a decision.
func TestNonCandidateFinalizeDoesNotLead(t *testing.T) {
	m := newMachine(t, 3, majority(t, []int64{1, 2, 3}))
	out := m.Start(zk.MakeZxid(5, 9), 5)
	loopback(m, out)
	out = m.Step(note(1, zk.Looking, 3, zk.MakeZxid(5, 9), 1, 5))
	fin := armed(t, out, FinalizeTimer)
	m.SetCandidate(false)
	out = m.Tick(FinalizeTimer, fin.Seq, true)
	assert.Nil(t, out.Decision)
	assert.Equal(t, zk.Looking, m.State())
	armed(t, out, NotificationTimer)
}

// The rule end to end: the server with the best data does not stand, and
// the others elect the best of the rest; it follows that one. Once it
// stands again, a new election makes it the leader.
func TestEnsembleElectsBestCandidate(t *testing.T) {
	v := majority(t, []int64{1, 2, 3})
	e := newEnsemble(t, v, 1, 2, 3)
	data := map[int64]zk.Zxid{1: zk.MakeZxid(4, 1), 2: zk.MakeZxid(4, 2), 3: zk.MakeZxid(4, 9)}
	e.machines[3].SetCandidate(false)
	for _, id := range e.order {
		e.start(id, data[id], 4)
	}
	e.run()
	for _, id := range e.order {
		assert.Equal(t, int64(2), e.machines[id].CurrentVote().Leader, "sid %d", id)
	}
	assert.Equal(t, zk.Leading, e.machines[2].State())
	assert.Equal(t, zk.Following, e.machines[1].State())
	assert.Equal(t, zk.Following, e.machines[3].State())

	// Healthy again: everyone looks again and 3 wins.
	e.machines[3].SetCandidate(true)
	for _, id := range e.order {
		e.start(id, data[id], 4)
	}
	e.run()
	assert.Equal(t, zk.Leading, e.machines[3].State())
}
