package sim

// The failure detector stands in for what ZooKeeper does after an
// election (the real one is issue 6's): a follower connects to its
// leader's quorum port and syncs, and the leader waits for a quorum of
// followers; either side that cannot complete this, or later loses it,
// goes back to LOOKING. Here:
//
//   - a node Following or Observing leader L is healthy while L runs, is
//     reachable, and is Leading. If L is down or unreachable (crash,
//     partition) the node gives up after DetectorTimeout (D, the read
//     timeout, syncLimit × tickTime). If L is reachable but not Leading
//     (it has not finished deciding yet, it went back to LOOKING, or it
//     follows someone else) ZooKeeper's connection is refused or closed by
//     L at once, so the node gives up after the shorter DetectorGrace (G,
//     Learner's few connection retries);
//   - a Leading node is healthy while it and the reachable nodes that
//     follow it form a quorum (observers never count); it gives up after D;
//   - giving up is Start on the node's existing machine (a new round).
//
// Health only changes when a node decides, starts, crashes, or the
// partitions change, so it is re-evaluated then and nowhere else.

import (
	"time"

	"github.com/zkfle/zkfle/zk"
)

// detectorState is one node's failure-detector bookkeeping.
type detectorState struct {
	// unhealthy is set while the node's decision is failing.
	unhealthy bool
	// since is when it started failing.
	since time.Duration
	// patience is how long it tolerates the current failure (D or G).
	patience time.Duration
	// token identifies the pending deadline; bumping it cancels it.
	token uint64
}

// recheck re-evaluates every node's health, arming a deadline for a node
// that just became unhealthy, moving it when the kind of failure changed,
// and cancelling it for one that recovered.
func (c *Cluster) recheck() {
	acks := c.leaderAcks()
	for _, n := range c.nodes {
		var patience time.Duration // 0: healthy
		if n.up && n.decision != nil {
			patience = c.patience(n, acks)
		}
		switch {
		case patience == 0 && n.det.unhealthy:
			n.det.unhealthy = false
			n.det.token++
		case patience > 0 && (!n.det.unhealthy || patience != n.det.patience):
			if !n.det.unhealthy {
				n.det.unhealthy = true
				n.det.since = c.sched.now
			}
			n.det.patience = patience
			n.det.token++
			c.sched.schedule(n.det.since+patience-c.sched.now, &event{kind: evDetector, node: n.sid, inc: n.inc, token: n.det.token})
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
	return n.up && n.decision != nil && n.decision.State == zk.Leading && n.decision.Leader == n.sid
}

// patience returns 0 if a decided node's decision stands, else how long
// it tolerates the failure: G when its leader is reachable but not
// leading, D otherwise.
func (c *Cluster) patience(n *node, acks map[int64]map[int64]struct{}) time.Duration {
	if c.isLeading(n) {
		if c.verifier.ContainsQuorum(acks[n.sid]) {
			return 0
		}
		return c.detTimeout
	}
	l, ok := c.byID[n.decision.Leader]
	switch {
	case !ok || l == n || !c.reachable(n, l):
		return c.detTimeout
	case !c.isLeading(l):
		return c.detGrace
	}
	return 0
}

// detectorDeadline handles a detector deadline: if the node is still
// unhealthy since the deadline was armed, it goes back to Looking.
func (c *Cluster) detectorDeadline(e *event) {
	n := c.byID[e.node]
	if !n.up || n.inc != e.inc || !n.det.unhealthy || n.det.token != e.token {
		return
	}
	why := "leader unreachable"
	switch {
	case c.isLeading(n):
		why = "no quorum of followers"
	case n.det.patience == c.detGrace && n.det.patience != c.detTimeout:
		why = "leader not leading"
	}
	c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceDetector, Node: n.sid, After: c.sched.now - n.det.since, Note: why})
	n.det.unhealthy = false
	n.det.token++
	c.look(n, "leader lost")
}
