package actors

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/netbridge"
	"github.com/zkfle/zkfle/quorum"
)

// connectOne is QuorumCnxManager.connectOne: start an asynchronous
// connection attempt to sid unless one is up or in flight. Unlike
// ZooKeeper before 3.5.8 (ZOOKEEPER-900/3756), nothing here blocks: a dead,
// slow or blackholed peer costs one goroutine waiting out its connect
// timeout, and every other peer is served meanwhile.
func (c *cnxManager) connectOne(ctx actor.Context, sid int64) {
	if c.leaving || sid == c.rt.cfg.ID || c.dialing[sid] {
		return
	}
	if _, up := c.links[sid]; up {
		return
	}
	addr, idx, ok := c.electionAddr(sid)
	if !ok {
		// Not in the committed or last-seen view: ZooKeeper logs "Invalid
		// server id" and gives up. We never dial sids we do not know.
		return
	}
	header, err := c.header()
	if err != nil {
		c.rt.log.Error("cannot build connection header", "reason", err.Error())
		return
	}
	st := c.st.statsFor(sid)
	st.connectAttempts++
	c.dialing[sid] = true
	system, self := ctx.ActorSystem(), ctx.Self()
	d := dialer{
		sid:       sid,
		mySid:     c.rt.cfg.ID,
		addr:      addr,
		local:     c.localAddr(idx),
		header:    header,
		timeout:   c.rt.cfg.ConnectTimeout,
		handshake: c.rt.cfg.handshakeTimeout(),
		keepAlive: c.rt.cfg.TCPKeepAlive,
	}
	if c.rt.cfg.TLS != nil {
		rt := c.rt
		d.secure = func(conn net.Conn, sid int64, host string, deadline time.Time) (net.Conn, error) {
			return rt.dialTLS(conn, TLSPortElection, sid, host, deadline)
		}
	}
	dctx := c.dialCtx
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		res := d.dial(dctx)
		if dctx.Err() != nil {
			// We are shutting down: nobody will take the connection.
			if res.conn != nil {
				_ = res.conn.Close()
			}
			return
		}
		system.Root.Send(self, res)
	}()
}

// dialed takes the result of an attempt started by connectOne.
func (c *cnxManager) dialed(ctx actor.Context, m *dialResult) {
	delete(c.dialing, m.sid)
	if m.unbound != nil && !c.st.unboundLogged {
		c.st.unboundLogged = true
		c.rt.log.Debug("cannot dial from our own address; dialing unbound (peers that check source addresses may refuse us)",
			"peer", m.sid, "reason", m.unbound.Error())
	}
	st := c.st.statsFor(m.sid)
	switch {
	case m.err != nil:
		st.connectFailures++
		st.consecutiveFailures++
		// ZooKeeper logs every failure ("Cannot open channel to N at
		// election address"); a dead peer then floods the log at each
		// notification timeout. Log the first of a streak loudly.
		log := c.rt.log.Debug
		if st.consecutiveFailures == 1 {
			log = c.rt.log.Warn
		}
		log("cannot open channel to peer", "peer", m.sid, "addr", m.addr, "reason", m.err.Error(),
			"failures", st.consecutiveFailures)
	case m.hungUp:
		// We have the smaller sid: the header asked the peer to call us
		// back, and we hung up, as ZooKeeper does.
		st.consecutiveFailures = 0
	default:
		c.addLink(ctx, m.sid, m.conn, messages.Direction_OUTBOUND)
	}
}

// inbound applies ZooKeeper's tie-break to a connection whose initial
// message has been read: only a connection opened by the larger sid
// survives.
func (c *cnxManager) inbound(ctx actor.Context, m *inboundConn) {
	sid, me := m.header.SID, c.rt.cfg.ID
	remote := m.conn.RemoteAddr().String()
	reject := func(reason, detail string) {
		c.st.rejected[reason]++
		c.rt.warnings().Warn("rejected election connection", sourceIP(remote), reason,
			"remote", remote, "peer", sid, "detail", detail)
		_ = m.conn.Close()
	}
	member, known := c.server(sid)
	switch {
	case sid == me:
		// ZooKeeper logs this and leaks the socket; we close it.
		reject("own-sid", "connection request from a server with our own id")
	case !known && sid < me:
		// ZooKeeper would dial back the address in the header: an
		// unauthenticated request to connect anywhere. We only talk to
		// servers in our configuration.
		reject("unknown-sid", fmt.Sprintf("sid %d is not in the configuration", sid))
	case known && !advertisesOwnPort(member, m.header.Addrs):
		reject("sid-address-mismatch", fmt.Sprintf("sid %d advertised %v but server.%d has election port %v",
			sid, m.header.Addrs, sid, electionPorts(member)))
	case sid < me:
		c.tieBreak(ctx, sid, m.conn)
	default:
		if !known {
			// An observer missing from our config, or an election probe:
			// ZooKeeper serves it as a non-voter, and so do we, with a
			// slot in the bounded table of strangers (which may close the
			// oldest other one).
			c.logConn(sid, remote, "connection from a sid not in the configuration; serving it as a non-voter",
				"non-member-sid")
			c.remember(ctx, sid)
		}
		c.addLinkSeq(ctx, sid, m.conn, messages.Direction_INBOUND, m.seq)
	}
}

// tieBreakInterval is how often a claim from a smaller sid may make us
// drop our live connection to it and call back.
const tieBreakInterval = time.Second

