package actors

import (
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/netbridge/electionwire"
)

// Tests that the actors carry out what the cnx core decides: each one
// fails if the driver drops one kind of output (see
// /work/brief/mutations-h8.md for the mutations they kill).

// readVote reads one notification frame from c within d.
func readVote(t *testing.T, c net.Conn, d time.Duration) electionwire.Notification {
	t.Helper()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(d)))
	body, err := electionwire.NewFrameReader(c).Next()
	require.NoError(t, err, "no notification arrived")
	var n electionwire.Notification
	require.NoError(t, electionwire.DecodeNotification(body, &n))
	return n
}

// A connection that comes up sends first what waited for it, and a later
// connection to the same peer re-sends the last notification
// (ZOOKEEPER-481), without the election sending anything new: its
// notification timeout is a minute away.
func TestNewConnectionSendsWaitingThenLastNotification(t *testing.T) {
	r := newIdentityRig(t, "", func(c *Config) {
		c.Election.MinNotificationInterval = time.Minute
		c.Election.MaxNotificationInterval = time.Minute
	})
	// The node's first vote waits for sid 3 (2 < 3: the node's dial only
	// asks 3 to call back).
	require.Eventually(t, func() bool { return r.peer(3).GetPending() == 1 }, 10*time.Second, 5*time.Millisecond)
	first, _ := r.connectPeer3()
	waited := readVote(t, first, 5*time.Second)
	assert.Equal(t, int64(2), waited.Leader, "the node's own vote")
	assert.Zero(t, r.peer(3).GetPending())

	require.NoError(t, first.Close())
	require.Eventually(t, func() bool { return !r.peer(3).GetConnected() }, 10*time.Second, 5*time.Millisecond)
	second, _ := r.connectPeer3()
	again := readVote(t, second, 5*time.Second)
	assert.Equal(t, waited, again, "the last notification is re-sent on the new connection")
}

// A failed dial frees the sid: once the peer listens again, the node's
// next attempt (at its next notification timeout) connects.
func TestDialFailureAllowsTheNextAttempt(t *testing.T) {
	r := newIdentityRig(t, "", func(c *Config) {
		c.Election.MaxNotificationInterval = 300 * time.Millisecond
	})
	require.Eventually(t, func() bool { return r.peer(1).GetConnected() }, 10*time.Second, 5*time.Millisecond)
	addr := r.lns[1].Addr().String()
	require.NoError(t, r.lns[1].Close())
	for _, c := range r.dialsTo(1) {
		_ = c.Close()
	}
	failures := r.peer(1).GetConnectFailures()
	require.Eventually(t, func() bool { return r.peer(1).GetConnectFailures() > failures }, 10*time.Second,
		5*time.Millisecond, "the node never tried the closed port")
	dials := len(r.dialsTo(1))

	ln, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	// Registered after the rig's cleanup, so it runs first: the rig then
	// waits for this loop too.
	t.Cleanup(func() { _ = ln.Close() })
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			r.mu.Lock()
			r.dials[1] = append(r.dials[1], c)
			r.mu.Unlock()
		}
	}()
	require.Eventually(t, func() bool { return len(r.dialsTo(1)) > dials && r.peer(1).GetConnected() },
		10*time.Second, 5*time.Millisecond, "a failed dial kept the sid busy: no new attempt")
}

// The Peer's send queue (ZooKeeper's SendWorker) writes one frame at a
// time and, when the bridge says a frame is written, sends the newest
// waiting notification: the ones it replaced are never written.
func TestPeerWritesNewestAfterFrameWritten(t *testing.T) {
	cfg, ln := oneVoter(t)
	require.NoError(t, ln.Close())
	system := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}))
	rt := &runtime{cfg: cfg, log: slog.New(slog.NewTextHandler(io.Discard, nil)), sup: newSupervision()}
	var mu sync.Mutex
	var wrote []int64
	fakeBridge := func(*peerActor, actor.Context) *actor.Props {
		return actor.PropsFromFunc(func(ctx actor.Context) {
			if m, ok := ctx.Message().(*messages.SendNotification); ok {
				mu.Lock()
				wrote = append(wrote, m.GetNotification().GetLeader())
				mu.Unlock()
			}
		})
	}
	written := func() []int64 {
		mu.Lock()
		defer mu.Unlock()
		return append([]int64(nil), wrote...)
	}
	var received atomic.Uint64
	first := &messages.Notification{Leader: 1}
	w := system.Root.Spawn(newPeerPropsWith(rt, 9, nil, first, &received, fakeBridge))
	t.Cleanup(func() { _ = system.Root.StopFuture(w).Wait() })
	vote := func(leader int64) *messages.SendNotification {
		return &messages.SendNotification{Sid: 9, Notification: &messages.Notification{Leader: leader}}
	}
	// The first message goes out at once.
	require.Eventually(t, func() bool { return len(written()) == 1 }, 5*time.Second, time.Millisecond)
	system.Root.Send(w, vote(2))
	system.Root.Send(w, vote(3))
	// Same sender, same mailbox: FrameWritten comes after 2 and 3.
	system.Root.Send(w, &messages.FrameWritten{})
	require.Eventually(t, func() bool { return len(written()) == 2 }, 5*time.Second, time.Millisecond,
		"the waiting notification was not written after FrameWritten")
	system.Root.Send(w, &messages.FrameWritten{})
	system.Root.Send(w, vote(4))
	require.Eventually(t, func() bool { return len(written()) == 3 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, []int64{1, 3, 4}, written(), "newest wins: 2 was replaced by 3")
}

// The connection manager tells the Election haveDelivered: once every
// send queue waits (sid 1's port is closed, sid 3 never calls back), the
// Election's notification timeouts ask for connectAll instead of
// re-sending, so the waiting notifications stop being replaced while the
// dials go on.
func TestAllQueuesWaitingStopsResends(t *testing.T) {
	r := newIdentityRig(t, "", func(c *Config) {
		c.Election.MaxNotificationInterval = 300 * time.Millisecond
	})
	require.Eventually(t, func() bool { return r.peer(1).GetConnected() }, 10*time.Second, 5*time.Millisecond)
	require.NoError(t, r.lns[1].Close())
	for _, c := range r.dialsTo(1) {
		_ = c.Close()
	}
	require.Eventually(t, func() bool { return r.peer(1).GetPending() == 1 && r.peer(3).GetPending() == 1 },
		10*time.Second, 5*time.Millisecond, "both queues wait")
	// One more attempt, so that a timeout that raced the report is past.
	attempts := r.peer(3).GetConnectAttempts()
	require.Eventually(t, func() bool { return r.peer(3).GetConnectAttempts() > attempts }, 10*time.Second, 5*time.Millisecond)
	dropped, attempts := r.peer(3).GetSendDropped(), r.peer(3).GetConnectAttempts()
	require.Eventually(t, func() bool { return r.peer(3).GetConnectAttempts() >= attempts+3 }, 10*time.Second,
		5*time.Millisecond, "the timeouts keep dialing")
	assert.Equal(t, dropped, r.peer(3).GetSendDropped(),
		"timeouts re-sent (replacing the waiting notification) although no queue was delivered")
}
