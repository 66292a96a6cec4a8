package actors

import (
	"crypto/tls"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/internal/testcerts"
	"github.com/zkfle/zkfle/netbridge/electionwire"
)

// A 3-node ensemble over TLS on both ports elects a leader, fails over
// when it stops, and takes it back as a follower when it returns.
func TestTLSEnsembleElectsAndFailsOver(t *testing.T) {
	e := newTLSEnsemble(t, 3, nil)
	for sid := int64(1); sid <= 3; sid++ {
		e.start(sid)
	}
	first := e.leader(20 * time.Second)
	e.stop(first)
	second := e.leader(20*time.Second, first)
	e.start(first)
	assert.Equal(t, second, e.leader(20*time.Second), "the old leader rejoins as a follower")
	for sid, n := range e.nodes {
		st := n.TLSStatus()
		assert.True(t, st.Enabled)
		assert.Contains(t, st.Subject, "server")
		// Stopping a node may cut a handshake short (timeout, other);
		// honest members never fail each other's checks.
		for port, reasons := range st.Failures {
			for _, reason := range []string{TLSFailPlaintext, TLSFailBadCertificate, TLSFailUnknownAuthority,
				TLSFailExpired, TLSFailHostname, TLSFailIdentity, TLSFailProtocolVersion} {
				assert.Zerof(t, reasons[reason], "node %d counted %s/%s failures among honest members", sid, port, reason)
			}
		}
	}
}

// tlsNode is one real node (sid 2 of aliasOf's ensemble of three, the
// others not running) with TLS, for the election port's refusals.
type tlsNode struct {
	*tlsEnsemble
	node *Node
}

func newTLSNode(t *testing.T, tweak func(*Config)) *tlsNode {
	e := newTLSEnsemble(t, 3, func(sid int64, cfg *Config) {
		if tweak != nil {
			tweak(cfg)
		}
	})
	// Nobody plays 1 and 3: the node's dials to them are refused at once.
	_ = e.lns[1].Close()
	_ = e.lns[3].Close()
	return &tlsNode{tlsEnsemble: e, node: e.start(2)}
}

// rejected is the node's count of refused election connections by reason.
func (n *tlsNode) rejected(reason string) uint64 {
	st, err := n.node.CnxStatus(time.Second)
	if err != nil {
		return 0
	}
	return st.GetRejected()[reason]
}

func (n *tlsNode) failures(port, reason string) uint64 {
	return n.node.TLSStatus().Failures[port][reason]
}

// claim connects from ip with a TLS client presenting leaf and sends a
// connection header for sid; it returns the connection (for hungUp).
func (n *tlsNode) claim(ip string, leaf *testcerts.Leaf, sid int64) net.Conn {
	n.t.Helper()
	c, err := dialTLSFrom(n.t, ip, n.electionAddr(2), n.pki.clientConfig(leaf))
	if err != nil {
		return c // refused in the handshake (TLS 1.2, or our own check)
	}
	_, _ = c.Write(encodeHeader(n.t, electionwire.InitialMessage{Version: electionwire.ProtocolV1, SID: sid,
		Addrs: []string{n.electionAddr(sid)}}))
	return c
}

// connected reports whether the node holds a live election connection to sid.
func (n *tlsNode) connected(sid int64) bool {
	st, err := n.node.CnxStatus(time.Second)
	if err != nil {
		return false
	}
	for _, p := range st.GetPeers() {
		if p.GetSid() == sid && p.GetConnected() {
			return true
		}
	}
	return false
}

// waitRefused waits until the node counted a refusal for reason on the
// election port (and as a rejected election connection).
func (n *tlsNode) waitRefused(reason string, c net.Conn) {
	n.t.Helper()
	require.Eventuallyf(n.t, func() bool {
		return n.failures(TLSPortElection, reason) > 0 && n.rejected("tls-"+reason) > 0
	}, waitFor, poll, "no %s refusal counted: %v", reason, n.node.TLSStatus().Failures)
	assert.True(n.t, hungUp(c, waitFor), "the connection is closed")
}

func TestTLSElectionPortRefusesPlaintext(t *testing.T) {
	n := newTLSNode(t, nil)
	// The real member's address and header, without TLS.
	c := dialFromIP(t, aliasOf(3), n.electionAddr(2))
	_, err := c.Write(encodeHeader(t, electionwire.InitialMessage{Version: electionwire.ProtocolV1, SID: 3,
		Addrs: []string{n.electionAddr(3)}}))
	require.NoError(t, err)
	n.waitRefused(TLSFailPlaintext, c)
	assert.False(t, n.connected(3))
	warned := n.logs[2].Find("rejected election connection")
	require.NotEmpty(t, warned)
	assert.Contains(t, warned[0].Attrs["detail"].String(), "plaintext on a TLS port")
}

func TestTLSElectionPortRefusesForeignCA(t *testing.T) {
	n := newTLSNode(t, nil)
	rogue := testcerts.MustCA("rogue CA").MustIssue(testcerts.LeafOptions{CommonName: "server3",
		IPs: []net.IP{net.ParseIP(aliasOf(3))}})
	c := n.claim(aliasOf(3), rogue, 3)
	n.waitRefused(TLSFailUnknownAuthority, c)
	assert.False(t, n.connected(3))
}

