package sim

// Carrying out what machines ask for: a delivered message or a fired
// timer goes in, and the Output (messages, timers, connectAll, a
// decision) is applied to the network, the timers and the bookkeeping.

import (
	"strconv"

	"github.com/zkfle/zkfle/fle"
)

// deliver hands an in-flight message to its recipient.
func (c *Cluster) deliver(env *envelope) {
	if env.done {
		return
	}
	to := c.byID[env.to]
	if !to.up || to.inc != env.toInc {
		c.lose(env, "recipient down")
		return
	}
	env.done = true
	c.net.inflight--
	c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceDeliver, Node: env.to, Peer: env.from, Msg: env.msg})
	m := env.msg
	// Through the receive queue (cnx.RecvQueue), drained at once: the
	// machine takes each notification as it arrives, so the queue never
	// fills here.
	to.recv.Offer(fle.Notification{
		From: env.from, State: m.State, Leader: m.Leader, Zxid: m.Zxid,
		ElectionEpoch: m.ElectionEpoch, PeerEpoch: m.PeerEpoch,
		Version: 2, Config: c.verifier,
	})
	inc := to.inc
	for to.up && to.inc == inc {
		nt, ok := to.recv.Poll()
		if !ok {
			return
		}
		c.apply(to, to.m.Step(nt))
	}
}

// tick fires n's pending timer of kind.
func (c *Cluster) tick(n *node, kind fle.TimerKind) {
	seq := n.timers[kind].seq
	n.timers[kind] = armedTimer{}
	// haveDelivered is the connection manager's, as the election actor
	// asks it (cnx.Manager.HaveDelivered).
	hd := n.mgr.HaveDelivered()
	note := ""
	if kind == fle.NotificationTimer {
		note = "haveDelivered=" + strconv.FormatBool(hd)
	}
	c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceFire, Node: n.sid, Timer: kind, Seq: seq, Note: note})
	c.apply(n, n.m.Tick(kind, seq, hd))
}

// apply carries out a machine's output. Unreachability reports it causes
// (a dial that fails) are handed out when it is done.
func (c *Cluster) apply(n *node, out fle.Output) {
	defer c.hold()()
	for _, d := range out.Dropped {
		c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceIgnored, Node: n.sid, Peer: d.From, Note: d.Reason})
	}
	for _, t := range out.Timers {
		c.setTimer(n, t)
	}
	for _, m := range out.Messages {
		c.send(n, m)
	}
	if out.ConnectAll {
		c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceConnectAll, Node: n.sid})
		c.applyCnx(n, n.mgr.ConnectAll(), false)
	}
	if r := n.m.LogicalClock(); r > c.stats.MaxRound {
		c.stats.MaxRound = r
	}
	if out.Decision != nil {
		c.decided(n, *out.Decision)
	}
}

// setTimer arms or cancels one of n's timers.
func (c *Cluster) setTimer(n *node, t fle.Timer) {
	if t.Kind < fle.NotificationTimer || t.Kind > fle.LinkDownTimer {
		return
	}
	if t.Cancel {
		n.timers[t.Kind] = armedTimer{}
		c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceCancel, Node: n.sid, Timer: t.Kind, Seq: t.Seq})
		return
	}
	n.timers[t.Kind] = armedTimer{armed: true, seq: t.Seq, due: c.sched.now + t.After}
	c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceArm, Node: n.sid, Timer: t.Kind, After: t.After, Seq: t.Seq})
	c.sched.schedule(t.After, &event{kind: evTimer, node: n.sid, inc: n.inc, timer: t.Kind, token: t.Seq})
}

// decided records n's decision and looks for a split.
func (c *Cluster) decided(n *node, d fle.Decision) {
	c.stats.Decisions++
	if p := int(d.Path); p >= 0 && p < len(c.stats.ByPath) {
		c.stats.ByPath[p]++
	}
	n.decision = &d
	c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceDecide, Node: n.sid, Decision: d})
	if c.onDecide != nil {
		c.onDecide(n.sid, d)
	}
	for _, o := range c.nodes {
		if o == n || !o.up || o.decision == nil {
			continue
		}
		if o.decision.ElectionEpoch == d.ElectionEpoch && o.decision.Leader != d.Leader {
			c.split(Split{At: c.sched.now, Round: d.ElectionEpoch, Node: n.sid, Leader: d.Leader, Other: o.sid, OtherLeader: o.decision.Leader})
		}
	}
	c.recheck()
}

// split traces a split and records it unless the same round already split
// between the same two leaders (one incident, however many nodes hold
// each side).
func (c *Cluster) split(s Split) {
	c.trace.add(TraceEvent{At: s.At, Kind: TraceSplit, Node: s.Node, Peer: s.Other,
		Decision: fle.Decision{ElectionEpoch: s.Round},
		Note:     itoa(s.Node) + " chose " + itoa(s.Leader) + ", " + itoa(s.Other) + " holds " + itoa(s.OtherLeader)})
	lo, hi := min(s.Leader, s.OtherLeader), max(s.Leader, s.OtherLeader)
	for _, o := range c.splits {
		if o.Round == s.Round && min(o.Leader, o.OtherLeader) == lo && max(o.Leader, o.OtherLeader) == hi {
			return
		}
	}
	c.splits = append(c.splits, s)
}
