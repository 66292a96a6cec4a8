package netbridge

import (
	"encoding/binary"
	"net"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/netbridge/electionwire"
	"github.com/zkfle/zkfle/zk"
)

// javaConfig is the config string of the golden LEADING frame (N6), as a
// ZooKeeper 3.8.0 server printed it.
const javaConfig = "server.1=127.0.0.1:12101:12201:participant\n" +
	"server.2=127.0.0.1:12102:12202:participant\n" +
	"server.3=127.0.0.1:12103:12203:participant\n" +
	"version=0"

func TestBridgeDeliversInboundNotificationsTyped(t *testing.T) {
	h := newBridgeHarness(t, nil)
	conn, peer := tcpPair(t)
	h.spawn(NewBridgeProps(conn, 2))

	current := goldenBody(t, "gf-N6-frame-leading.hex") // captured from ZooKeeper 3.8.0
	legacy40 := goldenBody(t, "spec-3.6-frame-legacy40.hex")
	legacy28 := legacy40[:28]
	unknownState := append([]byte{0, 0, 0, 7}, legacy28[4:]...)
	// All in one write: the bridge must split the stream into frames.
	var stream []byte
	for _, body := range [][]byte{current, legacy40, legacy28, unknownState} {
		stream = append(stream, mustFrame(t, body)...)
	}
	writeAll(t, peer, stream)

	got := expectBridgeMsg[*messages.NotificationReceived](t, h.parent)
	assert.EqualValues(t, 2, got.GetSid())
	assert.Equal(t, messages.ServerState_LEADING, got.GetNotification().GetState())
	assert.EqualValues(t, 2, got.GetNotification().GetLeader())
	assert.EqualValues(t, 0x100000002, got.GetNotification().GetZxid())
	assert.EqualValues(t, 2, got.GetNotification().GetElectionEpoch())
	assert.EqualValues(t, 2, got.GetNotification().GetPeerEpoch())
	assert.EqualValues(t, 2, got.GetNotification().GetVersion())
	assert.Equal(t, javaConfig, string(got.GetNotification().GetConfig()))
	assert.EqualValues(t, 44+len(javaConfig), got.GetNotification().GetWireSize())

	// 40 bytes: FOLLOWING, leader 3, zxid 0x100000005, round 2, peerEpoch 1;
	// the 0x1 in the version slot is not read (Java treats it as 0).
	got = expectBridgeMsg[*messages.NotificationReceived](t, h.parent)
	assert.Equal(t, messages.ServerState_FOLLOWING, got.GetNotification().GetState())
	assert.EqualValues(t, 3, got.GetNotification().GetLeader())
	assert.EqualValues(t, 0x100000005, got.GetNotification().GetZxid())
	assert.EqualValues(t, 1, got.GetNotification().GetPeerEpoch())
	assert.EqualValues(t, 0, got.GetNotification().GetVersion())
	assert.Empty(t, got.GetNotification().GetConfig())

	// 28 bytes: peerEpoch is derived from the zxid's high half.
	got = expectBridgeMsg[*messages.NotificationReceived](t, h.parent)
	assert.EqualValues(t, 0x100000005, got.GetNotification().GetZxid())
	assert.EqualValues(t, 1, got.GetNotification().GetPeerEpoch())
	assert.EqualValues(t, 28, got.GetNotification().GetWireSize())

	// An unknown state code is passed on untouched; the election drops it.
	got = expectBridgeMsg[*messages.NotificationReceived](t, h.parent)
	assert.EqualValues(t, 7, got.GetNotification().GetState())
}

