package actors

import (
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/netbridge"
)

// peerActor is one live connection to one server: ZooKeeper's
// SendWorker, plus the bridge that owns the socket. It routes: the
// connection manager's sends go to the SendWorker, and the end of the
// connection back to the connection manager, after which the Peer stops
// (and with it the SendWorker and the bridge: ZOOKEEPER-880's lesson, a
// connection's workers live and die together).
//
// ZooKeeper's RecvWorker is the bridge's reader goroutine with
// recvWorkerSink (recvworker.go): each decoded notification goes from the
// reader straight to the WorkerReceiver, one actor message instead of
// four (reader -> bridge -> Peer -> RecvWorker -> WorkerReceiver). A body
// that does not decode still comes through the bridge and this Peer, which
// logs it, ends the link and passes the drop on to be counted.
type peerActor struct {
	rt       *runtime
	sid      int64
	conn     net.Conn
	first    *messages.Notification
	received *atomic.Uint64
	sh       *peerShell

	sendWorker *actor.PID
	bridge     *actor.PID
	closed     bool
}

// peerShell is shared by a Peer's incarnations.
type peerShell struct {
	started atomic.Bool
}

func newPeerProps(rt *runtime, sid int64, conn net.Conn, first *messages.Notification, received *atomic.Uint64) *actor.Props {
	sh := &peerShell{}
	return rt.props(KindPeer, func() actor.Actor {
		return &peerActor{rt: rt, sid: sid, conn: conn, first: first, received: received, sh: sh}
	}, actor.WithSupervisor(peerStrategy{}))
}

// peerStrategy supervises a Peer's children. The workers hold nothing
// that cannot be rebuilt, so they are restarted in place on the same
// connection. The bridge owns an accepted socket, which cannot be
// reopened: it is stopped, and the Peer then ends the connection; the
// connection manager reconnects as ZooKeeper would.
type peerStrategy struct{}

func (peerStrategy) HandleFailure(system *actor.ActorSystem, sup actor.Supervisor, child *actor.PID,
	rs *actor.RestartStatistics, reason any, _ any) {
	if strings.HasSuffix(child.GetId(), "/"+nameBridge) {
		sup.StopChildren(child)
		return
	}
	rs.Fail()
	if rs.NumberOfFailures(10*time.Second) > 10 {
		sup.StopChildren(child) // a worker that keeps failing: give up the link
		return
	}
	sup.RestartChildren(child)
}

func (p *peerActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		p.start(ctx)
	case *messages.SendNotification:
		ctx.Send(p.sendWorker, m)
	case *messages.NotificationDropped:
		// Counted by the WorkerReceiver; the bridge ends the link next.
		m.Sid = p.sid
		ctx.Send(p.rt.dir.workerReceiver.get(), m)
	case *messages.ConnectionClosed:
		p.end(ctx, m.GetReason(), m.GetDetail())
	case *actor.Terminated:
		// The bridge always reports ConnectionClosed before it stops, but
		// Terminated is a system message and overtakes it in the mailbox:
		// wait for the report, which carries the reason. A worker that
		// stopped was given up on by its supervisor: the link is finished.
		if !p.closed && !m.GetWho().Equal(p.bridge) {
			p.end(ctx, messages.CloseReason_INTERNAL_ERROR, "peer child stopped: "+m.GetWho().GetId())
		}
	}
}

func (p *peerActor) start(ctx actor.Context) {
	p.bridge = actor.NewPID(ctx.Self().GetAddress(), ctx.Self().GetId()+"/"+nameBridge)
	p.sendWorker = actor.NewPID(ctx.Self().GetAddress(), ctx.Self().GetId()+"/"+nameSendWorker)
	if p.sh.started.Swap(true) {
		// A restarted Peer: restarting stopped its bridge, which closed
		// the socket. This link is over; say so and let the connection
		// manager reconnect.
		p.end(ctx, messages.CloseReason_INTERNAL_ERROR, "peer actor restarted")
		return
	}
	bridge := netbridge.NewBridgeProps(p.conn, p.sid,
		netbridge.WithWriteTimeout(p.rt.cfg.writeTimeout()),
		netbridge.WithLogger(p.rt.log.With("peer", p.sid)),
		netbridge.WithInbound(recvWorkerSink(p.rt, ctx.ActorSystem(), p.received)))
	// The bridge first: the SendWorker sends to it from its Started, and a
	// send racing the bridge's spawn would be lost (or race protoactor's
	// registration). The bridge reports to this Peer, which forwards only
	// after Started returns, when both exist.
	p.spawn(ctx, nameBridge, p.rt.wrap(KindBridge, bridge))
	p.spawn(ctx, nameSendWorker, newSendWorkerProps(p.rt, p.sid, p.bridge, p.first))
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