func TestTLSElectionPortRefusesExpiredCertificate(t *testing.T) {
	n := newTLSNode(t, nil)
	expired := n.pki.ca.MustIssue(testcerts.LeafOptions{CommonName: "server3", IPs: []net.IP{net.ParseIP(aliasOf(3))},
		NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)})
	c := n.claim(aliasOf(3), expired, 3)
	n.waitRefused(TLSFailExpired, c)
}

func TestTLSElectionPortRefusesCertificateForAnotherAddress(t *testing.T) {
	n := newTLSNode(t, nil)
	// Server 1's valid certificate, used from server 3's address.
	c := n.claim(aliasOf(3), n.pki.member(1), 3)
	n.waitRefused(TLSFailHostname, c)
}

// A member's valid certificate cannot claim another member's sid. The
// address checks are off (members behind NAT), so only the identity
// binding stands between the claim and the tie-break.
func TestTLSElectionPortRefusesAnotherMembersSid(t *testing.T) {
	n := newTLSNode(t, func(cfg *Config) {
		cfg.SkipPeerAddressCheck = true
		cfg.TLS.VerifyClientAddress = false
	})
	c := n.claim(aliasOf(1), n.pki.member(1), 3)
	n.waitRefused(TLSFailIdentity, c)
	assert.False(t, n.connected(3))
	warned := n.logs[2].Find("rejected election connection")
	require.NotEmpty(t, warned)
	w := warned[len(warned)-1]
	assert.Equal(t, "tls-identity-mismatch", w.Attrs["reason"].String())
	assert.Equal(t, int64(3), w.Attrs["peer"].Int64())
	assert.Contains(t, w.Attrs["cert_names"].String(), "IP:"+aliasOf(1))

	// The same certificate claiming its own sid is accepted (it then
	// loses the tie-break to the node's call back, as sid 1 < 2), and a
	// member above us keeps its link.
	c3 := n.claim(aliasOf(3), n.pki.member(3), 3)
	require.Eventually(t, func() bool { return n.connected(3) }, waitFor, poll)
	assert.False(t, hungUp(c3, 200*time.Millisecond))
}

// Certificates bound by host (an IP SAN) and by sid (a zkfle:sid:N URI
// SAN) both prove their sid; a sid-bound certificate proves only its
// sids, even on another member's host.
func TestTLSElectionPortHostAndSidBoundCertificates(t *testing.T) {
	n := newTLSNode(t, func(cfg *Config) { cfg.SkipPeerAddressCheck = true })
	bySid := n.pki.ca.MustIssue(testcerts.LeafOptions{CommonName: "server3", SIDs: []int64{3},
		IPs: []net.IP{net.ParseIP(aliasOf(3))}})
	c := n.claim(aliasOf(3), bySid, 3)
	require.Eventually(t, func() bool { return n.connected(3) }, waitFor, poll)
	assert.False(t, hungUp(c, 200*time.Millisecond))

	// Valid for server 1's host, but naming sid 3 only: it cannot be 1.
	wrong := n.pki.ca.MustIssue(testcerts.LeafOptions{CommonName: "server1", SIDs: []int64{3},
		IPs: []net.IP{net.ParseIP(aliasOf(1))}})
	bad := n.claim(aliasOf(1), wrong, 1)
	n.waitRefused(TLSFailIdentity, bad)
	assert.Equal(t, uint64(1), n.failures(TLSPortElection, TLSFailIdentity))
}

// The node dials with TLS and checks that the server it reached is the
// sid it meant: a server at sid 3's address whose certificate names only
// sid 1 (valid for the address, so Go's own check passes) is refused.
func TestTLSDialRefusesServerProvingAnotherSid(t *testing.T) {
	e := newTLSEnsemble(t, 3, nil)
	impostor := e.pki.ca.MustIssue(testcerts.LeafOptions{CommonName: "server3", SIDs: []int64{1},
		IPs: []net.IP{net.ParseIP(aliasOf(3))}})
	cfg := quorumTLSWith(impostor, e.pki.ca)
	heard := make(chan int, 16)
	ln3 := e.lns[3]
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			raw, err := ln3.Accept()
			if err != nil {
				return
			}
			c := tls.Server(raw, cfg.Server)
			_ = c.SetDeadline(time.Now().Add(waitFor))
			if c.Handshake() == nil {
				b, _ := io.ReadAll(c)
				heard <- len(b)
			}
			_ = c.Close()
		}
	}()
	n := e.start(2)
	require.Eventually(t, func() bool {
		return n.TLSStatus().Failures[TLSPortElection][TLSFailIdentity] > 0
	}, waitFor, poll)
	e.stop(2)
	_ = ln3.Close()
	<-done
	close(heard)
	handshakes := 0
	for n := range heard {
		handshakes++
		assert.Zero(t, n, "the node sent the impostor %d bytes", n)
	}
	assert.NotZero(t, handshakes, "the impostor's TLS handshakes completed (its certificate is valid for the address)")
}

