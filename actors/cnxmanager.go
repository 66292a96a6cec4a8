package actors

import (
	"context"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/cnx"
	"github.com/zkfle/zkfle/messages"
)

// cnxManager is QuorumCnxManager's I/O: it drives the rule book in
// cnx.Manager (one connection per pair of servers, the one opened by the
// higher sid surviving; a send queue of one per peer while it is
// disconnected; the last message re-sent on reconnect; haveDelivered and
// connectAll for the election) and carries out what it says: dials on
// their own goroutines with a connect timeout, one Peer actor per live
// connection, sockets closed, counters and logs. It owns the Listener and
// the Peers.
type cnxManager struct {
	rt   *runtime
	st   *cnxState
	core *cnx.Manager[*messages.Notification]
	// peers are the live links by connection: exactly the core's links.
	peers map[cnx.Conn]*peerLink
	// conns are connections handed to the core that it has neither
	// adopted nor refused yet (only within one input).
	conns map[cnx.Conn]net.Conn
	// ended holds, per sid, the last Peer seen Terminated before its
	// ConnectionClosed report arrived: Terminated is a system message and
	// overtakes the report, which still carries the reason to record.
	ended   map[int64]*actor.PID
	dialCtx context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	// tieBreakTimers are the armed redial timers (cnx.RedialTimer), one
	// per sid at most.
	tieBreakTimers map[int64]*time.Timer
}

func newCnxManagerProps(rt *runtime) *actor.Props {
	return rt.props(KindCnxManager, func() actor.Actor { return newCnxManager(rt) },
		// Children: the Listener and the Peers. A crashed Listener is
		// restarted (it rebinds or reuses its listeners); a crashed Peer
		// is restarted too, which re-creates its workers on the same
		// connection. Peers that keep failing are stopped; we then forget
		// the link and redial on the next send.
		actor.WithSupervisor(restartWorkers()),
	)
}

func (c *cnxManager) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		c.started(ctx)
	case *actor.Stopping, *actor.Restarting:
		// protoactor still delivers user messages while it waits for the
		// children to stop, and a Peer spawned then is never stopped: the
		// manager would wait for it forever and its parent would never
		// restart. So a leaving manager dials nobody and closes what
		// arrives (cnx.Manager.Leave).
		c.core.Leave()
		c.shutdown()
	case *messages.SendNotification:
		c.toSend(ctx, m)
	case *messages.ConnectAll:
		c.apply(ctx, c.core.ConnectAll())
	case *messages.ConnectOne:
		c.apply(ctx, c.core.ConnectOne(m.GetSid()))
	case *inboundConn:
		c.inbound(ctx, m)
	case *dialResult:
		c.dialed(ctx, m)
	case *messages.ConnectionClosed:
		c.peerClosed(ctx, m)
	case *actor.Terminated:
		c.peerTerminated(ctx, m.GetWho())
	case *handshakeRejected:
		c.rejected(m)
	case *tieBreakDue:
		delete(c.tieBreakTimers, m.sid)
		c.apply(ctx, c.core.RedialDue(m.sid))
	case *listenerFailed:
		ctx.Send(c.rt.dir.root, m)
	case *messages.StatusRequest:
		ctx.Respond(c.status())
	case *peerPathsRequest:
		ctx.Respond(c.peerPaths())
	}
}

func newCnxManager(rt *runtime) *cnxManager {
	return &cnxManager{
		rt: rt, st: rt.cnx, core: rt.cnx.core,
		peers: map[cnx.Conn]*peerLink{}, conns: map[cnx.Conn]net.Conn{},
		ended: map[int64]*actor.PID{}, tieBreakTimers: map[int64]*time.Timer{},
	}
}

