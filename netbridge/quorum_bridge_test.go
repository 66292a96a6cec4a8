package netbridge

import (
	"encoding/binary"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/netbridge/quorumwire"
)

// quorumClosedReasons lists the reasons of the QuorumConnClosed messages
// in msgs.
func quorumClosedReasons(msgs []interface{}) []messages.CloseReason {
	var out []messages.CloseReason
	for _, m := range msgs {
		if cc, ok := m.(*messages.QuorumConnClosed); ok {
			out = append(out, cc.GetReason())
		}
	}
	return out
}

// expectQuorumClosed waits for the bridge's one QuorumConnClosed, requires
// its connection id and reason, and that the bridge stopped.
func expectQuorumClosed(t *testing.T, h *bridgeHarness, pid *actor.PID, conn uint64, want messages.CloseReason) *messages.QuorumConnClosed {
	t.Helper()
	closed := expectBridgeMsg[*messages.QuorumConnClosed](t, h.parent)
	assert.Equal(t, conn, closed.GetConn())
	assert.Equal(t, want, closed.GetReason(), "detail: %s", closed.GetDetail())
	assert.NotEmpty(t, closed.GetDetail())
	h.parent.expectTerminated(t, pid)
	assert.Empty(t, quorumClosedReasons(h.drain()), "more than one QuorumConnClosed")
	return closed
}

// packetHeader is a packet's type, zxid and data length, for hand-built
// hostile input.
func packetHeader(dataLen int32) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(quorumwire.Ping))
	b = binary.BigEndian.AppendUint64(b, 1)
	return binary.BigEndian.AppendUint32(b, uint32(dataLen))
}

func TestQuorumBridgeCarriesPacketsBothWays(t *testing.T) {
	h := newBridgeHarness(t, nil)
	conn, peer := tcpPair(t)
	pid := h.spawn(NewQuorumBridgeProps(conn, 7))

	// Inbound: two packets in one write, null and empty data kept apart.
	in := []quorumwire.Packet{
		quorumwire.NewPingPacket(0x100000000),
		quorumwire.PingReply(quorumwire.Packet{Type: quorumwire.Ping, Zxid: 5, AuthInfo: []quorumwire.ID{{Scheme: "ip", ID: "10.0.0.1"}}}),
	}
	writeAll(t, peer, in[1].AppendEncode(in[0].AppendEncode(nil)))
	for _, want := range in {
		got := expectBridgeMsg[*messages.QuorumPacketReceived](t, h.parent)
		assert.EqualValues(t, 7, got.GetConn())
		assert.Equal(t, want, QuorumPacketFromProto(got.GetPacket()))
	}

	// Outbound, in order; a packet for another connection is not written.
	out := quorumwire.NewLeaderInfoPacket(3)
	h.root.Send(pid, &messages.SendQuorumPacket{Conn: 8, Packet: QuorumPacketToProto(quorumwire.NewDiffPacket(9))})
	h.root.Send(pid, &messages.SendQuorumPacket{Conn: 7, Packet: QuorumPacketToProto(out)})
	h.root.Send(pid, &messages.SendQuorumPacket{Conn: 7, Packet: QuorumPacketToProto(in[0])})
	require.NoError(t, peer.SetReadDeadline(time.Now().Add(bridgeWait)))
	r := quorumwire.NewPacketReader(peer)
	for _, want := range []quorumwire.Packet{out, in[0]} {
		got, err := r.Next()
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}

	require.NoError(t, h.root.StopFuture(pid).Wait())
	requirePeerSeesClose(t, peer)
	closed := expectBridgeMsg[*messages.QuorumConnClosed](t, h.parent)
	assert.Equal(t, messages.CloseReason_SHUTDOWN, closed.GetReason())
	assert.EqualValues(t, 7, closed.GetConn())
}

