package tests

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/internal/zkjava"
	"github.com/zkfle/zkfle/probe"
	"github.com/zkfle/zkfle/quorum"
)

// Interop harness: one ensemble whose server list holds in-process zkfle
// nodes (the existing ensemble type) and real ZooKeeper 3.8 servers
// (internal/zkjava). Layouts keep the Java servers on the highest sids and
// numerous enough to form a quorum alone, so that a Java leader never
// needs a zkfle follower on its quorum port (see docs/INTEROP.md).

// interopTimeout bounds every wait: JVMs start in 1-3 s on a quiet 2-core
// machine, several times that on a loaded one.
const interopTimeout = 90 * time.Second

// mixed is a zkfle + ZooKeeper ensemble.
type mixed struct {
	t    *testing.T
	goE  *ensemble
	java *zkjava.Ensemble
	// recorders wrap each zkfle node's election listener.
	recorders map[int64]*recordingListener
}

// newMixed lays out goSIDs as zkfle nodes and javaSIDs as ZooKeeper
// servers, in one server list. Nothing is started.
func newMixed(t *testing.T, goSIDs, javaSIDs []int64) *mixed {
	t.Helper()
	inst := zkjava.RequireInstalled(t)
	type ports struct{ quorum, election, client int }
	javaPorts := map[int64]ports{}
	for _, sid := range javaSIDs {
		javaPorts[sid] = ports{freePort(t), freePort(t), freePort(t)}
	}
	var ms []member
	for _, sid := range goSIDs {
		ms = append(ms, member{sid: sid})
	}
	goE := newEnsembleWith(t, ms, func(servers []quorum.Server) (quorum.Verifier, error) {
		for _, sid := range javaSIDs {
			p := javaPorts[sid]
			servers = append(servers, quorum.Server{ID: sid, Addrs: []quorum.AddrPair{{
				Host: "127.0.0.1", QuorumPort: p.quorum, ElectionPort: p.election}}})
		}
		sort.Slice(servers, func(i, j int) bool { return servers[i].ID < servers[j].ID })
		return quorum.NewMajority(servers, 0)
	}, func(cfg *actors.Config) { cfg.TickTime = zkjava.DefaultTickTime })

	m := &mixed{t: t, goE: goE, recorders: map[int64]*recordingListener{}}
	for sid, ln := range goE.lns {
		rec := &recordingListener{Listener: ln, sid: sid}
		goE.lns[sid] = rec
		m.recorders[sid] = rec
	}
	var members []zkjava.Member
	for _, s := range goE.verifier.Servers() {
		a := s.Addrs[0]
		jm := zkjava.Member{SID: s.ID, QuorumPort: a.QuorumPort, ElectionPort: a.ElectionPort}
		if p, ok := javaPorts[s.ID]; ok {
			jm.Java, jm.ClientPort = true, p.client
		}
		members = append(members, jm)
	}
	java, err := zkjava.New(inst, zkjava.Spec{Dir: t.TempDir(), Members: members})
	require.NoError(t, err)
	m.java = java
	// Registered after the zkfle ensemble's cleanup, so it runs first:
	// the JVMs stop, then the nodes.
	t.Cleanup(func() {
		require.NoError(t, java.Stop())
		if t.Failed() {
			t.Logf("ZooKeeper logs:\n%s", java.Logs())
		}
	})
	return m
}

// startAll starts the Java servers and the zkfle nodes together.
func (m *mixed) startAll() {
	m.t.Helper()
	require.NoError(m.t, m.java.Start())
	m.goE.start()
}

// javaRoles waits until every named Java server (all when none) serves
// and returns the sid whose srvr says leader, and each one's mode.
func (m *mixed) javaRoles(sids ...int64) (int64, map[int64]string) {
	m.t.Helper()
	var leader int64
	modes := map[int64]string{}
	var last error
	ok := waitFor(interopTimeout, func() bool {
		got, err := m.java.WaitServing(5*time.Second, sids...)
		if err != nil {
			last = err
			return false
		}
		leader = 0
		for sid, info := range got {
			modes[sid] = info.Mode
			if info.Mode == "leader" {
				if leader != 0 {
					last = fmt.Errorf("two Java leaders: %d and %d", leader, sid)
					return false
				}
				leader = sid
			}
		}
		return true
	})
	require.Truef(m.t, ok, "Java servers did not serve: %v", last)
	return leader, modes
}

// probeVotes reads every named server's (leader, state) through the
// election port: the Java servers' own view of whom they follow.
func (m *mixed) probeVotes(sids ...int64) map[int64]*probe.Reply {
	m.t.Helper()
	addrs := make([]string, len(sids))
	for i, sid := range sids {
		s, ok := m.goE.verifier.Server(sid)
		require.True(m.t, ok)
		addrs[i] = fmt.Sprintf("127.0.0.1:%d", s.Addrs[0].ElectionPort)
	}
	results, err := probe.Probe(context.Background(), addrs, probe.Options{Timeout: 10 * time.Second})
	require.NoError(m.t, err)
	out := map[int64]*probe.Reply{}
	for i, r := range results {
		require.NoErrorf(m.t, r.Err, "probe of server %d", sids[i])
		out[sids[i]] = r.Reply
	}
	return out
}

// recordingListener hands the node connections that keep a copy of every
// byte in each direction, so a test can decode what really went over the
// wire between a zkfle node and a ZooKeeper server.
type recordingListener struct {
	net.Listener
	sid   int64
	mu    sync.Mutex
	conns []*recordingConn
}

func (l *recordingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	rc := &recordingConn{Conn: c}
	l.mu.Lock()
	l.conns = append(l.conns, rc)
	l.mu.Unlock()
	return rc, nil
}

func (l *recordingListener) connections() []*recordingConn {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*recordingConn(nil), l.conns...)
}

// recordingConn records reads (what the peer sent) and writes (what the
// node sent), and whether the connection ended.
type recordingConn struct {
	net.Conn
	mu          sync.Mutex
	in, out     []byte
	ended       bool
	readFailure bool
}

func (c *recordingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	c.in = append(c.in, p[:n]...)
	if err != nil && !isTimeout(err) {
		c.readFailure = true
	}
	c.mu.Unlock()
	return n, err
}

func (c *recordingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.mu.Lock()
	c.out = append(c.out, p[:n]...)
	c.mu.Unlock()
	return n, err
}

func (c *recordingConn) Close() error {
	c.mu.Lock()
	c.ended = true
	c.mu.Unlock()
	return c.Conn.Close()
}

// snapshot returns copies of both directions and whether the connection
// is still up.
func (c *recordingConn) snapshot() (in, out []byte, alive bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]byte(nil), c.in...), append([]byte(nil), c.out...), !c.ended && !c.readFailure
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// notificationLines returns the "Notification:" lines of a ZooKeeper log
// that came from sender sid, with the part after "n.sid:" normalised to
// notificationText's form.
func notificationLines(log string, sid int64) []string {
	var out []string
	prefix := fmt.Sprintf("n.sid:%d, ", sid)
	for _, line := range strings.Split(log, "\n") {
		i := strings.Index(line, "Notification: my state:")
		if i < 0 {
			continue
		}
		j := strings.Index(line[i:], prefix)
		if j < 0 {
			continue
		}
		out = append(out, strings.TrimSpace(line[i+j:]))
	}
	return out
}

// dialLoopback connects to addr with a deadline for the whole exchange.
func dialLoopback(addr string) (net.Conn, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	if err := conn.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}
