package fle

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/quorum"
	"github.com/zkfle/zkfle/zk"
)

// z is FLEOutOfElectionTest's shorthand for a zxid.
func z(epoch, counter int64) zk.Zxid { return zk.MakeZxid(epoch, counter) }

// The five cases of FLEOutOfElectionTest: 5 voters (0-4), tracker asked
// directly.
func TestVoteTrackerOutOfElectionCases(t *testing.T) {
	v := majority(t, []int64{0, 1, 2, 3, 4})
	tests := []struct {
		name   string
		votes  map[int64]Vote
		target Vote
		want   bool
	}{
		{
			"ignoring zxid and election epoch",
			map[int64]Vote{
				0: {Version: 1, Leader: 4, Zxid: z(1, 1), ElectionEpoch: 1, PeerEpoch: 2, State: zk.Following},
				1: {Version: 1, Leader: 4, Zxid: z(1, 2), ElectionEpoch: 1, PeerEpoch: 2, State: zk.Following},
				3: {Version: 1, Leader: 4, Zxid: z(2, 1), ElectionEpoch: 2, PeerEpoch: 2, State: zk.Following},
				4: {Version: 1, Leader: 4, Zxid: z(2, 1), ElectionEpoch: 2, PeerEpoch: 2, State: zk.Leading},
			},
			Vote{Version: 0, Leader: 4, Zxid: z(2, 1), ElectionEpoch: 2, PeerEpoch: 2, State: zk.Following},
			true,
		},
		{
			"election with different versions",
			map[int64]Vote{
				0: {Version: 1, Leader: 4, Zxid: z(1, 1), ElectionEpoch: 1, PeerEpoch: 1, State: zk.Following},
				1: {Version: 1, Leader: 4, Zxid: z(1, 1), ElectionEpoch: 1, PeerEpoch: 1, State: zk.Following},
				3: {Version: 0, Leader: 4, Zxid: z(2, 1), ElectionEpoch: 2, PeerEpoch: 2, State: zk.Following},
				4: {Version: 0, Leader: 4, Zxid: z(2, 1), ElectionEpoch: 2, PeerEpoch: 2, State: zk.Leading},
			},
			Vote{Version: 0, Leader: 4, Zxid: z(2, 1), ElectionEpoch: 2, PeerEpoch: 2, State: zk.Following},
			true,
		},
		{
			"looking normal",
			map[int64]Vote{
				0: {Leader: 4, Zxid: z(2, 1), ElectionEpoch: 1, PeerEpoch: 1, State: zk.Looking},
				1: {Leader: 4, Zxid: z(2, 1), ElectionEpoch: 1, PeerEpoch: 1, State: zk.Looking},
				3: {Leader: 4, Zxid: z(2, 1), ElectionEpoch: 1, PeerEpoch: 1, State: zk.Looking},
				4: {Leader: 4, Zxid: z(2, 1), ElectionEpoch: 1, PeerEpoch: 1, State: zk.Leading},
			},
			Vote{Leader: 4, Zxid: z(2, 1), ElectionEpoch: 1, PeerEpoch: 1, State: zk.Looking},
			true,
		},
		{
			"looking, different rounds",
			map[int64]Vote{
				0: {Leader: 4, Zxid: z(1, 1), ElectionEpoch: 1, PeerEpoch: 1, State: zk.Looking},
				1: {Leader: 4, Zxid: z(2, 1), ElectionEpoch: 2, PeerEpoch: 2, State: zk.Looking},
				3: {Leader: 4, Zxid: z(2, 1), ElectionEpoch: 3, PeerEpoch: 2, State: zk.Looking},
				4: {Leader: 4, Zxid: z(2, 1), ElectionEpoch: 3, PeerEpoch: 2, State: zk.Leading},
			},
			Vote{Leader: 4, Zxid: z(2, 1), ElectionEpoch: 2, PeerEpoch: 2, State: zk.Looking},
			false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, trackVotes(quorum.NewJointConfig(v, nil), tt.votes, tt.target).HasAllQuorums())
		})
	}
}

