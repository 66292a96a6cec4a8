package zab

import (
	"slices"
	"time"

	"github.com/zkfle/zkfle/netbridge/quorumwire"
)

// The two ends of a simulated connection.
const (
	learnerSide = 0
	leaderSide  = 1
)

// simConn is a TCP connection between a learner and a leader: FIFO in each
// direction, closed per side.
type simConn struct {
	id      ConnID
	learner int64
	leader  int64
	open    [2]bool
	lastAt  [2]time.Duration // the last scheduled delivery per receiving side, for FIFO
}

func (sc *simConn) owner(side int) int64 {
	if side == learnerSide {
		return sc.learner
	}
	return sc.leader
}

func (w *simWorld) sortedConns() []ConnID {
	ids := make([]ConnID, 0, len(w.conns))
	for c := range w.conns {
		ids = append(ids, c)
	}
	slices.Sort(ids)
	return ids
}

// dial schedules the result of a learner's dial: it succeeds if the target
// is leading (its quorum port listens) and reachable.
func (w *simWorld) dial(n *simNode, s *LearnerSession) {
	delay := w.jitter(w.opts.maxLatency)
	if w.chance(0.03) {
		delay = w.jitter(2 * w.opts.timing.connectTimeout()) // a dial that hangs
	}
	w.schedule(&simEvent{at: w.now + delay, kind: evDialResult, node: n.id, gen: n.gen, sess: s})
}

func (w *simWorld) dialResult(e *simEvent) {
	n := w.nodes[e.node]
	s := e.sess.(*LearnerSession)
	target := w.nodes[s.cfg.LeaderID]
	if !n.up || n.gen != e.gen {
		return // the dialing process is gone
	}
	if !w.reachable(n.id, target.id) || target.leader == nil {
		if n.learner == s {
			w.apply(n, s, s.DialFailed(errDialRefused))
		}
		return
	}
	w.nextConn++
	sc := &simConn{id: w.nextConn, learner: n.id, leader: target.id, open: [2]bool{true, true}}
	w.conns[sc.id] = sc
	w.tracef("conn %d: s%d -> s%d", sc.id, n.id, target.id)
	w.apply(target, target.leader, target.leader.Connected(sc.id))
	if n.learner != s {
		w.closeSide(sc.id, n.id) // the driver abandoned this dial
		return
	}
	w.apply(n, s, s.Connected(sc.id))
	w.maybeAbandon(n, s)
}

var errDialRefused = dialError("connection refused")

type dialError string

func (e dialError) Error() string { return string(e) }

// send puts a packet on the wire from server from. The bytes go through
// the codec, as on a real socket.
func (w *simWorld) send(c ConnID, from int64, p quorumwire.Packet) {
	sc := w.conns[c]
	if sc == nil {
		w.check.fail("s%d sends on unknown conn %d", from, c)
		return
	}
	side := learnerSide
	if sc.leader == from {
		side = leaderSide
	}
	if !sc.open[side] {
		w.check.fail("s%d sends %s on conn %d after closing it", from, p, c)
		return
	}
	peer := 1 - side
	if !w.reachable(sc.learner, sc.leader) || w.chance(w.opts.dropProb) {
		return // lost in a partition, or dropped
	}
	if !sc.open[peer] {
		w.notifyPeer(sc, peer) // RST: the peer end is gone
		return
	}
	if w.chance(w.opts.breakProb) {
		// The connection breaks under the sender: both ends learn it.
		w.tracef("conn %d breaks", c)
		w.schedule(&simEvent{at: w.now, kind: evDisconnect, conn: c, side: side})
		w.notifyPeer(sc, side)
		return
	}
	at := max(w.now+w.jitter(w.opts.maxLatency), sc.lastAt[peer])
	sc.lastAt[peer] = at
	w.schedule(&simEvent{at: at, kind: evDeliver, conn: c, side: peer, data: p.AppendEncode(nil)})
}

// deliver hands a packet to the receiving end, if it is still open.
func (w *simWorld) deliver(e *simEvent) {
	sc := w.conns[e.conn]
	if !sc.open[e.side] {
		return
	}
	p, n, err := quorumwire.DecodePacket(e.data)
	if err != nil || n != len(e.data) {
		w.check.fail("conn %d: undecodable packet %x: %v", e.conn, e.data, err)
		return
	}
	node := w.nodes[sc.owner(e.side)]
	if e.side == leaderSide {
		w.observeAtLeader(node, sc.learner, p)
		w.apply(node, node.leader, node.leader.Received(sc.id, p))
	} else {
		s := node.learner
		w.apply(node, s, s.Received(sc.id, p))
		w.maybeAbandon(node, s)
	}
}

// closeSide closes a connection at server id's end; the peer notices
// unless a partition eats the FIN.
func (w *simWorld) closeSide(c ConnID, id int64) {
	sc := w.conns[c]
	side := learnerSide
	if sc.leader == id {
		side = leaderSide
	}
	if !sc.open[side] {
		w.check.fail("s%d closes conn %d twice", id, c)
		return
	}
	sc.open[side] = false
	w.notifyPeer(sc, side)
}

// notifyPeer tells the other end of a connection that this side is gone,
// after a network delay, if the network lets it through.
func (w *simWorld) notifyPeer(sc *simConn, closed int) {
	peer := 1 - closed
	if !sc.open[peer] || !w.reachable(sc.learner, sc.leader) {
		return
	}
	at := max(w.now+w.jitter(w.opts.maxLatency), sc.lastAt[peer]) // after what was sent before
	w.schedule(&simEvent{at: at, kind: evDisconnect, conn: sc.id, side: peer})
}

// disconnect reports a broken connection to one end.
func (w *simWorld) disconnect(c ConnID, side int) {
	sc := w.conns[c]
	if !sc.open[side] {
		return
	}
	sc.open[side] = false
	node := w.nodes[sc.owner(side)]
	w.tracef("conn %d: s%d sees it closed", c, node.id)
	if side == leaderSide {
		w.apply(node, node.leader, node.leader.Disconnected(c))
	} else {
		w.apply(node, node.learner, node.learner.Disconnected(c))
	}
}

// observeAtLeader shows the checker what reaches a leader, read from the
// packet's header fields alone: the acceptedEpoch of a FOLLOWERINFO or
// OBSERVERINFO (its zxid's high word), an ACKEPOCH, and an ACK whose zxid
// is (epoch, 0) together with the sender's currentEpoch on disk.
func (w *simWorld) observeAtLeader(leader *simNode, from int64, p quorumwire.Packet) {
	if leader.leader == nil {
		return
	}
	switch p.Type {
	case quorumwire.FollowerInfo, quorumwire.ObserverInfo:
		w.check.heardLearnerInfo(leader.id, p.Zxid>>32)
	case quorumwire.AckEpoch:
		w.check.heardAckEpoch(leader.id, from)
	case quorumwire.Ack:
		if p.Zxid&0xffffffff == 0 {
			w.check.heardNewLeaderAck(leader.id, from, p.Zxid>>32, w.nodes[from].current)
		}
	}
}
