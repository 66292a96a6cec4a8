package tests

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/internal/testcerts"
	"github.com/zkfle/zkfle/netbridge/electionwire"
	"github.com/zkfle/zkfle/netbridge/quorumwire"
	"github.com/zkfle/zkfle/zk"
)

// Helpers for the quorum TLS scenarios (issue 12): cmd/node processes whose
// zoo.cfg turns on sslQuorum with ZooKeeper's own keys, certificates made
// per test by internal/testcerts, and hand-rolled peers (crypto/tls plus the
// project's election and zab encoders) that claim a sid on either port.

// tlsStorePassword protects every PKCS12/JKS store the tests write.
const tlsStorePassword = "zkfle-test-pw"

// tlsMode is how one server's zoo.cfg sets up quorum TLS.
type tlsMode int

const (
	// tlsOff: no TLS line at all (plaintext, as before issue 12).
	tlsOff tlsMode = iota
	// tlsUnifiedPlain: key and trust stores configured, portUnification=true,
	// sslQuorum=false: accepts both, connects in plaintext (ZooKeeper's
	// first step of a rolling upgrade).
	tlsUnifiedPlain
	// tlsUnified: sslQuorum=true and portUnification=true: accepts both,
	// connects with TLS (the second step).
	tlsUnified
	// tlsOnly: sslQuorum=true alone: TLS in and out.
	tlsOnly
)

func (m tlsMode) String() string {
	return [...]string{"plaintext", "portUnification+plaintext", "portUnification+TLS", "TLS only"}[m]
}

// tlsEnsemble is a failoverEnsemble (cmd/node processes from zoo.cfg,
// 200 ms ticks) whose servers get certificates from one CA and a zoo.cfg
// with ZooKeeper's ssl.quorum.* keys.
type tlsEnsemble struct {
	*failoverEnsemble
	ca *testcerts.CA
	// storeType is the key and trust store format (testcerts.TypePEM ...).
	storeType string
	// aliased puts server N's quorum and election ports on memberAlias(N)
	// and its certificate's IP SAN on that alias; otherwise everything is
	// on 127.0.0.1.
	aliased bool
	// sidSANs adds the URI SAN zkfle:sid:N to server N's certificate.
	sidSANs bool
	leaves  map[int64]*testcerts.Leaf
	modes   map[int64]tlsMode
	// extra are zoo.cfg lines for every server (e.g. sslQuorumReloadCertFiles).
	extra []string
}

// tlsOptions choose an ensemble's certificates and layout.
type tlsOptions struct {
	storeType string
	aliased   bool
	sidSANs   bool
	mode      tlsMode
	extra     []string
	// timing replaces the 200 ms ticks (tickTime/initLimit/syncLimit lines).
	timing string
}

// newTLSEnsemble writes certificates, stores and zoo.cfg files for n
// servers, all in mode o.mode. Nothing is started.
func newTLSEnsemble(t *testing.T, n int, o tlsOptions) *tlsEnsemble {
	t.Helper()
	if o.storeType == "" {
		o.storeType = testcerts.TypePEM
	}
	e := &tlsEnsemble{failoverEnsemble: newFailoverEnsemble(t, n), ca: testcerts.MustCA("zkfle quorum test CA"),
		storeType: o.storeType, aliased: o.aliased, sidSANs: o.sidSANs, leaves: map[int64]*testcerts.Leaf{},
		modes: map[int64]tlsMode{}, extra: o.extra}
	if o.timing != "" {
		e.timing = o.timing
	}
	trust, err := e.ca.TrustStore(e.storeType, tlsStorePassword)
	require.NoError(t, err)
	for _, sid := range sidsUpTo(n) {
		require.NoError(t, os.MkdirAll(filepath.Dir(e.trustStorePath(sid)), 0o700))
		require.NoError(t, os.WriteFile(e.trustStorePath(sid), trust, 0o600))
		e.leaves[sid] = e.issue(sid, testcerts.LeafOptions{})
		e.writeKeyStore(sid, e.leaves[sid])
		e.modes[sid] = o.mode
		e.writeCfg(sid)
	}
	return e
}