// tieBreakDue is sent to the manager itself when the interval of a
// refused call-back request has passed (see tieBreak).
type tieBreakDue struct{ sid int64 }

// tieBreak answers a connection from a smaller sid (one that passed the
// source check): close it and call back. ZooKeeper also drops the
// connection it had: the peer would not call unless it lost its side
// (it restarted, or its connection died first). But each such claim then
// costs a teardown and a redial, and a peer (or an impostor behind a NAT
// with the check off) repeating it keeps the link down: 473 redials in
// 5 s were seen. So a live link is dropped at most once per
// tieBreakInterval per sid; a claim within the interval only loses its
// connection, and when the interval ends we call the sid back if the
// link has died meanwhile (it may have been the stale one: two
// connections crossing at start-up can leave the newer one closed), so
// no request to call back is lost.
func (c *cnxManager) tieBreak(ctx actor.Context, sid int64, conn net.Conn) {
	_ = conn.Close()
	if l, ok := c.links[sid]; ok {
		now := time.Now()
		if last, seen := c.tornDown[sid]; seen && now.Sub(last) < tieBreakInterval {
			c.st.rejected["redial-limited"]++
			c.rt.log.Debug("kept live connection: a smaller sid called again within the redial interval",
				"peer", sid, "remote", conn.RemoteAddr().String(), "interval", tieBreakInterval)
			c.afterTieBreakInterval(ctx, sid, last.Add(tieBreakInterval).Sub(now))
			return
		}
		if c.tornDown == nil {
			c.tornDown = map[int64]time.Time{}
		}
		c.tornDown[sid] = now
		ctx.Stop(l.pid)
		delete(c.links, sid)
	}
	c.connectOne(ctx, sid)
}

// afterTieBreakInterval arms (once per sid) the check that calls sid back
// if its link died while its requests were being refused.
func (c *cnxManager) afterTieBreakInterval(ctx actor.Context, sid int64, d time.Duration) {
	if _, armed := c.tieBreakTimers[sid]; armed {
		return
	}
	if c.tieBreakTimers == nil {
		c.tieBreakTimers = map[int64]*time.Timer{}
	}
	system, self, msg := ctx.ActorSystem(), ctx.Self(), &tieBreakDue{sid: sid}
	c.tieBreakTimers[sid] = time.AfterFunc(max(d, 0), func() { system.Root.Send(self, msg) })
}

// tieBreakDone calls sid back unless its link is up (or a dial is in
// flight): connectOne checks both.
func (c *cnxManager) tieBreakDone(ctx actor.Context, m *tieBreakDue) {
	delete(c.tieBreakTimers, m.sid)
	c.connectOne(ctx, m.sid)
}

// server looks sid up in the committed view, then the last-seen one.
func (c *cnxManager) server(sid int64) (quorum.Server, bool) {
	if s, ok := c.rt.cfg.Verifier.Server(sid); ok {
		return s, true
	}
	if c.rt.cfg.LastSeen != nil {
		return c.rt.cfg.LastSeen.Server(sid)
	}
	return quorum.Server{}, false
}

// electionAddr is the address to dial for sid: its first election
// address, and that address's index on sid's server line.
func (c *cnxManager) electionAddr(sid int64) (string, int, bool) {
	s, ok := c.server(sid)
	if !ok || len(s.Addrs) == 0 {
		return "", 0, false
	}
	a := s.Addrs[0]
	return net.JoinHostPort(a.Host, strconv.Itoa(a.ElectionPort)), 0, true
}

// localAddr is the address to dial a peer's i-th address from: our own
// i-th (or first) address when it is an IP literal, so that the peer's
// source check sees an address our server line names.
func (c *cnxManager) localAddr(i int) netip.Addr {
	me, _ := c.rt.cfg.Verifier.Server(c.rt.cfg.ID)
	return bindAddr(me, i)
}

// header builds our initial message: V1 with one address unless
// MultiAddress asks for V2 with all of them (3.5 servers reject V2,
// ZOOKEEPER-3720).
func (c *cnxManager) header() ([]byte, error) {
	me, _ := c.rt.cfg.Verifier.Server(c.rt.cfg.ID)
	addrs := make([]string, 0, len(me.Addrs))
	for _, a := range me.Addrs {
		addrs = append(addrs, net.JoinHostPort(a.Host, strconv.Itoa(a.ElectionPort)))
	}
	msg := netbridge.InitialMessage{Version: netbridge.ProtocolV1, SID: c.rt.cfg.ID, Addrs: addrs[:1]}
	if c.rt.cfg.MultiAddress {
		msg.Version, msg.Addrs = netbridge.ProtocolV2, addrs
	}
	return msg.Encode()
}

// advertisesOwnPort reports whether a header's addresses are plausible for
// the configured server: at least one carries one of its election ports.
// A legacy header carries none and passes. Hosts are not compared: peers
// may name each other differently (aliases, wildcards); a peer that
// advertises another server's port is claiming a sid that is not its own.
func advertisesOwnPort(s quorum.Server, addrs []string) bool {
	if len(addrs) == 0 {
		return true
	}
	for _, a := range addrs {
		_, port, err := netbridge.HostPort(a)
		if err != nil {
			continue
		}
		for _, p := range s.Addrs {
			if p.ElectionPort == port {
				return true
			}
		}
	}
	return false
}

func electionPorts(s quorum.Server) []int {
	out := make([]int, 0, len(s.Addrs))
	for _, a := range s.Addrs {
		out = append(out, a.ElectionPort)
	}
	return out
}
