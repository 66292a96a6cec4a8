package quorum

import (
	"slices"
	"strconv"
	"strings"
)

// membership is what every verifier has: a version and its members
// (QuorumVerifier's allMembers, votingMembers and observingMembers). It
// is immutable after newMembership; accessors hand out copies.
type membership struct {
	version int64
	byID    map[int64]*member
	ids     []int64 // ascending
	// putOrder is the order the servers were given in, which stands for
	// the order Java put them into its allMembers HashMap; it decides
	// the printed order of sids that share a HashMap bucket.
	putOrder  []int64
	voters    []int64 // ascending
	observers []int64 // ascending
}

// newMembership validates the servers and the version.
func newMembership(servers []Server, version int64) (membership, error) {
	members := make([]*member, 0, len(servers))
	for _, s := range servers {
		m, err := newMember(s)
		if err != nil {
			return membership{}, &ServerError{ID: s.ID, Err: err}
		}
		members = append(members, m)
	}
	return buildMembership(members, version)
}

// buildMembership checks the version and that no sid repeats.
func buildMembership(members []*member, version int64) (membership, error) {
	if version < 0 {
		return membership{}, wrapf(ErrBadVersion, "version %d is negative", version)
	}
	ms := membership{
		version:  version,
		byID:     make(map[int64]*member, len(members)),
		putOrder: make([]int64, 0, len(members)),
	}
	for _, m := range members {
		id := m.server.ID
		if _, dup := ms.byID[id]; dup {
			return membership{}, &ServerError{ID: id, Err: wrapf(ErrDuplicateServer, "sid %d listed twice", id)}
		}
		ms.byID[id] = m
		ms.putOrder = append(ms.putOrder, id)
	}
	ms.ids = slices.Sorted(slices.Values(ms.putOrder))
	for _, id := range ms.ids {
		if ms.byID[id].server.Type == Participant {
			ms.voters = append(ms.voters, id)
		} else {
			ms.observers = append(ms.observers, id)
		}
	}
	return ms, nil
}

// Version returns the configuration version.
func (ms *membership) Version() int64 { return ms.version }

// Servers returns a copy of every member, sorted by ID.
func (ms *membership) Servers() []Server {
	out := make([]Server, 0, len(ms.ids))
	for _, id := range ms.ids {
		out = append(out, ms.byID[id].server.clone())
	}
	return out
}

// Server returns a copy of the member with the given id.
func (ms *membership) Server(id int64) (Server, bool) {
	m, ok := ms.byID[id]
	if !ok {
		return Server{}, false
	}
	return m.server.clone(), true
}

// VotingMembers returns the participants' ids, ascending.
func (ms *membership) VotingMembers() []int64 { return slices.Clone(ms.voters) }

// ObservingMembers returns the observers' ids, ascending.
func (ms *membership) ObservingMembers() []int64 { return slices.Clone(ms.observers) }

// IsVoter reports whether id is a participant.
func (ms *membership) IsVoter(id int64) bool {
	m, ok := ms.byID[id]
	return ok && m.server.Type == Participant
}

// countVoters counts the ids in acks that are participants.
func (ms *membership) countVoters(acks map[int64]struct{}) int {
	n := 0
	for id := range acks {
		if ms.IsVoter(id) {
			n++
		}
	}
	return n
}

// writeServerLines writes "server.<sid>=<QuorumServer.toString()>\n" per
// member in the iteration order of Java's allMembers HashMap.
func (ms *membership) writeServerLines(sb *strings.Builder) {
	for _, id := range javaHashMapOrder(ms.putOrder) {
		sb.WriteString("server.")
		writeInt(sb, id)
		sb.WriteByte('=')
		sb.WriteString(ms.byID[id].text)
		sb.WriteByte('\n')
	}
}

// writeVersionLine writes Java's "version=<Long.toHexString>" last line.
func (ms *membership) writeVersionLine(sb *strings.Builder) {
	sb.WriteString("version=")
	sb.WriteString(strconv.FormatInt(ms.version, 16))
}

// sameMembers is the member-map half of QuorumMaj/QuorumHierarchical
// equals: the same sids, each with an equal QuorumServer.
func (ms *membership) sameMembers(o *membership) bool {
	if len(ms.byID) != len(o.byID) {
		return false
	}
	for id, m := range ms.byID {
		om, ok := o.byID[id]
		if !ok || !m.equal(om) {
			return false
		}
	}
	return true
}

// writeInt writes v in decimal without allocating.
func writeInt(sb *strings.Builder, v int64) {
	var buf [20]byte
	sb.Write(strconv.AppendInt(buf[:0], v, 10))
}
