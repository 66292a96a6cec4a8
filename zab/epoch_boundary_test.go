package zab

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/netbridge/quorumwire"
)

// pair relays one learner session's packets to a leader session over
// connection c and back, as a driver would (persisting first), until
// neither has anything more to say. It returns every Output of the
// leader, in order.
type pair struct {
	t       *testing.T
	l       *LeaderSession
	s       *LearnerSession
	c       ConnID
	learner []EpochWrite // the learner's writes, in order
	leader  []Output
}

func (p *pair) toLeader(out Output) {
	p.learner = append(p.learner, out.Persist...)
	for _, pk := range sendsTo(out, p.c) {
		lo := p.l.Received(p.c, pk)
		p.leader = append(p.leader, lo)
		p.toLearner(lo)
	}
}

func (p *pair) toLearner(out Output) {
	for _, pk := range sendsTo(out, p.c) {
		p.toLeader(p.s.Received(p.c, pk))
	}
}

func (p *pair) connect() {
	p.s.Start()
	require.Nil(p.t, p.l.Connected(p.c).Close)
	p.toLeader(p.s.Connected(p.c))
}

func leaderPersists(outs []Output) []EpochWrite {
	var ws []EpochWrite
	for _, o := range outs {
		ws = append(ws, o.Persist...)
	}
	return ws
}

// TestEpochEqualToProposalIsNotAPromise is the boundary case of discovery
// where a learner's acceptedEpoch equals the leader's proposal, both
// ways round:
//
//   - the learner connects while the leader's epoch is still open: its
//     acceptedEpoch lifts the proposal by one (getEpochToPropose's >=), so
//     the learner can promise the new epoch;
//   - the learner connects after the leader decided an epoch equal to its
//     acceptedEpoch (which it accepted from another leader): it writes
//     nothing and answers ACKEPOCH -1, and the leader does not count it,
//     since the learner's promise went to the other leader. Only a fresh
//     promise moves the leader on.
func TestEpochEqualToProposalIsNotAPromise(t *testing.T) {
	t.Run("open epoch: the proposal is lifted above the learner's", func(t *testing.T) {
		l := newLeader(t, LeaderConfig{ID: 1, Verifier: three(t), AcceptedEpoch: 0})
		l.Start()
		require.Equal(t, int64(1), l.Epoch())
		s := newLearner(t, LearnerConfig{ID: 2, LeaderID: 1, AcceptedEpoch: 1, CurrentEpoch: 0})
		p := &pair{t: t, l: l, s: s, c: 7}
		p.connect()
		assert.Equal(t, int64(2), l.Epoch(), "accepted 1 == proposal 1: the leader proposes 2")
		assert.Equal(t, []EpochWrite{{AcceptedEpochFile, 2}, {CurrentEpochFile, 2}}, p.learner,
			"the learner promises 2, then takes it as current from NEWLEADER")
		assert.Equal(t, []EpochWrite{{AcceptedEpochFile, 2}, {CurrentEpochFile, 2}}, leaderPersists(p.leader),
			"its fresh ACKEPOCH completes the quorum")
	})
	t.Run("decided epoch: an ACKEPOCH of -1 does not count", func(t *testing.T) {
		l := newLeader(t, LeaderConfig{ID: 1, Verifier: three(t), AcceptedEpoch: 0})
		l.Start()
		// Learner 3 connects first: {1, 3} decide epoch 1, and 3's
		// ACKEPOCH is still on its way.
		out := connect(t, l, 3, info(3, 0))
		require.Equal(t, []EpochWrite{{AcceptedEpochFile, 1}}, out.Persist)

		// Learner 2 accepted epoch 1 from another leader.
		s := newLearner(t, LearnerConfig{ID: 2, LeaderID: 1, AcceptedEpoch: 1, CurrentEpoch: 0})
		p := &pair{t: t, l: l, s: s, c: 7}
		p.connect()
		assert.Equal(t, int64(1), l.Epoch(), "the decided epoch stays")
		assert.Empty(t, p.learner, "equal epoch: the learner writes nothing")
		assert.Empty(t, leaderPersists(p.leader), "the -1 leaves the leader waiting: 1 and a -1 are no quorum")
		assert.Equal(t, int64(1), s.Epoch())

		out = l.Received(3, quorumwire.NewAckEpochPacket(0, 0))
		assert.Equal(t, []EpochWrite{{CurrentEpochFile, 1}}, out.Persist, "3's fresh promise completes the quorum")
		assert.Equal(t, []quorumwire.PacketType{quorumwire.Diff, quorumwire.NewLeader}, typesTo(out, 7), "and 2, waiting, is synced too")
	})
}