// The malformed bodies of ZooKeeper's FLEMalformedNotificationMessageTest
// (ZOOKEEPER-3769): each is reported as dropped, and then, unlike in
// ZooKeeper, the connection is closed with MALFORMED_NOTIFICATION: a peer
// that sends garbage must reconnect to send more (issue 11).
func TestBridgeClosesConnectionOnMalformedBody(t *testing.T) {
	v2Header := func(size int, configLen int32) []byte {
		b := make([]byte, size)
		binary.BigEndian.PutUint32(b[36:], 2)
		binary.BigEndian.PutUint32(b[40:], uint32(configLen))
		return b
	}
	valid := mustFrame(t, (&electionwire.Notification{State: zk.Looking, Leader: 1, Zxid: 5, Version: 2, Config: []byte("version=0")}).AppendEncode(nil))
	cases := []struct {
		name   string
		body   []byte
		reason messages.DropReason
	}{
		{"too short partial", make([]byte, 12), messages.DropReason_SHORT_BODY},
		{"one byte", []byte{0}, messages.DropReason_SHORT_BODY},
		{"negative config length", v2Header(48, -123), messages.DropReason_BAD_CONFIG_LENGTH},
		{"config length beyond body", v2Header(48+29, 10000), messages.DropReason_BAD_CONFIG_LENGTH},
		{"bad protocol (30 bytes)", make([]byte, 30), messages.DropReason_TRUNCATED_BODY},
		{"3.4.0 36-byte form", make([]byte, 36), messages.DropReason_TRUNCATED_BODY},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newBridgeHarness(t, nil)
			conn, peer := tcpPair(t)
			pid := h.spawn(NewBridgeProps(conn, 1))

			// A valid notification right behind the bad one in the same
			// write: it must not be delivered, the reader stops at the
			// bad body.
			writeAll(t, peer, append(mustFrame(t, tc.body), valid...))
			dropped := expectBridgeMsg[*messages.NotificationDropped](t, h.parent)
			assert.EqualValues(t, 1, dropped.GetSid())
			assert.Equal(t, tc.reason, dropped.GetReason())
			assert.EqualValues(t, len(tc.body), dropped.GetBodySize())
			assert.NotEmpty(t, dropped.GetDetail())

			closed := expectBridgeMsg[*messages.ConnectionClosed](t, h.parent)
			assert.Equal(t, messages.CloseReason_MALFORMED_NOTIFICATION, closed.GetReason())
			assert.Contains(t, closed.GetDetail(), tc.reason.String())
			h.parent.expectTerminated(t, pid)
			requirePeerSeesClose(t, peer)
			for _, m := range h.drain() {
				_, delivered := m.(*messages.NotificationReceived)
				assert.False(t, delivered, "a notification after the malformed body was delivered")
			}
		})
	}
}

// A config Java cannot parse is still a well-formed notification: the vote
// counts (testNotificationMessageWithInvalidConfig) and the connection
// stays up.
func TestBridgeKeepsConnectionOnUnparsableConfig(t *testing.T) {
	h := newBridgeHarness(t, nil)
	conn, peer := tcpPair(t)
	pid := h.spawn(NewBridgeProps(conn, 1))

	bad := &electionwire.Notification{State: zk.Looking, Leader: 1, Zxid: 5, Version: 2, Config: []byte("my very invalid config string")}
	for range 2 {
		writeAll(t, peer, mustFrame(t, bad.AppendEncode(nil)))
		got := expectBridgeMsg[*messages.NotificationReceived](t, h.parent)
		assert.Equal(t, "my very invalid config string", string(got.GetNotification().GetConfig()))
	}

	require.NoError(t, h.root.StopFuture(pid).Wait())
	assert.Equal(t, []messages.CloseReason{messages.CloseReason_SHUTDOWN}, closedReasons(h.drain()))
}

