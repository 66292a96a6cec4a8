// Package quorum holds ZooKeeper's quorum verifiers and ensemble membership
// as plain values: who is a member, who votes, with what weight, whether a
// set of acknowledging sids forms a quorum, and the exact text Java's
// QuorumVerifier.toString() prints (which travels inside every version-2
// election notification).
//
// It is a leaf package: the election algorithm (fle/) and the wire codec
// (netbridge/) both depend on it, and it depends on nothing of the project.
package quorum

// LearnerType says whether a member votes. The ordinal matches ZooKeeper's
// QuorumPeer.LearnerType (PARTICIPANT=0, OBSERVER=1), which `conf` prints as
// peerType.
type LearnerType int

const (
	// Participant members vote in elections and may lead.
	Participant LearnerType = 0
	// Observer members follow a leader but never vote and never lead.
	Observer LearnerType = 1
)

// String returns the lowercase name ZooKeeper uses in server.N lines.
func (t LearnerType) String() string {
	if t == Observer {
		return "observer"
	}
	return "participant"
}

// Server is one server.N entry of an ensemble configuration.
type Server struct {
	// ID is the server id (sid, myid).
	ID int64
	// Addrs are the server's quorum/election address pairs, as configured
	// (host strings are kept exactly as written, never resolved). Most
	// servers have exactly one; multiAddress configs have several.
	Addrs []AddrPair
	// Type is participant or observer.
	Type LearnerType
	// ClientAddr is "host:port" of the client address given after ';' on
	// the server line (";2181" is normalised to "0.0.0.0:2181"), or "" when
	// the line had none.
	ClientAddr string
	// ClientAddrFromStatic is true when ClientAddr came from the static
	// clientPort/clientPortAddress keys rather than the server line. Java
	// then omits it from toString(); so do we.
	ClientAddrFromStatic bool
}

// AddrPair is one "host:quorumPort:electionPort" element of a server line.
type AddrPair struct {
	// Host is the host string as configured. IPv6 literals are stored
	// without brackets.
	Host string
	// QuorumPort is the leader/follower (Zab) port.
	QuorumPort int
	// ElectionPort is the leader-election port.
	ElectionPort int
}

// Verifier is a quorum system: ZooKeeper's QuorumVerifier. Implementations
// are immutable values, safe to share between goroutines.
type Verifier interface {
	// Version is the configuration version (the `version=` line, hex on
	// the wire). It is 0 for a static configuration.
	Version() int64
	// Servers returns every member, voters and observers, sorted by ID.
	Servers() []Server
	// Server returns the member with the given id.
	Server(id int64) (Server, bool)
	// VotingMembers returns the ids of participants, ascending.
	VotingMembers() []int64
	// ObservingMembers returns the ids of observers, ascending.
	ObservingMembers() []int64
	// IsVoter reports whether id is a voting member.
	IsVoter(id int64) bool
	// Weight returns a server's weight. Majority verifiers give every id
	// weight 1. Hierarchical verifiers return ok=false for an id that has
	// no weight entry (where Java would throw a NullPointerException), and
	// callers must treat that as "not adoptable".
	Weight(id int64) (w int64, ok bool)
	// ContainsQuorum reports whether the acknowledging sids form a quorum.
	// Ids that are not voting members are ignored.
	ContainsQuorum(acks map[int64]struct{}) bool
	// String returns exactly what Java's QuorumVerifier.toString() prints
	// (no trailing newline). It is the config carried by notifications.
	String() string
	// Equal reports ZooKeeper's QuorumVerifier equality: the same version,
	// or otherwise the same members.
	Equal(other Verifier) bool
}
