package sim

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Result is the outcome of one simulator run.
type Result struct {
	// Options are the run's options.
	Options Options
	// Members is the ensemble the seed produced.
	Members []Member
	// Clean reports whether the run met check (a)'s conditions.
	Clean bool
	// Expected is the leader a clean run must elect: the greatest
	// eligible voter by (peerEpoch, zxid, sid).
	Expected int64
	// LiveFrom is when the last fault healed (or the last node started);
	// Bound is how long after it every node must have settled.
	LiveFrom, Bound time.Duration
	// Settled reports whether the run ended with every node decided on
	// one standing leader; SettledAt is when, Leader who.
	Settled   bool
	SettledAt time.Duration
	Leader    int64
	// Splits are the split decisions seen (failures only in clean runs).
	Splits []Split
	// ExemptObserverDecisions counts observer decisions for another
	// leader than the voters' that a clean run tolerated because one voter
	// is a quorum by itself (see checker.observersExempt).
	ExemptObserverDecisions int
	// Stats are the run's counters.
	Stats Stats
	// Violations are the checks that failed; empty means the run passed.
	Violations []Violation
	// Trace is the run's trace when Options.Trace was set.
	Trace *Trace
}

// Violation is one failed check.
type Violation struct {
	// Check names the check: "agreement", "best-leader", "liveness",
	// "settle", "invariant", "options".
	Check string
	// Detail says what was seen.
	Detail string
}

// String renders the violation.
func (v Violation) String() string { return v.Check + ": " + v.Detail }

// Failed reports whether any check failed.
func (r *Result) Failed() bool { return len(r.Violations) > 0 }

func (r *Result) violate(check, format string, args ...any) {
	r.Violations = append(r.Violations, Violation{Check: check, Detail: fmt.Sprintf(format, args...)})
}

// ReplayCommand is the command that replays this run (for runs built by
// RandomOptions) and prints its trace.
func (r *Result) ReplayCommand() string {
	return fmt.Sprintf("go test ./fle/sim -run TestSimulatorReplay -sim.seed=%d -sim.n=%d -sim.replayfast=%v -v", r.Options.Seed, r.Options.N, r.Options.FastPaths)
}

// String summarises the run on one line.
func (r *Result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed=%d n=%d fast=%v clean=%v settled=%v leader=%d expected=%d splits=%d msgs=%d rounds=%d events=%d",
		r.Options.Seed, r.Options.N, r.Options.FastPaths, r.Clean, r.Settled, r.Leader, r.Expected, len(r.Splits),
		r.Stats.Messages, r.Stats.MaxRound, r.Stats.Events)
	for _, v := range r.Violations {
		b.WriteString("; " + v.String())
	}
	return b.String()
}

// LivenessBound is how long after the faults heal (and the last node has
// started) every running node must have settled on one standing leader:
//
//	2·D + 4·MaxNotificationInterval + 20·FinalizeWait
//
// which is 264 s with ZooKeeper's timing and D = 10 s: four maximal
// notification timeouts, two detector timeouts and twenty finalize
// windows. Why, once the network is healthy (every message arrives, in
// order, within FinalizeWait/2):
//
//  1. within D (G <= D) every node whose decision no longer stands (its
//     leader gone or not leading; for a leader, its quorum gone) is
//     Looking again;
//  2. a Looking node sends its vote to every voter whenever its
//     notification timeout fires (a re-send, or a connectAll whose new
//     connections flush the queued vote), and decided nodes answer a
//     LOOKING vote at once. The timeout is at most MaxNotificationInterval
//     but measures silence: every notification that reaches the node
//     restarts it, even one it ignores (zxid -1, an old round). A talker
//     can so hold a node's timeout off until the talker's own back-off
//     gaps outgrow it: less than 2·MaxNotificationInterval, since both
//     back-offs double up to the same cap. Until then the held-off node
//     may stay unconnected to peers a healed partition cut it from;
//  3. once votes flow, every node moves to the highest round and the
//     election ends a few finalize windows after the last vote changes;
//  4. a straggler whose backed-off timeout kept it silent through that
//     election hears of the leader at its next firing: one more
//     MaxNotificationInterval; and a leader its followers gave up on (G)
//     costs one more D.
//
// A measured case: an untrusted node restarting just before the heal
// held two voters' timeouts off for 96 s, then waited 60 s itself.
//
// The twenty finalize windows are slack for rounds catching up and
// connections re-forming. It is an engineering bound, not a proof:
// TestSimulatorSeeds logs the slowest run against it.
func LivenessBound(o Options) time.Duration {
	return 2*o.detector() + 4*o.maxNotification() + 20*o.finalizeWait()
}