func TestBridgeReportsExactlyOneConnectionClosed(t *testing.T) {
	length := func(n int32) []byte { return binary.BigEndian.AppendUint32(nil, uint32(n)) }
	cases := []struct {
		name   string
		send   []byte // written by the peer, which then keeps its end open...
		hangUp bool   // ...unless it closes it
		reason messages.CloseReason
	}{
		{"negative length (CnxManagerTest spin lock)", length(-20), false, messages.CloseReason_BAD_FRAME_LENGTH},
		{"zero length", length(0), false, messages.CloseReason_BAD_FRAME_LENGTH},
		{"one over the maximum", length(electionwire.MaxFrameLen + 1), false, messages.CloseReason_BAD_FRAME_LENGTH},
		{"1 GiB (QuorumPeerMainTest bad packets)", length(1 << 30), false, messages.CloseReason_BAD_FRAME_LENGTH},
		{"garbage", []byte("GET / HTTP/1.1\r\nHost: zk\r\n\r\n"), false, messages.CloseReason_BAD_FRAME_LENGTH},
		{"peer closes", nil, true, messages.CloseReason_PEER_CLOSED},
		{"peer closes mid-frame", append(length(100), make([]byte, 10)...), true, messages.CloseReason_PEER_CLOSED},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newBridgeHarness(t, nil)
			conn, peer := tcpPair(t)
			pid := h.spawn(NewBridgeProps(conn, 3))

			if len(tc.send) > 0 {
				writeAll(t, peer, tc.send)
			}
			if tc.hangUp {
				require.NoError(t, peer.Close())
			}

			closed := expectBridgeMsg[*messages.ConnectionClosed](t, h.parent)
			assert.EqualValues(t, 3, closed.GetSid())
			assert.Equal(t, tc.reason, closed.GetReason())
			assert.NotEmpty(t, closed.GetDetail())
			h.parent.expectTerminated(t, pid) // the bridge stopped itself
			if !tc.hangUp {
				requirePeerSeesClose(t, peer)
			}
			assert.Empty(t, closedReasons(h.drain()), "more than one ConnectionClosed")
		})
	}
}

func TestBridgeWritesTheCodecsEncoding(t *testing.T) {
	h := newBridgeHarness(t, nil)
	conn, peer := tcpPair(t)
	pid := h.spawn(NewBridgeProps(conn, 2))
	fr := electionwire.NewFrameReader(peer)

	config := []byte(javaConfig)
	cases := []struct {
		name string
		msg  *messages.Notification
		want electionwire.Notification
	}{
		{
			"current 44+N form",
			&messages.Notification{State: messages.ServerState_LOOKING, Leader: 3, Zxid: 0x100000005, ElectionEpoch: 2, PeerEpoch: 1, Version: 2, Config: config},
			electionwire.Notification{State: zk.Looking, Leader: 3, Zxid: 0x100000005, ElectionEpoch: 2, PeerEpoch: 1, Version: 2, Config: config},
		},
		{
			"legacy form",
			&messages.Notification{State: messages.ServerState_FOLLOWING, Leader: 3, Zxid: 0x100000005, ElectionEpoch: 2, PeerEpoch: 1, Version: 1},
			electionwire.Notification{State: zk.Following, Leader: 3, Zxid: 0x100000005, ElectionEpoch: 2, PeerEpoch: 1, Version: 1},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// A requester hears FrameWritten once the frame is out.
			reply, err := h.root.RequestFuture(pid, &messages.SendNotification{Sid: 2, Notification: tc.msg}, bridgeWait).Result()
			require.NoError(t, err)
			assert.Equal(t, int64(2), reply.(*messages.FrameWritten).GetSid())

			assert.Equal(t, tc.want.AppendEncode(nil), readPeerFrame(t, fr, peer))
		})
	}

	t.Run("raw frame", func(t *testing.T) {
		h.root.Send(pid, &messages.SendFrame{Sid: 2, Body: []byte{1, 2, 3}})
		assert.Equal(t, []byte{1, 2, 3}, readPeerFrame(t, fr, peer))
	})

	t.Run("requests for another sid or without content are not sent", func(t *testing.T) {
		h.root.Send(pid, &messages.SendNotification{Sid: 9, Notification: cases[0].msg})
		h.root.Send(pid, &messages.SendFrame{Sid: 9, Body: []byte{9}})
		h.root.Send(pid, &messages.SendNotification{Sid: 2})
		h.root.Send(pid, &messages.SendFrame{Sid: 2}) // empty body: no valid frame
		h.root.Send(pid, &messages.SendFrame{Sid: 2, Body: []byte{4}})
		assert.Equal(t, []byte{4}, readPeerFrame(t, fr, peer), "the first frame out is the last, valid request")
	})

	require.NoError(t, h.root.StopFuture(pid).Wait())
	requirePeerSeesClose(t, peer)
	assert.Equal(t, []messages.CloseReason{messages.CloseReason_SHUTDOWN}, closedReasons(h.drain()))
}

