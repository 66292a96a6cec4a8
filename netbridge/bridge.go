package netbridge

import (
	"fmt"
	"net"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/netbridge/electionwire"
)

// NewBridgeProps returns the props of a bridge actor: the owner of one
// election-port connection after its connection header has been exchanged.
// sid is the peer's sid; conn must not be used by anyone else afterwards.
// Spawn the props once (they are tied to conn), as a child of the actor that
// should hear from the bridge (or see WithRecipient).
//
// What the bridge does:
//   - Inbound, each frame's body is decoded and reported to the recipient
//     as *messages.NotificationReceived; with WithRawFrames, as
//     *messages.FrameReceived. A body that does not decode is reported as
//     *messages.NotificationDropped and then ends the connection
//     (CloseReason MALFORMED_NOTIFICATION). ZooKeeper skips such a body
//     and keeps reading; closing means one peer cannot make us decode,
//     count and log bad frames without bound: it has to reconnect, which
//     the connection manager's caps and rate-limited logs bound.
//   - Outbound, it accepts *messages.SendNotification and *messages.SendFrame
//     for its own sid and writes each as one frame in one Write. If the
//     request came with a sender (ctx.Request), the sender is told
//     *messages.FrameWritten once the frame is on the wire.
//   - When the connection ends, for whatever reason (bad frame length, EOF,
//     read or write error, write timeout, a stop from outside, a restart),
//     the recipient gets exactly one *messages.ConnectionClosed and the bridge
//     stops itself. Stopping it closes the connection and returns without
//     waiting on the peer.
//
// The bridge should be supervised with Stop: a restarted bridge cannot
// reopen an accepted socket, so a restart just reports INTERNAL_ERROR and
// stops.
func NewBridgeProps(conn net.Conn, sid int64, opts ...BridgeOption) *actor.Props {
	return actor.PropsFromProducer(bridgeProducer(conn, sid, opts...))
}

// bridgeProducer builds the bridge's producer: called once per incarnation,
// it hands each one the same connection and shell.
func bridgeProducer(conn net.Conn, sid int64, opts ...BridgeOption) actor.Producer {
	core := newBridgeCore(conn, "election", func(reason messages.CloseReason, detail string) any {
		return &messages.ConnectionClosed{Sid: sid, Reason: reason, Detail: detail}
	}, opts)
	return func() actor.Actor {
		return &bridge{bridgeCore: core, sid: sid}
	}
}

// bridge is one incarnation of the election bridge actor.
type bridge struct {
	bridgeCore
	sid  int64
	link *link // nil before Started and after the connection ended
}

// Receive handles one message. It never blocks: reads and writes happen on
// the link's goroutines.
func (b *bridge) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		b.started(ctx)
	case *messages.SendNotification:
		b.sendNotification(ctx, m)
	case *messages.SendFrame:
		b.sendFrame(ctx, m)
	case *linkNotification:
		if b.current(m.link) {
			b.deliver(ctx, &messages.NotificationReceived{Sid: b.sid, Notification: m.n})
		}
	case *linkDropped:
		if b.current(m.link) {
			// Not logged here: the owner decides (the actors log one
			// rate-limited line per source), and a log line per bad
			// frame is what a hostile peer would want.
			b.deliver(ctx, &messages.NotificationDropped{Sid: b.sid, Reason: m.reason, Detail: m.detail, BodySize: int32(m.size)})
			b.release()
			b.report(ctx, messages.CloseReason_MALFORMED_NOTIFICATION,
				fmt.Sprintf("%s body of %d bytes: %s", m.reason, m.size, m.detail))
			ctx.Stop(ctx.Self())
		}
	case *linkFrame:
		if b.current(m.link) {
			b.deliver(ctx, &messages.FrameReceived{Sid: b.sid, Body: m.body})
		}
	case *linkFailed:
		if b.current(m.link) {
			b.release()
			b.report(ctx, m.reason, m.detail)
			ctx.Stop(ctx.Self())
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
func (b *bridge) started(ctx actor.Context) {
	if !b.begin(ctx, "peer", b.sid) {
		return
	}
	system, self := ctx.ActorSystem(), ctx.Self()
	b.link = newLink(b.conn, b.cfg, b.sid, func(msg interface{}) { system.Root.Send(self, msg) },
		func(to *actor.PID, msg *messages.FrameWritten) { system.Root.Send(to, msg) })
	b.link.start()
}

// current reports whether a helper's report belongs to this incarnation's
// live connection.
func (b *bridge) current(l *link) bool {
	return b.link != nil && l == b.link
}

// release closes the connection and waits for the helper goroutines.
func (b *bridge) release() {
	var shutdown func()
	if b.link != nil {
		shutdown = b.link.shutdown
		b.link = nil
	}
	b.bridgeCore.release(shutdown)
}

// sendNotification encodes and queues one notification.
func (b *bridge) sendNotification(ctx actor.Context, m *messages.SendNotification) {
	if !b.acceptSend(m.GetSid(), "notification") {
		return
	}
	if m.GetNotification() == nil {
		b.log.Warn("SendNotification without a notification; nothing sent")
		return
	}
	n := messageToNotification(m.GetNotification())
	frame, err := electionwire.AppendNotificationFrame(nil, &n)
	if err != nil {
		b.log.Warn("cannot frame outbound notification; not sent", "err", err)
		return
	}
	b.queue(ctx, frame)
}

// acceptSend checks that an outbound request can and should go out on this
// connection.
func (b *bridge) acceptSend(sid int64, what string) bool {
	if b.link == nil {
		// Connection already ended (ConnectionClosed was sent); the
		// owner will resend on the next connection if it must.
		return false
	}
	if sid != b.sid {
		// A routing bug upstream. Writing it anyway would deliver it to
		// the wrong server, which takes the sender from the connection.
		b.log.Warn("outbound "+what+" for another sid; not sent", "to", sid)
		return false
	}
	return true
}

// sendFrame frames a raw body (copying it) and queues it.
func (b *bridge) sendFrame(ctx actor.Context, m *messages.SendFrame) {
	if !b.acceptSend(m.GetSid(), "frame") {
		return
	}
	frame, err := electionwire.AppendFrame(nil, m.GetBody())
	if err != nil {
		b.log.Warn("cannot frame outbound body; not sent", "size", len(m.GetBody()), "err", err)
		return
	}
	b.queue(ctx, frame)
}

// queue hands a frame to the writer; the requester, if any, hears
// FrameWritten once it is written.
func (b *bridge) queue(ctx actor.Context, frame []byte) {
	if dropped := b.link.enqueue(outFrame{frame: frame, replyTo: ctx.Sender()}); dropped != nil {
		b.log.Warn("peer is slow; dropped the oldest queued frame", "queued", bridgeSendQueueLen)
		if dropped.replyTo != nil {
			// Keep a credit-based sender moving: the dropped frame is
			// as final as a written one.
			ctx.Send(dropped.replyTo, &messages.FrameWritten{Sid: b.sid})
		}
	}
}