// testOutofElection: sid 5 leads but is not a voter of the local view
// (local id 3, clock 1); it is not counted, yet 1, 2 and 4 form a quorum
// and checkLeader accepts the LEADING vote from another round.
func TestVoteTrackerOutOfElectionLeaderNotCounted(t *testing.T) {
	v := majority(t, []int64{0, 1, 2, 3, 4})
	outofelection := map[int64]Vote{
		1: {Version: 0, Leader: 5, Zxid: z(15, 0), ElectionEpoch: 0xa, PeerEpoch: 0x17, State: zk.Following},
		2: {Version: 0, Leader: 5, Zxid: z(15, 0), ElectionEpoch: 0xa, PeerEpoch: 0x17, State: zk.Following},
		4: {Version: 1, Leader: 5, Zxid: z(15, 0), ElectionEpoch: 0xa, PeerEpoch: 0x18, State: zk.Following},
		5: {Version: 1, Leader: 5, Zxid: z(15, 0), ElectionEpoch: 0xa, PeerEpoch: 0x18, State: zk.Leading},
	}
	target := outofelection[5]
	tr := trackVotes(quorum.NewJointConfig(v, nil), outofelection, target)
	assert.True(t, tr.HasAllQuorums())
	assert.Equal(t, map[int64]struct{}{1: {}, 2: {}, 4: {}}, tr.Acks(0), "only voters ack; 1 and 2 match on leader alone")

	m := &Machine{id: 3, committed: v, logicalClock: 1}
	assert.True(t, m.checkLeader(outofelection, 5, 0xa))
}

func TestVoteTrackerNeedsQuorumInBothConfigs(t *testing.T) {
	committed := majorityV(t, 1, []int64{1, 2, 3})
	next := majorityV(t, 2, []int64{3, 4, 5})
	vote := Vote{Leader: 3, Zxid: 1, ElectionEpoch: 1, PeerEpoch: 1, State: zk.Looking}
	votes := map[int64]Vote{1: vote, 2: vote}

	assert.False(t, trackVotes(quorum.NewJointConfig(committed, next), votes, vote).HasAllQuorums(), "a quorum of the old config only")
	votes[4], votes[5] = vote, vote
	assert.True(t, trackVotes(quorum.NewJointConfig(committed, next), votes, vote).HasAllQuorums())

	stale := majorityV(t, 1, []int64{3, 4, 5})
	assert.True(t, trackVotes(quorum.NewJointConfig(committed, stale), map[int64]Vote{1: vote, 2: vote}, vote).HasAllQuorums(),
		"a last-seen config that is not newer is not consulted")
}

func TestVoteTrackerHasSid(t *testing.T) {
	tr := quorum.NewJointConfig(majorityV(t, 1, []int64{1, 2, 3}, 9), majorityV(t, 2, []int64{2, 3, 4})).NewAckSet()
	assert.True(t, tr.HasSid(2))
	assert.False(t, tr.HasSid(1), "not a voter of the proposed config")
	assert.False(t, tr.HasSid(9), "an observer")
}

func TestCheckLeader(t *testing.T) {
	m := &Machine{id: 1, logicalClock: 3}
	votes := map[int64]Vote{
		2: {Leader: 2, State: zk.Leading},
		3: {Leader: 2, State: zk.Following},
	}
	assert.True(t, m.checkLeader(votes, 2, 1), "another leader that says it leads, any round")
	assert.False(t, m.checkLeader(votes, 3, 1), "the named leader is only following")
	assert.False(t, m.checkLeader(votes, 4, 1), "no vote from the named leader")
	assert.True(t, m.checkLeader(votes, 1, 3), "ourselves, in our round")
	assert.False(t, m.checkLeader(votes, 1, 2), "ourselves, in an old round (ZOOKEEPER-1514)")
}

// The incremental index answers exactly as a tracker rebuilt over recvset
// (Java's way) for LOOKING targets, whatever sequence of votes, vote
// changes and new rounds comes, in a reconfiguration too.
func TestAckIndexMatchesRebuiltTracker(t *testing.T) {
	committed := majorityV(t, 1, []int64{1, 2, 3, 4, 5}, 9)
	next := majorityV(t, 2, []int64{3, 4, 5, 6})
	r := rand.New(rand.NewPCG(7, 7))
	for _, lastSeen := range []quorum.Verifier{nil, next} {
		joint := quorum.NewJointConfig(committed, lastSeen)
		x := newAckIndex(joint)
		votes := map[int64]Vote{}
		for step := range 5000 {
			if r.IntN(50) == 0 {
				clear(votes)
				x.reset()
			}
			sid := int64(1 + r.IntN(9))
			v := Vote{Leader: int64(1 + r.IntN(3)), Zxid: zk.Zxid(r.IntN(2)), ElectionEpoch: int64(r.IntN(2)), PeerEpoch: 1,
				State: []zk.ServerState{zk.Looking, zk.Following, zk.Leading}[r.IntN(3)]}
			old, had := votes[sid]
			votes[sid] = v
			x.move(sid, old, had, v)
			target := Vote{Leader: int64(1 + r.IntN(3)), Zxid: zk.Zxid(r.IntN(2)), ElectionEpoch: int64(r.IntN(2)), PeerEpoch: 1, State: zk.Looking}
			want := trackVotes(joint, votes, target).HasAllQuorums()
			require.Equal(t, want, x.hasAllQuorums(target), "step %d, votes %v, target %+v", step, votes, target)
		}
	}
}