func TestBridgeStopClosesTheConnection(t *testing.T) {
	h := newBridgeHarness(t, nil)
	conn, peer := tcpPair(t)
	pid := h.spawn(NewBridgeProps(conn, 4))

	// Prove the bridge is up and reading before stopping it.
	writeAll(t, peer, mustFrame(t, (&electionwire.Notification{Leader: 4, Version: 2}).AppendEncode(nil)))
	expectBridgeMsg[*messages.NotificationReceived](t, h.parent)

	require.Eventually(t, func() bool { return linkGoroutines() == 2 }, bridgeWait, time.Millisecond,
		"a reader and a writer per connection")

	require.NoError(t, h.root.StopFuture(pid).Wait())
	// wg.Done runs in the helpers' last deferred call, so a helper can
	// still be unwinding for an instant after Stop returned.
	assert.Eventually(t, func() bool { return linkGoroutines() == 0 }, bridgeWait, time.Millisecond,
		"helpers still running after the bridge stopped")
	requirePeerSeesClose(t, peer)
	closed := expectBridgeMsg[*messages.ConnectionClosed](t, h.parent)
	assert.Equal(t, messages.CloseReason_SHUTDOWN, closed.GetReason())
	// The harness's cleanup checks that no other goroutine is left.
}

func TestBridgeStopDoesNotWaitForAStuckPeer(t *testing.T) {
	h := newBridgeHarness(t, nil)
	conn, _ := pipePair(t) // the peer never reads: a Write blocks
	writing := &signalWrites{Conn: conn, started: make(chan struct{}, 1)}
	pid := h.spawn(NewBridgeProps(writing, 5, WithWriteTimeout(time.Hour)))

	h.root.Send(pid, &messages.SendFrame{Sid: 5, Body: []byte{1}})
	select {
	case <-writing.started:
	case <-time.After(bridgeWait):
		require.FailNow(t, "the bridge never started writing")
	}
	// StopFuture gives up after 10 s; the hour-long write must not hold it.
	require.NoError(t, h.root.StopFuture(pid).Wait())
	closed := expectBridgeMsg[*messages.ConnectionClosed](t, h.parent)
	assert.Equal(t, messages.CloseReason_SHUTDOWN, closed.GetReason())
}

func TestBridgeWriteTimeoutClosesTheConnection(t *testing.T) {
	h := newBridgeHarness(t, nil)
	conn, _ := pipePair(t) // the peer never reads
	pid := h.spawn(NewBridgeProps(conn, 6, WithWriteTimeout(20*time.Millisecond)))

	h.root.Send(pid, &messages.SendFrame{Sid: 6, Body: []byte{1}})
	closed := expectBridgeMsg[*messages.ConnectionClosed](t, h.parent)
	assert.Equal(t, messages.CloseReason_WRITE_TIMEOUT, closed.GetReason())
	assert.Contains(t, closed.GetDetail(), "20ms")
	h.parent.expectTerminated(t, pid)
	assert.Empty(t, closedReasons(h.drain()))
}

