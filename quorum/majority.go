package quorum

import "strings"

// Majority is ZooKeeper's QuorumMaj: a quorum is more than half of the
// participants. Observers are members but never count.
type Majority struct {
	membership
	text string
}

var _ Verifier = (*Majority)(nil)

// NewMajority builds a majority verifier over the given members (voters
// and observers). It rejects duplicate sids, invalid servers (bad host or
// port, equal quorum and election ports, unknown learner type, an address
// listed twice) and a negative version. Servers may have no Addrs (Java
// allows that for in-process tests); such a verifier prints
// "server.N=:participant", which ParseConfig, like Java, rejects.
//
// The order of servers only matters for String(): sids that share a Java
// HashMap bucket (1 and 17, say) print in the order given, standing for
// the order Java met their server keys in.
func NewMajority(servers []Server, version int64) (*Majority, error) {
	ms, err := newMembership(servers, version)
	if err != nil {
		return nil, err
	}
	return newMajority(ms), nil
}

func newMajority(ms membership) *Majority {
	m := &Majority{membership: ms}
	var sb strings.Builder
	m.writeServerLines(&sb)
	m.writeVersionLine(&sb)
	m.text = sb.String()
	return m
}

// Weight is 1 for every id, member or not (QuorumMaj.getWeight).
func (m *Majority) Weight(int64) (int64, bool) { return 1, true }

// ContainsQuorum reports whether more than half of the participants
// (integer division, as Java's half = size/2) are in acks. Acks from
// observers and non-members are ignored, as Java's SyncedLearnerTracker
// never adds them.
func (m *Majority) ContainsQuorum(acks map[int64]struct{}) bool {
	return m.countVoters(acks) > len(m.voters)/2
}

// String returns exactly what QuorumMaj.toString() prints; it is computed
// once, at construction.
func (m *Majority) String() string { return m.text }

// Equal is QuorumMaj.equals: other must be a *Majority too; then the same
// version means equal (whatever the members), and otherwise the member
// maps must match server by server (QuorumServer.equals).
func (m *Majority) Equal(other Verifier) bool {
	o, ok := other.(*Majority)
	if !ok || o == nil {
		return false
	}
	return o.version == m.version || m.sameMembers(&o.membership)
}
