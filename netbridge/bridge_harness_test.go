package netbridge

import (
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/netbridge/electionwire"
)

// Test scaffolding for the bridge actor: an actor system with a quiet
// logger, a probe actor that plays the bridge's parent, loopback
// connections, and goroutine-leak checks.

// bridgeWait bounds every wait in these tests. Generous: under -race on a
// 2-core CI box a message hop can take milliseconds.
const bridgeWait = 5 * time.Second

// deadLetterThrottleTop is the protoactor goroutine that outlives a dead
// letter by the throttle interval (protoactor's dead-letter throttle).
const deadLetterThrottleTop = "github.com/asynkron/protoactor-go/actor.NewDeadLetter.NewThrottle.func4.1"

// bridgeHarness is one test's actor system and parent probe.
type bridgeHarness struct {
	t      testing.TB
	system *actor.ActorSystem
	root   *actor.RootContext
	parent *bridgeProbe
}

// newBridgeHarness builds the system and the parent probe, and registers,
// in this order, a goroutine-leak check (runs last) and the stop of the
// probe and all its bridges (runs before it).
func newBridgeHarness(t testing.TB, strategy actor.SupervisorStrategy) *bridgeHarness {
	t.Helper()
	existing := goleak.IgnoreCurrent()
	t.Cleanup(func() {
		goleak.VerifyNone(t, existing, goleak.IgnoreTopFunction(deadLetterThrottleTop))
	})
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	system := actor.NewActorSystem(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return quiet }),
		actor.WithDeadLetterThrottleInterval(10*time.Millisecond),
	)
	h := &bridgeHarness{t: t, system: system, root: system.Root}
	h.parent = newBridgeProbe(t, h.root, strategy)
	return h
}

// bridgeProbe is an actor that spawns bridges as its children and copies
// every user message it receives into msgs, and the PIDs of children that
// terminated into terminated.
type bridgeProbe struct {
	pid        *actor.PID
	msgs       chan interface{}
	terminated chan *actor.PID
}

// spawnBridge asks the probe to spawn props as its child.
type spawnBridge struct{ props *actor.Props }

// probeSync is answered once every message queued before it is copied.
type probeSync struct{}

func newBridgeProbe(t testing.TB, root *actor.RootContext, strategy actor.SupervisorStrategy) *bridgeProbe {
	t.Helper()
	p := &bridgeProbe{msgs: make(chan interface{}, 256), terminated: make(chan *actor.PID, 16)}
	opts := []actor.PropsOption{}
	if strategy != nil {
		opts = append(opts, actor.WithSupervisor(strategy))
	}
	p.pid = root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch m := ctx.Message().(type) {
		case *spawnBridge:
			ctx.Respond(ctx.Spawn(m.props))
		case *probeSync:
			ctx.Respond(true)
		case *actor.Terminated:
			p.terminated <- m.Who
		case actor.SystemMessage, actor.AutoReceiveMessage:
		default:
			p.msgs <- m
		}
	}, opts...))
	t.Cleanup(func() { require.NoError(t, root.StopFuture(p.pid).Wait()) })
	return p
}

// spawn starts a bridge under the parent probe and returns its PID.
func (h *bridgeHarness) spawn(props *actor.Props) *actor.PID {
	h.t.Helper()
	res, err := h.root.RequestFuture(h.parent.pid, &spawnBridge{props: props}, bridgeWait).Result()
	require.NoError(h.t, err)
	pid, ok := res.(*actor.PID)
	require.Truef(h.t, ok, "spawn answered %T", res)
	return pid
}

// expectBridgeMsg waits for the probe's next message and requires type T.
func expectBridgeMsg[T any](t testing.TB, p *bridgeProbe) T {
	t.Helper()
	select {
	case m := <-p.msgs:
		v, ok := m.(T)
		require.Truef(t, ok, "expected %T, got %T (%v)", *new(T), m, m)
		return v
	case <-time.After(bridgeWait):
		require.FailNowf(t, "timeout", "no %T within %v", *new(T), bridgeWait)
	}
	var zero T
	return zero
}

