package sim

import (
	"time"

	"github.com/zkfle/zkfle/cnx"
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

// conn is one election connection between two nodes. Its number is the
// cnx.Conn both ends' managers know it by.
type conn struct {
	id cnx.Conn
	// a dialled, b accepted; aInc and bInc are their incarnations.
	a, b       int64
	aInc, bInc uint64
	open       bool
	// senders[x] is end x's SendWorker (cnx.Sender), made when x's
	// manager adopts the connection.
	senders map[int64]*cnx.Sender[fle.Message]
}

// other is the end of c that is not x.
func (c *conn) other(x int64) int64 {
	if c.a == x {
		return c.b
	}
	return c.a
}

// network is the wire between the nodes: the open connections, the
// partition sides and the policy that decides each message's fate. What
// is sent where, queued or re-sent is each node's cnx.Manager's business.
type network struct {
	n     int
	index map[int64]int
	conns map[cnx.Conn]*conn
	next  uint64
	// lastDue[from*n+to] is the arrival time of the last message from ->
	// to: a connection delivers in order (FIFO) unless the policy lets a
	// message overtake.
	lastDue []time.Duration
	// side is each node's partition side; nodes on different sides
	// cannot reach each other. All zero when healed.
	side     []int
	inflight int
	policy   Policy
	// jobs are connection work (dials, closes heard by the other end)
	// waiting for the current input to finish, in order (drain).
	jobs []func()
}

func newNetwork(sids []int64, policy Policy) network {
	n := len(sids)
	idx := make(map[int64]int, n)
	for i, s := range sids {
		idx[s] = i
	}
	return network{
		n:       n,
		index:   idx,
		conns:   map[cnx.Conn]*conn{},
		lastDue: make([]time.Duration, n*n),
		side:    make([]int, n),
		policy:  policy,
	}
}

func (nw *network) sameSide(a, b int64) bool {
	return nw.side[nw.index[a]] == nw.side[nw.index[b]]
}

// reachable reports whether a and b are both running and on the same side
// of every partition.
func (c *Cluster) reachable(a, b *node) bool {
	return a.up && b.up && c.net.sameSide(a.sid, b.sid)
}

// vnow is the simulated time as the wall clock cnx.Manager takes.
func (c *Cluster) vnow() time.Time { return time.Unix(1_000_000, 0).Add(c.sched.now) }

// later queues connection work until the current input is done (a
// connection manager acts after the input that asked it to).
func (c *Cluster) later(job func()) {
	c.net.jobs = append(c.net.jobs, job)
	if c.depth == 0 {
		c.drain()
	}
}

// send is one notification from n's machine: looped back, or handed to
// n's connection manager (cnx.Manager.Send).
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
	out := n.mgr.Send(to.sid, m)
	if len(out.Forwards) == 0 {
		c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceQueue, Node: n.sid, Peer: to.sid, Msg: m})
	}
	c.applyCnx(n, out, false)
}

// applyCnx carries out one of n's connection-manager outputs in the
// order cnx.Output asks. resend says that an Adopt's first message is a
// re-send of the last one (nothing was pending), for the trace.
func (c *Cluster) applyCnx(n *node, out cnx.Output[fle.Message], resend bool) {
	for _, cl := range out.Closes {
		c.closeConn(cl.Conn, n.sid, cl.Reason)
	}
	for _, e := range out.Ends {
		c.closeConn(e.Conn, n.sid, e.Reason)
	}
	for _, a := range out.Adopts {
		cn, ok := c.net.conns[a.Conn]
		if !ok {
			continue
		}
		snd := cnx.NewSender(a.First, a.HasFirst)
		cn.senders[n.sid] = snd
		kind := TraceSend
		if resend {
			kind = TraceResend
		}
		if m, ok := snd.Start(); ok {
			c.write(n, cn, snd, m, kind)
		}
		// A new live link: the peer is reachable (the reachable fast
		// path's input, as the connection-manager actor reports it).
		c.reachableAgain(n, c.byID[a.SID])
	}
	for _, f := range out.Forwards {
		cn, ok := c.net.conns[f.Conn]
		if !ok {
			continue
		}
		snd := cn.senders[n.sid]
		if snd == nil {
			snd = cnx.NewSender(fle.Message{}, false)
			cn.senders[n.sid] = snd
		}
		if m, ok := snd.Send(f.Msg); ok {
			c.write(n, cn, snd, m, TraceSend)
		}
	}
	for _, sid := range out.Dials {
		inc := n.inc
		c.later(func() { c.dial(n, inc, sid) })
	}
	for _, t := range out.Timers {
		inc, sid := n.inc, t.SID
		c.Schedule(t.After, func() {
			if n.up && n.inc == inc {
				defer c.hold()()
				c.applyCnx(n, n.mgr.RedialDue(sid), false)
			}
		})
	}
}

// write is n's SendWorker writing one frame on cn. The model has no
// socket-write time: the frame is on the wire at once and the Sender is
// told so, which hands over any message that waited behind it.
func (c *Cluster) write(n *node, cn *conn, snd *cnx.Sender[fle.Message], m fle.Message, kind TraceKind) {
	for ok := true; ok; m, ok = snd.Written() {
		c.transmit(n, c.byID[cn.other(n.sid)], m, kind)
		kind = TraceSend
	}
}

// pendingFor reports whether n's manager holds a message waiting for sid:
// what a new link to sid sends first is then that message, else a
// re-send of the last one.
func pendingFor(n *node, sid int64) bool {
	_, ok := n.mgr.Pending(sid)
	return ok
}

