package actors

import (
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/cnx"
	"github.com/zkfle/zkfle/messages"
)

// apply carries out one of the core's outputs, in its field order.
func (c *cnxManager) apply(ctx actor.Context, out cnx.Output[*messages.Notification]) {
	c.applyFor(ctx, out, nil)
}

// applyFor is apply for an inbound connection whose header advertised
// addrs (quoted when the core refuses it as an impostor).
func (c *cnxManager) applyFor(ctx actor.Context, out cnx.Output[*messages.Notification], addrs []string) {
	for _, cl := range out.Closes {
		c.refuse(cl, addrs)
	}
	for _, sid := range out.Forgotten {
		// Its counters go to the pruned totals, so that the sum over
		// non-members never goes backwards.
		if st, ok := c.st.stats[sid]; ok {
			c.st.pruned.add(st)
		}
		delete(c.st.stats, sid)
		delete(c.ended, sid)
	}
	for _, e := range out.Ends {
		c.endLink(ctx, e, out.Adopts)
	}
	for _, a := range out.Adopts {
		c.startLink(ctx, a)
		c.reportReachability(ctx, a.SID, true)
	}
	for _, f := range out.Forwards {
		if l := c.peers[f.Conn]; l != nil {
			c.st.statsFor(f.SID).sent++
			ctx.Send(l.pid, &messages.SendNotification{Sid: f.SID, Notification: f.Msg})
		}
	}
	for _, sid := range out.Dropped {
		c.st.statsFor(sid).sendDropped++
	}
	for _, sid := range out.Dials {
		c.startDial(ctx, sid)
	}
	for _, t := range out.Timers {
		c.armRedial(ctx, t)
	}
	c.pushDelivered(ctx, out.Delivered) // to the Election, when it changed
	// The core adopts or refuses every connection it is handed; one it
	// did neither would leak its socket.
	for id, conn := range c.conns {
		delete(c.conns, id)
		_ = conn.Close()
		c.rt.log.Error("connection neither adopted nor refused by the connection rules; closed",
			"remote", conn.RemoteAddr().String())
	}
}

// refuse closes a connection the core will not use, counting and logging
// it as its reason deserves.
func (c *cnxManager) refuse(cl cnx.Close, addrs []string) {
	conn := c.conns[cl.Conn]
	delete(c.conns, cl.Conn)
	if conn == nil {
		return
	}
	_ = conn.Close()
	remote := conn.RemoteAddr().String()
	sid := cl.SID
	switch cl.Reason {
	case cnx.ReasonOwnSID:
		// ZooKeeper logs this and leaks the socket; we close it.
		c.reject(remote, sid, cl.Reason, "connection request from a server with our own id")
	case cnx.ReasonUnknownSID:
		c.reject(remote, sid, cl.Reason, fmt.Sprintf("sid %d is not in the configuration", sid))
	case cnx.ReasonAddressMismatch:
		member, _ := c.server(sid)
		c.reject(remote, sid, cl.Reason, fmt.Sprintf("sid %d advertised %v but server.%d has election port %v",
			sid, addrs, sid, electionPorts(member)))
	case cnx.ReasonRedialLimited:
		c.st.rejected[cl.Reason]++
		c.rt.log.Debug("kept live connection: a smaller sid called again within the redial interval",
			"peer", sid, "remote", remote, "interval", tieBreakInterval)
	case cnx.ReasonStale:
		live := ""
		if id, _, ok := c.core.Link(sid); ok && c.peers[id] != nil {
			live = c.peers[id].remote
		}
		c.rt.log.Debug("closing stale connection: a newer one from the same peer is live", "peer", sid,
			"remote", remote, "live", live)
	case cnx.ReasonLeaving:
		c.rt.log.Debug("closing connection that arrived while the connection manager stops", "peer", sid)
	}
}

// reject counts and logs a refused inbound connection, rate-limited per
// source address and reason.
func (c *cnxManager) reject(remote string, sid int64, reason, detail string) {
	c.st.rejected[reason]++
	c.rt.warnings().Warn("rejected election connection", sourceIP(remote), reason,
		"remote", remote, "peer", sid, "detail", detail)
}

// endLink stops the Peer of a link the core tore down.
func (c *cnxManager) endLink(ctx actor.Context, e cnx.End, adopts []cnx.Adopt[*messages.Notification]) {
	l := c.peers[e.Conn]
	if l == nil {
		return
	}
	delete(c.peers, e.Conn)
	switch e.Reason {
	case cnx.ReasonReplaced:
		remote := ""
		for _, a := range adopts {
			if a.SID == e.SID && c.conns[a.Conn] != nil {
				remote = c.conns[a.Conn].RemoteAddr().String()
			}
		}
		c.logConn(e.SID, remote, "replacing connection", "non-member-replaced", "old", l.remote)
	case cnx.ReasonTableFull:
		c.rt.warnings().Warn("closing the oldest connection from a sid not in the configuration: table full",
			sourceIP(l.remote), "non-member-table-full", "peer", e.SID, "size", nonMemberTableSize)
	}
	ctx.Stop(l.pid)
}

// startLink spawns the Peer of a connection the core adopted and hands it
// what it must send first: the queued notification, or else a re-send of
// the last one.
func (c *cnxManager) startLink(ctx actor.Context, a cnx.Adopt[*messages.Notification]) {
	conn := c.conns[a.Conn]
	delete(c.conns, a.Conn)
	if conn == nil {
		return
	}
	var first *messages.Notification
	if a.HasFirst {
		first = a.First
	}
	dir := messages.Direction_OUTBOUND
	if a.Dir == cnx.Inbound {
		dir = messages.Direction_INBOUND
	}
	c.st.gen++
	st := c.st.statsFor(a.SID)
	remote := conn.RemoteAddr().String()
	pid, err := ctx.SpawnNamed(newPeerProps(c.rt, a.SID, conn, first, &st.received), peerName(a.SID, c.st.gen))
	if err != nil {
		_ = conn.Close()
		c.rt.log.Error("cannot start peer", "peer", a.SID, "reason", err.Error())
		out, _ := c.core.Closed(a.SID, a.Conn, time.Now())
		c.pushDelivered(ctx, out.Delivered) // all that Closed ever asks
		return
	}
	c.peers[a.Conn] = &peerLink{pid: pid, sid: a.SID, direction: dir, remote: remote}
	st.consecutiveFailures = 0
	if a.HasFirst {
		st.sent++
	}
	c.logConn(a.SID, remote, "peer connected", "non-member-connected", "direction", dir.String())
}

// armRedial arms a cnx.RedialTimer (once per sid).
func (c *cnxManager) armRedial(ctx actor.Context, t cnx.RedialTimer) {
	if _, armed := c.tieBreakTimers[t.SID]; armed {
		return
	}
	system, self, msg := ctx.ActorSystem(), ctx.Self(), &tieBreakDue{sid: t.SID}
	c.tieBreakTimers[t.SID] = time.AfterFunc(max(t.After, 0), func() { system.Root.Send(self, msg) })
}
