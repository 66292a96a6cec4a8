package fle

import "github.com/zkfle/zkfle/quorum"

// voteTracker is ZooKeeper's SyncedLearnerTracker as the election uses it
// (FastLeaderElection.getVoteTracker): one ack set per quorum verifier, and
// a quorum only when every verifier has one. During a reconfiguration the
// election must win in both the committed and the proposed configuration.
type voteTracker struct {
	verifiers []quorum.Verifier
	acks      []map[int64]struct{}
}

// newVoteTracker tracks the committed verifier and, if it is newer, the
// last-seen (proposed) one. A last-seen verifier whose version is not
// greater is a leftover of a finished reconfig and is not consulted.
func newVoteTracker(committed, lastSeen quorum.Verifier) *voteTracker {
	t := &voteTracker{}
	t.add(committed)
	if lastSeen != nil && lastSeen.Version() > committed.Version() {
		t.add(lastSeen)
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
