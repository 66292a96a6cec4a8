package actors

import (
	"context"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/messages"
)

// cnxManager is QuorumCnxManager: one connection per pair of servers (the
// one opened by the higher sid survives), asynchronous dials with a connect
// timeout, a send queue of one per peer while it is disconnected, the last
// message re-sent on reconnect, and haveDelivered/connectAll for the
// election. It owns the Listener and one Peer actor per live connection.
type cnxManager struct {
	rt    *runtime
	st    *cnxState
	links map[int64]*peerLink
	// dialing marks sids with an attempt in flight (inprogressConnections).
	dialing map[int64]bool
	// ended holds, per sid, the last Peer seen Terminated before its
	// ConnectionClosed report arrived: Terminated is a system message and
	// overtakes the report, which still carries the reason to record.
	ended   map[int64]*actor.PID
	dialCtx context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	// delivered is the haveDelivered value last pushed to the election.
	delivered *bool
	// tornDown is when an inbound claim from a smaller sid last made us
	// close our live connection to that sid and call back (tieBreak).
	tornDown map[int64]time.Time
	// tieBreakTimers are the armed tieBreakDue timers, one per sid at most.
	tieBreakTimers map[int64]*time.Timer
	// leaving is set once this incarnation is stopping or restarting.
	// protoactor still delivers user messages while it waits for the
	// children to stop, and a Peer spawned then is never stopped: the
	// manager would wait for it forever and its parent would never
	// restart. So a leaving manager dials nobody and closes what arrives.
	leaving bool
}

func newCnxManagerProps(rt *runtime) *actor.Props {
	return rt.props(KindCnxManager, func() actor.Actor { return &cnxManager{rt: rt, st: rt.cnx} },
		// Children: the Listener and the Peers. A crashed Listener is
		// restarted (it rebinds or reuses its listeners); a crashed Peer
		// is restarted too, which re-creates its workers on the same
		// connection. Peers that keep failing are stopped; we then forget
		// the link and redial on the next send.
		actor.WithSupervisor(actor.NewOneForOneStrategy(10, 10*time.Second, restartDecider)),
	)
}

func (c *cnxManager) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		c.started(ctx)
	case *actor.Stopping, *actor.Restarting:
		c.leaving = true
		c.shutdown()
	case *messages.SendNotification:
		c.toSend(ctx, m)
	case *messages.ConnectAll:
		c.connectAll(ctx)
	case *messages.ConnectOne:
		c.connectOne(ctx, m.GetSid())
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
		c.tieBreakDone(ctx, m)
	case *listenerFailed:
		ctx.Send(c.rt.dir.root, m)
	case *messages.StatusRequest:
		ctx.Respond(c.status())
	case *peerPathsRequest:
		ctx.Respond(c.peerPaths())
	}
}

func (c *cnxManager) started(ctx actor.Context) {
	c.links = map[int64]*peerLink{}
	c.dialing = map[int64]bool{}
	c.ended = map[int64]*actor.PID{}
	c.dialCtx, c.cancel = context.WithCancel(context.Background())
	if _, err := ctx.SpawnNamed(newListenerProps(c.rt), nameListener); err != nil {
		panic("spawn listener: " + err.Error())
	}
	c.pushDelivered(ctx, true)
	ctx.Send(ctx.Parent(), &childReady{name: nameCnxManager})
	// After a restart our Peers are gone: reconnect to everyone we talk
	// to instead of waiting for the election's next timeout.
	c.connectAll(ctx)
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
	sid := m.GetSid()
	c.remember(ctx, sid)
	c.st.known[sid] = true
	if l, ok := c.links[sid]; ok {
		c.st.lastSent[sid] = m.GetNotification()
		c.st.statsFor(sid).sent++
		ctx.Send(l.pid, m)
	} else {
		if _, had := c.st.pending[sid]; had {
			c.st.statsFor(sid).sendDropped++
		}
		c.st.pending[sid] = m.GetNotification()
		c.connectOne(ctx, sid)
	}
	c.pushDelivered(ctx, c.haveDelivered())
}

// haveDelivered is ZooKeeper's haveDelivered(), bug for bug, with one
// exception: true as soon as any peer's send queue is empty
// (ZOOKEEPER-3637/4605, never fixed), false if every queue holds a
// message. With no queues at all ZooKeeper says false (connectAll), which
// is safe there because its election hands sends to the manager in
// process; here a send can die with a crashing actor between the two, and
// "no queue" then means "our vote never reached the manager": only a
// re-send (true) recovers, where connectAll has nobody to connect to.
func (c *cnxManager) haveDelivered() bool {
	if len(c.st.known) == 0 {
		return true
	}
	for sid := range c.st.known {
		if _, waiting := c.st.pending[sid]; !waiting {
			return true
		}
	}
	return false
}

// pushDelivered tells the election the current haveDelivered value when it
// changed, so its notification timeout can choose between re-sending and
// connectAll without a round trip.
func (c *cnxManager) pushDelivered(ctx actor.Context, v bool) {
	if c.delivered != nil && *c.delivered == v {
		return
	}
	c.delivered = &v
	ctx.Send(c.rt.dir.election.get(), &messages.HaveDeliveredResponse{Delivered: v})
}

