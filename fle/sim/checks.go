package sim

import (
	"time"

	"github.com/zkfle/zkfle/fle"
)

// checker watches a simulator run's decisions and judges the run at the
// end.
type checker struct {
	c *Cluster
	// eligible holds the sids that may ever lead: trusted voters with a
	// positive weight.
	eligible map[int64]bool
	// first is each node's first decision; wrong is the first decision
	// (of any node) that named another leader than the first one did.
	first map[int64]fle.Decision
	wrong *wrongDecision
	// observersExempt is set when one voter is a quorum by itself: then
	// an observer may decide on a voter's initial vote (see
	// testdata/observer_stale_quorum.txt) even in a clean run, and its
	// decisions are left out of checks (a) and (b).
	observersExempt bool
	// exempted counts observer decisions that disagreed and were exempt.
	exempted int
	// bad collects invariant violations as they happen.
	bad []Violation
}

func newChecker(c *Cluster, ms []Member) *checker {
	k := &checker{
		c:        c,
		eligible: map[int64]bool{},
		first:    map[int64]fle.Decision{},
	}
	for _, m := range eligible(ms, c.verifier) {
		k.eligible[m.ID] = true
	}
	for _, sid := range c.verifier.VotingMembers() {
		if c.verifier.ContainsQuorum(map[int64]struct{}{sid: {}}) {
			k.observersExempt = true
		}
	}
	return k
}

// decided checks the invariants every decision must keep, whatever the
// schedule: only an eligible voter leads (never an observer, a zero-weight
// voter or one with an untrusted database: FLEZeroWeightTest,
// ObserverLETest), a node leads exactly when it elected itself, and an
// observer observes.
func (k *checker) decided(sid int64, d fle.Decision) {
	n := k.c.byID[sid]
	if k.exempt(sid) {
		if len(k.first) > 0 && !k.agrees(d) {
			k.exempted++
		}
	} else {
		if _, ok := k.first[sid]; !ok {
			k.first[sid] = d
		}
		if k.wrong == nil && !k.agrees(d) {
			k.wrong = &wrongDecision{sid: sid, d: d, at: k.c.Now()}
		}
	}
	switch {
	case d.State == fle.Leading && !k.eligible[sid]:
		k.violate("invariant", "node %d is LEADING but may not lead (observer, zero weight or zxid -1)", sid)
	case (d.State == fle.Leading) != (d.Leader == sid):
		k.violate("invariant", "node %d decided %s", sid, FormatDecision(d))
	case n.Observer != (d.State == fle.Observing):
		k.violate("invariant", "node %d (observer=%v) decided %s", sid, n.Observer, FormatDecision(d))
	}
}

// exempt reports whether sid's decisions are left out of checks (a) and
// (b).
func (k *checker) exempt(sid int64) bool {
	return k.observersExempt && k.c.byID[sid].Observer
}

// agrees reports whether d names the same leader as every first decision
// recorded so far.
func (k *checker) agrees(d fle.Decision) bool {
	for _, f := range k.first {
		if f.Leader != d.Leader {
			return false
		}
	}
	return true
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
//   - for clean runs, (a) agreement: every node decides, every decision
//     names one leader and there is no split; and (b) that leader is the
//     best eligible voter. A node may decide more than once in a clean run
//     (a follower that decided long before its leader gives up on it after
//     DetectorGrace and looks again), but never for another leader.
//     Observers are left out when one voter is a quorum by itself, since
//     ZooKeeper's election does not promise them (a) then.
func (k *checker) finish(res *Result, why StopReason) {
	res.Violations = append(res.Violations, k.bad...)
	res.ExemptObserverDecisions = k.exempted
	if !res.Settled {
		res.violate("liveness", "not settled %s after the faults healed at %s (stopped: %s, now %s); states: %s",
			res.Bound, res.LiveFrom, why, k.c.Now(), k.c.oneLineStatus())
	}
	if !res.Clean {
		return
	}
	for _, s := range res.Splits {
		if k.exempt(s.Node) || k.exempt(s.Other) {
			continue
		}
		res.violate("agreement", "split in round %d: %d decided %d while %d holds %d", s.Round, s.Node, s.Leader, s.Other, s.OtherLeader)
	}
	if w := k.wrong; w != nil {
		res.violate("agreement", "at %s node %d decided %s, another node had decided another leader", w.at, w.sid, FormatDecision(w.d))
	}
	for _, sid := range k.c.Sids() {
		if k.exempt(sid) {
			continue
		}
		d, ok := k.first[sid]
		switch {
		case !ok:
			res.violate("agreement", "node %d never decided", sid)
		case d.Leader != res.Expected:
			res.violate("best-leader", "node %d decided leader %d, the best voter is %d", sid, d.Leader, res.Expected)
		}
	}
}

// wrongDecision is a decision that disagreed with an earlier one.
type wrongDecision struct {
	sid int64
	d   fle.Decision
	at  time.Duration
}
