package netbridge

import (
	"fmt"
	"net"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/zkfle/zkfle/messages"
)

// quorumSendQueueLen bounds the packets waiting for the writer. A session
// sends a handful of discovery packets and then one ping per half tick; a
// backlog this deep means the peer stopped reading, and a Zab stream with
// a gap is worthless, so the connection is closed (SEND_QUEUE_FULL) rather
// than trimmed.
const quorumSendQueueLen = 64

// NewQuorumBridgeProps returns the props of a quorum bridge: the owner of
// one connection on the QUORUM port (the first port of server.N), where
// jute QuorumPackets follow each other with no outer framing. conn is the
// session's id for the connection, echoed in every report; netConn must
// not be used by anyone else afterwards. Spawn the props once, as a child
// of the actor that drives the session (or see WithRecipient).
//
// It has the election bridge's shape (NewBridgeProps): the same options
// (WithWriteTimeout, WithLogger, WithRecipient; WithRawFrames and
// WithInbound are the election port's and ignored here), the same typed
// end, the same lifecycle.
//
//   - Inbound, each packet is reported to the recipient as
//     *messages.QuorumPacketReceived. There is no read deadline: the
//     session's read timer is ZooKeeper's socket timeout.
//   - Outbound, *messages.SendQuorumPacket is encoded and written, in
//     order, each packet in one Write bounded by the write timeout.
//   - When the connection ends, for whatever reason, the recipient gets
//     exactly one *messages.QuorumConnClosed with a CloseReason, and the
//     bridge stops: PEER_CLOSED (EOF, at a packet boundary or inside
//     one), READ_ERROR, MALFORMED_PACKET (an unreasonable length, as
//     Java's BinaryInputArchive refuses), WRITE_ERROR, WRITE_TIMEOUT,
//     SEND_QUEUE_FULL (the peer stopped reading), SHUTDOWN (stopped from
//     outside), INTERNAL_ERROR (a restart, a recovered panic, no
//     connection). Stopping it closes the connection and returns without
//     waiting on the peer.
//
// Supervise it with Stop: a restarted bridge cannot reopen the socket, so
// a restart just reports INTERNAL_ERROR and stops.
func NewQuorumBridgeProps(netConn net.Conn, conn uint64, opts ...BridgeOption) *actor.Props {
	core := newBridgeCore(netConn, "quorum", func(reason messages.CloseReason, detail string) any {
		return &messages.QuorumConnClosed{Conn: conn, Reason: reason, Detail: detail}
	}, opts)
	return actor.PropsFromProducer(func() actor.Actor {
		return &quorumBridge{bridgeCore: core, id: conn}
	})
}

// quorumBridge is one incarnation of the quorum bridge actor.
type quorumBridge struct {
	bridgeCore
	id   uint64
	link *quorumLink // nil before Started and after the connection ended
}

// Receive handles one message. It never blocks: reads and writes happen on
// the link's goroutines.
func (b *quorumBridge) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		b.started(ctx)
	case *messages.SendQuorumPacket:
		b.send(ctx, m)
	case *quorumRead:
		if b.current(m.link) {
			b.deliver(ctx, &messages.QuorumPacketReceived{Conn: b.id, Packet: QuorumPacketToProto(m.packet)})
		}
	case *quorumFailed:
		if b.current(m.link) {
			b.end(ctx, m.reason, m.detail)
		}
	case *actor.Stopping:
		b.release()
		b.report(ctx, messages.CloseReason_SHUTDOWN, "bridge stopped")
	case *actor.Restarting:
		// The old incarnation goes; the socket goes with it (no Stopping
		// follows a Restarting). The next incarnation sees connClosed.
		b.release()
		b.report(ctx, messages.CloseReason_INTERNAL_ERROR, "bridge failed and was restarted; the connection cannot be reused")
	case *actor.Stopped:
		b.sh.stopped.Store(true)
	}
}

// started sets up the incarnation and, unless the connection is already
// gone, starts the reader and writer.
func (b *quorumBridge) started(ctx actor.Context) {
	if !b.begin(ctx, "conn", b.id) {
		return
	}
	system, self := ctx.ActorSystem(), ctx.Self()
	b.link = newQuorumLink(b.conn, b.cfg, func(msg any) { system.Root.Send(self, msg) })
	b.link.start()
}

// send encodes and queues one packet; a full queue ends the connection.
func (b *quorumBridge) send(ctx actor.Context, m *messages.SendQuorumPacket) {
	if b.link == nil {
		return // already ended; the session has heard
	}
	if m.GetConn() != b.id {
		// A routing bug upstream: the packet belongs to another
		// connection's stream.
		b.log.Warn("outbound quorum packet for another connection; not sent", "to", m.GetConn())
		return
	}
	if !b.link.enqueue(QuorumPacketFromProto(m.GetPacket()).AppendEncode(nil)) {
		b.end(ctx, messages.CloseReason_SEND_QUEUE_FULL,
			fmt.Sprintf("peer is not reading: %d packets queued", quorumSendQueueLen))
	}
}

// end closes the connection, reports why, and stops the bridge.
func (b *quorumBridge) end(ctx actor.Context, reason messages.CloseReason, detail string) {
	b.release()
	b.report(ctx, reason, detail)
	ctx.Stop(ctx.Self())
}

// current reports whether a helper's report belongs to this incarnation's
// live connection.
func (b *quorumBridge) current(l *quorumLink) bool {
	return b.link != nil && l == b.link
}

// release closes the connection and waits for the helper goroutines.
func (b *quorumBridge) release() {
	var shutdown func()
	if b.link != nil {
		shutdown = b.link.shutdown
		b.link = nil
	}
	b.bridgeCore.release(shutdown)
}
