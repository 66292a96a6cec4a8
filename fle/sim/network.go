package sim

import (
	"time"

	"github.com/zkfle/zkfle/fle"
)

// envelope is one message on the wire (or looped back).
type envelope struct {
	from, to int64
	// toInc is the recipient's incarnation when it was sent: a message
	// never reaches a later process of a crashed node.
	toInc uint64
	msg   fle.Message
	// done is set once the message was delivered or lost.
	done bool
}

// link is one direction (from -> to) of a pair of nodes: QuorumCnxManager's
// per-peer send queue and lastMessageSent, which outlive connections.
type link struct {
	// hasQueue: the queue exists (created by the first send or the first
	// connection; ZooKeeper never removes it). haveDelivered looks at it.
	hasQueue bool
	// queued is the send queue's one slot (capacity 1, newest wins).
	queued *fle.Message
	// last is lastMessageSent, re-sent when a new connection starts.
	last *fle.Message
	// lastDue is the arrival time of the last message: a connection
	// delivers in order (FIFO) unless the policy lets a message overtake.
	lastDue time.Duration
}

// network is the connection manager of every node at once.
type network struct {
	n     int
	index map[int64]int
	links []link // [from*n + to]
	conn  []bool // [a*n + b], kept symmetric
	// side is each node's partition side; nodes on different sides
	// cannot reach each other. All zero when healed.
	side     []int
	inflight int
	policy   Policy
}

func newNetwork(sids []int64, policy Policy) network {
	n := len(sids)
	idx := make(map[int64]int, n)
	for i, s := range sids {
		idx[s] = i
	}
	return network{
		n:      n,
		index:  idx,
		links:  make([]link, n*n),
		conn:   make([]bool, n*n),
		side:   make([]int, n),
		policy: policy,
	}
}

func (nw *network) link(from, to int64) *link {
	return &nw.links[nw.index[from]*nw.n+nw.index[to]]
}

func (nw *network) connected(a, b int64) bool {
	return nw.conn[nw.index[a]*nw.n+nw.index[b]]
}

func (nw *network) setConnected(a, b int64, v bool) {
	ia, ib := nw.index[a], nw.index[b]
	nw.conn[ia*nw.n+ib] = v
	nw.conn[ib*nw.n+ia] = v
}

func (nw *network) sameSide(a, b int64) bool {
	return nw.side[nw.index[a]] == nw.side[nw.index[b]]
}

// reachable reports whether a and b are both running and on the same side
// of every partition.
func (c *Cluster) reachable(a, b *node) bool {
	return a.up && b.up && c.net.sameSide(a.sid, b.sid)
}

// send is QuorumCnxManager.toSend for one notification from n.
func (c *Cluster) send(n *node, m fle.Message) {
	c.stats.Messages++
	if m.To == n.sid {
		// Loopback: straight into our own receive queue, after the
		// input being processed now.
		c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceSend, Node: n.sid, Peer: n.sid, Msg: m})
		c.deliverAfter(n.sid, n, m, 0)
		return
	}
	to, ok := c.byID[m.To]
	if !ok {
		c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceLost, Node: n.sid, Peer: m.To, Msg: m, Note: "unknown sid"})
		return
	}
	l := c.net.link(n.sid, to.sid)
	l.hasQueue = true
	if c.net.connected(n.sid, to.sid) {
		c.transmit(n, to, m, TraceSend)
		return
	}
	q := m
	l.queued = &q
	c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceQueue, Node: n.sid, Peer: to.sid, Msg: m})
	c.connectOne(n, to)
}

