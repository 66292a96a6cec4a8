package actors

import (
	"context"
	"net"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/quorum"
)

func tcpAddr(ip string) net.Addr { return &net.TCPAddr{IP: net.ParseIP(ip), Port: 40000} }

// TestQuorumCapsReserveMembersSlots: foreign addresses never hold more
// than their pool; a member address is bounded by its own cap alone (a
// reconnect fits even while foreign sources fill the pool and the old
// socket is still open); closing frees a slot once.
func TestQuorumCapsReserveMembersSlots(t *testing.T) {
	cfg := testConfig(1, aliasedEnsemble(t)) // 3 other servers on their own aliases
	q := newQuorumCaps(cfg, newPeerSources(cfg))
	require.Equal(t, 2*3+quorumForeignTotal, q.total)

	var releases []func()
	admit := func(ip string) string {
		rel, reason := q.admit(tcpAddr(ip))
		if reason == "" {
			releases = append(releases, rel)
		}
		return reason
	}
	for i := 0; i < quorumForeignTotal; i++ {
		require.Empty(t, admit([]string{"127.0.0.9", "127.0.0.10"}[i%2]), "foreign connection %d", i)
	}
	assert.Equal(t, "quorum-foreign-total", admit("127.0.0.11"))
	// Each member address: 2 per server there, plus 2 for a reconnect.
	memberCap := 2 * quorumPerMemberPeer
	for _, sid := range []int64{2, 3, 4} {
		for i := 0; i < memberCap; i++ {
			require.Empty(t, admit(aliasOf(sid)), "member %d, connection %d", sid, i)
		}
	}
	assert.Equal(t, "quorum-per-source", admit(aliasOf(2)), "member 2's own cap reached")
	assert.Equal(t, quorumForeignTotal+3*memberCap, q.open())
	assert.Equal(t, uint64(2), q.refused.Load())

	releases[0]()
	releases[0]() // twice: still one slot
	assert.Equal(t, quorumForeignTotal+3*memberCap-1, q.open())
	assert.Empty(t, admit("127.0.0.12"), "the freed foreign slot goes to the next foreign source")
	assert.Equal(t, "quorum-foreign-total", admit("127.0.0.13"))
}

func TestQuorumCapsPerSource(t *testing.T) {
	cfg := testConfig(1, aliasedEnsemble(t))
	q := newQuorumCaps(cfg, newPeerSources(cfg))
	for i := 0; i < quorumPerForeignSource; i++ {
		_, reason := q.admit(tcpAddr("127.0.0.9"))
		require.Empty(t, reason)
	}
	_, reason := q.admit(tcpAddr("127.0.0.9"))
	assert.Equal(t, "quorum-per-source", reason)
	// A member address: 2 per server there, plus 2 for a reconnect.
	for i := 0; i < 2*quorumPerMemberPeer; i++ {
		_, reason := q.admit(tcpAddr(aliasOf(2)))
		require.Empty(t, reason, "member connection %d", i)
	}
	_, reason = q.admit(tcpAddr(aliasOf(2)))
	assert.Equal(t, "quorum-per-source", reason)
}

// TestQuorumCapsCoLocatedMembers: servers sharing one address (every test
// ensemble on 127.0.0.1) share its per-source cap, sized for all of them.
func TestQuorumCapsCoLocatedMembers(t *testing.T) {
	cfg := testConfig(1, testMajority(t, []int64{1, 2, 3, 4, 5}))
	q := newQuorumCaps(cfg, newPeerSources(cfg))
	for i := 0; i < 4*quorumPerMemberPeer+quorumPerMemberPeer; i++ {
		_, reason := q.admit(tcpAddr("127.0.0.1"))
		require.Empty(t, reason, "connection %d", i)
	}
}

// TestQuorumLocalAddr: a follower binds its own server line's host when it
// is an IP of this machine, and nothing otherwise.
func TestQuorumLocalAddr(t *testing.T) {
	v := aliasedEnsemble(t)
	cfg := testConfig(3, v)
	got := quorumLocalAddr(cfg, aliasOf(1))
	require.NotNil(t, got)
	assert.Equal(t, aliasOf(3), got.IP.String())
	assert.Zero(t, got.Port)
	assert.Nil(t, quorumLocalAddr(cfg, "::1"), "another address family")

	for host, why := range map[string]string{
		"0.0.0.0":   "wildcard",
		"192.0.2.7": "not this machine's",
		"localhost": "a name",
	} {
		c := testConfig(1, testMajority(t, []int64{1, 2, 3}))
		s, _ := c.Verifier.Server(1)
		a := s.Addrs[0]
		a.Host = host
		s.Addrs = []quorum.AddrPair{a}
		servers := c.Verifier.Servers()
		servers[0] = s
		nv, err := quorum.NewMajority(servers, 0)
		require.NoError(t, err)
		c.Verifier = nv
		assert.Nil(t, quorumLocalAddr(c, "127.0.0.1"), why)
	}
}

// TestDialFromFallsBack: a local address that cannot be bound does not
// keep the follower from its leader.
func TestDialFromFallsBack(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	c, _, err := dialFrom(context.Background(), net.Dialer{Timeout: waitFor}, netip.MustParseAddr("127.0.0.3"), ln.Addr().String())
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.3", c.LocalAddr().(*net.TCPAddr).IP.String(), "bound when it can be")
	_ = c.Close()
	c, _, err = dialFrom(context.Background(), net.Dialer{Timeout: waitFor}, netip.MustParseAddr("192.0.2.7"), ln.Addr().String())
	require.NoError(t, err, "unbound when the address is not ours")
	_ = c.Close()
	c, _, err = dialFrom(context.Background(), net.Dialer{Timeout: waitFor}, netip.MustParseAddr("::1"), ln.Addr().String())
	require.NoError(t, err, "unbound when the families differ")
	_ = c.Close()
}

// TestQuorumCapsWithoutSourceCheck: behind NAT members arrive from
// addresses no line names, so only the total applies.
func TestQuorumCapsWithoutSourceCheck(t *testing.T) {
	cfg := testConfig(1, aliasedEnsemble(t))
	cfg.SkipPeerAddressCheck = true
	q := newQuorumCaps(cfg, newPeerSources(cfg))
	for i := 0; i < q.total; i++ {
		_, reason := q.admit(tcpAddr("10.9.9.9"))
		require.Empty(t, reason, "connection %d through one NAT address", i)
	}
	_, reason := q.admit(tcpAddr("10.9.9.9"))
	assert.Equal(t, "quorum-total", reason)
}