// Run simulates one election scenario and checks it: agreement and the
// best leader for clean runs, liveness after the faults heal for every
// run, and that no observer, zero-weight or untrusted node ever leads.
func Run(o Options) Result {
	res := Result{Options: o, Clean: o.Clean()}
	if err := o.Validate(); err != nil {
		res.violate("options", "%v", err)
		return res
	}
	r := newRand(o.Seed)
	res.Members = randomMembers(r, o)
	if o.Trace {
		res.Trace = &Trace{}
	}
	policy := &simPolicy{
		r:        r,
		faults:   o.Faults,
		maxDelay: o.maxDelay(),
		healAt:   o.healAt(),
		cleanMax: o.finalizeWait() / 2,
	}
	c, err := NewCluster(Config{
		Members:         res.Members,
		Hierarchical:    o.Hierarchical,
		Timing:          o.Timing,
		DetectorTimeout: o.DetectorTimeout,
		Policy:          policy,
		Trace:           res.Trace,
		NewMachine:      o.newMachine,
		FastPaths:       o.FastPaths,
	})
	if err != nil {
		res.violate("options", "%v", err)
		return res
	}
	policy.now = c.Now
	expected, _ := bestVoter(res.Members, o.Hierarchical)
	res.Expected = expected
	chk := newChecker(c, res.Members, o.Hierarchical)
	c.onDecide = chk.onDecide

	scheduleStarts(c, r, o)
	scheduleFaults(c, r, o)

	res.LiveFrom = max(o.healAt(), o.StartSpread)
	res.Bound = LivenessBound(o)
	maxEvents := o.MaxEvents
	if maxEvents == 0 {
		maxEvents = DefaultMaxEvents
	}
	live := func() bool { return c.Now() >= res.LiveFrom && c.Settled() }
	why := c.RunUntil(live, res.LiveFrom+res.Bound, maxEvents)
	res.Settled = why == StopDone || (why == StopIdle && c.Settled())
	res.SettledAt = c.Now()
	res.Stats = c.Stats()
	res.Splits = c.Splits()
	if res.Settled {
		res.Leader = c.leader()
	}
	chk.finish(&res, why)
	return res
}

// scheduleStarts boots every node: all at time 0 in sid order, or at
// random times in [0, StartSpread).
func scheduleStarts(c *Cluster, r *rand.Rand, o Options) {
	for _, sid := range c.Sids() {
		var at time.Duration
		if o.StartSpread > 0 {
			at = time.Duration(r.Int64N(int64(o.StartSpread)))
		}
		c.Schedule(at, func() {
			if n := c.byID[sid]; !n.up && n.inc == 0 {
				_ = c.Start(sid)
			}
		})
	}
}

// scheduleFaults draws the fault episodes, each inside the fault window,
// and a final heal at its end.
func scheduleFaults(c *Cluster, r *rand.Rand, o Options) {
	f := o.Faults
	if f.Window <= 0 {
		return
	}
	sids := c.Sids()
	episode := func() (start, end time.Duration) {
		start = time.Duration(r.Int64N(int64(f.Window)))
		end = start + time.Duration(r.Int64N(int64(f.Window-start))+1)
		return start, end
	}
	for range f.Partitions {
		start, end := episode()
		side := randomSide(r, sids)
		c.Schedule(start, func() { _ = c.Partition(side) })
		c.Schedule(end, c.Heal)
	}
	for i := range f.Crashes + f.LeaderCrashes {
		start, end := episode()
		pick := sids[r.IntN(len(sids))]
		leaderCrash := i >= f.Crashes
		var crashed int64
		c.Schedule(start, func() {
			sid := pick
			if l := c.leader(); leaderCrash && l != 0 {
				sid = l
			}
			if c.Crash(sid) == nil {
				crashed = sid
			}
		})
		c.Schedule(end, func() {
			if crashed != 0 {
				_ = c.Start(crashed)
			}
		})
	}
	if f.Partitions > 0 {
		c.Schedule(f.Window, c.Heal)
	}
}

// randomSide picks one side of a partition: a lone node, a minority, or a
// random half.
func randomSide(r *rand.Rand, sids []int64) []int64 {
	var k int
	switch r.IntN(3) {
	case 0:
		k = 1
	case 1:
		k = 1 + r.IntN(max(1, (len(sids)-1)/2))
	default:
		k = 1 + r.IntN(len(sids)-1)
	}
	var side []int64
	for _, i := range r.Perm(len(sids))[:k] {
		side = append(side, sids[i])
	}
	return side
}