func TestBridgeWriteErrorClosesTheConnection(t *testing.T) {
	h := newBridgeHarness(t, nil)
	conn, _ := pipePair(t)
	pid := h.spawn(NewBridgeProps(&failWrites{Conn: conn}, 6))

	h.root.Send(pid, &messages.SendFrame{Sid: 6, Body: []byte{1}})
	closed := expectBridgeMsg[*messages.ConnectionClosed](t, h.parent)
	assert.Equal(t, messages.CloseReason_WRITE_ERROR, closed.GetReason())
	assert.Contains(t, closed.GetDetail(), errInjectedWrite.Error())
	h.parent.expectTerminated(t, pid)
}

func TestBridgeRecoversAPanicInItsReader(t *testing.T) {
	h := newBridgeHarness(t, nil)
	conn, _ := pipePair(t)
	pid := h.spawn(NewBridgeProps(&panicReads{Conn: conn}, 7))

	closed := expectBridgeMsg[*messages.ConnectionClosed](t, h.parent)
	assert.Equal(t, messages.CloseReason_INTERNAL_ERROR, closed.GetReason())
	assert.Contains(t, closed.GetDetail(), "reader panicked")
	h.parent.expectTerminated(t, pid)
}

// crashBridge makes the test middleware panic inside the bridge's mailbox,
// as a bug in Receive would.
type crashBridge struct{}

// crashOnDemand is receiver middleware that panics on a crashBridge.
func crashOnDemand(next actor.ReceiverFunc) actor.ReceiverFunc {
	return func(ctx actor.ReceiverContext, env *actor.MessageEnvelope) {
		if _, ok := env.Message.(*crashBridge); ok {
			panic("injected fault")
		}
		next(ctx, env)
	}
}

// restartEveryFailure is a parent's strategy that restarts a failed
// bridge (10 times a minute at most).
func restartEveryFailure() actor.SupervisorStrategy {
	return actor.NewOneForOneStrategy(10, time.Minute, func(interface{}) actor.Directive {
		return actor.RestartDirective
	})
}

func TestBridgeRestartClosesTheConnectionAndStops(t *testing.T) {
	h := newBridgeHarness(t, restartEveryFailure())
	conn, peer := tcpPair(t)
	pid := h.spawn(NewBridgeProps(conn, 8).Clone(actor.WithReceiverMiddleware(crashOnDemand)))
	writeAll(t, peer, mustFrame(t, (&electionwire.Notification{Leader: 8, Version: 2}).AppendEncode(nil)))
	expectBridgeMsg[*messages.NotificationReceived](t, h.parent)

	h.root.Send(pid, &crashBridge{})

	closed := expectBridgeMsg[*messages.ConnectionClosed](t, h.parent)
	assert.Equal(t, messages.CloseReason_INTERNAL_ERROR, closed.GetReason())
	h.parent.expectTerminated(t, pid) // the new incarnation cannot reuse the socket
	requirePeerSeesClose(t, peer)
	assert.Empty(t, closedReasons(h.drain()), "more than one ConnectionClosed")
}

func TestBridgeIgnoresReportsFromAnotherIncarnation(t *testing.T) {
	h := newBridgeHarness(t, nil)
	conn, peer := tcpPair(t)
	pid := h.spawn(NewBridgeProps(conn, 2))

	// Reports tagged with a link that is not the bridge's current one, as
	// an old incarnation's reader would send after a restart.
	stale := &link{}
	h.root.Send(pid, &linkNotification{link: stale, n: &messages.Notification{Leader: 99}})
	h.root.Send(pid, &linkDropped{link: stale, reason: messages.DropReason_SHORT_BODY})
	h.root.Send(pid, &linkFrame{link: stale, body: []byte{9}})
	h.root.Send(pid, &linkFailed{link: stale, reason: messages.CloseReason_READ_ERROR})

	// Still open, and the stale notification was not passed on: the first
	// thing the parent hears is the real one.
	writeAll(t, peer, mustFrame(t, (&electionwire.Notification{Leader: 2, Version: 2}).AppendEncode(nil)))
	got := expectBridgeMsg[*messages.NotificationReceived](t, h.parent)
	assert.EqualValues(t, 2, got.GetNotification().GetLeader())
	require.NoError(t, h.root.StopFuture(pid).Wait())
	assert.Equal(t, []messages.CloseReason{messages.CloseReason_SHUTDOWN}, closedReasons(h.drain()))
}

