package sim

import (
	"time"

	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/zk"
)

// checker watches a simulator run's decisions and judges the run at the
// end.
type checker struct {
	c *Cluster
	// members and hier are the ensemble as the oracle counts it (see
	// oracle.go): never the verifier the machines use.
	members []Member
	hier    bool
	// eligible holds the sids that may ever lead: trusted voters with a
	// positive weight (mayLead).
	eligible map[int64]bool
	// decided marks the nodes that decided at least once.
	decided map[int64]bool
	// first is the first decision of round 1 (the election every node of
	// a clean run starts together); wrong is the first round-1 decision
	// that named another leader.
	first, wrong *seenDecision
	// observersExempt is set when one voter is a quorum by itself: then
	// an observer may decide on a voter's initial vote (see
	// testdata/observer_stale_quorum.txt) even in a clean run, and its
	// decisions are left out of checks (a) and (b); exemptLeaders are
	// the leaders of its round-1 decisions.
	observersExempt bool
	exemptLeaders   []int64
	// bad collects invariant violations as they happen.
	bad []Violation
}

// seenDecision is a decision and who made it when.
type seenDecision struct {
	sid int64
	d   fle.Decision
	at  time.Duration
}

func newChecker(c *Cluster, ms []Member, hierarchical bool) *checker {
	k := &checker{
		c:        c,
		members:  ms,
		hier:     hierarchical,
		eligible: map[int64]bool{},
		decided:  map[int64]bool{},
	}
	for _, m := range ms {
		if mayLead(m, hierarchical) {
			k.eligible[m.ID] = true
		}
		if !m.Observer && isQuorum(ms, hierarchical, map[int64]bool{m.ID: true}) {
			k.observersExempt = true
		}
	}
	return k
}

// onDecide records a decision for checks (a) and (b) and checks the
// invariants every decision must keep, whatever the schedule: only an
// eligible voter leads (never an observer, a zero-weight voter or one
// with an untrusted database: FLEZeroWeightTest, ObserverLETest), a node
// leads exactly when it elected itself, and an observer observes.
func (k *checker) onDecide(sid int64, d fle.Decision) {
	k.decided[sid] = true
	if d.ElectionEpoch == 1 {
		seen := &seenDecision{sid: sid, d: d, at: k.c.Now()}
		switch {
		case k.exempt(sid):
			k.exemptLeaders = append(k.exemptLeaders, d.Leader)
		case k.first == nil:
			k.first = seen
		case k.wrong == nil && d.Leader != k.first.d.Leader:
			k.wrong = seen
		}
	}
	n := k.c.byID[sid]
	switch {
	case d.State == zk.Leading && !k.eligible[sid]:
		k.violate("invariant", "node %d is LEADING but may not lead (observer, zero weight or zxid -1)", sid)
	case (d.State == zk.Leading) != (d.Leader == sid):
		k.violate("invariant", "node %d decided %s", sid, FormatDecision(d))
	case n.Observer != (d.State == zk.Observing):
		k.violate("invariant", "node %d (observer=%v) decided %s", sid, n.Observer, FormatDecision(d))
	}
}

// exempt reports whether sid's decisions are left out of checks (a) and
// (b).
func (k *checker) exempt(sid int64) bool {
	return k.observersExempt && k.c.byID[sid].Observer
}

func (k *checker) violate(check, format string, args ...any) {
	r := Result{}
	r.violate(check, format, args...)
	k.bad = append(k.bad, r.Violations...)
}

// finish judges the run:
//
//   - liveness: every node settled on one standing leader within the bound
//     after the faults healed;
//   - settle, for every settled run: exactly one LEADING node, everyone
//     else deciding for it, and a quorum behind it (checkSettled);
//   - for clean runs, (a) agreement: every node decides, and all decisions
//     of round 1, the election every node started together, name one
//     leader; (b) that leader is the best eligible voter, by the oracle's
//     own (peerEpoch, zxid, sid) order (oracle.go). Decisions of
//     later rounds are not checked: those rounds come from the failure
//     detector (a follower giving up on a leader that was slow to decide,
//     e.g. one whose finalize window a stream of worse votes kept
//     restarting), and nobody started them together; their splits are
//     still counted. Observers are left out when one voter is a quorum by
//     itself, since ZooKeeper's election does not promise them (a) then.
func (k *checker) finish(res *Result, why StopReason) {
	res.Violations = append(res.Violations, k.bad...)
	if !res.Settled {
		res.violate("liveness", "not settled %s after the faults healed at %s (stopped: %s, now %s); states: %s",
			res.Bound, res.LiveFrom, why, k.c.Now(), k.c.oneLineStatus())
	}
	if res.Settled {
		k.checkSettled(res)
	}
	if !res.Clean {
		// Outside clean runs the election itself promises no agreement:
		// a lost vote, or one delayed past a finalize window, lets two
		// nodes of one round close their windows on different
		// proposals, as ZooKeeper's FastLeaderElection can (its safety
		// rests on the session after it: a leader needs a quorum of
		// followers, which two disjoint sides cannot both have). Those
		// splits are recorded in Result.Splits and the run is judged by
		// checkSettled and liveness instead.
		return
	}
	if k.first != nil {
		for _, l := range k.exemptLeaders {
			if l != k.first.d.Leader {
				res.ExemptObserverDecisions++
			}
		}
	}
	if k.first == nil {
		res.violate("agreement", "nobody decided in round 1")
	} else {
		if k.wrong != nil {
			res.violate("agreement", "round 1 split: at %s node %d decided %s, but at %s node %d had decided %s",
				k.wrong.at, k.wrong.sid, FormatDecision(k.wrong.d), k.first.at, k.first.sid, FormatDecision(k.first.d))
		}
		if k.first.d.Leader != res.Expected {
			res.violate("best-leader", "round 1 elected %d, the best voter is %d", k.first.d.Leader, res.Expected)
		}
	}
	for _, sid := range k.c.Sids() {
		if !k.decided[sid] && !k.exempt(sid) {
			res.violate("agreement", "node %d never decided", sid)
		}
	}
}

// checkSettled is check (d), made on every settled run whatever its
// faults: by then every fault has healed and every running node's
// decision stands, so exactly one node is LEADING, every other running
// node decided for it (FOLLOWING, or OBSERVING for an observer), and the
// leader with its running followers is a quorum by the oracle's own
// count. Two leaders whose followers each pass the verifier, or a leader
// kept with half the voters, are exactly what a broken quorum rule would
// settle on.
func (k *checker) checkSettled(res *Result) {
	var leaders []int64
	for _, n := range k.c.nodes {
		if n.up && n.decision != nil && n.decision.State == zk.Leading {
			leaders = append(leaders, n.sid)
		}
	}
	if len(leaders) != 1 {
		res.violate("settle", "%d LEADING nodes %v at settle; states: %s", len(leaders), leaders, k.c.oneLineStatus())
		return
	}
	l := leaders[0]
	support := map[int64]bool{l: true}
	for _, n := range k.c.nodes {
		if !n.up || n.sid == l {
			continue
		}
		want := zk.Following
		if n.Observer {
			want = zk.Observing
		}
		if n.decision == nil || n.decision.Leader != l || n.decision.State != want {
			res.violate("settle", "node %d does not follow leader %d at settle; states: %s", n.sid, l, k.c.oneLineStatus())
			continue
		}
		support[n.sid] = true
	}
	if !isQuorum(k.members, k.hier, support) {
		res.violate("settle", "leader %d settled with %d supporters, not a quorum; states: %s", l, len(support), k.c.oneLineStatus())
	}
}