// With portUnification the election port takes a plaintext member (checked
// as without TLS: its source address) and a TLS one.
func TestTLSElectionPortUnification(t *testing.T) {
	n := newTLSNode(t, func(cfg *Config) { cfg.TLS.PortUnification = true })
	plain := dialFromIP(t, aliasOf(3), n.electionAddr(2))
	_, err := plain.Write(encodeHeader(t, electionwire.InitialMessage{Version: electionwire.ProtocolV1, SID: 3,
		Addrs: []string{n.electionAddr(3)}}))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return n.connected(3) }, waitFor, poll)
	assert.False(t, hungUp(plain, 200*time.Millisecond))

	// Plaintext still proves nothing: the source check refuses a claim
	// from the wrong address.
	forged := dialFromIP(t, impostorIP, n.electionAddr(2))
	_, err = forged.Write(encodeHeader(t, electionwire.InitialMessage{Version: electionwire.ProtocolV1, SID: 3,
		Addrs: []string{n.electionAddr(3)}}))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return n.rejected("source-mismatch") > 0 }, waitFor, poll)
	assert.True(t, hungUp(forged, waitFor))

	// TLS is still checked in full.
	c := n.claim(aliasOf(1), n.pki.member(1), 3)
	n.waitRefused(TLSFailIdentity, c)
	assert.Zero(t, n.failures(TLSPortElection, TLSFailPlaintext))
}

// In TLS 1.3 a server refuses our certificate after our handshake has
// returned: the refusal arrives on the first read of the live link, and is
// counted by reason there.
func TestTLSRefusalOnFirstReadIsCounted(t *testing.T) {
	e := newTLSEnsemble(t, 3, nil)
	_ = e.lns[3].Close()
	// Sid 1 (below the node: the node keeps its link) trusts another CA;
	// Go's client then sends no certificate (none is from a CA the server
	// names), and the server's alert says one is required.
	strict := quorumTLSWith(e.pki.member(1), testcerts.MustCA("other CA"))
	strict.Server.MinVersion = tls.VersionTLS13
	ln1 := e.lns[1]
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			raw, err := ln1.Accept()
			if err != nil {
				return
			}
			c := tls.Server(raw, strict.Server)
			_ = c.SetDeadline(time.Now().Add(waitFor))
			_ = c.Handshake()
			_ = c.Close()
		}
	}()
	n := e.start(2)
	require.Eventually(t, func() bool {
		return n.TLSStatus().Failures[TLSPortElection][TLSFailBadCertificate] > 0
	}, waitFor, poll, "%v", n.TLSStatus().Failures)
	warned := e.logs[2].Find("TLS connection refused by peer")
	require.NotEmpty(t, warned)
	assert.Equal(t, "peer 1", warned[0].Attrs["source"].String())
	e.stop(2)
	_ = ln1.Close()
	<-done
}

// Neighbouring passes of a rolling upgrade elect, fail over and rejoin
// over both ports. Before the first pass: plaintext; first pass: accept
// TLS too, dial plaintext; second: accept both, dial TLS. (The first and
// third passes never meet: ZooKeeper's procedure finishes each pass on
// every server before the next.)
func TestTLSRollingUpgradePassesMix(t *testing.T) {
	plaintext := func(cfg *Config) { cfg.TLS = nil }
	firstPass := func(cfg *Config) { cfg.TLS.PortUnification, cfg.TLS.DialPlaintext = true, true }
	secondPass := func(cfg *Config) { cfg.TLS.PortUnification = true }
	for _, tc := range []struct {
		name   string
		passes [3]func(*Config)
	}{
		{"plaintext and first pass", [3]func(*Config){firstPass, firstPass, plaintext}},
		{"first and second pass", [3]func(*Config){firstPass, secondPass, secondPass}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTLSEnsemble(t, 3, func(sid int64, cfg *Config) { tc.passes[sid-1](cfg) })
			for sid := int64(1); sid <= 3; sid++ {
				e.start(sid)
			}
			leader := e.leader(20 * time.Second)
			assert.True(t, e.nodes[1].TLSStatus().DialPlaintext)
			for _, down := range []int64{leader, 3} {
				// Every pair elects: the leader's survivors, then the
				// pair without server 3.
				e.stop(down)
				next := e.leader(20*time.Second, down)
				e.start(down)
				assert.Equal(t, next, e.leader(20*time.Second), "server %d rejoins as a follower", down)
			}
		})
	}
}

// DialPlaintext without PortUnification would refuse peers that dial like
// us: Validate says so.
func TestTLSDialPlaintextNeedsPortUnification(t *testing.T) {
	e := newTLSEnsemble(t, 3, nil)
	cfg := e.config(1)
	cfg.TLS.DialPlaintext = true
	err := cfg.Validate()
	require.ErrorIs(t, err, ErrInvalidConfig)
	assert.Contains(t, err.Error(), "TLS.DialPlaintext")
	cfg.TLS.PortUnification = true
	require.NoError(t, cfg.Validate())
}
