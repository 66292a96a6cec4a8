package actors

import (
	"crypto/tls"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/internal/testcerts"
	"github.com/zkfle/zkfle/netbridge/electionwire"
	"github.com/zkfle/zkfle/netbridge/quorumwire"
	"github.com/zkfle/zkfle/zk"
)

// newTLSLeaderHarness is the Leader harness (server 1 leading 2, 3 and
// observer 4 on their loopback aliases) with TLS on its quorum port.
func newTLSLeaderHarness(t *testing.T, pki *testPKI, tweak func(*Config)) *leaderHarness {
	return newLeaderHarness(t, func(cfg *Config) {
		cfg.TLS = pki.quorumTLS(pki.member(1))
		cfg.HandshakeTimeout = 3 * time.Second
		if tweak != nil {
			tweak(cfg)
		}
	})
}

// tlsClaim connects to the leader from ip over TLS presenting leaf and
// sends a learner's first packet.
func (h *leaderHarness) tlsClaim(pki *testPKI, ip string, leaf *testcerts.Leaf, first quorumwire.Packet) *learner {
	h.t.Helper()
	c, err := dialTLSFrom(h.t, ip, h.addr, pki.clientConfig(leaf))
	l := &learner{t: h.t, conn: c, r: quorumwire.NewPacketReader(c)}
	if err == nil {
		_, _ = c.Write(first.AppendEncode(nil))
	}
	return l
}

func (h *leaderHarness) tlsFailures(reason string) uint64 {
	return h.rt.tlsStats().snapshot()[TLSPortQuorum][reason]
}

func (h *leaderHarness) waitTLSFailure(reason string) {
	h.t.Helper()
	require.Eventuallyf(h.t, func() bool { return h.tlsFailures(reason) > 0 }, waitFor, poll,
		"no quorum-port %s failure counted: %v", reason, h.rt.tlsStats().snapshot()[TLSPortQuorum])
}

func TestTLSQuorumPortRefusesPlaintextAndForeignCA(t *testing.T) {
	pki := newTestPKI(t)
	h := newTLSLeaderHarness(t, pki, nil)

	plain := h.claim(aliasOf(2), followerInfo(2, 0))
	plain.closedWithout("a plaintext FOLLOWERINFO on a TLS port")
	h.waitTLSFailure(TLSFailPlaintext)
	h.waitRefusal(aliasOf(2), "tls-"+TLSFailPlaintext, 0)

	rogue := testcerts.MustCA("rogue CA").MustIssue(testcerts.LeafOptions{CommonName: "server3",
		IPs: []net.IP{net.ParseIP(aliasOf(3))}})
	h.tlsClaim(pki, aliasOf(3), rogue, followerInfo(3, 0)).closedWithout("a certificate from another CA")
	h.waitTLSFailure(TLSFailUnknownAuthority)

	expired := pki.ca.MustIssue(testcerts.LeafOptions{CommonName: "server2", IPs: []net.IP{net.ParseIP(aliasOf(2))},
		NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)})
	h.tlsClaim(pki, aliasOf(2), expired, followerInfo(2, 0)).closedWithout("an expired certificate")
	h.waitTLSFailure(TLSFailExpired)
	assert.False(t, h.established())

	// The real follower, over TLS with its own certificate, is served.
	real := h.tlsClaim(pki, aliasOf(2), pki.member(2), followerInfo(2, 0))
	p, err := real.next(waitFor)
	require.NoError(t, err)
	assert.Equal(t, quorumwire.LeaderInfo, p.Type)
}

// A member's valid certificate cannot make a FOLLOWERINFO for another
// member's sid: the address checks are off (NAT), so only the identity
// binding refuses it.
func TestTLSQuorumPortRefusesAnotherMembersSid(t *testing.T) {
	pki := newTestPKI(t)
	h := newTLSLeaderHarness(t, pki, func(cfg *Config) {
		cfg.SkipPeerAddressCheck = true
		cfg.TLS.VerifyClientAddress = false
	})
	forged := h.tlsClaim(pki, aliasOf(2), pki.member(2), followerInfo(3, 0))
	forged.closedWithout("sid 3 claimed with server 2's certificate")
	h.waitRefusal(aliasOf(2), "tls-"+TLSFailIdentity, 3)
	assert.Equal(t, uint64(1), h.tlsFailures(TLSFailIdentity))
	r := h.refusals()
	assert.Contains(t, r[len(r)-1].Attrs["cert_names"].String(), "IP:"+aliasOf(2))
	assert.False(t, h.established())

	// A sid-bound certificate proves its sid wherever it comes from.
	bySid := pki.ca.MustIssue(testcerts.LeafOptions{CommonName: "server3", SIDs: []int64{3}})
	real := h.tlsClaim(pki, attackerIP, bySid, followerInfo(3, 0))
	p, err := real.next(waitFor)
	require.NoError(t, err)
	assert.Equal(t, quorumwire.LeaderInfo, p.Type)
}

