package sim

import (
	"github.com/zkfle/zkfle/fle"
)

// checker watches a simulator run's decisions and judges the run at the
// end.
type checker struct {
	c *Cluster
	// eligible holds the sids that may ever lead: trusted voters with a
	// positive weight.
	eligible map[int64]bool
	// first is each node's first decision; decisions counts them.
	first     map[int64]fle.Decision
	decisions map[int64]int
	// bad collects invariant violations as they happen.
	bad []Violation
}

func newChecker(c *Cluster, ms []Member) *checker {
	k := &checker{
		c:         c,
		eligible:  map[int64]bool{},
		first:     map[int64]fle.Decision{},
		decisions: map[int64]int{},
	}
	for _, m := range eligible(ms, c.verifier) {
		k.eligible[m.ID] = true
	}
	return k
}

// decided checks the invariants every decision must keep, whatever the
// schedule: only an eligible voter leads (never an observer, a zero-weight
// voter or one with an untrusted database: FLEZeroWeightTest,
// ObserverLETest), a node leads exactly when it elected itself, and an
// observer observes.
func (k *checker) decided(sid int64, d fle.Decision) {
	if _, ok := k.first[sid]; !ok {
		k.first[sid] = d
	}
	k.decisions[sid]++
	n := k.c.byID[sid]
	switch {
	case d.State == fle.Leading && !k.eligible[sid]:
		k.violate("invariant", "node %d is LEADING but may not lead (observer, zero weight or zxid -1)", sid)
	case (d.State == fle.Leading) != (d.Leader == sid):
		k.violate("invariant", "node %d decided %s", sid, FormatDecision(d))
	case n.Observer != (d.State == fle.Observing):
		k.violate("invariant", "node %d (observer=%v) decided %s", sid, n.Observer, FormatDecision(d))
	}
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
//   - for clean runs, (a) agreement: every node's first decision names one
//     leader, nobody decided twice, no split; and (b) that leader is the
//     best eligible voter.
func (k *checker) finish(res *Result, why StopReason) {
	res.Violations = append(res.Violations, k.bad...)
	if !res.Settled {
		res.violate("liveness", "not settled %s after the faults healed at %s (stopped: %s, now %s); states: %s",
			res.Bound, res.LiveFrom, why, k.c.Now(), k.c.oneLineStatus())
	}
	if !res.Clean {
		return
	}
	for _, s := range res.Splits {
		res.violate("agreement", "split in round %d: %d decided %d while %d holds %d", s.Round, s.Node, s.Leader, s.Other, s.OtherLeader)
	}
	for _, sid := range k.c.Sids() {
		d, ok := k.first[sid]
		switch {
		case !ok:
			res.violate("agreement", "node %d never decided", sid)
		case d.Leader != res.Expected:
			res.violate("best-leader", "node %d decided leader %d, the best voter is %d", sid, d.Leader, res.Expected)
		case k.decisions[sid] > 1:
			res.violate("agreement", "node %d decided %d times in a clean run", sid, k.decisions[sid])
		}
	}
}
