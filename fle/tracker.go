package fle

import "github.com/zkfle/zkfle/quorum"

// voteTracker is ZooKeeper's SyncedLearnerTracker as the election uses it
// (FastLeaderElection.getVoteTracker): one ack set per quorum verifier, and
// a quorum only when every verifier has one. During a reconfiguration the
// election must win in both the committed and the proposed configuration.
//
// The FOLLOWING/LEADING paths (receivedFollowing) build one per
// notification with trackVotes: their targets compare by Vote.Equal's
// state-dependent rules, and they are rare. The LOOKING path, which every
// notification of an election takes, uses the incremental ackIndex below.
type voteTracker struct {
	verifiers []quorum.Verifier
	acks      []map[int64]struct{}
}

// trackedVerifiers returns the committed verifier and, if it is newer, the
// last-seen (proposed) one. A last-seen verifier whose version is not
// greater is a leftover of a finished reconfig and is not consulted.
func trackedVerifiers(committed, lastSeen quorum.Verifier) []quorum.Verifier {
	if lastSeen != nil && lastSeen.Version() > committed.Version() {
		return []quorum.Verifier{committed, lastSeen}
	}
	return []quorum.Verifier{committed}
}

// newVoteTracker tracks the verifiers trackedVerifiers names, with empty
// ack sets.
func newVoteTracker(committed, lastSeen quorum.Verifier) *voteTracker {
	t := &voteTracker{}
	for _, v := range trackedVerifiers(committed, lastSeen) {
		t.add(v)
	}
	return t
}

func (t *voteTracker) add(v quorum.Verifier) {
	t.verifiers = append(t.verifiers, v)
	t.acks = append(t.acks, make(map[int64]struct{}))
}

// addAck records sid's agreement in the ack set of every verifier in which
// sid votes; a non-voter's agreement counts nowhere.
func (t *voteTracker) addAck(sid int64) {
	for i, v := range t.verifiers {
		if v.IsVoter(sid) {
			t.acks[i][sid] = struct{}{}
		}
	}
}

// hasAllQuorums reports whether every tracked verifier sees a quorum.
func (t *voteTracker) hasAllQuorums() bool {
	for i, v := range t.verifiers {
		if !v.ContainsQuorum(t.acks[i]) {
			return false
		}
	}
	return true
}

// hasSid reports whether sid votes in every tracked verifier (Java's
// SyncedLearnerTracker.hasSid), which is what a leader asks before it
// reports a voter of its election that went back to LOOKING.
func (t *voteTracker) hasSid(sid int64) bool {
	for _, v := range t.verifiers {
		if !v.IsVoter(sid) {
			return false
		}
	}
	return true
}

// trackVotes builds the tracker over votes and acks every sid whose vote
// target considers equal (target is the receiver of Equal, as in Java).
func trackVotes(committed, lastSeen quorum.Verifier, votes map[int64]Vote, target Vote) *voteTracker {
	t := newVoteTracker(committed, lastSeen)
	for sid, v := range votes {
		if target.Equal(v) {
			t.addAck(sid)
		}
	}
	return t
}

// voteKey is the part of a vote that Vote.Equal compares when either side
// was cast while LOOKING: leader, zxid, round and peer epoch. For the
// LOOKING target of processLooking, Equal(target, v) holds exactly when
// the keys are equal, whatever v's state and version.
type voteKey struct {
	leader, zxid, round, peerEpoch int64
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
	verifiers []quorum.Verifier
	byVote    map[voteKey]*voteAcks
	spare     []*voteAcks
}

// voteAcks are one vote's ack sets and, if known, whether they form a
// quorum in every verifier.
type voteAcks struct {
	sets   []map[int64]struct{}
	known  bool
	quorum bool
}

func newAckIndex(committed, lastSeen quorum.Verifier) *ackIndex {
	return &ackIndex{verifiers: trackedVerifiers(committed, lastSeen), byVote: map[voteKey]*voteAcks{}}
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
			empty := true
			for _, s := range a.sets {
				delete(s, sid)
				empty = empty && len(s) == 0
			}
			a.known = false
			if empty {
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
	for i, vf := range x.verifiers {
		if vf.IsVoter(sid) {
			a.sets[i][sid] = struct{}{}
		}
	}
	a.known = false
}

func (x *ackIndex) newAcks() *voteAcks {
	if n := len(x.spare); n > 0 {
		a := x.spare[n-1]
		x.spare = x.spare[:n-1]
		return a
	}
	a := &voteAcks{sets: make([]map[int64]struct{}, len(x.verifiers))}
	for i := range a.sets {
		a.sets[i] = map[int64]struct{}{}
	}
	return a
}

// reset forgets every vote (recvset was cleared), keeping the sets for
// reuse.
func (x *ackIndex) reset() {
	for k, a := range x.byVote {
		for _, s := range a.sets {
			clear(s)
		}
		a.known = false
		x.spare = append(x.spare, a)
		delete(x.byVote, k)
	}
}

// hasAllQuorums reports whether the voters whose recvset vote has target's
// key form a quorum in every tracked verifier: trackVotes(recvset,
// target).hasAllQuorums() for a LOOKING target.
func (x *ackIndex) hasAllQuorums(target Vote) bool {
	a, ok := x.byVote[keyOf(target)]
	if !ok {
		return false
	}
	if !a.known {
		a.quorum, a.known = true, true
		for i, v := range x.verifiers {
			if !v.ContainsQuorum(a.sets[i]) {
				a.quorum = false
				break
			}
		}
	}
	return a.quorum
}
