package cnx

import "time"

// Send is QuorumCnxManager.toSend for a remote sid (a driver loops
// messages to its own sid back itself). With a live link the message is
// forwarded to it and becomes the last message sent; without one it waits
// in sid's send queue of one, replacing (and dropping) any older waiting
// message, and a connection attempt starts.
func (m *Manager[M]) Send(sid int64, msg M) Output[M] {
	var out Output[M]
	m.remember(sid, &out)
	m.known[sid] = true
	if l, ok := m.links[sid]; ok {
		m.lastSent[sid] = msg
		out.Forwards = append(out.Forwards, Forward[M]{Conn: l.conn, SID: sid, Msg: msg})
	} else {
		if _, had := m.pending[sid]; had {
			out.Dropped = append(out.Dropped, sid)
		}
		m.pending[sid] = msg
		m.connectOne(sid, &out)
	}
	m.noteDelivered(&out)
	return out
}

// ConnectAll is QuorumCnxManager.connectAll: ConnectOne for every peer we
// ever had a send queue for, in ascending sid order.
func (m *Manager[M]) ConnectAll() Output[M] {
	var out Output[M]
	m.connectAll(&out)
	return out
}

func (m *Manager[M]) connectAll(out *Output[M]) {
	for _, sid := range sortedKeys(m.known) {
		m.connectOne(sid, out)
	}
}

// ConnectOne is QuorumCnxManager.connectOne: start a connection attempt to
// sid unless it is ourselves, has a live link or an attempt in flight, or
// has no election address in either configuration view (ZooKeeper logs
// "Invalid server id" then; we never dial a sid we do not know).
func (m *Manager[M]) ConnectOne(sid int64) Output[M] {
	var out Output[M]
	m.connectOne(sid, &out)
	return out
}

func (m *Manager[M]) connectOne(sid int64, out *Output[M]) {
	if m.leaving || sid == m.cfg.ID || m.dialing[sid] {
		return
	}
	if _, up := m.links[sid]; up {
		return
	}
	if s, ok := m.server(sid); !ok || len(s.Addrs) == 0 {
		return
	}
	m.dialing[sid] = true
	out.Dials = append(out.Dials, sid)
}

// DialOutcome is how a connection attempt ended.
type DialOutcome int

const (
	// DialFailed: no connection (refused, timed out, handshake error).
	DialFailed DialOutcome = iota + 1
	// DialHungUp: we have the smaller sid, so after sending our header
	// we hung up: it asked the peer to call us back. Not a failure.
	DialHungUp
	// DialConnected: the connection is up and ours to keep (we have the
	// larger sid).
	DialConnected
)

// Dialed ends the attempt to sid that an Output's Dials started, at now.
// With DialConnected, conn becomes sid's live link (replacing any other),
// started at now: for RedialInterval from then, a call from sid is taken
// to have crossed our dial and does not tear the link down (Accepted).
// With DialHungUp it is our call to sid, which may end sid's live link
// to us (Closed's verdict, liveness.go).
func (m *Manager[M]) Dialed(sid int64, outcome DialOutcome, conn Conn, now time.Time) Output[M] {
	var out Output[M]
	switch outcome {
	case DialConnected:
		m.adopt(sid, conn, Outbound, 0, now, &out)
	case DialHungUp:
		m.called(sid, now)
	}
	delete(m.dialing, sid)
	delete(m.spent, sid)
	return out
}

// Closed reports that conn's link ended at now (the peer closed it, a
// read or write failed, or the driver's link gave up). A connection that
// is not sid's live link any more (it was replaced) is ignored. It
// reports whether the close says that sid is gone, the reachable fast
// path's input: conn was the live link, and no call of ours explains the
// close (liveness.go: ZooKeeper's tie-break ends the link of a peer that
// is alive and calling back).
func (m *Manager[M]) Closed(sid int64, conn Conn, now time.Time) (Output[M], bool) {
	var out Output[M]
	l, ok := m.links[sid]
	if !ok || l.conn != conn {
		return out, false
	}
	delete(m.links, sid)
	m.noteDelivered(&out)
	return out, m.closeSaysGone(sid, now)
}

// adopt makes conn sid's live link from now on, replacing any previous
// one, and says what it sends first: the waiting message, or else a
// re-send of the last one.
func (m *Manager[M]) adopt(sid int64, conn Conn, dir Direction, seq uint64, now time.Time, out *Output[M]) {
	if m.leaving {
		out.Closes = append(out.Closes, Close{Conn: conn, SID: sid, Reason: ReasonLeaving})
		return
	}
	if old, ok := m.links[sid]; ok && seq != 0 && old.seq > seq {
		// Two connections from sid crossed: the peer dropped the older
		// one for the one we hold, and the older one's handshake was just
		// slower. Replacing would close the live one and keep a dead one.
		out.Closes = append(out.Closes, Close{Conn: conn, SID: sid, Reason: ReasonStale})
		return
	}
	if old, ok := m.links[sid]; ok {
		out.Ends = append(out.Ends, End{Conn: old.conn, SID: sid, Reason: ReasonReplaced})
		delete(m.links, sid)
	}
	a := Adopt[M]{Conn: conn, SID: sid, Dir: dir}
	if first, ok := m.pending[sid]; ok {
		delete(m.pending, sid)
		m.lastSent[sid] = first
		a.First, a.HasFirst = first, true
	} else if last, ok := m.lastSent[sid]; ok {
		a.First, a.HasFirst = last, true
	}
	m.links[sid] = link{conn: conn, dir: dir, seq: seq, since: now}
	// ZooKeeper makes the peer's send queue with every connection it
	// adopts, in either direction (queueSendMap.putIfAbsent), so the peer
	// counts in haveDelivered and connectAll from then on.
	m.known[sid] = true
	out.Adopts = append(out.Adopts, a)
	m.noteDelivered(out)
}

// InitiatorKeeps is the initiator's side of the tie-break: a connection we
// dialled is ours to keep only if we have the larger sid. Otherwise our
// header was a request for the peer to call us back ("Have smaller server
// identifier, so dropping the connection"): hang up after sending it and
// report DialHungUp.
func InitiatorKeeps(mySID, peerSID int64) bool { return mySID > peerSID }