func TestBridgeRawFramesAndRecipient(t *testing.T) {
	h := newBridgeHarness(t, nil)
	recipient := newBridgeProbe(t, h.root, nil)
	conn, peer := tcpPair(t)
	pid := h.spawn(NewBridgeProps(conn, 2, WithRawFrames(), WithRecipient(recipient.pid)))

	// Raw mode does not decode: a malformed body arrives as it was sent.
	writeAll(t, peer, append(mustFrame(t, []byte{1, 2, 3}), mustFrame(t, []byte{4})...))
	got := expectBridgeMsg[*messages.FrameReceived](t, recipient)
	assert.EqualValues(t, 2, got.GetSid())
	assert.Equal(t, []byte{1, 2, 3}, got.GetBody())
	got = expectBridgeMsg[*messages.FrameReceived](t, recipient)
	assert.Equal(t, []byte{4}, got.GetBody())

	require.NoError(t, h.root.StopFuture(pid).Wait())
	assert.Equal(t, messages.CloseReason_SHUTDOWN, expectBridgeMsg[*messages.ConnectionClosed](t, recipient).GetReason())
	assert.Empty(t, h.drain(), "the parent hears nothing when a recipient is set")
}

func TestBridgeClearsTheHandshakeReadDeadline(t *testing.T) {
	h := newBridgeHarness(t, nil)
	conn, peer := tcpPair(t)
	// A handshake reader left an expired deadline behind.
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(-time.Second)))
	h.spawn(NewBridgeProps(conn, 2))

	writeAll(t, peer, mustFrame(t, (&electionwire.Notification{Leader: 2, Version: 2}).AppendEncode(nil)))
	expectBridgeMsg[*messages.NotificationReceived](t, h.parent)
}

func TestBridgeWithoutAConnectionReportsAndStops(t *testing.T) {
	h := newBridgeHarness(t, nil)
	pid := h.spawn(NewBridgeProps(nil, 2))

	closed := expectBridgeMsg[*messages.ConnectionClosed](t, h.parent)
	assert.Equal(t, messages.CloseReason_INTERNAL_ERROR, closed.GetReason())
	h.parent.expectTerminated(t, pid)
}

// errInjectedWrite is what failWrites returns.
var errInjectedWrite = &net.OpError{Op: "write", Net: "test", Err: net.UnknownNetworkError("injected write failure")}

// failWrites is a connection whose writes fail.
type failWrites struct{ net.Conn }

func (c *failWrites) Write([]byte) (int, error) { return 0, errInjectedWrite }

// panicReads is a connection whose reads panic, like a buggy net.Conn.
type panicReads struct{ net.Conn }

func (c *panicReads) Read([]byte) (int, error) { panic("injected read panic") }

// signalWrites reports when a Write starts.
type signalWrites struct {
	net.Conn
	started chan struct{}
}

func (c *signalWrites) Write(b []byte) (int, error) {
	select {
	case c.started <- struct{}{}:
	default:
	}
	return c.Conn.Write(b)
}

// startedContext is an actor.Context that only knows its message is
// Started; any other method panics (the embedded interface is nil).
type startedContext struct{ actor.Context }

func (startedContext) Message() interface{} { return &actor.Started{} }

