package actors

import (
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/cnx"
	"github.com/zkfle/zkfle/netbridge/electionwire"
	"github.com/zkfle/zkfle/quorum"
)

// startDial carries out one of the core's Dials: an asynchronous
// connection attempt to sid (QuorumCnxManager.connectOne's request
// thread). Unlike ZooKeeper before 3.5.8 (ZOOKEEPER-900/3756), nothing
// here blocks: a dead, slow or blackholed peer costs one goroutine
// waiting out its connect timeout, and every other peer is served
// meanwhile. Its end comes back as a dialResult.
func (c *cnxManager) startDial(ctx actor.Context, sid int64) {
	addr, idx, ok := c.electionAddr(sid)
	if !ok {
		// The core dials only sids with an election address; this is
		// the same view, so it cannot happen. Say the attempt ended.
		c.apply(ctx, c.core.Dialed(sid, cnx.DialFailed, 0, time.Now()))
		return
	}
	header, err := c.header()
	if err != nil {
		c.rt.log.Error("cannot build connection header", "reason", err.Error())
		c.apply(ctx, c.core.Dialed(sid, cnx.DialFailed, 0, time.Now()))
		return
	}
	st := c.st.statsFor(sid)
	st.connectAttempts++
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
	if c.rt.cfg.TLS.dialsTLS() {
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

// dialed takes the result of an attempt started by startDial.
func (c *cnxManager) dialed(ctx actor.Context, m *dialResult) {
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
		c.apply(ctx, c.core.Dialed(m.sid, cnx.DialFailed, 0, time.Now()))
		c.reportReachability(ctx, m.sid, false)
	case m.hungUp:
		// We have the smaller sid: the header asked the peer to call us
		// back, and we hung up, as ZooKeeper does. The peer may end its
		// live link to us in answer: the core then takes that close as
		// no sign of the peer going away (cnx/liveness.go).
		st.consecutiveFailures = 0
		c.apply(ctx, c.core.Dialed(m.sid, cnx.DialHungUp, 0, time.Now()))
	default:
		id := c.st.newConn()
		c.conns[id] = m.conn
		c.apply(ctx, c.core.Dialed(m.sid, cnx.DialConnected, id, time.Now()))
	}
}

// inbound hands the core a connection whose initial message has been
// read and whose source passed the Listener's checks: the core applies
// ZooKeeper's tie-break (only a connection opened by the larger sid
// survives) and zkfle's refusals (cnx.Manager.Accepted).
func (c *cnxManager) inbound(ctx actor.Context, m *inboundConn) {
	sid := m.header.SID
	if sid > c.rt.cfg.ID && !c.core.IsMember(sid) {
		// An observer missing from our config, or an election probe:
		// ZooKeeper serves it as a non-voter, and so do we, with a slot
		// in the bounded table of strangers (which may close the oldest
		// other one).
		c.logConn(sid, m.conn.RemoteAddr().String(),
			"connection from a sid not in the configuration; serving it as a non-voter", "non-member-sid")
	}
	id := c.st.newConn()
	c.conns[id] = m.conn
	c.applyFor(ctx, c.core.Accepted(cnx.Incoming{Conn: id, SID: sid, Addrs: m.header.Addrs, Seq: m.seq, At: m.accepted}, time.Now()), m.header.Addrs)
}

// tieBreakInterval is how often a claim from a smaller sid may make us
// drop our live connection to it and call back (cnx.Config.RedialInterval).
const tieBreakInterval = time.Second

// tieBreakDue is sent to the manager itself when a cnx.RedialTimer fires.
type tieBreakDue struct{ sid int64 }

// server looks sid up in the committed view, then the last-seen one.
func (c *cnxManager) server(sid int64) (quorum.Server, bool) { return c.rt.cfg.views().Server(sid) }

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
// ZOOKEEPER-3720), listed in the order ZooKeeper lists them
// (quorum.ElectionAddrOrder).
func (c *cnxManager) header() ([]byte, error) {
	me, _ := c.rt.cfg.Verifier.Server(c.rt.cfg.ID)
	addrs := make([]string, 0, len(me.Addrs))
	// In Java's order (its address set's), not the line's, so that the
	// header is byte for byte the one ZooKeeper sends.
	for _, i := range quorum.ElectionAddrOrder(me) {
		a := me.Addrs[i]
		addrs = append(addrs, net.JoinHostPort(a.Host, strconv.Itoa(a.ElectionPort)))
	}
	msg := electionwire.InitialMessage{Version: electionwire.ProtocolV1, SID: c.rt.cfg.ID, Addrs: addrs[:1]}
	if c.rt.cfg.MultiAddress {
		msg.Version, msg.Addrs = electionwire.ProtocolV2, addrs
	}
	return msg.Encode()
}

func electionPorts(s quorum.Server) []int {
	out := make([]int, 0, len(s.Addrs))
	for _, a := range s.Addrs {
		out = append(out, a.ElectionPort)
	}
	return out
}