func (c *cnxManager) started(ctx actor.Context) {
	c.dialCtx, c.cancel = context.WithCancel(context.Background())
	if _, err := ctx.SpawnNamed(newListenerProps(c.rt), nameListener); err != nil {
		panic("spawn listener: " + err.Error())
	}
	// A new incarnation: the core forgets the old one's links and dials,
	// says haveDelivered (true), and asks to reconnect to everyone we
	// talk to: our Peers are gone, and waiting for the election's next
	// timeout would cost a round.
	out := c.core.Restart()
	c.pushDelivered(ctx, out.Delivered)
	out.Delivered = nil
	ctx.Send(ctx.Parent(), &childReady{name: nameCnxManager})
	c.apply(ctx, out)
}

// shutdown cancels dials in flight and waits for their goroutines. The
// Peers and the Listener are children: protoactor stops them for us.
func (c *cnxManager) shutdown() {
	if c.cancel != nil {
		c.cancel()
	}
	for sid, t := range c.tieBreakTimers {
		t.Stop()
		delete(c.tieBreakTimers, sid)
	}
	c.wg.Wait()
}

// toSend is QuorumCnxManager.toSend for a remote sid (the WorkerSender
// delivers self-addressed notifications itself).
func (c *cnxManager) toSend(ctx actor.Context, m *messages.SendNotification) {
	c.apply(ctx, c.core.Send(m.GetSid(), m.GetNotification()))
}

// pushDelivered tells the election the haveDelivered value the core
// reports when it changed (cnx.Manager.HaveDelivered), so its
// notification timeout can choose between re-sending and connectAll
// without a round trip.
func (c *cnxManager) pushDelivered(ctx actor.Context, v *bool) {
	if v == nil {
		return
	}
	ctx.Send(c.rt.dir.election.get(), &messages.HaveDeliveredResponse{Delivered: *v})
}

// peerClosed handles a Peer's report that its connection ended.
func (c *cnxManager) peerClosed(ctx actor.Context, m *messages.ConnectionClosed) {
	sid := m.GetSid()
	conn, _, ok := c.core.Link(sid)
	l := c.peers[conn]
	current := ok && l != nil && ctx.Sender() != nil && ctx.Sender().Equal(l.pid)
	if ended := c.ended[sid]; !current && ended != nil && ctx.Sender() != nil && ctx.Sender().Equal(ended) {
		// The Peer's Terminated overtook this report: the link is
		// already forgotten, but the reason is still worth recording.
		delete(c.ended, sid)
		c.recordClose(sid, "", m)
		return
	}
	if !current {
		return // a replaced connection's late report
	}
	out, gone := c.core.Closed(sid, conn, time.Now())
	delete(c.peers, conn)
	c.recordClose(sid, l.remote, m)
	ctx.Stop(l.pid)
	c.apply(ctx, out)
	c.linkEnded(ctx, sid, gone)
}

// linkEnded reports the end of sid's live link to the Election as the
// core judged it (cnx.Manager.Closed, cnx/liveness.go): unreachable only
// if the close says the peer is gone, not when it is ZooKeeper's
// tie-break answering our own call (the peer is alive and calls back; a
// dial of ours in flight reports its own failure).
func (c *cnxManager) linkEnded(ctx actor.Context, sid int64, gone bool) {
	if !gone {
		c.rt.log.Debug("live link closed in answer to our call (tie-break): peer not taken as unreachable", "peer", sid)
		return
	}
	c.reportReachability(ctx, sid, false)
}

// recordClose keeps why sid's connection ended and logs it: members at
// INFO each time, strangers rate-limited, and malformed input not at all
// (the Peer logged it, rate-limited).
func (c *cnxManager) recordClose(sid int64, remote string, m *messages.ConnectionClosed) {
	st := c.st.statsFor(sid)
	st.lastClose, st.lastCloseDetail = m.GetReason(), m.GetDetail()
	if malformedClose(m.GetReason()) {
		c.rt.log.Debug("connection closed", "peer", sid, "reason", m.GetReason().String(), "detail", m.GetDetail())
		return
	}
	if c.core.IsMember(sid) {
		c.rt.log.Info("connection closed", "peer", sid, "reason", m.GetReason().String(), "detail", m.GetDetail())
		return
	}
	// "reason" is the rate limiter's token here; the close reason has
	// its own key.
	c.logConn(sid, remote, "connection closed", "non-member-closed", "close_reason", m.GetReason().String(), "detail", m.GetDetail())
}