// host is server sid's address in every server line.
func (e *tlsEnsemble) host(sid int64) string {
	if e.aliased {
		return memberAlias(sid)
	}
	return "127.0.0.1"
}

// electionAddr and quorumAddr are sid's two ports as its server line names them.
func (e *tlsEnsemble) electionAddr(sid int64) string {
	return net.JoinHostPort(e.host(sid), strconv.Itoa(e.servers[sid].electionPort))
}

func (e *tlsEnsemble) quorumAddr(sid int64) string {
	return net.JoinHostPort(e.host(sid), strconv.Itoa(e.servers[sid].quorumPort))
}

// issue signs a certificate for server sid's host (and sid, with sidSANs);
// o may override the validity period.
func (e *tlsEnsemble) issue(sid int64, o testcerts.LeafOptions) *testcerts.Leaf {
	o.CommonName = fmt.Sprintf("server-%d", sid)
	o.IPs = []net.IP{net.ParseIP(e.host(sid))}
	if e.sidSANs {
		o.SIDs = []int64{sid}
	}
	return e.ca.MustIssue(o)
}

func (e *tlsEnsemble) ext() string { return strings.ToLower(e.storeType) }

func (e *tlsEnsemble) keyStorePath(sid int64) string {
	return filepath.Join(e.servers[sid].dir, "tls", "keystore."+e.ext())
}

func (e *tlsEnsemble) trustStorePath(sid int64) string {
	return filepath.Join(e.servers[sid].dir, "tls", "truststore."+e.ext())
}

// writeKeyStore replaces sid's key store with leaf's, atomically (a
// temporary file renamed over it, as certificate renewal tools do).
func (e *tlsEnsemble) writeKeyStore(sid int64, leaf *testcerts.Leaf) {
	e.t.Helper()
	ks, err := leaf.KeyStore(e.storeType, tlsStorePassword)
	require.NoError(e.t, err)
	path := e.keyStorePath(sid)
	require.NoError(e.t, os.MkdirAll(filepath.Dir(path), 0o700))
	tmp := path + ".new"
	require.NoError(e.t, os.WriteFile(tmp, ks, 0o600))
	require.NoError(e.t, os.Rename(tmp, path))
}

// tlsLines are the zoo.cfg lines for mode with the given stores; a PEM
// store has no password.
func tlsLines(mode tlsMode, storeType, keyStore, trustStore string) []string {
	if mode == tlsOff {
		return nil
	}
	lines := []string{
		"ssl.quorum.keyStore.location=" + keyStore, "ssl.quorum.keyStore.type=" + storeType,
		"ssl.quorum.trustStore.location=" + trustStore, "ssl.quorum.trustStore.type=" + storeType,
	}
	if storeType != testcerts.TypePEM {
		lines = append(lines, "ssl.quorum.keyStore.password="+tlsStorePassword, "ssl.quorum.trustStore.password="+tlsStorePassword)
	}
	switch mode {
	case tlsUnifiedPlain:
		lines = append(lines, "sslQuorum=false", "portUnification=true")
	case tlsUnified:
		lines = append(lines, "sslQuorum=true", "portUnification=true")
	case tlsOnly:
		lines = append(lines, "sslQuorum=true")
	}
	return lines
}

// writeCfg writes sid's zoo.cfg for its current mode.
func (e *tlsEnsemble) writeCfg(sid int64) {
	e.t.Helper()
	s := e.servers[sid]
	cfg := e.zooCfg(s)
	if e.aliased {
		for _, other := range sidsUpTo(e.n) {
			cfg = strings.Replace(cfg, fmt.Sprintf("server.%d=127.0.0.1:", other), fmt.Sprintf("server.%d=%s:", other, memberAlias(other)), 1)
		}
	}
	var b strings.Builder
	b.WriteString(cfg)
	for _, line := range tlsLines(e.modes[sid], e.storeType, e.keyStorePath(sid), e.trustStorePath(sid)) {
		b.WriteString(line + "\n")
	}
	for _, line := range e.extra {
		b.WriteString(line + "\n")
	}
	require.NoError(e.t, os.WriteFile(filepath.Join(s.dir, "zoo.cfg"), []byte(b.String()), 0o644))
}

