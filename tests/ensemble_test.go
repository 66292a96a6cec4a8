package tests

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/internal/freeport"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/quorum"
	"google.golang.org/protobuf/encoding/prototext"
)

// member describes one server of a test ensemble.
type member struct {
	sid      int64
	observer bool
	zxid     int64 // 0 means epoch<<32
	epoch    int64
	// dead, if set, is the address configured for this member; nothing of
	// ours listens there and it is never started.
	dead string
	// host is the member's address on its server line ("" means
	// 127.0.0.1): a loopback alias gives it an address of its own, which
	// the source-address check tells apart.
	host string
}

// hostOf is m's configured host.
func (m member) hostOf() string {
	if m.host != "" {
		return m.host
	}
	return "127.0.0.1"
}

// ensemble is an in-process zkfle ensemble over real TCP on loopback. Every
// member's election port is bound up front (so configs can name it), and
// handed to the node when it starts: no port races.
type ensemble struct {
	t        testing.TB
	members  map[int64]member
	verifier quorum.Verifier
	mu       sync.Mutex
	lns      map[int64]net.Listener
	nodes    map[int64]*actors.Node
	tweak    func(*actors.Config)
	logs     *logBuffer
}

// logBuffer collects every node's logs; a failing test prints them.
type logBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// contains reports whether the logs have a line holding every fragment.
func (b *logBuffer) contains(fragments ...string) bool {
	for _, line := range strings.Split(b.String(), "\n") {
		all := true
		for _, f := range fragments {
			if !strings.Contains(line, f) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// participants returns n participants with sids 1..n and equal data.
func participants(n int) []member {
	out := make([]member, n)
	for i := range out {
		out[i] = member{sid: int64(i + 1)}
	}
	return out
}

func newEnsemble(t testing.TB, ms []member, tweak func(*actors.Config)) *ensemble {
	t.Helper()
	return newEnsembleWith(t, ms, func(servers []quorum.Server) (quorum.Verifier, error) {
		return quorum.NewMajority(servers, 0)
	}, tweak)
}

// newEnsembleWith is newEnsemble with a chosen quorum system (e.g.
// hierarchical).
func newEnsembleWith(t testing.TB, ms []member, build func([]quorum.Server) (quorum.Verifier, error),
	tweak func(*actors.Config)) *ensemble {
	t.Helper()
	e := &ensemble{t: t, members: map[int64]member{}, lns: map[int64]net.Listener{},
		nodes: map[int64]*actors.Node{}, tweak: tweak, logs: &logBuffer{}}
	servers := make([]quorum.Server, 0, len(ms))
	for _, m := range ms {
		e.members[m.sid] = m
		typ := quorum.Participant
		if m.observer {
			typ = quorum.Observer
		}
		var port int
		if m.dead != "" {
			_, p, err := net.SplitHostPort(m.dead)
			require.NoError(t, err)
			port, err = strconv.Atoi(p)
			require.NoError(t, err)
		} else {
			ln, err := net.Listen("tcp", net.JoinHostPort(m.hostOf(), "0"))
			require.NoError(t, err)
			e.lns[m.sid] = ln
			port = ln.Addr().(*net.TCPAddr).Port
		}
		servers = append(servers, quorum.Server{ID: m.sid, Type: typ, Addrs: []quorum.AddrPair{{
			Host: m.hostOf(), QuorumPort: freePort(t), ElectionPort: port}}})
	}
	v, err := build(servers)
	require.NoError(t, err)
	e.verifier = v
	t.Cleanup(func() {
		e.stopAll()
		if t.Failed() {
			t.Logf("node logs:\n%s", e.logs.String())
		}
	})
	return e
}

// freePort returns a loopback port nothing listens on, from below the
// kernel's ephemeral range and never twice in one test binary
// (internal/freeport says why).
func freePort(t testing.TB) int {
	t.Helper()
	p, err := freeport.Port()
	require.NoError(t, err)
	return p
}

// config builds sid's node config with fast test timing.
func (e *ensemble) config(sid int64) actors.Config {
	m := e.members[sid]
	cfg := actors.DefaultConfig()
	cfg.ID = sid
	cfg.Verifier = e.verifier
	cfg.TickTime = 200 * time.Millisecond
	cfg.ConnectTimeout = time.Second
	// ZooKeeper's finalize window (200 ms): with a shorter one, servers
	// that started first can legitimately settle before the last ones
	// are heard, and "the best server wins" no longer holds.
	cfg.Election.MaxNotificationInterval = 2 * time.Second
	cfg.CurrentEpoch = m.epoch
	if m.zxid != 0 {
		z := m.zxid
		cfg.LastZxid = func() int64 { return z }
	}
	var w io.Writer = e.logs
	if os.Getenv("ZKFLE_TEST_LOGS") != "" {
		w = io.MultiWriter(e.logs, os.Stderr)
	}
	cfg.Logger = slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if e.tweak != nil {
		e.tweak(&cfg)
	}
	return cfg
}

// start starts the given members (all of them when none are named), all
// at once: the "started together" of ZooKeeper's election tests.
func (e *ensemble) start(sids ...int64) {
	e.t.Helper()
	if len(sids) == 0 {
		sids = e.sids()
	}
	type started struct {
		sid  int64
		node *actors.Node
		err  error
	}
	results := make(chan started, len(sids))
	for _, sid := range sids {
		e.mu.Lock()
		ln := e.lns[sid]
		delete(e.lns, sid)
		e.mu.Unlock()
		if ln == nil { // restarted: bind the same port again
			var err error
			ln, err = net.Listen("tcp", e.electionAddr(sid))
			require.NoError(e.t, err)
		}
		cfg := e.config(sid)
		go func(sid int64, ln net.Listener) {
			n, err := actors.Start(cfg, actors.WithListeners(ln))
			results <- started{sid: sid, node: n, err: err}
		}(sid, ln)
	}
	for range sids {
		r := <-results
		require.NoError(e.t, r.err)
		e.mu.Lock()
		e.nodes[r.sid] = r.node
		e.mu.Unlock()
	}
}

// stop stops one node and closes its listener (it is rebound on start).
func (e *ensemble) stop(sid int64) {
	e.t.Helper()
	e.mu.Lock()
	n := e.nodes[sid]
	delete(e.nodes, sid)
	e.mu.Unlock()
	if n != nil {
		require.NoError(e.t, n.Stop())
	}
}

func (e *ensemble) stopAll() {
	for _, sid := range e.sids() {
		e.stop(sid)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for sid, ln := range e.lns {
		_ = ln.Close()
		delete(e.lns, sid)
	}
}

func (e *ensemble) electionPort(sid int64) int {
	s, _ := e.verifier.Server(sid)
	return s.Addrs[0].ElectionPort
}

func (e *ensemble) electionAddr(sid int64) string {
	return net.JoinHostPort(e.members[sid].hostOf(), strconv.Itoa(e.electionPort(sid)))
}

func (e *ensemble) sids() []int64 {
	out := make([]int64, 0, len(e.members))
	for sid := range e.members {
		out = append(out, sid)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func (e *ensemble) node(sid int64) *actors.Node {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.nodes[sid]
}

func (e *ensemble) running() []int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]int64, 0, len(e.nodes))
	for sid := range e.nodes {
		out = append(out, sid)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// decided returns sid's state if it has left LOOKING.
func (e *ensemble) decided(sid int64) (*messages.StateChanged, bool) {
	n := e.node(sid)
	if n == nil {
		return nil, false
	}
	st := n.State()
	if st == nil || st.GetNewState() == messages.ServerState_LOOKING {
		return nil, false
	}
	return st, true
}

// waitAgreed waits until every running node (or the named ones) has
// decided on the same leader, which itself is LEADING, and returns it.
func (e *ensemble) waitAgreed(timeout time.Duration, sids ...int64) int64 {
	e.t.Helper()
	if len(sids) == 0 {
		sids = e.running()
	}
	var leader int64
	var last string
	ok := waitFor(timeout, func() bool {
		leader = -1
		var b strings.Builder
		for _, sid := range sids {
			st, ok := e.decided(sid)
			if !ok {
				fmt.Fprintf(&b, "%d:LOOKING ", sid)
				last = b.String()
				return false
			}
			fmt.Fprintf(&b, "%d:%s(%d) ", sid, st.GetNewState(), st.GetLeader())
			if leader == -1 {
				leader = st.GetLeader()
			} else if leader != st.GetLeader() {
				last = b.String()
				return false
			}
		}
		last = b.String()
		if st, ok := e.decided(leader); ok && e.node(leader) != nil {
			return st.GetNewState() == messages.ServerState_LEADING
		}
		// The leader may be outside sids (e.g. only a joiner was asked).
		return true
	})
	if !ok {
		e.dumpStatus()
	}
	require.Truef(e.t, ok, "no agreement within %v: %s", timeout, last)
	return leader
}

// waitFor polls cond every 5 ms until it holds or timeout passes.
func waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond) // polling interval, not synchronisation
	}
}

// dumpStatus logs every running node's election and connection status,
// for a failing test.
func (e *ensemble) dumpStatus() {
	for _, sid := range e.running() {
		n := e.node(sid)
		es, err := n.ElectionStatus(time.Second)
		e.t.Logf("server %d election (err=%v): %s", sid, err, prototext.Format(es))
		cs, err := n.CnxStatus(time.Second)
		e.t.Logf("server %d connections (err=%v): %s", sid, err, prototext.Format(cs))
	}
}
