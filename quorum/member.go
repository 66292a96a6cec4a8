package quorum

import (
	"net"
	"slices"
	"strings"
)

// endpoint is one InetSocketAddress of a member.
type endpoint struct {
	host host
	port int
}

// javaHash is InetSocketAddress.hashCode(): a resolved address's
// InetAddress.hashCode() plus the port, or for an unresolved one the hash
// of its lower-cased name plus the port. Without DNS every name counts as
// unresolved.
func (e endpoint) javaHash() uint32 {
	if !e.host.ip.IsValid() {
		return javaStringHash(strings.ToLower(e.host.text)) + uint32(e.port)
	}
	var h uint32
	if e.host.ip.Is4() {
		b := e.host.ip.As4()
		h = uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	} else {
		// Inet6Address adds four big-endian ints built from signed bytes.
		b := e.host.ip.As16()
		for i := 0; i < 16; i += 4 {
			var c int32
			for _, x := range b[i : i+4] {
				c = c<<8 + int32(int8(x))
			}
			h += uint32(c)
		}
	}
	return h + uint32(e.port)
}

// endpointKey is comparable, and two endpoints have the same key exactly
// when they are equal.
type endpointKey struct {
	host hostKey
	port int
}

func (e endpoint) key() endpointKey { return endpointKey{e.host.key(), e.port} }

// equal is InetSocketAddress.equals (see host.equal).
func (e endpoint) equal(o endpoint) bool {
	return e.port == o.port && e.host.equal(o.host)
}

// member is a validated Server plus what Java derives from it: parsed
// hosts for equality and its QuorumServer.toString() text, computed once.
type member struct {
	server    Server
	quorum    []endpoint
	election  []endpoint
	client    endpoint
	hasClient bool
	text      string
}

// newMember validates a copy of s and precomputes its text. The error
// wraps a sentinel and names the bad value; callers add the sid.
func newMember(s Server) (*member, error) { return newOwnedMember(s.clone()) }

// newOwnedMember is newMember for a Server nobody else holds.
func newOwnedMember(s Server) (*member, error) {
	if s.Type != Participant && s.Type != Observer {
		return nil, wrapf(ErrBadType, "learner type %d", int(s.Type))
	}
	m := &member{
		server:   s,
		quorum:   make([]endpoint, 0, len(s.Addrs)),
		election: make([]endpoint, 0, len(s.Addrs)),
	}
	var seenQuorum, seenElection map[endpointKey]bool
	if len(s.Addrs) > 1 {
		seenQuorum = make(map[endpointKey]bool, len(s.Addrs))
		seenElection = make(map[endpointKey]bool, len(s.Addrs))
	}
	for _, a := range s.Addrs {
		h, err := parseHost(a.Host)
		if err != nil {
			return nil, err
		}
		if err := checkPorts(a.QuorumPort, a.ElectionPort); err != nil {
			return nil, err
		}
		q, e := endpoint{h, a.QuorumPort}, endpoint{h, a.ElectionPort}
		if seenQuorum != nil {
			if seenQuorum[q.key()] {
				return nil, wrapf(ErrDuplicateAddress, "quorum address %s:%d listed twice", h.delimited(), q.port)
			}
			if seenElection[e.key()] {
				return nil, wrapf(ErrDuplicateAddress, "election address %s:%d listed twice", h.delimited(), e.port)
			}
			seenQuorum[q.key()], seenElection[e.key()] = true, true
		}
		m.quorum = append(m.quorum, q)
		m.election = append(m.election, e)
	}
	if s.ClientAddr != "" {
		c, err := parseClientAddr(s.ClientAddr)
		if err != nil {
			return nil, err
		}
		m.client, m.hasClient = c, true
	}
	q, e := javaAddressList(m.quorum), javaAddressList(m.election)
	for i := range q {
		// Java pairs its sorted lists by index, so several addresses on
		// one host can print a pair whose ports are equal, a line that
		// neither Java nor we could read back.
		if q[i].port == e[i].port {
			return nil, wrapf(ErrSamePorts, "addresses on host %s would print as %s:%d:%d",
				q[i].host.delimited(), q[i].host.delimited(), q[i].port, e[i].port)
		}
	}
	m.text = m.javaString(q, e)
	return m, nil
}