// A stop that races a pending restart can make protoactor start one more
// incarnation after Stopped (a Stop that raced a pending Restart). It must not touch the
// connection, start goroutines or report anything.
func TestBridgeZombieIncarnationAcquiresNothing(t *testing.T) {
	conn, _ := pipePair(t)
	zombie, ok := bridgeProducer(conn, 2)().(*bridge)
	require.True(t, ok)
	zombie.sh.stopped.Store(true) // as Stopped leaves it

	require.NotPanics(t, func() { zombie.Receive(startedContext{}) })
	assert.Nil(t, zombie.link)
	assert.Zero(t, linkGoroutines())
	assert.False(t, zombie.sh.connClosed.Load())
}

// A peer that reads slower than we send: the writer's queue keeps the
// newest frames (as ZooKeeper's send queue does), and a requester whose
// frame was dropped is still released with FrameWritten.
func TestBridgeSlowPeerDropsTheOldestQueuedFrame(t *testing.T) {
	h := newBridgeHarness(t, nil)
	conn, peer := pipePair(t)
	writing := &signalWrites{Conn: conn, started: make(chan struct{}, 1)}
	pid := h.spawn(NewBridgeProps(writing, 5, WithWriteTimeout(time.Hour)))

	h.root.Send(pid, &messages.SendFrame{Sid: 5, Body: []byte{1}})
	select {
	case <-writing.started: // frame 1 is in Write, blocked on the peer
	case <-time.After(bridgeWait):
		require.FailNow(t, "the bridge never started writing")
	}
	second := h.root.RequestFuture(pid, &messages.SendFrame{Sid: 5, Body: []byte{2}}, bridgeWait)
	last := byte(2 + bridgeSendQueueLen) // one more than the queue holds
	for b := byte(3); b <= last; b++ {
		h.root.Send(pid, &messages.SendFrame{Sid: 5, Body: []byte{b}})
	}
	reply, err := second.Result()
	require.NoError(t, err)
	assert.IsType(t, &messages.FrameWritten{}, reply)

	fr := electionwire.NewFrameReader(peer)
	var got []byte
	for len(got) < bridgeSendQueueLen+1 {
		got = append(got, readPeerFrame(t, fr, peer)...)
	}
	want := []byte{1}
	for b := byte(3); b <= last; b++ {
		want = append(want, b)
	}
	assert.Equal(t, want, got, "frame 2, the oldest queued, was dropped")
}

// WithInbound: decoded notifications go to the function, in order and
// tagged with the bridge's sid, from the reader goroutine; the recipient
// hears only the drop of a malformed body and the end of the connection.
func TestBridgeInboundHandsNotificationsToTheFunction(t *testing.T) {
	h := newBridgeHarness(t, nil)
	conn, peer := tcpPair(t)
	got := make(chan *messages.NotificationReceived, 8)
	pid := h.spawn(NewBridgeProps(conn, 2, WithInbound(func(m *messages.NotificationReceived) { got <- m })))

	legacy40 := goldenBody(t, "spec-3.6-frame-legacy40.hex")
	legacy28 := legacy40[:28]
	writeAll(t, peer, append(mustFrame(t, legacy40), mustFrame(t, legacy28)...))
	for _, size := range []int32{40, 28} {
		select {
		case m := <-got:
			assert.EqualValues(t, 2, m.GetSid())
			assert.EqualValues(t, size, m.GetNotification().GetWireSize(), "in the order sent")
		case <-time.After(bridgeWait):
			t.Fatalf("no notification of %d bytes", size)
		}
	}
	assert.Empty(t, h.drain(), "decoded notifications do not go through the actor")

	writeAll(t, peer, mustFrame(t, []byte{1, 2, 3}))
	drop := expectBridgeMsg[*messages.NotificationDropped](t, h.parent)
	assert.EqualValues(t, 2, drop.GetSid())
	assert.Equal(t, messages.CloseReason_MALFORMED_NOTIFICATION, expectBridgeMsg[*messages.ConnectionClosed](t, h.parent).GetReason())
	h.parent.expectTerminated(t, pid)
	assert.Empty(t, got)
}
