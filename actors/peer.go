package actors

import (
	"net"
	"strconv"
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/cnx"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/netbridge"
)

// peerActor is one live connection to one server: ZooKeeper's
// SendWorker (the connection's send queue of one, sendworker.go) and the
// connection's life, with the bridge that owns the socket as its only
// child. The connection manager's sends are queued here and written
// through the bridge one frame at a time; the end of the connection goes
// back to the connection manager, after which the Peer stops, and the
// bridge with it (ZOOKEEPER-880's lesson: a connection's workers live and
// die together).
//
// ZooKeeper's RecvWorker is the bridge's reader goroutine with
// recvWorkerSink (recvworker.go): each decoded notification goes from the
// reader straight to the WorkerReceiver. A body that does not decode still
// comes through the bridge and this Peer, which logs it, ends the link and
// passes the drop on to be counted.
//
// The SendWorker and RecvWorker used to be child actors of their own
// (issue 14): the RecvWorker only forwarded, and the SendWorker's queue
// cost a forward per notification (Peer -> SendWorker) and four lifecycle
// messages per connection, of which an election at N=25 opens about a
// thousand (ZooKeeper's tie-break drops one of every pair that dialled
// each other). A failure in the send queue now ends the link, as in
// ZooKeeper, where a SendWorker's exception finishes the pair; the
// connection manager reconnects and re-sends the last notification.
type peerActor struct {
	rt       *runtime
	sid      int64
	conn     net.Conn
	received *atomic.Uint64
	sh       *peerShell
	// bridgeProps builds the bridge's props (netbridge; a stand-in in
	// tests of the send queue).
	bridgeProps func(p *peerActor, ctx actor.Context) *actor.Props

	bridge *actor.PID
	closed bool
}

// peerShell is shared by a Peer's incarnations: the connection's
// cnx.Sender (the first message goes out once per connection, not once
// per restart; a restarted Peer ends the link anyway).
type peerShell struct {
	started atomic.Bool
	sender  *cnx.Sender[*messages.Notification]
}

func newPeerProps(rt *runtime, sid int64, conn net.Conn, first *messages.Notification, received *atomic.Uint64) *actor.Props {
	return newPeerPropsWith(rt, sid, conn, first, received, netbridgeProps)
}

// newPeerPropsWith is newPeerProps with the bridge's props chosen.
func newPeerPropsWith(rt *runtime, sid int64, conn net.Conn, first *messages.Notification, received *atomic.Uint64,
	bridgeProps func(p *peerActor, ctx actor.Context) *actor.Props) *actor.Props {
	sh := &peerShell{sender: cnx.NewSender(first, first != nil)}
	return rt.props(KindPeer, func() actor.Actor {
		return &peerActor{rt: rt, sid: sid, conn: conn, received: received, sh: sh, bridgeProps: bridgeProps}
	},
		// The bridge owns an accepted socket, which cannot be reopened:
		// a failed bridge is stopped, it reports ConnectionClosed, and
		// the Peer ends the link; the connection manager reconnects as
		// ZooKeeper would.
		actor.WithSupervisor(stopChildren()))
}

// netbridgeProps is the bridge of a live election connection: its reader
// hands notifications to the WorkerReceiver (recvWorkerSink).
func netbridgeProps(p *peerActor, ctx actor.Context) *actor.Props {
	return p.rt.wrap(KindBridge, netbridge.NewBridgeProps(p.conn, p.sid,
		netbridge.WithWriteTimeout(p.rt.cfg.writeTimeout()),
		netbridge.WithLogger(p.rt.log), // the bridge adds peer=<sid> itself
		netbridge.WithInbound(recvWorkerSink(p.rt, ctx.ActorSystem(), p.received))))
}

func (p *peerActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		p.start(ctx)
	case *messages.SendNotification:
		p.write(ctx)(p.sh.sender.Send(m.GetNotification()))
	case *messages.FrameWritten:
		p.write(ctx)(p.sh.sender.Written())
	case *messages.NotificationDropped:
		// Counted by the WorkerReceiver; the bridge ends the link next.
		m.Sid = p.sid
		ctx.Send(p.rt.dir.workerReceiver.get(), m)
	case *messages.ConnectionClosed:
		p.end(ctx, m.GetReason(), m.GetDetail())
	case *actor.Terminated:
		// The bridge always reports ConnectionClosed before it stops, but
		// Terminated is a system message and overtakes it in the mailbox:
		// wait for the report, which carries the reason.
		if !p.closed && !m.GetWho().Equal(p.bridge) {
			p.end(ctx, messages.CloseReason_INTERNAL_ERROR, "peer child stopped: "+m.GetWho().GetId())
		}
	}
}

func (p *peerActor) start(ctx actor.Context) {
	p.bridge = actor.NewPID(ctx.Self().GetAddress(), ctx.Self().GetId()+"/"+nameBridge)
	if p.sh.started.Swap(true) {
		// A restarted Peer: restarting stopped its bridge, which closed
		// the socket. This link is over; say so and let the connection
		// manager reconnect.
		p.end(ctx, messages.CloseReason_INTERNAL_ERROR, "peer actor restarted")
		return
	}
	// The bridge first: the first message goes to it at once, and the
	// bridge's spawn has returned (registered) before that send.
	p.spawn(ctx, nameBridge, p.bridgeProps(p, ctx))
	p.write(ctx)(p.sh.sender.Start())
}

func (p *peerActor) spawn(ctx actor.Context, name string, props *actor.Props) {
	if _, err := ctx.SpawnNamed(props, name); err != nil {
		panic("spawn " + name + ": " + err.Error())
	}
}

// end reports the connection's end to the connection manager (as a
// request, so it can tell which Peer is talking) and stops this Peer.
func (p *peerActor) end(ctx actor.Context, reason messages.CloseReason, detail string) {
	if p.closed {
		return
	}
	p.closed = true
	if malformedClose(reason) {
		// One line per source address and reason per interval, however
		// many bad frames (and reconnections) the source sends.
		source := "peer " + strconv.FormatInt(p.sid, 10)
		if a := p.conn.RemoteAddr(); a != nil {
			source = sourceIP(a.String())
		}
		token := "malformed-notification"
		if reason == messages.CloseReason_BAD_FRAME_LENGTH {
			token = "bad-frame-length"
		}
		p.rt.warnings().Warn("closed election connection: malformed frame", source, token,
			"peer", p.sid, "detail", detail)
	}
	ctx.Request(ctx.Parent(), &messages.ConnectionClosed{Sid: p.sid, Reason: reason, Detail: detail})
	ctx.Stop(ctx.Self())
}
