package fle

import (
	"github.com/zkfle/zkfle/quorum"
	"github.com/zkfle/zkfle/zk"
)

// The election's quorum checks are ZooKeeper's SyncedLearnerTracker
// (FastLeaderElection.getVoteTracker): a quorum.AckSet over the
// machine's quorum.JointConfig, so that during a reconfiguration the
// election must win in both the committed and the proposed configuration.
//
// The FOLLOWING/LEADING paths (receivedFollowing) build one per
// notification with trackVotes: their targets compare by Vote.Equal's
// state-dependent rules, and they are rare. The LOOKING path, which every
// notification of an election takes, uses the incremental ackIndex below.

// trackVotes builds an ack set over votes that acks every sid whose vote
// target considers equal (target is the receiver of Equal, as in Java).
func trackVotes(joint quorum.JointConfig, votes map[int64]Vote, target Vote) *quorum.AckSet {
	t := joint.NewAckSet()
	for sid, v := range votes {
		if target.Equal(v) {
			t.Add(sid)
		}
	}
	return t
}

// voteKey is the part of a vote that Vote.Equal compares when either side
// was cast while LOOKING: leader, zxid, round and peer epoch. For the
// LOOKING target of processLooking, Equal(target, v) holds exactly when
// the keys are equal, whatever v's state and version.
type voteKey struct {
	leader           int64
	zxid             zk.Zxid
	round, peerEpoch int64
}

func keyOf(v Vote) voteKey {
	return voteKey{leader: v.Leader, zxid: v.Zxid, round: v.ElectionEpoch, peerEpoch: v.PeerEpoch}
}

// ackIndex is the incremental form of trackVotes over recvset for LOOKING
// targets: for every distinct vote (voteKey) in recvset, the voters that
// cast it, one ack set per tracked verifier. Java rebuilds a tracker over
// the whole recvset for every notification; here a notification moves one
// sid from its old vote's sets to its new one's, and the quorum answer of
// each vote is kept until its sets change (a repeated vote costs two map
// lookups). Sets emptied by a new round are kept for reuse, so a long
// election allocates nothing per notification once its votes have been
// seen.
type ackIndex struct {
	joint  quorum.JointConfig
	byVote map[voteKey]*voteAcks
	spare  []*voteAcks
}

// voteAcks are one vote's ack sets and, if known, whether they form a
// quorum in every verifier.
type voteAcks struct {
	acks   quorum.AckSet // by value: one allocation less per vote
	known  bool
	quorum bool
}

func newAckIndex(joint quorum.JointConfig) *ackIndex {
	return &ackIndex{joint: joint, byVote: map[voteKey]*voteAcks{}}
}

// move records that sid's vote changed from old (if hadOld) to v.
func (x *ackIndex) move(sid int64, old Vote, hadOld bool, v Vote) {
	k := keyOf(v)
	if hadOld {
		ok := keyOf(old)
		if ok == k {
			return
		}
		if a, found := x.byVote[ok]; found {
			a.acks.Remove(sid)
			a.known = false
			if a.acks.Empty() {
				delete(x.byVote, ok)
				x.spare = append(x.spare, a)
			}
		}
	}
	a, found := x.byVote[k]
	if !found {
		a = x.newAcks()
		x.byVote[k] = a
	}
	a.acks.Add(sid)
	a.known = false
}

func (x *ackIndex) newAcks() *voteAcks {
	if n := len(x.spare); n > 0 {
		a := x.spare[n-1]
		x.spare = x.spare[:n-1]
		return a
	}
	return &voteAcks{acks: *x.joint.NewAckSet()}
}

// reset forgets every vote (recvset was cleared), keeping the sets for
// reuse.
func (x *ackIndex) reset() {
	for k, a := range x.byVote {
		a.acks.Clear()
		a.known = false
		x.spare = append(x.spare, a)
		delete(x.byVote, k)
	}
}

// hasAllQuorums reports whether the voters whose recvset vote has target's
// key form a quorum in every tracked verifier: trackVotes(recvset,
// target).HasAllQuorums() for a LOOKING target.
func (x *ackIndex) hasAllQuorums(target Vote) bool {
	a, ok := x.byVote[keyOf(target)]
	if !ok {
		return false
	}
	if !a.known {
		a.quorum, a.known = a.acks.HasAllQuorums(), true
	}
	return a.quorum
}