// peerTerminated forgets a Peer that stopped, whatever the cause.
func (c *cnxManager) peerTerminated(ctx actor.Context, who *actor.PID) {
	for conn, l := range c.peers {
		if l.pid.Equal(who) {
			out, gone := c.core.Closed(l.sid, conn, time.Now())
			delete(c.peers, conn)
			c.ended[l.sid] = who
			c.rt.log.Debug("peer actor stopped before its report", "peer", l.sid, "actor", who.GetId())
			c.apply(ctx, out)
			// The ConnectionClosed report that follows finds the link
			// forgotten and reports nothing: this is the link's end.
			// Without a report here a kill -9 leader's closed connection
			// left the reachable fast path waiting for the next redial
			// (200-400 ms).
			c.linkEnded(ctx, l.sid, gone)
			return
		}
	}
}

func (c *cnxManager) status() *messages.CnxStatus {
	out := &messages.CnxStatus{Sid: c.rt.cfg.ID, Rejected: map[string]uint64{}}
	pruned := &c.st.pruned
	out.NonMembersPruned = &messages.PeerStatus{
		SendDropped:     pruned.sendDropped,
		Sent:            pruned.sent,
		Received:        pruned.received.Load(),
		ConnectAttempts: pruned.connectAttempts,
		ConnectFailures: pruned.connectFailures,
	}
	sids := map[int64]bool{}
	for _, sid := range c.core.Known() {
		sids[sid] = true
	}
	for _, sid := range c.core.Links() {
		sids[sid] = true
	}
	for sid := range c.st.stats {
		sids[sid] = true
	}
	ordered := make([]int64, 0, len(sids))
	for sid := range sids {
		ordered = append(ordered, sid)
	}
	sort.Slice(ordered, func(i, j int) bool { return ordered[i] < ordered[j] })
	for _, sid := range ordered {
		st := c.st.statsFor(sid)
		ps := &messages.PeerStatus{
			Sid:             sid,
			Dialing:         c.core.Dialing(sid),
			SendDropped:     st.sendDropped,
			Sent:            st.sent,
			Received:        st.received.Load(),
			ConnectAttempts: st.connectAttempts,
			ConnectFailures: st.connectFailures,
			LastClose:       st.lastClose,
			LastCloseDetail: st.lastCloseDetail,
			Member:          c.core.IsMember(sid),
		}
		if _, ok := c.core.Pending(sid); ok {
			ps.Pending = 1
		}
		if conn, _, ok := c.core.Link(sid); ok && c.peers[conn] != nil {
			l := c.peers[conn]
			ps.Connected = true
			ps.Direction = l.direction
			ps.RemoteAddress = l.remote
		}
		out.Peers = append(out.Peers, ps)
	}
	for k, v := range c.st.rejected {
		out.Rejected[k] = v
	}
	return out
}

func (c *cnxManager) peerPaths() *peerPathsResponse {
	root := c.rt.dir.root.GetId() + "/"
	paths := map[int64]string{}
	for _, l := range c.peers {
		paths[l.sid] = strings.TrimPrefix(l.pid.GetId(), root)
	}
	return &peerPathsResponse{paths: paths}
}

// rejected counts and logs an inbound connection the Listener refused:
// one line per (source address, reason) per interval, with a count of
// those held back, so a flood cannot turn into a log flood.
func (c *cnxManager) rejected(m *handshakeRejected) {
	c.st.rejected[m.reason]++
	args := []any{"remote", m.remote}
	if m.claimed {
		args = append(args, "peer", m.sid)
	}
	if len(m.allowed) > 0 {
		args = append(args, "allowed", strings.Join(m.allowed, ","))
	}
	if len(m.names) > 0 {
		args = append(args, "cert_names", strings.Join(m.names, ","))
	}
	args = append(args, "detail", m.detail)
	c.rt.warnings().Warn("rejected election connection", sourceIP(m.remote), m.reason, args...)
}