// setMode rewrites sid's zoo.cfg for mode (it takes effect at its next start).
func (e *tlsEnsemble) setMode(sid int64, mode tlsMode) {
	e.t.Helper()
	e.modes[sid] = mode
	e.writeCfg(sid)
}

// peerTLS is a test peer's TLS set-up: leaf's certificate (nil: none),
// trusting roots, expecting the server at host.
func peerTLS(leaf *testcerts.Leaf, roots *x509.CertPool, host string) *tls.Config {
	cfg := &tls.Config{RootCAs: roots, ServerName: host, MinVersion: tls.VersionTLS12}
	if leaf != nil {
		cfg.Certificates = []tls.Certificate{leaf.TLS()}
	}
	return cfg
}

// dialPeer connects to addr from the loopback alias src, with TLS when cfg
// is set (the handshake is done before it returns). A refused handshake is
// an error; under TLS 1.3 a refused client certificate only shows on the
// first read.
func dialPeer(ctx context.Context, src, addr string, cfg *tls.Config) (net.Conn, error) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if cfg == nil {
		return c, nil
	}
	tc := tls.Client(c, cfg)
	hctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := tc.HandshakeContext(hctx); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("handshake: %w", err)
	}
	return tc, nil
}

// claimOutcome is what a hand-rolled peer got from a node.
type claimOutcome struct {
	// answered: the node sent a notification (election port) or
	// LEADERINFO (quorum port): it took the claim.
	answered bool
	// err is why the exchange ended without an answer (handshake refused,
	// connection closed, ...).
	err error
}

// claimTimeout bounds one hand-rolled exchange: a node that takes the
// claim answers within milliseconds; one that refuses closes at once.
const claimTimeout = 5 * time.Second

// electionClaim connects to addr from src (TLS when cfg is set), sends the
// connection header claiming sid (with claimedAddr, that sid's election
// address) and a LOOKING notification, and reports whether the node
// answered with a notification of its own, as it does to every member
// that is LOOKING. Claim a sid above the node's: a node drops a
// connection from a lower sid and dials that sid back itself.
func electionClaim(src, addr string, cfg *tls.Config, sid int64, claimedAddr string) claimOutcome {
	ctx, cancel := context.WithTimeout(context.Background(), claimTimeout)
	defer cancel()
	c, err := dialPeer(ctx, src, addr, cfg)
	if err != nil {
		return claimOutcome{err: err}
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(claimTimeout))
	vote, err := electionwire.AppendNotificationFrame(nil, &electionwire.Notification{
		State: zk.Looking, Leader: sid, ElectionEpoch: 1})
	if err != nil {
		return claimOutcome{err: err}
	}
	if _, err := c.Write(append(v1(sid, claimedAddr), vote...)); err != nil {
		return claimOutcome{err: fmt.Errorf("write: %w", err)}
	}
	if _, err := electionwire.NewFrameReader(c).Next(); err != nil {
		return claimOutcome{err: fmt.Errorf("read: %w", err)}
	}
	return claimOutcome{answered: true}
}

// claimAnswered repeats claim until it is answered or within has passed,
// and returns the last outcome. A claim made in a live member's name races
// that member: adopting the claim drops the member's link, the member
// dials again, and its new link can replace the claim's before the node
// answers (a CI failure: "read: EOF"). What such a test asserts is that
// the port takes the peer, not that the peer wins the race, so a refusal
// is asserted with one claim and an answer with this.
func claimAnswered(within time.Duration, claim func() claimOutcome) claimOutcome {
	deadline := time.Now().Add(within)
	for {
		got := claim()
		if got.answered || time.Now().After(deadline) {
			return got
		}
		<-time.After(50 * time.Millisecond) // pace the tries; the condition is the answer
	}
}