// connectOne is QuorumCnxManager.connectOne: connect if not connected and
// the peer can be reached. A new connection starts both SendWorkers, and
// each sends its queued message or, with none, re-sends its last one.
func (c *Cluster) connectOne(a, b *node) {
	if c.net.connected(a.sid, b.sid) {
		return
	}
	if !c.reachable(a, b) {
		c.unreachable(a, b, "dial failed")
		return
	}
	c.net.setConnected(a.sid, b.sid, true)
	c.reachableAgain(a, b)
	c.reachableAgain(b, a)
	c.net.link(a.sid, b.sid).hasQueue = true
	c.net.link(b.sid, a.sid).hasQueue = true
	c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceConnect, Node: a.sid, Peer: b.sid})
	c.flush(a, b)
	c.flush(b, a)
}

// flush is the start of SendWorker.run on a new connection.
func (c *Cluster) flush(from, to *node) {
	l := c.net.link(from.sid, to.sid)
	switch {
	case l.queued != nil:
		m := *l.queued
		l.queued = nil
		c.transmit(from, to, m, TraceSend)
	case l.last != nil:
		c.transmit(from, to, *l.last, TraceResend)
	}
}

// connectAll is QuorumCnxManager.connectAll: connectOne to every peer n
// ever had a send queue for.
func (c *Cluster) connectAll(n *node) {
	c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceConnectAll, Node: n.sid})
	for _, peer := range c.nodes {
		if peer != n && c.net.link(n.sid, peer.sid).hasQueue {
			c.connectOne(n, peer)
		}
	}
}

// haveDelivered is QuorumCnxManager.haveDelivered as ZooKeeper 3.8
// implements it: true as soon as any send queue is empty, false if every
// queue holds a message or there are no queues (QuorumCnxManager.haveDelivered).
func (c *Cluster) haveDelivered(n *node) bool {
	for _, peer := range c.nodes {
		if peer == n {
			continue
		}
		l := c.net.link(n.sid, peer.sid)
		if l.hasQueue && l.queued == nil {
			return true
		}
	}
	return false
}

// transmit puts m on the connected wire from -> to: it becomes the last
// message sent, and the policy decides its delay, loss or duplication.
func (c *Cluster) transmit(from, to *node, m fle.Message, kind TraceKind) {
	l := c.net.link(from.sid, to.sid)
	last := m
	l.last = &last
	c.stats.Wire++
	c.trace.add(TraceEvent{At: c.sched.now, Kind: kind, Node: from.sid, Peer: to.sid, Msg: m})
	fate := c.net.policy.Fate(from.sid, to.sid)
	if fate.Copies <= 0 {
		c.stats.Lost++
		c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceLost, Node: from.sid, Peer: to.sid, Msg: m, Note: "dropped by network"})
		return
	}
	for i := 0; i < fate.Copies && i < len(fate.Delays); i++ {
		if i > 0 {
			c.stats.Duplicates++
			c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceDuplicate, Node: from.sid, Peer: to.sid, Msg: m})
		}
		d := fate.Delays[i]
		if !fate.Reorder {
			if due := c.sched.now + d; due < l.lastDue {
				d = l.lastDue - c.sched.now
			}
			l.lastDue = c.sched.now + d
		}
		c.deliverAfter(from.sid, to, m, d)
	}
}

// deliverAfter schedules m's arrival at to after d.
func (c *Cluster) deliverAfter(from int64, to *node, m fle.Message, d time.Duration) {
	c.net.inflight++
	env := &envelope{from: from, to: to.sid, toInc: to.inc, msg: m}
	c.sched.schedule(d, &event{kind: evDeliver, env: env})
}

// lose marks an in-flight message lost.
func (c *Cluster) lose(env *envelope, why string) {
	if env.done {
		return
	}
	env.done = true
	c.net.inflight--
	c.stats.Lost++
	c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceLost, Node: env.from, Peer: env.to, Msg: env.msg, Note: why})
}

// inFlight returns the undelivered messages matching keep, in the order
// they would arrive.
func (c *Cluster) inFlight(keep func(*envelope) bool) []*event {
	var out []*event
	for _, e := range c.sched.events {
		if e.kind == evDeliver && !e.env.done && keep(e.env) {
			out = append(out, e)
		}
	}
	sortEvents(out)
	return out
}