// checkPorts applies InetSocketAddress's port range and QuorumServer's
// rule that the two ports of one address differ.
func checkPorts(quorumPort, electionPort int) error {
	for _, p := range []int{quorumPort, electionPort} {
		if p < 0 || p > 65535 {
			return wrapf(ErrBadPort, "port %d is outside 0..65535", p)
		}
	}
	if quorumPort == electionPort {
		return wrapf(ErrSamePorts, "quorum and election port are both %d", quorumPort)
	}
	return nil
}

// parseClientAddr parses Server.ClientAddr ("host:port", "[v6]:port").
func parseClientAddr(s string) (endpoint, error) {
	hs, ps, err := net.SplitHostPort(s)
	if err != nil {
		return endpoint{}, wrapf(ErrBadHost, "client address %q is not host:port", s)
	}
	port, ok := parsePort(ps)
	if !ok {
		return endpoint{}, wrapf(ErrBadPort, "client port %q in %q", ps, s)
	}
	h, err := parseHost(hs)
	if err != nil {
		return endpoint{}, err
	}
	return endpoint{h, port}, nil
}

// javaAddressList is new LinkedList<>(set) sorted by host string, for the
// set of the given addresses (added in this order).
func javaAddressList(set []endpoint) []endpoint {
	if len(set) < 2 {
		return set
	}
	hashes := make([]uint32, len(set))
	for i, e := range set {
		hashes[i] = javaSpread(e.javaHash())
	}
	list := make([]endpoint, 0, len(set))
	for _, i := range concurrentHashMapOrder(hashes) {
		list = append(list, set[i])
	}
	slices.SortStableFunc(list, func(a, b endpoint) int {
		return compareJavaStrings(a.host.text, b.host.text)
	})
	return list
}

// javaString is QuorumServer.toString(), given the address lists as
// javaAddressList orders them. Java keeps each server's quorum
// and election addresses in two sets (MultipleAddresses, backed by a
// ConcurrentHashMap), copies each into a list in set order, sorts each
// list stably by host string, and pairs the lists by index. So addresses
// with different hosts print sorted by host, and several addresses on one
// host print in set order, which can pair a quorum port with another
// address's election port, exactly as Java does.
//
// Approximation: Java hashes a resolvable name by its IP address, which
// we cannot know; we hash every name as Java hashes an unresolved one.
// That only matters for one host named in several addresses of a server.
func (m *member) javaString(q, e []endpoint) string {
	var sb strings.Builder
	if len(q) > 0 {
		for i := range q {
			if i > 0 {
				sb.WriteByte('|')
			}
			sb.WriteString(q[i].host.delimited())
			sb.WriteByte(':')
			writeInt(&sb, int64(q[i].port))
			sb.WriteByte(':')
			writeInt(&sb, int64(e[i].port))
		}
	}
	sb.WriteByte(':')
	sb.WriteString(m.server.Type.String())
	if m.hasClient && !m.server.ClientAddrFromStatic {
		sb.WriteByte(';')
		sb.WriteString(m.client.host.delimited())
		sb.WriteByte(':')
		writeInt(&sb, int64(m.client.port))
	}
	return sb.String()
}

// equal is QuorumServer.equals: same id and type, the same set of quorum
// addresses, the same set of election addresses, and the same client
// address or none on both sides (whether it came from the static config
// does not count).
func (m *member) equal(o *member) bool {
	if m.server.ID != o.server.ID || m.server.Type != o.server.Type {
		return false
	}
	if !sameEndpointSet(m.quorum, o.quorum) || !sameEndpointSet(m.election, o.election) {
		return false
	}
	if m.hasClient != o.hasClient {
		return false
	}
	return !m.hasClient || m.client.equal(o.client)
}

// sameEndpointSet compares two duplicate-free lists as sets.
func sameEndpointSet(a, b []endpoint) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 1 {
		return a[0].equal(b[0])
	}
	keys := make(map[endpointKey]bool, len(a))
	for _, e := range a {
		keys[e.key()] = true
	}
	for _, e := range b {
		if !keys[e.key()] {
			return false
		}
	}
	return true
}

// clone deep-copies a Server so callers cannot change a verifier.
func (s Server) clone() Server {
	s.Addrs = slices.Clone(s.Addrs)
	return s
}