// With portUnification the quorum port serves a plaintext learner (checked
// by its source address, as without TLS) and a TLS one.
func TestTLSQuorumPortUnification(t *testing.T) {
	pki := newTestPKI(t)
	h := newTLSLeaderHarness(t, pki, func(cfg *Config) { cfg.TLS.PortUnification = true })

	forged := h.claim(attackerIP, followerInfo(2, 0))
	forged.closedWithout("a plaintext claim from the wrong address")
	h.waitRefusal(attackerIP, "source-mismatch", 2)

	plain := h.claim(aliasOf(2), followerInfo(2, 0))
	p, err := plain.next(waitFor)
	require.NoError(t, err)
	assert.Equal(t, quorumwire.LeaderInfo, p.Type)

	secure := h.tlsClaim(pki, aliasOf(3), pki.member(3), followerInfo(3, 0))
	p, err = secure.next(waitFor)
	require.NoError(t, err)
	assert.Equal(t, quorumwire.LeaderInfo, p.Type)
	assert.Zero(t, h.tlsFailures(TLSFailPlaintext))
}

// A follower dials its leader with TLS and checks that the server it
// reached proves the leader's sid. The node (sid 2, portUnification on so
// the rig's plaintext election script reaches it) follows 3; the rig plays
// 3's quorum port, first with a certificate naming sid 1 only, then with
// 3's own.
func TestTLSFollowerChecksTheLeadersIdentity(t *testing.T) {
	pki := newTestPKI(t)
	own := pki.ca.MustIssue(testcerts.LeafOptions{CommonName: "server2", IPs: []net.IP{net.ParseIP("127.0.0.2")}})
	r := newIdentityRig(t, "", func(cfg *Config) {
		cfg.TLS = quorumTLSWith(own, pki.ca)
		cfg.TLS.PortUnification = true
	})
	real, _ := r.connectPeer3()
	vote, err := electionwire.AppendNotificationFrame(nil, &electionwire.Notification{
		State: zk.Looking, Leader: 3, ElectionEpoch: 1})
	require.NoError(t, err)
	_, err = real.Write(vote)
	require.NoError(t, err)

	leader := func(sids ...int64) *tls.Conn {
		leaf := pki.ca.MustIssue(testcerts.LeafOptions{CommonName: "server3", SIDs: sids,
			IPs: []net.IP{net.ParseIP("127.0.0.4")}})
		require.NoError(t, r.quorum3.(*net.TCPListener).SetDeadline(time.Now().Add(10*time.Second)))
		c, err := r.quorum3.Accept()
		require.NoError(t, err, "the node never dialed the leader")
		t.Cleanup(func() { _ = c.Close() })
		tc := tls.Server(c, quorumTLSWith(leaf, pki.ca).Server)
		_ = tc.SetDeadline(time.Now().Add(waitFor))
		require.NoError(t, tc.Handshake(), "Go's own verification passes: the certificate is valid for 3's host")
		return tc
	}
	impostor := leader(1)
	buf := make([]byte, 1)
	_, err = impostor.Read(buf)
	require.Error(t, err, "the node sent its FOLLOWERINFO to a leader that is not sid 3")
	require.Eventually(t, func() bool {
		return r.node.TLSStatus().Failures[TLSPortQuorum][TLSFailIdentity] > 0
	}, waitFor, poll)

	genuine := leader(3)
	p, err := quorumwire.NewPacketReader(genuine).Next()
	require.NoError(t, err)
	assert.Equal(t, quorumwire.FollowerInfo, p.Type)
}
