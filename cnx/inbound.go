package cnx

import (
	"strconv"
	"strings"
	"time"
)

// Incoming is a connection whose initial message (the connection header)
// has been read and whose source the driver has checked.
type Incoming struct {
	// Conn is the connection.
	Conn Conn
	// SID is the sid the header claims.
	SID int64
	// Addrs are the election addresses the header advertises, as
	// host:port (none in a legacy header).
	Addrs []string
	// Seq is the connection's accept number: larger is accepted later.
	// Zero means unknown (never judged stale).
	Seq uint64
	// At is when the connection was accepted, before its header was read
	// (zero: unknown, taken as the time Accepted is called). Under load
	// the header read and the driver's queue can take seconds; the
	// tie-break judges a call by when it arrived.
	At time.Time
}

// Accepted applies the acceptor's side of ZooKeeper's tie-break to an
// inbound connection at time now: only a connection opened by the larger
// sid survives. From a larger sid it becomes the live link (a sid outside
// the configuration is served as a non-voter, in the bounded table). From
// a smaller sid it is closed and we call back, dropping our live link to
// that sid at most once per RedialInterval. A connection claiming our own
// sid, a smaller sid we do not know, or a member's sid with none of its
// election ports is refused.
func (m *Manager[M]) Accepted(in Incoming, now time.Time) Output[M] {
	var out Output[M]
	sid, me := in.SID, m.cfg.ID
	refuse := func(reason string) {
		out.Closes = append(out.Closes, Close{Conn: in.Conn, SID: sid, Reason: reason})
	}
	member, known := m.server(sid)
	switch {
	case sid == me:
		refuse(ReasonOwnSID)
	case !known && sid < me:
		// ZooKeeper would dial back the address in the header: an
		// unauthenticated request to connect anywhere.
		refuse(ReasonUnknownSID)
	case known && !advertisesOwnPort(electionPorts(member), in.Addrs):
		refuse(ReasonAddressMismatch)
	case sid < me:
		m.tieBreak(in, now, &out)
	default:
		if !known {
			m.remember(sid, &out)
		}
		m.adopt(sid, in.Conn, Inbound, in.Seq, now, &out)
	}
	return out
}

// tieBreak answers a connection from a smaller sid: close it and call
// back. ZooKeeper also drops the live link: the peer would not call unless
// it lost its side. zkfle drops it only once the link has stood for
// RedialInterval. A call within that interval of the link's start is one
// of two things. Either it crossed our own dial (both ends dial each other
// when they start: the peer called before our connection reached it, and
// then adopted ours; at N=51 every such crossing used to cost a second
// link per pair), or it repeats a call that already tore a link down, the
// live one being our call-back (a peer repeating its call kept the link
// down: 473 redials in 5 s were seen). Such a call only loses its own
// connection, and when the interval ends the sid is called back if the
// link died meanwhile (RedialDue), so no call is lost. A call is timed by
// its arrival (Incoming.At), not by when it is handled: under load the
// header read and our queue took seconds, and a call that arrived before
// the link started cannot be about it, however late it is read.
func (m *Manager[M]) tieBreak(in Incoming, now time.Time, out *Output[M]) {
	sid := in.SID
	if l, ok := m.links[sid]; ok {
		if arrival(in, now).Sub(l.since) < m.cfg.RedialInterval {
			m.limitRedial(in, l.since, now, out)
			return
		}
		out.Closes = append(out.Closes, Close{Conn: in.Conn, SID: sid, Reason: ReasonTieBreak})
		out.Ends = append(out.Ends, End{Conn: l.conn, SID: sid, Reason: ReasonTieBreak})
		delete(m.links, sid)
	} else {
		out.Closes = append(out.Closes, Close{Conn: in.Conn, SID: sid, Reason: ReasonTieBreak})
	}
	m.connectOne(sid, out)
}

// arrival is when in's call arrived: its accept time when known (never
// later than now).
func arrival(in Incoming, now time.Time) time.Time {
	if in.At.IsZero() || in.At.After(now) {
		return now
	}
	return in.At
}

// limitRedial closes a smaller sid's call that may not drop our live link
// (it started at from, less than RedialInterval ago) and arms one redial
// check for the interval's end.
func (m *Manager[M]) limitRedial(in Incoming, from, now time.Time, out *Output[M]) {
	sid := in.SID
	out.Closes = append(out.Closes, Close{Conn: in.Conn, SID: sid, Reason: ReasonRedialLimited})
	if !m.redialArmed[sid] {
		m.redialArmed[sid] = true
		out.Timers = append(out.Timers, RedialTimer{SID: sid, After: max(from.Add(m.cfg.RedialInterval).Sub(now), 0)})
	}
}

// RedialDue is the firing of a RedialTimer: call sid back unless its link
// is up or a dial is in flight.
func (m *Manager[M]) RedialDue(sid int64) Output[M] {
	var out Output[M]
	delete(m.redialArmed, sid)
	m.connectOne(sid, &out)
	return out
}

// advertisesOwnPort reports whether a header's addresses are plausible
// for a configured server with the given election ports: at least one
// carries one of them. A legacy header carries none and passes. Hosts are
// not compared: peers may name each other differently; a peer that
// advertises another server's port claims a sid that is not its own.
func advertisesOwnPort(ports []int, addrs []string) bool {
	if len(addrs) == 0 {
		return true
	}
	for _, a := range addrs {
		p, ok := portOf(a)
		if !ok {
			continue
		}
		for _, q := range ports {
			if p == q {
				return true
			}
		}
	}
	return false
}

// portOf is the port of host:port (IPv6 hosts bracketed).
func portOf(addr string) (int, bool) {
	i := strings.LastIndexByte(addr, ':')
	if i < 0 || (strings.Contains(addr[:i], ":") && !strings.HasSuffix(addr[:i], "]")) {
		return 0, false
	}
	p, err := strconv.Atoi(addr[i+1:])
	if err != nil || p < 0 || p > 65535 {
		return 0, false
	}
	return p, true
}
