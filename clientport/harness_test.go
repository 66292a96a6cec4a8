package clientport

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/internal/testlog"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/quorum"
)

// fakeNode is a node whose published state the test sets.
type fakeNode struct {
	mu   sync.Mutex
	cur  *messages.StateChanged
	subs []*fakeChanges
	tls  actors.TLSStatus
	// lag, if set, holds each change back from the watchers until it is
	// closed (a watcher goroutine that has not run yet).
	lag chan struct{}
}

func (f *fakeNode) State() *messages.StateChanged {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cur
}

func (f *fakeNode) Watch() Changes {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := &fakeChanges{ch: make(chan *messages.StateChanged, 64), done: make(chan struct{}), lag: f.lag}
	f.subs = append(f.subs, c)
	return c
}

// publish sets the state and queues it for every watcher, as the root
// actor does (under one lock).
func (f *fakeNode) publish(sc *messages.StateChanged) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cur = sc
	for _, c := range f.subs {
		c.ch <- sc
	}
}

func (f *fakeNode) CnxStatus(time.Duration) (*messages.CnxStatus, error) {
	return nil, errors.New("no connection manager in this harness")
}
func (f *fakeNode) DiskFault() (actors.DiskFault, bool) { return actors.DiskFault{}, false }
func (f *fakeNode) TLSStatus() actors.TLSStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tls
}

type fakeChanges struct {
	lag  chan struct{}
	ch   chan *messages.StateChanged
	done chan struct{}
	once sync.Once
}

func (c *fakeChanges) Next(ctx context.Context) (*messages.StateChanged, error) {
	select {
	case sc := <-c.ch:
		if c.lag != nil {
			select {
			case <-c.lag:
			case <-c.done:
				return nil, actors.ErrStopped
			}
		}
		return sc, nil
	case <-c.done:
		return nil, actors.ErrStopped
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (c *fakeChanges) Close() { c.once.Do(func() { close(c.done) }) }

// clientPortEnsemble is servers 1..3 voting and 4 observing, on loopback
// ports nothing listens on (the client port never dials them).
func clientPortEnsemble(t *testing.T) quorum.Verifier {
	t.Helper()
	var servers []quorum.Server
	for id := int64(1); id <= 4; id++ {
		s := quorum.Server{ID: id, Addrs: []quorum.AddrPair{{
			Host: "127.0.0.1", QuorumPort: 2880 + int(id), ElectionPort: 3880 + int(id)}}}
		if id == 4 {
			s.Type = quorum.Observer
		}
		servers = append(servers, s)
	}
	v, err := quorum.NewMajority(servers, 0)
	require.NoError(t, err)
	return v
}

// testOptions answers every word for sid of clientPortEnsemble.
func testOptions(t *testing.T, sid int64) Options {
	cfg := actors.DefaultConfig()
	cfg.ID = sid
	cfg.Verifier = clientPortEnsemble(t)
	cfg.DataDir = t.TempDir()
	cfg.HandshakeTimeout = 5 * time.Second
	return Options{Config: cfg, FourLetterWords: []string{"*"}}
}

// harness runs a Server for a fakeNode on 127.0.0.1:0.
type harness struct {
	t    *testing.T
	node *fakeNode
	srv  *Server
	logs *testlog.Recorder
}

func newHarness(t *testing.T, o Options) *harness {
	t.Helper()
	return newHarnessFor(t, o, &fakeNode{})
}

// newHarnessFor runs a Server for node.
func newHarnessFor(t *testing.T, o Options, node *fakeNode) *harness {
	t.Helper()
	t.Cleanup(func() { goleak.VerifyNone(t, goleak.IgnoreCurrent()) })
	h := &harness{t: t, node: node, logs: &testlog.Recorder{}}
	o.Node, o.Logger = h.node, slog.New(h.logs)
	ln, err := Listen("127.0.0.1:0")
	require.NoError(t, err)
	h.srv, err = Serve(ln, o)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, h.srv.Close()) })
	return h
}

func (h *harness) addr() string { return h.srv.Addr() }

// setState publishes a state change as the node would.
func (h *harness) setState(state messages.ServerState, leader int64) {
	h.node.publish(&messages.StateChanged{Sid: 1, NewState: state, Leader: leader,
		Zxid: 0x100000000, ElectionEpoch: 1, PeerEpoch: 1})
}

// ask sends raw bytes on a new connection, half-closes it (as `nc -N`
// does) and returns everything the server writes before closing it.
func (h *harness) ask(raw string) string {
	h.t.Helper()
	conn, err := net.DialTimeout("tcp", h.addr(), 5*time.Second)
	require.NoError(h.t, err)
	defer conn.Close()
	require.NoError(h.t, conn.SetDeadline(time.Now().Add(10*time.Second)))
	_, err = io.WriteString(conn, raw)
	require.NoError(h.t, err)
	require.NoError(h.t, conn.(*net.TCPConn).CloseWrite())
	got, err := io.ReadAll(conn)
	require.NoError(h.t, err, "answer to %q", raw)
	return string(got)
}

// dialFromIP opens a connection to addr from the loopback address ip.
func dialFromIP(t *testing.T, ip, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// answerOrEmpty is ask for use in Eventually: failures give "".
func answerOrEmpty(addr, word string) string {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return ""
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, word); err != nil {
		return ""
	}
	got, _ := io.ReadAll(c)
	return string(got)
}

func monitorLines(t *testing.T, mntr string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(mntr, "\n"), "\n") {
		k, v, ok := strings.Cut(line, "\t")
		require.True(t, ok, "mntr line %q", line)
		m[k] = v
	}
	return m
}