// What the peer sends decides the reason the session hears.
func TestQuorumBridgeReadEndsWithTypedReasons(t *testing.T) {
	authCount := func(n int32) []byte {
		return binary.BigEndian.AppendUint32(packetHeader(0), uint32(n))
	}
	cases := []struct {
		name    string
		send    []byte
		packets int // whole packets in send, delivered before the end
		detail  string
		want    messages.CloseReason
	}{
		{"peer closes between packets", quorumwire.NewPingPacket(1).AppendEncode(nil), 1, "peer closed the connection", messages.CloseReason_PEER_CLOSED},
		{"peer closes inside a packet", packetHeader(100), 0, "middle", messages.CloseReason_PEER_CLOSED},
		{"data longer than the field limit", packetHeader(quorumwire.DefaultMaxField + 1), 0, "length", messages.CloseReason_MALFORMED_PACKET},
		{"data length below jute's null", packetHeader(-2), 0, "length", messages.CloseReason_MALFORMED_PACKET},
		{"authinfo count out of range", authCount(quorumwire.DefaultMaxField), 0, "authinfo", messages.CloseReason_MALFORMED_PACKET},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newBridgeHarness(t, nil)
			conn, peer := tcpPair(t)
			id := uint64(i + 1)
			pid := h.spawn(NewQuorumBridgeProps(conn, id))
			writeAll(t, peer, tc.send)
			if tc.want == messages.CloseReason_PEER_CLOSED {
				require.NoError(t, peer.Close())
			}
			for range tc.packets {
				expectBridgeMsg[*messages.QuorumPacketReceived](t, h.parent)
			}
			closed := expectQuorumClosed(t, h, pid, id, tc.want)
			assert.Contains(t, closed.GetDetail(), tc.detail)
			if tc.want == messages.CloseReason_MALFORMED_PACKET {
				requirePeerSeesClose(t, peer)
			}
		})
	}
}

func TestQuorumBridgeWriteTimeout(t *testing.T) {
	h := newBridgeHarness(t, nil)
	conn, _ := pipePair(t) // the peer never reads
	pid := h.spawn(NewQuorumBridgeProps(conn, 3, WithWriteTimeout(20*time.Millisecond)))

	h.root.Send(pid, &messages.SendQuorumPacket{Conn: 3, Packet: QuorumPacketToProto(quorumwire.NewPingPacket(1))})
	closed := expectQuorumClosed(t, h, pid, 3, messages.CloseReason_WRITE_TIMEOUT)
	assert.Contains(t, closed.GetDetail(), "20ms")
}

func TestQuorumBridgeWriteError(t *testing.T) {
	h := newBridgeHarness(t, nil)
	conn, _ := pipePair(t)
	pid := h.spawn(NewQuorumBridgeProps(&failWrites{Conn: conn}, 3))

	h.root.Send(pid, &messages.SendQuorumPacket{Conn: 3, Packet: QuorumPacketToProto(quorumwire.NewPingPacket(1))})
	closed := expectQuorumClosed(t, h, pid, 3, messages.CloseReason_WRITE_ERROR)
	assert.Contains(t, closed.GetDetail(), errInjectedWrite.Error())
}

// A peer that stops reading fills the queue; the stream cannot have a gap,
// so the connection ends instead of dropping a packet.
func TestQuorumBridgeSendQueueFull(t *testing.T) {
	h := newBridgeHarness(t, nil)
	conn, peer := pipePair(t) // the peer never reads: the writer blocks on the first packet
	pid := h.spawn(NewQuorumBridgeProps(conn, 4, WithWriteTimeout(time.Hour)))

	// One packet in the blocked writer at most, quorumSendQueueLen queued,
	// so one more than both overflows whatever the writer has taken.
	for range quorumSendQueueLen + 2 {
		h.root.Send(pid, &messages.SendQuorumPacket{Conn: 4, Packet: QuorumPacketToProto(quorumwire.NewPingPacket(1))})
	}
	closed := expectQuorumClosed(t, h, pid, 4, messages.CloseReason_SEND_QUEUE_FULL)
	assert.Contains(t, closed.GetDetail(), fmt.Sprint(quorumSendQueueLen))
	// The bridge closed its end (and its writer gave up the blocked
	// write): the pipe reads EOF, with nothing of the packets.
	_, err := peer.Read(make([]byte, 1))
	assert.ErrorIs(t, err, io.EOF)
}

