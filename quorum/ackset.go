package quorum

import "maps"

// AckSet is ZooKeeper's SyncedLearnerTracker: one set of acknowledging
// sids per verifier of a JointConfig whose quorums count, and a quorum only
// when every one of them holds one. During a reconfiguration an election,
// or a leader's NEWLEADER round, must win in both the committed and the
// proposed configuration.
//
// A sid is added only to the sets of the verifiers in which it votes, so
// each set holds voters only and its size is what Java's tracker would
// hold. An AckSet is not safe for concurrent use. A copy of one shares
// its sets with the original, so keep one of the two (fle's ackIndex
// stores the value NewAckSet points to, saving an allocation per vote).
type AckSet struct {
	verifiers []Verifier
	sets      []map[int64]struct{}
	size      int // sids added and not removed, counted once each
}

// NewAckSet returns an empty ack set over j's verifiers.
func (j JointConfig) NewAckSet() *AckSet {
	a := &AckSet{verifiers: j.verifiers, sets: make([]map[int64]struct{}, len(j.verifiers))}
	for i := range a.sets {
		a.sets[i] = map[int64]struct{}{}
	}
	return a
}

// Add records sid's acknowledgement in the set of every verifier in which
// sid votes (SyncedLearnerTracker.addAck); a non-voter's counts nowhere.
func (a *AckSet) Add(sid int64) {
	added := false
	for i, v := range a.verifiers {
		if v.IsVoter(sid) {
			if _, dup := a.sets[i][sid]; !dup {
				a.sets[i][sid] = struct{}{}
				added = true
			}
		}
	}
	if added {
		a.size++
	}
}

// Remove takes sid's acknowledgement back from every set.
func (a *AckSet) Remove(sid int64) {
	removed := false
	for _, s := range a.sets {
		if _, ok := s[sid]; ok {
			delete(s, sid)
			removed = true
		}
	}
	if removed {
		a.size--
	}
}

// Empty reports whether no voter's acknowledgement is recorded.
func (a *AckSet) Empty() bool { return a.size == 0 }

// Clear forgets every acknowledgement, keeping the sets' memory for reuse.
func (a *AckSet) Clear() {
	for _, s := range a.sets {
		clear(s)
	}
	a.size = 0
}

// HasAllQuorums reports whether every verifier's set is a quorum of it
// (SyncedLearnerTracker.hasAllQuorums).
func (a *AckSet) HasAllQuorums() bool {
	for i, v := range a.verifiers {
		if !v.ContainsQuorum(a.sets[i]) {
			return false
		}
	}
	return true
}

// HasSid reports whether sid votes in every tracked verifier
// (SyncedLearnerTracker.hasSid), acknowledged or not.
func (a *AckSet) HasSid(sid int64) bool {
	for _, v := range a.verifiers {
		if !v.IsVoter(sid) {
			return false
		}
	}
	return true
}

// Acks returns a copy of the acknowledgements recorded for the i-th
// verifier of JointConfig.Verifiers (SyncedLearnerTracker's
// ackSetsToString prints them per verifier).
func (a *AckSet) Acks(i int) map[int64]struct{} { return maps.Clone(a.sets[i]) }
