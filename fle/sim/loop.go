package sim

// The event loop: taking events off the simulated-time queue in order,
// and the conditions runs stop on.

import (
	"time"
)

// process carries out one event taken off the queue.
func (c *Cluster) process(e *event) {
	c.stats.Events++
	switch e.kind {
	case evDeliver:
		c.deliver(e.env)
	case evTimer:
		n := c.byID[e.node]
		if n.up && n.inc == e.inc && n.timers[e.timer].armed && n.timers[e.timer].seq == e.token {
			c.tick(n, e.timer)
		}
	case evDetector:
		c.detectorDeadline(e)
	case evAction:
		e.action()
	}
}

// StopReason says why RunUntil returned.
type StopReason int

const (
	// StopDone: the condition became true.
	StopDone StopReason = iota + 1
	// StopIdle: nothing is left to happen.
	StopIdle
	// StopDeadline: the next event lies beyond the deadline.
	StopDeadline
	// StopBudget: the event budget ran out.
	StopBudget
)

// String names the reason.
func (r StopReason) String() string {
	switch r {
	case StopDone:
		return "done"
	case StopIdle:
		return "idle"
	case StopDeadline:
		return "deadline"
	case StopBudget:
		return "event budget exhausted"
	}
	return "unknown"
}

// RunUntil processes events in time order until done() is true (checked
// before every event; nil never is), no event is left, the next event lies
// beyond deadline, or maxEvents events were processed (maxEvents <= 0: no
// limit).
func (c *Cluster) RunUntil(done func() bool, deadline time.Duration, maxEvents int) StopReason {
	for k := 0; ; k++ {
		if done != nil && done() {
			return StopDone
		}
		if maxEvents > 0 && k >= maxEvents {
			return StopBudget
		}
		e := c.sched.peek()
		if e == nil {
			return StopIdle
		}
		if e.at > deadline {
			c.sched.advance(deadline)
			return StopDeadline
		}
		c.process(c.sched.pop())
	}
}

// Schedule runs f after d of simulated time (the simulator's faults).
func (c *Cluster) Schedule(d time.Duration, f func()) {
	c.sched.schedule(d, &event{kind: evAction, action: f})
}

// Settled reports whether every running node has decided, its decision
// stands (the failure detector finds its leader, or for a leader its
// quorum, in place), and at least one node runs. Once the network is
// healthy this state lasts: decided nodes only answer LOOKING peers.
func (c *Cluster) Settled() bool {
	any := false
	for _, n := range c.nodes {
		if !n.up {
			continue
		}
		any = true
		if n.decision == nil || n.det.unhealthy {
			return false
		}
	}
	return any
}

// leader returns the lowest running sid that is Leading, or 0.
func (c *Cluster) leader() int64 {
	for _, n := range c.nodes {
		if c.isLeading(n) {
			return n.sid
		}
	}
	return 0
}

// oneLineStatus renders every node's state compactly, for failure
// messages.
func (c *Cluster) oneLineStatus() string {
	s := ""
	for _, n := range c.nodes {
		if s != "" {
			s += ", "
		}
		switch {
		case !n.up:
			s += itoa(n.sid) + ":down"
		case n.decision == nil:
			s += itoa(n.sid) + ":LOOKING(r" + itoa(n.m.LogicalClock()) + ")"
		default:
			s += itoa(n.sid) + ":" + n.decision.State.String() + "(" + itoa(n.decision.Leader) + ",r" + itoa(n.decision.ElectionEpoch) + ")"
			if n.det.unhealthy {
				s += "!"
			}
		}
	}
	return s
}
