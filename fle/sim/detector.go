package sim

// The failure detector stands in for what ZooKeeper does after an
// election (the real one is issue 6's): a follower connects to its
// leader's quorum port and syncs, and the leader waits for a quorum of
// followers; either side that cannot complete this, or later loses it for
// syncLimit × tickTime, goes back to LOOKING. Here:
//
//   - a node Following or Observing leader L is healthy while L runs, is
//     reachable, and is Leading;
//   - a Leading node is healthy while it and the reachable nodes that
//     follow it form a quorum (observers never count);
//   - a node unhealthy for DetectorTimeout without a break goes back to
//     Looking with Start on its existing machine (a new round).
//
// Health only changes when a node decides, starts, crashes, or the
// partitions change, so it is re-evaluated then and nowhere else.

import (
	"time"

	"github.com/zkfle/zkfle/fle"
)

// detectorState is one node's failure-detector bookkeeping.
type detectorState struct {
	// unhealthy is set while the node's decision is failing.
	unhealthy bool
	// since is when it started failing.
	since time.Duration
	// token identifies the pending deadline; bumping it cancels it.
	token uint64
}

// recheck re-evaluates every node's health, arming a deadline for a node
// that just became unhealthy and cancelling it for one that recovered.
func (c *Cluster) recheck() {
	acks := c.leaderAcks()
	for _, n := range c.nodes {
		healthy := true
		if n.up && n.decision != nil {
			healthy = c.healthy(n, acks)
		}
		switch {
		case healthy && n.det.unhealthy:
			n.det.unhealthy = false
			n.det.token++
		case !healthy && !n.det.unhealthy:
			n.det.unhealthy = true
			n.det.since = c.sched.now
			n.det.token++
			c.sched.schedule(c.detTimeout, &event{kind: evDetector, node: n.sid, inc: n.inc, token: n.det.token})
		}
	}
}

// leaderAcks returns, for every running Leading node, the sids that would
// sync with it: itself and the running, reachable nodes that follow it.
func (c *Cluster) leaderAcks() map[int64]map[int64]struct{} {
	var acks map[int64]map[int64]struct{}
	for _, l := range c.nodes {
		if !c.isLeading(l) {
			continue
		}
		if acks == nil {
			acks = map[int64]map[int64]struct{}{}
		}
		set := map[int64]struct{}{l.sid: {}}
		for _, f := range c.nodes {
			if f != l && f.up && f.decision != nil && f.decision.Leader == l.sid && c.reachable(l, f) {
				set[f.sid] = struct{}{}
			}
		}
		acks[l.sid] = set
	}
	return acks
}

func (c *Cluster) isLeading(n *node) bool {
	return n.up && n.decision != nil && n.decision.State == fle.Leading && n.decision.Leader == n.sid
}

// healthy reports whether a decided node's decision stands.
func (c *Cluster) healthy(n *node, acks map[int64]map[int64]struct{}) bool {
	if c.isLeading(n) {
		return c.verifier.ContainsQuorum(acks[n.sid])
	}
	l, ok := c.byID[n.decision.Leader]
	return ok && l != n && c.isLeading(l) && c.reachable(n, l)
}

// detectorDeadline handles a detector deadline: if the node is still
// unhealthy since the deadline was armed, it goes back to Looking.
func (c *Cluster) detectorDeadline(e *event) {
	n := c.byID[e.node]
	if !n.up || n.inc != e.inc || !n.det.unhealthy || n.det.token != e.token {
		return
	}
	why := "leader unreachable or not leading"
	if c.isLeading(n) {
		why = "no quorum of followers"
	}
	c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceDetector, Node: n.sid, After: c.sched.now - n.det.since, Note: why})
	n.det.unhealthy = false
	n.det.token++
	c.look(n, "leader lost")
}
