package actors

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/zkfle/zkfle/internal/testcerts"
	"github.com/zkfle/zkfle/internal/testlog"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/quorum"
)

// testPKI is one test's CA and the certificates of its members: server N
// on aliasOf(N), its certificate valid for that address.
type testPKI struct {
	t  *testing.T
	ca *testcerts.CA
}

func newTestPKI(t *testing.T) *testPKI {
	return &testPKI{t: t, ca: testcerts.MustCA("zkfle test CA")}
}

// member issues server sid's certificate: valid for its host.
func (p *testPKI) member(sid int64) *testcerts.Leaf {
	return p.ca.MustIssue(testcerts.LeafOptions{CommonName: fmt.Sprintf("server%d", sid),
		IPs: []net.IP{net.ParseIP(aliasOf(sid))}})
}

// quorumTLS is ZooKeeper's default quorum TLS (clientAuth=need,
// hostnameVerification=true) presenting leaf.
func (p *testPKI) quorumTLS(leaf *testcerts.Leaf) *QuorumTLS {
	return quorumTLSWith(leaf, p.ca)
}

func quorumTLSWith(leaf *testcerts.Leaf, ca *testcerts.CA) *QuorumTLS {
	cert := leaf.TLS()
	return &QuorumTLS{
		Server: &tls.Config{Certificates: []tls.Certificate{cert}, ClientCAs: ca.Pool(),
			ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS12},
		Client:              &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: ca.Pool(), MinVersion: tls.VersionTLS12},
		VerifyClientAddress: true,
	}
}

// clientConfig is what a test client presenting leaf uses; it trusts the
// test CA (and checks nothing of the server's name: the tests are about
// what the node accepts).
func (p *testPKI) clientConfig(leaf *testcerts.Leaf) *tls.Config {
	c := &tls.Config{RootCAs: p.ca.Pool(), InsecureSkipVerify: true} //nolint:gosec // the node under test is the server
	if leaf != nil {
		// Always present it: Go's client would otherwise hold back a
		// certificate the server's list of acceptable CAs does not name.
		cert := leaf.TLS()
		c.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &cert, nil }
	}
	return c
}

// dialTLSFrom connects from a loopback alias to addr and completes a TLS
// client handshake (which, in TLS 1.3, succeeds even when the server then
// refuses our certificate: the refusal arrives on the first read).
func dialTLSFrom(t *testing.T, ip, addr string, cfg *tls.Config) (*tls.Conn, error) {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: waitFor}
	raw, err := d.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = raw.Close() })
	c := tls.Client(raw, cfg)
	_ = c.SetDeadline(time.Now().Add(waitFor))
	err = c.Handshake()
	_ = c.SetDeadline(time.Time{})
	return c, err
}

// tlsEnsemble is an in-process ensemble of n voters, server N on
// aliasOf(N), each presenting its own certificate; election listeners are
// bound up front.
type tlsEnsemble struct {
	t     *testing.T
	pki   *testPKI
	v     quorum.Verifier
	lns   map[int64]net.Listener
	logs  map[int64]*testlog.Recorder
	mu    sync.Mutex
	nodes map[int64]*Node
	tweak func(sid int64, cfg *Config)
}

func newTLSEnsemble(t *testing.T, n int, tweak func(sid int64, cfg *Config)) *tlsEnsemble {
	t.Helper()
	leakOpts := []goleak.Option{goleak.IgnoreCurrent(),
		goleak.IgnoreAnyFunction("github.com/asynkron/protoactor-go/actor.NewDeadLetter.NewThrottle.func4.1")}
	t.Cleanup(func() { goleak.VerifyNone(t, leakOpts...) })
	e := &tlsEnsemble{t: t, pki: newTestPKI(t), lns: map[int64]net.Listener{}, logs: map[int64]*testlog.Recorder{},
		nodes: map[int64]*Node{}, tweak: tweak}
	var servers []quorum.Server
	for sid := int64(1); sid <= int64(n); sid++ {
		ln, err := net.Listen("tcp", aliasOf(sid)+":0")
		require.NoError(t, err)
		e.lns[sid] = ln
		qport := freeQuorumPort(t)
		servers = append(servers, quorum.Server{ID: sid, Addrs: []quorum.AddrPair{{Host: aliasOf(sid),
			QuorumPort: qport, ElectionPort: ln.Addr().(*net.TCPAddr).Port}}})
	}
	v, err := quorum.NewMajority(servers, 0)
	require.NoError(t, err)
	e.v = v
	t.Cleanup(e.stopAll)
	return e
}

func (e *tlsEnsemble) config(sid int64) Config {
	cfg := testConfig(sid, e.v)
	cfg.FaultInjection = false
	cfg.TickTime = 100 * time.Millisecond
	cfg.HandshakeTimeout = 3 * time.Second
	cfg.TLS = e.pki.quorumTLS(e.pki.member(sid))
	e.logs[sid] = &testlog.Recorder{}
	cfg.Logger = slog.New(e.logs[sid])
	if e.tweak != nil {
		e.tweak(sid, &cfg)
	}
	return cfg
}

func (e *tlsEnsemble) start(sid int64) *Node {
	e.t.Helper()
	if e.lns[sid] == nil {
		// A stopped node closed its listener: bind its port again.
		ln, err := net.Listen("tcp", e.electionAddr(sid))
		require.NoError(e.t, err)
		e.lns[sid] = ln
	}
	n, err := Start(e.config(sid), WithListeners(e.lns[sid]))
	require.NoError(e.t, err)
	e.mu.Lock()
	e.nodes[sid] = n
	e.mu.Unlock()
	return n
}

func (e *tlsEnsemble) stop(sid int64) {
	e.t.Helper()
	e.mu.Lock()
	n := e.nodes[sid]
	delete(e.nodes, sid)
	e.mu.Unlock()
	if n != nil {
		require.NoError(e.t, n.Stop())
		e.lns[sid] = nil
	}
}

func (e *tlsEnsemble) stopAll() {
	if e.t.Failed() {
		for sid, l := range e.logs {
			for _, r := range l.Records() {
				if r.Level >= slog.LevelInfo {
					e.t.Logf("node %d: %s %v", sid, r.Message, r.Attrs)
				}
			}
		}
	}
	e.mu.Lock()
	sids := make([]int64, 0, len(e.nodes))
	for sid := range e.nodes {
		sids = append(sids, sid)
	}
	e.mu.Unlock()
	for _, sid := range sids {
		e.stop(sid)
	}
	for _, ln := range e.lns {
		if ln != nil {
			_ = ln.Close()
		}
	}
}

// leader waits until every running node reports an established role with
// one common leader (none of not), and returns it.
func (e *tlsEnsemble) leader(within time.Duration, not ...int64) int64 {
	e.t.Helper()
	var leader int64
	require.Eventuallyf(e.t, func() bool {
		e.mu.Lock()
		defer e.mu.Unlock()
		leader = -1
		for _, n := range e.nodes {
			st := n.Status()
			if st.State != messages.ServerState_LEADING && st.State != messages.ServerState_FOLLOWING {
				return false
			}
			if (leader != -1 && st.Leader != leader) || slices.Contains(not, st.Leader) {
				return false
			}
			leader = st.Leader
		}
		return leader != -1
	}, within, 10*time.Millisecond, "no common established leader")
	return leader
}

// electionAddr is sid's election address.
func (e *tlsEnsemble) electionAddr(sid int64) string {
	s, _ := e.v.Server(sid)
	return net.JoinHostPort(s.Addrs[0].Host, strconv.Itoa(s.Addrs[0].ElectionPort))
}