// quorumClaim connects to a leader's quorum port addr from src (TLS when
// cfg is set), sends a zkfle FOLLOWERINFO claiming sid, and reports
// whether the leader answered with LEADERINFO.
func quorumClaim(src, addr string, cfg *tls.Config, sid int64) claimOutcome {
	ctx, cancel := context.WithTimeout(context.Background(), claimTimeout)
	defer cancel()
	c, err := dialPeer(ctx, src, addr, cfg)
	if err != nil {
		return claimOutcome{err: err}
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(claimTimeout))
	if _, err := c.Write(quorumwire.NewZkfleLearnerInfoPacket(false, sid, 0, 0).AppendEncode(nil)); err != nil {
		return claimOutcome{err: fmt.Errorf("write: %w", err)}
	}
	r := quorumwire.NewPacketReader(c)
	for {
		p, err := r.Next()
		if err != nil {
			return claimOutcome{err: fmt.Errorf("read: %w", err)}
		}
		if p.Type == quorumwire.LeaderInfo {
			return claimOutcome{answered: true}
		}
	}
}

// presented returns the serial number of the certificate the node at addr
// presents to a TLS client at src holding leaf.
func presented(src, addr string, cfg *tls.Config) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), claimTimeout)
	defer cancel()
	c, err := dialPeer(ctx, src, addr, cfg)
	if err != nil {
		return "", err
	}
	defer c.Close()
	tc, ok := c.(*tls.Conn)
	if !ok {
		return "", errors.New("not a TLS connection")
	}
	certs := tc.ConnectionState().PeerCertificates
	if len(certs) == 0 {
		return "", errors.New("no peer certificate")
	}
	return certs[0].SerialNumber.String(), nil
}

// waitMixedSettled waits until zkfle and Java servers agree: all report a
// mode, exactly one leads, and every zkfle node reports the leader's
// epoch (srvr's Zxid >> 32). Java followers are not compared: one synced
// by DIFF on an empty ensemble reports Zxid 0 until its first transaction.
func (e *failoverEnsemble) waitMixedSettled(timeout time.Duration, zkfle, java []int64) settled {
	e.t.Helper()
	var last map[int64]role
	var got settled
	ok := waitFor(timeout, func() bool {
		last, got = map[int64]role{}, settled{}
		leaders := 0
		for _, sid := range append(append([]int64(nil), zkfle...), java...) {
			r := e.observe(sid)
			last[sid] = r
			switch r.mode {
			case "leader":
				leaders++
				got = settled{leader: sid, epoch: r.epoch}
			case "follower":
			default:
				return false
			}
		}
		if leaders != 1 {
			return false
		}
		for _, sid := range zkfle {
			if last[sid].epoch != got.epoch {
				return false
			}
		}
		return true
	})
	require.Truef(e.t, ok, "zkfle %v and Java %v did not settle within %v: %v", zkfle, java, timeout, last)
	return got
}

// restartSettled starts sid and waits until all of sids settle, failing
// at once (with its exit code and stderr) if sid's process exits instead,
// as a node refusing its zoo.cfg does (exit 3).
func (e *tlsEnsemble) restartSettled(sid int64, sids ...int64) settled {
	e.t.Helper()
	e.start(sid)
	s := e.servers[sid]
	var got settled
	exitedEarly := false
	ok := waitFor(settleTimeout, func() bool {
		select {
		case <-s.exited:
			exitedEarly = true
			return true
		default:
		}
		for _, other := range sids {
			if e.observe(other).mode == "" {
				return false
			}
		}
		return true
	})
	if exitedEarly {
		e.mu.Lock()
		code := s.exitCode
		e.mu.Unlock()
		e.t.Fatalf("server %d (%s) exited with code %d instead of joining:\n%s", sid, e.modes[sid], code, e.stderrOf(sid))
	}
	require.Truef(e.t, ok, "servers %v never all answered with a mode after server %d restarted", sids, sid)
	got = e.waitSettled(sids...)
	return got
}
