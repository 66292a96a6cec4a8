// Package testensemble starts small in-process zkfle ensembles over
// loopback TCP for the tests of the observability packages (history,
// metrics, admin, cmd/node). It is test support: never use it in a
// running node.
package testensemble

import (
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/internal/freeport"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/quorum"
)

// Ensemble is n participants (sids 1..n) whose election ports are bound up
// front on 127.0.0.1, so nodes can be started in any order without port
// races. Nodes are stopped when the test ends.
type Ensemble struct {
	t        testing.TB
	verifier quorum.Verifier
	mu       sync.Mutex
	lns      map[int64]net.Listener
	nodes    map[int64]*actors.Node
}

// New binds the election ports of an n-server ensemble; start nodes with
// Start.
func New(t testing.TB, n int) *Ensemble {
	t.Helper()
	e := &Ensemble{t: t, lns: map[int64]net.Listener{}, nodes: map[int64]*actors.Node{}}
	servers := make([]quorum.Server, 0, n)
	for sid := int64(1); sid <= int64(n); sid++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		e.lns[sid] = ln
		servers = append(servers, quorum.Server{ID: sid, Addrs: []quorum.AddrPair{{Host: "127.0.0.1",
			QuorumPort: freePort(t), ElectionPort: ln.Addr().(*net.TCPAddr).Port}}})
	}
	v, err := quorum.NewMajority(servers, 0)
	require.NoError(t, err)
	e.verifier = v
	t.Cleanup(e.StopAll)
	return e
}

func freePort(t testing.TB) int {
	t.Helper()
	return freeport.MustPort()
}

// Verifier returns the ensemble's quorum configuration.
func (e *Ensemble) Verifier() quorum.Verifier { return e.verifier }

// Config returns sid's node configuration, with fast test timing and
// fault injection enabled.
func (e *Ensemble) Config(sid int64) actors.Config {
	cfg := actors.DefaultConfig()
	cfg.ID = sid
	cfg.Verifier = e.verifier
	cfg.TickTime = 200 * time.Millisecond
	cfg.ConnectTimeout = time.Second
	cfg.Election.MaxNotificationInterval = 2 * time.Second
	// These tests expect ZooKeeper's order: the highest sid among equal
	// votes leads when every node starts. With the fast paths the votes'
	// unanimity decides as soon as the last node has voted; the long
	// window only keeps a node that a loaded machine starts late from
	// being decided without (with the default 200 ms it was, now and
	// then, in CI).
	cfg.Election.FinalizeWait = 2 * time.Second
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	// Tests of restart counters crash actors on purpose.
	cfg.FaultInjection = true
	return cfg
}

// Start starts the named nodes and returns them in the same order.
func (e *Ensemble) Start(sids ...int64) []*actors.Node {
	e.t.Helper()
	out := make([]*actors.Node, 0, len(sids))
	for _, sid := range sids {
		e.mu.Lock()
		ln := e.lns[sid]
		delete(e.lns, sid)
		e.mu.Unlock()
		require.NotNil(e.t, ln, "server %d has no bound election port (started twice?)", sid)
		n, err := actors.Start(e.Config(sid), actors.WithListeners(ln))
		require.NoError(e.t, err)
		e.mu.Lock()
		e.nodes[sid] = n
		e.mu.Unlock()
		out = append(out, n)
	}
	return out
}

// Node returns a started node, or nil.
func (e *Ensemble) Node(sid int64) *actors.Node {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.nodes[sid]
}

// StopAll stops every started node and closes the unused listeners.
func (e *Ensemble) StopAll() {
	e.mu.Lock()
	nodes, lns := e.nodes, e.lns
	e.nodes, e.lns = map[int64]*actors.Node{}, map[int64]net.Listener{}
	e.mu.Unlock()
	for _, n := range nodes {
		require.NoError(e.t, n.Stop())
	}
	for _, ln := range lns {
		_ = ln.Close()
	}
}

// Decided reports whether the node has left LOOKING.
func Decided(n *actors.Node) bool {
	st := n.State()
	return st != nil && st.GetNewState() != messages.ServerState_LOOKING
}

// WaitFor polls cond every 5 ms until it holds or timeout passes, and
// reports whether it held.
func WaitFor(timeout time.Duration, cond func() bool) bool {
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

// LeakOptions are the goleak options the observability tests use:
// protoactor's dead-letter throttle goroutine ends by itself.
func LeakOptions() []string {
	return []string{"github.com/asynkron/protoactor-go/actor.NewDeadLetter.NewThrottle.func4.1"}
}
