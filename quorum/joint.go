package quorum

import "slices"

// JointConfig is the committed configuration together with the last-seen
// (proposed) one, if any: the pair a ZooKeeper server reads from
// QuorumPeer.getQuorumVerifier and getLastSeenQuorumVerifier during a
// reconfiguration. It is named after etcd's quorum.JointConfig and does
// for zkfle what ZooKeeper spreads over QuorumPeer and
// SyncedLearnerTracker, so the election (fle) and Zab's leader (zab)
// apply the same two rules, which ZooKeeper keeps apart on purpose:
//
//   - Quorums (Verifiers, HasAllQuorums, AckSet): the last-seen verifier
//     counts only when its version is greater than the committed one's
//     (FastLeaderElection.getVoteTracker, Leader.newLeaderProposal). One
//     that is not newer is a leftover of a finished reconfig.
//   - Membership (IsVoter, VotingMembers, Server, Views): any last-seen
//     verifier counts, whatever its version
//     (QuorumPeer.getCurrentAndNextConfigVoters, QuorumCnxManager's
//     lastProposedView): a server named only there may still be dialled,
//     answered and followed.
//
// A JointConfig is an immutable value, safe to share between goroutines.
// The zero value has no committed verifier and must not be used.
type JointConfig struct {
	committed Verifier
	lastSeen  Verifier   // as given; nil when there is none
	verifiers []Verifier // committed, then lastSeen when newer
}

// NewJointConfig pairs the committed verifier with the last-seen one
// (nil when no reconfig was seen). committed must not be nil: every caller
// has validated its configuration before, so a nil is a programming error
// and panics.
func NewJointConfig(committed, lastSeen Verifier) JointConfig {
	if committed == nil {
		panic("quorum: NewJointConfig needs a committed verifier")
	}
	j := JointConfig{committed: committed, lastSeen: lastSeen, verifiers: []Verifier{committed}}
	if lastSeen != nil && lastSeen.Version() > committed.Version() {
		j.verifiers = append(j.verifiers, lastSeen)
	}
	return j
}

// Committed returns the committed verifier.
func (j JointConfig) Committed() Verifier { return j.committed }

// LastSeen returns the last-seen verifier as given, nil when there is
// none, whether or not it is newer.
func (j JointConfig) LastSeen() Verifier { return j.lastSeen }

// Verifiers returns the verifiers whose quorums count: the committed one,
// then the last-seen one if its version is greater. Callers must not
// modify the slice.
func (j JointConfig) Verifiers() []Verifier { return j.verifiers }

// Joint reports whether a reconfiguration is in play, that is whether a
// quorum must be found in two verifiers.
func (j JointConfig) Joint() bool { return len(j.verifiers) > 1 }

// Views returns the committed verifier, then the last-seen one if there
// is one (of any version): the configurations a member may be named in.
func (j JointConfig) Views() []Verifier {
	if j.lastSeen == nil {
		return []Verifier{j.committed}
	}
	return []Verifier{j.committed, j.lastSeen}
}

// IsVoter reports whether id is a voting member of the committed or of
// any last-seen verifier (QuorumPeer.getCurrentAndNextConfigVoters). The
// election answers a notification from anyone else instead of counting it.
func (j JointConfig) IsVoter(id int64) bool {
	return j.committed.IsVoter(id) || (j.lastSeen != nil && j.lastSeen.IsVoter(id))
}

// IsVoterInAll reports whether id votes in every verifier whose quorums
// count (SyncedLearnerTracker.hasSid): a leader reports a voter of its
// election that went back to LOOKING only then.
func (j JointConfig) IsVoterInAll(id int64) bool {
	for _, v := range j.verifiers {
		if !v.IsVoter(id) {
			return false
		}
	}
	return true
}

// VotingMembers returns the ids IsVoter accepts, ascending, each once.
func (j JointConfig) VotingMembers() []int64 {
	ids := j.committed.VotingMembers()
	if j.lastSeen != nil {
		ids = append(ids, j.lastSeen.VotingMembers()...)
		slices.Sort(ids)
		ids = slices.Compact(ids)
	}
	return ids
}

// Server looks id up in the committed verifier, then in the last-seen one
// (of any version): where a server's addresses and role are read from.
func (j JointConfig) Server(id int64) (Server, bool) {
	if s, ok := j.committed.Server(id); ok {
		return s, true
	}
	if j.lastSeen != nil {
		return j.lastSeen.Server(id)
	}
	return Server{}, false
}

// HasAllQuorums reports whether acks hold a quorum of every verifier whose
// quorums count (SyncedLearnerTracker.hasAllQuorums). Each verifier
// ignores the ids in acks that do not vote in it, as Java's tracker never
// adds them to that verifier's set.
func (j JointConfig) HasAllQuorums(acks map[int64]struct{}) bool {
	for _, v := range j.verifiers {
		if !v.ContainsQuorum(acks) {
			return false
		}
	}
	return true
}