// expectTerminated waits until the probe saw pid terminate.
func (p *bridgeProbe) expectTerminated(t testing.TB, pid *actor.PID) {
	t.Helper()
	select {
	case who := <-p.terminated:
		require.Truef(t, who.Equal(pid), "terminated %v, want %v", who, pid)
	case <-time.After(bridgeWait):
		require.FailNowf(t, "timeout", "%v did not terminate within %v", pid, bridgeWait)
	}
}

// drain returns every message the probe received so far, after a sync
// round trip: whatever a bridge sent before the probe saw it terminate is
// queued ahead of the sync request, so it is included.
func (h *bridgeHarness) drain() []interface{} {
	h.t.Helper()
	_, err := h.root.RequestFuture(h.parent.pid, &probeSync{}, bridgeWait).Result()
	require.NoError(h.t, err)
	var out []interface{}
	for {
		select {
		case m := <-h.parent.msgs:
			out = append(out, m)
		default:
			return out
		}
	}
}

// tcpPair returns the two ends of a loopback TCP connection: one for the
// bridge, one for the test to play the peer. Both are closed at cleanup.
func tcpPair(t testing.TB) (bridgeSide, peerSide net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	acceptErr := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			acceptErr <- err
			return
		}
		accepted <- c
	}()
	peerSide, err = net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	select {
	case bridgeSide = <-accepted:
	case err := <-acceptErr:
		require.NoError(t, err)
	case <-time.After(bridgeWait):
		require.FailNow(t, "accept timed out")
	}
	t.Cleanup(func() {
		_ = bridgeSide.Close()
		_ = peerSide.Close()
	})
	return bridgeSide, peerSide
}

// pipePair is tcpPair over net.Pipe: synchronous, unbuffered, so a peer
// that does not read blocks the writer, which is what the write tests need.
func pipePair(t testing.TB) (bridgeSide, peerSide net.Conn) {
	t.Helper()
	bridgeSide, peerSide = net.Pipe()
	t.Cleanup(func() {
		_ = bridgeSide.Close()
		_ = peerSide.Close()
	})
	return bridgeSide, peerSide
}

// writeAll writes b to the peer side with a deadline.
func writeAll(t testing.TB, c net.Conn, b []byte) {
	t.Helper()
	require.NoError(t, c.SetWriteDeadline(time.Now().Add(bridgeWait)))
	_, err := c.Write(b)
	require.NoError(t, err)
}

// mustFrame frames body for the test to write.
func mustFrame(t testing.TB, body []byte) []byte {
	t.Helper()
	f, err := electionwire.AppendFrame(nil, body)
	require.NoError(t, err)
	return f
}

// readPeerFrame reads one frame body on the peer side.
func readPeerFrame(t testing.TB, fr *electionwire.FrameReader, c net.Conn) []byte {
	t.Helper()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(bridgeWait)))
	body, err := fr.Next()
	require.NoError(t, err)
	return append([]byte(nil), body...)
}

// requirePeerSeesClose requires that the bridge closed its end: reading on
// the peer side ends with EOF (or a reset) rather than the deadline.
func requirePeerSeesClose(t testing.TB, c net.Conn) {
	t.Helper()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(bridgeWait)))
	_, err := io.Copy(io.Discard, c) // nil on EOF
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		require.FailNowf(t, "connection still open", "peer read timed out: %v", err)
	}
}

// linkGoroutines counts the bridge helper goroutines alive right now.
func linkGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	return strings.Count(string(buf), "netbridge.(*link).readLoop(") +
		strings.Count(string(buf), "netbridge.(*link).writeLoop(")
}

// goldenBody loads a frame from testdata/golden (hex lines after '#'
// comments) and returns its body.
func goldenBody(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("electionwire", "testdata", "golden", name))
	require.NoError(t, err)
	var hexText strings.Builder
	for _, line := range strings.Split(string(raw), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			hexText.WriteString(line)
		}
	}
	frame, err := hex.DecodeString(hexText.String())
	require.NoError(t, err)
	body, err := electionwire.NewFrameReader(strings.NewReader(string(frame))).Next()
	require.NoError(t, err)
	return body
}

// closedReasons lists the reasons of the ConnectionClosed messages in msgs.
func closedReasons(msgs []interface{}) []messages.CloseReason {
	var out []messages.CloseReason
	for _, m := range msgs {
		if cc, ok := m.(*messages.ConnectionClosed); ok {
			out = append(out, cc.GetReason())
		}
	}
	return out
}