// dial carries out a Dials output of n (incarnation inc) to sid. Setting
// a connection up takes no time here; both ends apply ZooKeeper's
// tie-break as production does (cnx.InitiatorKeeps, Manager.Accepted):
// the dialler keeps the connection only with the larger sid, else it hangs
// up after its header, a request for sid to call back.
func (c *Cluster) dial(n *node, inc uint64, sid int64) {
	if !n.up || n.inc != inc {
		return
	}
	to := c.byID[sid]
	if !c.reachable(n, to) {
		c.applyCnx(n, n.mgr.Dialed(sid, cnx.DialFailed, 0, c.vnow()), false)
		// A failed dial: the peer is unreachable during this election.
		c.unreachable(n, to, "dial failed")
		return
	}
	c.net.next++
	cn := &conn{id: cnx.Conn(c.net.next), a: n.sid, b: sid, aInc: n.inc, bInc: to.inc, open: true,
		senders: map[int64]*cnx.Sender[fle.Message]{}}
	c.net.conns[cn.id] = cn
	if cnx.InitiatorKeeps(n.sid, sid) {
		c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceConnect, Node: n.sid, Peer: sid})
		resend := !pendingFor(n, sid)
		c.applyCnx(n, n.mgr.Dialed(sid, cnx.DialConnected, cn.id, c.vnow()), resend)
	} else {
		c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceCall, Node: n.sid, Peer: sid})
		c.applyCnx(n, n.mgr.Dialed(sid, cnx.DialHungUp, 0, c.vnow()), false)
		cn.open = false
		delete(c.net.conns, cn.id)
	}
	// The acceptor reads the header (it is in its socket buffer even
	// after the dialler hung up).
	resend := !pendingFor(to, n.sid)
	c.applyCnx(to, to.mgr.Accepted(cnx.Incoming{Conn: cn.id, SID: n.sid, Seq: uint64(cn.id)}, c.vnow()), resend)
}

// closeConn closes cn from end by (a Close or End of by's manager, which
// has already forgotten it); the other end's manager hears of it once
// the current input is done.
func (c *Cluster) closeConn(id cnx.Conn, by int64, reason string) {
	cn, ok := c.net.conns[id]
	if !ok || !cn.open {
		return
	}
	cn.open = false
	delete(c.net.conns, id)
	peer := cn.other(by)
	if reason != cnx.ReasonTieBreak || cn.senders[peer] != nil {
		c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceDisconnect, Node: by, Peer: peer, Note: reason})
	}
	c.later(func() { c.heardClosed(cn, peer) })
}

// heardClosed tells end x of cn (if that process still runs) that cn
// closed, and reports the peer unreachable if x's manager says the close
// means it is gone.
func (c *Cluster) heardClosed(cn *conn, x int64) {
	n := c.byID[x]
	inc := cn.aInc
	if x == cn.b {
		inc = cn.bInc
	}
	if !n.up || n.inc != inc {
		return
	}
	peer := cn.other(x)
	out, gone := n.mgr.Closed(peer, cn.id, c.vnow())
	c.applyCnx(n, out, false)
	if gone {
		c.unreachable(n, c.byID[peer], "connection closed")
	}
}

// cut closes every open connection for which drop is true, from the
// network's side: both ends hear of it.
func (c *Cluster) cut(drop func(*conn) bool) {
	for _, cn := range c.openConns() {
		if !drop(cn) {
			continue
		}
		cn.open = false
		delete(c.net.conns, cn.id)
		for _, x := range []int64{cn.a, cn.b} {
			c.later(func() { c.heardClosed(cn, x) })
		}
	}
}

// openConns lists the open connections in the order they were made.
func (c *Cluster) openConns() []*conn {
	out := make([]*conn, 0, len(c.net.conns))
	for id := cnx.Conn(1); id <= cnx.Conn(c.net.next) && len(out) < len(c.net.conns); id++ {
		if cn, ok := c.net.conns[id]; ok {
			out = append(out, cn)
		}
	}
	return out
}

// linked reports whether n's manager has a live link to sid.
func linked(n *node, sid int64) bool {
	if !n.up || n.mgr == nil {
		return false
	}
	_, _, ok := n.mgr.Link(sid)
	return ok
}

// transmit puts m on the connected wire from -> to, and the policy
// decides its delay, loss or duplication.
func (c *Cluster) transmit(from, to *node, m fle.Message, kind TraceKind) {
	c.stats.Wire++
	c.trace.add(TraceEvent{At: c.sched.now, Kind: kind, Node: from.sid, Peer: to.sid, Msg: m})
	fate := c.net.policy.Fate(from.sid, to.sid)
	if fate.Copies <= 0 {
		c.stats.Lost++
		c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceLost, Node: from.sid, Peer: to.sid, Msg: m, Note: "dropped by network"})
		return
	}
	lastDue := &c.net.lastDue[c.net.index[from.sid]*c.net.n+c.net.index[to.sid]]
	for i := 0; i < fate.Copies && i < len(fate.Delays); i++ {
		if i > 0 {
			c.stats.Duplicates++
			c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceDuplicate, Node: from.sid, Peer: to.sid, Msg: m})
		}
		d := fate.Delays[i]
		if !fate.Reorder {
			if due := c.sched.now + d; due < *lastDue {
				d = *lastDue - c.sched.now
			}
			*lastDue = c.sched.now + d
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
