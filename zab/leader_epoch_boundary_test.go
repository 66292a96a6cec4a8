package zab

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLeaderEpochProposalLiftedPastEqualAccepted is the boundary of
// getEpochToPropose: a learner whose acceptedEpoch equals the epoch the
// leader is about to propose has already promised that epoch (perhaps to
// another leader), so the proposal must move past it. Proposing it again
// would make the learner answer ACKEPOCH -1, which does not count, and
// two leaders could then hold the same epoch. (Issue 13: with ">" for
// ">=" every other test of ./zab passed.)
func TestLeaderEpochProposalLiftedPastEqualAccepted(t *testing.T) {
	l := newLeader(t, LeaderConfig{ID: 1, Verifier: ensemble(t, []int64{1, 2, 3}), AcceptedEpoch: 3, CurrentEpoch: 3})
	l.Start()
	require.Equal(t, int64(4), l.Epoch(), "the leader proposes its acceptedEpoch + 1 for itself")
	out := connect(t, l, 1, info(2, 4))
	assert.Equal(t, []EpochWrite{{AcceptedEpochFile, 5}}, out.Persist, "the proposal moves past the learner's accepted 4")
	assert.Equal(t, []Packet{NewZkfleLeaderInfoPacket(5)}, sendsTo(out, 1))
	assert.Equal(t, int64(5), l.Epoch())
}