// connectAll is QuorumCnxManager.connectAll: connectOne for every peer we
// ever had a send queue for.
func (c *cnxManager) connectAll(ctx actor.Context) {
	sids := make([]int64, 0, len(c.st.known))
	for sid := range c.st.known {
		sids = append(sids, sid)
	}
	sort.Slice(sids, func(i, j int) bool { return sids[i] < sids[j] })
	for _, sid := range sids {
		c.connectOne(ctx, sid)
	}
}

// peerClosed handles a Peer's report that its connection ended.
func (c *cnxManager) peerClosed(ctx actor.Context, m *messages.ConnectionClosed) {
	sid := m.GetSid()
	l, ok := c.links[sid]
	current := ok && ctx.Sender() != nil && ctx.Sender().Equal(l.pid)
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
	delete(c.links, sid)
	c.recordClose(sid, l.remote, m)
	ctx.Stop(l.pid)
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
	if c.isMember(sid) {
		c.rt.log.Info("connection closed", "peer", sid, "reason", m.GetReason().String(), "detail", m.GetDetail())
		return
	}
	// "reason" is the rate limiter's token here; the close reason has
	// its own key.
	c.logConn(sid, remote, "connection closed", "non-member-closed", "close_reason", m.GetReason().String(), "detail", m.GetDetail())
}

// peerTerminated forgets a Peer that stopped, whatever the cause.
func (c *cnxManager) peerTerminated(ctx actor.Context, who *actor.PID) {
	for sid, l := range c.links {
		if l.pid.Equal(who) {
			delete(c.links, sid)
			c.ended[sid] = who
			c.rt.log.Debug("peer actor stopped before its report", "peer", sid, "actor", who.GetId())
			c.pushDelivered(ctx, c.haveDelivered())
			return
		}
	}
}

// addLink spawns a Peer for a connection that survived the tie-break,
// replacing any previous one for the same sid, and hands it what it must
// send first: the queued notification, or else a re-send of the last one.
func (c *cnxManager) addLink(ctx actor.Context, sid int64, conn net.Conn, dir messages.Direction) {
	c.addLinkSeq(ctx, sid, conn, dir, 0)
}

// addLinkSeq is addLink for an inbound connection with its accept number.
func (c *cnxManager) addLinkSeq(ctx actor.Context, sid int64, conn net.Conn, dir messages.Direction, seq uint64) {
	if c.leaving {
		_ = conn.Close()
		c.rt.log.Debug("closing connection that arrived while the connection manager stops", "peer", sid)
		return
	}
	if old, ok := c.links[sid]; ok && seq != 0 && old.seq > seq {
		// Two connections from sid crossed: the peer dropped the older
		// one for the one we hold, and the older one's handshake was
		// just slower. Replacing would close the live one and keep a
		// dead one, leaving both sides without a link.
		_ = conn.Close()
		c.rt.log.Debug("closing stale connection: a newer one from the same peer is live", "peer", sid,
			"remote", conn.RemoteAddr().String(), "live", old.remote)
		return
	}
	if old, ok := c.links[sid]; ok {
		c.logConn(sid, conn.RemoteAddr().String(), "replacing connection", "non-member-replaced", "old", old.remote)
		ctx.Stop(old.pid)
		delete(c.links, sid)
	}
	first := c.st.pending[sid]
	if first != nil {
		delete(c.st.pending, sid)
		c.st.lastSent[sid] = first
	} else {
		first = c.st.lastSent[sid]
	}
	c.st.gen++
	gen := c.st.gen
	st := c.st.statsFor(sid)
	remote := conn.RemoteAddr().String()
	pid, err := ctx.SpawnNamed(newPeerProps(c.rt, sid, conn, first, &st.received), peerName(sid, gen))
	if err != nil {
		_ = conn.Close()
		c.rt.log.Error("cannot start peer", "peer", sid, "reason", err.Error())
		return
	}
	c.links[sid] = &peerLink{pid: pid, direction: dir, remote: remote, seq: seq}
	st.consecutiveFailures = 0
	if first != nil {
		st.sent++
	}
	c.pushDelivered(ctx, c.haveDelivered())
	c.logConn(sid, remote, "peer connected", "non-member-connected", "direction", dir.String())
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
	for sid := range c.st.known {
		sids[sid] = true
	}
	for sid := range c.links {
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
			Dialing:         c.dialing[sid],
			SendDropped:     st.sendDropped,
			Sent:            st.sent,
			Received:        st.received.Load(),
			ConnectAttempts: st.connectAttempts,
			ConnectFailures: st.connectFailures,
			LastClose:       st.lastClose,
			LastCloseDetail: st.lastCloseDetail,
			Member:          c.isMember(sid),
		}
		if _, ok := c.st.pending[sid]; ok {
			ps.Pending = 1
		}
		if l, ok := c.links[sid]; ok {
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
	root := rootName(c.rt.cfg.ID) + "/"
	paths := map[int64]string{}
	for sid, l := range c.links {
		paths[sid] = strings.TrimPrefix(l.pid.GetId(), root)
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