func TestQuorumBridgeRecoversAPanicInItsReader(t *testing.T) {
	h := newBridgeHarness(t, nil)
	conn, _ := pipePair(t)
	pid := h.spawn(NewQuorumBridgeProps(&panicReads{Conn: conn}, 5))

	closed := expectQuorumClosed(t, h, pid, 5, messages.CloseReason_INTERNAL_ERROR)
	assert.Contains(t, closed.GetDetail(), "reader panicked")
}

func TestQuorumBridgeRestartClosesTheConnectionAndStops(t *testing.T) {
	h := newBridgeHarness(t, restartEveryFailure())
	conn, peer := tcpPair(t)
	pid := h.spawn(NewQuorumBridgeProps(conn, 6).Clone(actor.WithReceiverMiddleware(crashOnDemand)))
	writeAll(t, peer, quorumwire.NewPingPacket(1).AppendEncode(nil))
	expectBridgeMsg[*messages.QuorumPacketReceived](t, h.parent)

	h.root.Send(pid, &crashBridge{})

	expectQuorumClosed(t, h, pid, 6, messages.CloseReason_INTERNAL_ERROR) // the new incarnation cannot reuse the socket
	requirePeerSeesClose(t, peer)
}

func TestQuorumBridgeWithoutAConnectionReportsAndStops(t *testing.T) {
	h := newBridgeHarness(t, nil)
	pid := h.spawn(NewQuorumBridgeProps(nil, 2))
	expectQuorumClosed(t, h, pid, 2, messages.CloseReason_INTERNAL_ERROR)
}

func TestQuorumBridgeIgnoresReportsFromAnotherIncarnation(t *testing.T) {
	h := newBridgeHarness(t, nil)
	conn, peer := tcpPair(t)
	pid := h.spawn(NewQuorumBridgeProps(conn, 2))

	stale := &quorumLink{}
	h.root.Send(pid, &quorumRead{link: stale, packet: quorumwire.NewPingPacket(99)})
	h.root.Send(pid, &quorumFailed{link: stale, reason: messages.CloseReason_READ_ERROR})

	// Still open, and the stale packet was not passed on.
	writeAll(t, peer, quorumwire.NewPingPacket(2).AppendEncode(nil))
	got := expectBridgeMsg[*messages.QuorumPacketReceived](t, h.parent)
	assert.EqualValues(t, 2, got.GetPacket().GetZxid())
	require.NoError(t, h.root.StopFuture(pid).Wait())
	assert.Equal(t, []messages.CloseReason{messages.CloseReason_SHUTDOWN}, quorumClosedReasons(h.drain()))
}

func TestQuorumBridgeRecipient(t *testing.T) {
	h := newBridgeHarness(t, nil)
	recipient := newBridgeProbe(t, h.root, nil)
	conn, peer := tcpPair(t)
	pid := h.spawn(NewQuorumBridgeProps(conn, 2, WithRecipient(recipient.pid)))

	writeAll(t, peer, quorumwire.NewPingPacket(2).AppendEncode(nil))
	expectBridgeMsg[*messages.QuorumPacketReceived](t, recipient)
	require.NoError(t, h.root.StopFuture(pid).Wait())
	assert.Equal(t, messages.CloseReason_SHUTDOWN, expectBridgeMsg[*messages.QuorumConnClosed](t, recipient).GetReason())
	assert.Empty(t, h.drain(), "the parent hears nothing when a recipient is set")
}
