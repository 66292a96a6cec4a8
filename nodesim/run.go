package nodesim

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// errDisk is the injected disk failure.
var errDisk = errors.New("injected disk failure")

// Result is one run's outcome.
type Result struct {
	Seed       uint64
	Violations []Violation
	// Settle is how long after the last heal the ensemble first settled
	// (-1: never).
	Settle time.Duration
	// Faults counts the injected faults by kind.
	Faults map[string]int
	// Trace is the tail of the run's trace (kept for a failed run, or
	// with Config.KeepTrace).
	Trace []string
	// Excused lists nodes (d) excused at the end (their acceptedEpoch
	// on disk is above the leader's epoch: Excused).
	Excused []int64
	// Err is a driver failure (a production constructor refused the
	// driver's input).
	Err string
	// Best is the voter with the greatest (currentEpoch, zxid, sid) at
	// the start, and ZxidDecided whether the zxid (not the epoch, not
	// the sid) made it best: what the seeded disks exercise.
	Best        int64
	ZxidDecided bool
	// End is the virtual time the run stopped at.
	End time.Duration
	// Paths counts the election's decisions by the rule that made them
	// (fle.DecisionPath's names: "unanimity", "reachable",
	// "finalize-window", "leader-notification"), every node's, the whole
	// run.
	Paths map[string]int
}

// TraceTail renders the last n trace lines.
func (r Result) TraceTail(n int) string {
	t := r.Trace
	if len(t) > n {
		t = t[len(t)-n:]
	}
	return strings.Join(t, "\n")
}

// Run runs one seed: faults chosen by the seed during [0, Chaos), then
// everything heals and the run goes on for Bound + Settle.
func Run(cfg Config) (Result, error) {
	w, err := NewWorld(cfg)
	if err != nil {
		return Result{}, err
	}
	faults := w.counts
	if cfg.Clean {
		cfg.Chaos = 0
	}
	if cfg.Chaos > 0 {
		w.planChaos(faults)
	}
	w.hist.LastHeal = cfg.Chaos
	w.s.after(cfg.Chaos, w.healAll)
	end := cfg.Chaos + cfg.Bound + cfg.Settle
	// Once every node has stayed established with one leader for Settle
	// after the heal (sampled every 250 ms), the run has had its quiet
	// period and stops: this keeps a seed short without cutting the
	// liveness bound. An ensemble that falls apart again after settling
	// starts the quiet period over, up to the hard end.
	stableSince := time.Duration(-1)
	var watch func()
	watch = func() {
		if !w.allEstablished() {
			stableSince = -1
		} else if stableSince < 0 {
			stableSince = w.s.now
		} else if w.s.now-stableSince >= cfg.Settle {
			end = w.s.now
			return
		}
		w.s.after(250*time.Millisecond, watch)
	}
	w.s.after(cfg.Chaos, watch)
	for w.s.q.Len() > 0 && w.s.q[0].at <= end {
		w.s.runUntil(min(end, w.s.q[0].at))
	}
	w.hist.End = w.s.now
	vs, settle := Check(w.hist)
	best, byZxid := w.bestAtStart()
	var trace []string
	if len(vs) > 0 || w.failed != "" || cfg.KeepTrace {
		trace = w.heldTrace()
	}
	return Result{Seed: cfg.Seed, Violations: vs, Settle: settle, Faults: faults, Trace: trace, Err: w.failed,
		Excused: Excused(w.hist), Best: best, ZxidDecided: byZxid, End: w.hist.End, Paths: w.paths}, nil
}

// faultKinds are the discrete faults planChaos draws from (reset twice:
// it is the cheapest and most common).
var faultKinds = []string{"partition", "partition-oneway", "crash", "crash-in-write", "crash-before-newleader",
	"pause", "disk", "reset", "reset"}

// planChaos schedules the seed's faults inside [0, Chaos).
func (w *World) planChaos(faults map[string]int) {
	r := w.rng
	w.drop = []float64{0, 0, 0.02, 0.1}[r.IntN(4)]
	w.dup = []float64{0, 0, 0.05}[r.IntN(3)]
	w.delay = []float64{0, 0.05, 0.2}[r.IntN(3)]
	for k, v := range map[string]float64{"drop-rate": w.drop, "dup-rate": w.dup, "delay-rate": w.delay} {
		if v > 0 {
			faults[k]++
		}
	}
	chaos := w.cfg.Chaos
	for t := time.Duration(r.IntN(300)) * time.Millisecond; t < chaos; t += time.Duration(200+r.IntN(1500)) * time.Millisecond {
		dur := time.Duration(100+r.IntN(4000)) * time.Millisecond
		vi := r.IntN(len(w.ids))
		victim := w.ids[vi]
		kind := faultKinds[r.IntN(len(faultKinds))]
		faults[kind]++
		switch kind {
		case "partition":
			side := map[int64]bool{}
			for _, id := range w.ids {
				side[id] = r.IntN(2) == 0
			}
			w.s.after(t, func() {
				w.tracef("partition %v", side)
				for _, a := range w.ids {
					for _, b := range w.ids {
						if side[a] != side[b] {
							w.block(a, b, dur)
						}
					}
				}
			})
		case "partition-oneway":
			// The target is drawn among the other nodes: a node cut
			// from itself would be a fault counted that does nothing.
			ti := r.IntN(len(w.ids) - 1)
			if ti >= vi {
				ti++
			}
			to := w.ids[ti]
			w.s.after(t, func() {
				w.tracef("one-way partition n%d -/-> n%d", victim, to)
				w.block(victim, to, dur)
			})
		case "crash":
			w.s.after(t, func() {
				if n := w.nodes[victim]; n.up {
					w.tracef("crash n%d", victim)
					n.crashFor(dur)
				}
			})
		case "crash-in-write", "crash-before-newleader":
			// Armed for a while: the victim crashes during its next
			// epoch write (any, or only a currentEpoch write: a leader
			// between its epoch proposal and NEWLEADER, or a learner
			// taking NEWLEADER), if one comes.
			which := 1
			if kind == "crash-before-newleader" {
				which = 2
			}
			w.s.after(t, func() {
				n := w.nodes[victim]
				if !n.up {
					return
				}
				w.tracef("arm n%d to crash during its next epoch write", victim)
				n.crashWrite, n.crashDown = which, dur
				gen := n.gen
				w.s.after(dur, func() {
					if n.gen == gen {
						n.crashWrite = 0
					}
				})
			})
		case "pause":
			// Longer than syncLimit (5 ticks of 100 ms) most of the time.
			w.s.after(t, func() {
				n := w.nodes[victim]
				n.pause()
				gen := n.gen
				w.s.after(dur/2+300*time.Millisecond, func() {
					if n.gen == gen {
						n.resume()
					}
				})
			})
		case "disk":
			w.s.after(t, func() {
				w.tracef("disk of n%d fails", victim)
				w.nodes[victim].epochs.FailWrites(errDisk)
				w.s.after(dur, func() { w.nodes[victim].epochs.FailWrites(nil) })
			})
		case "reset":
			w.s.after(t, func() {
				for _, id := range sortedConns(w) {
					if r.IntN(3) == 0 {
						w.tracef("reset conn %d", id)
						if c, ok := w.econns[id]; ok {
							w.closeElec(id, -1, "reset")
							_ = c
						} else {
							w.closeZab(zabID(id), -1)
						}
						return
					}
				}
			})
		}
	}
}

// block cuts traffic a -> b for d, and resets the election connections
// between them (TCP cannot live with one way lost).
func (w *World) block(a, b int64, d time.Duration) {
	k := [2]int64{a, b}
	w.blocked[k] = true
	for _, id := range sortedConns(w) {
		if c, ok := w.econns[id]; ok && ((c.a == a && c.b == b) || (c.a == b && c.b == a)) {
			w.closeElec(id, -1, "partition")
		}
	}
	w.s.after(d, func() { delete(w.blocked, k) })
}

// healAll ends every fault: links, disks, rates; crashed nodes restart.
func (w *World) healAll() {
	w.tracef("heal all")
	w.blocked = map[[2]int64]bool{}
	w.drop, w.dup, w.delay = 0, 0, 0
	for _, id := range w.ids {
		n := w.nodes[id]
		n.epochs.FailWrites(nil)
		n.crashWrite = 0
		n.resume()
		// Restart crashed nodes only: one that has not booted yet (a
		// clean run heals at time 0) boots at its own start time.
		if !n.up && n.gen > 0 {
			n.boot()
		}
	}
}

func (r Result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed %d: settle %v faults %v", r.Seed, r.Settle, r.Faults)
	for _, v := range r.Violations {
		b.WriteString("\n  " + v.String())
	}
	if r.Err != "" {
		b.WriteString("\n  driver: " + r.Err)
	}
	return b.String()
}

// allEstablished is the run's early-stop test (not an oracle): every node
// is up with an established session, one of them leading.
func (w *World) allEstablished() bool {
	leaders := 0
	for _, id := range w.ids {
		n := w.nodes[id]
		if !n.up || n.sess == nil || !n.sess.est {
			return false
		}
		if n.sess.leading {
			leaders++
		}
	}
	return leaders == 1
}

// bestAtStart is a statistic for the tests (not an oracle): the best voter
// at the start, and whether the zxid decided it over the runner-up.
func (w *World) bestAtStart() (int64, bool) {
	var best, second int64
	for _, id := range w.hist.Voters {
		if w.hist.Weights != nil && w.hist.Weights[id] == 0 {
			continue
		}
		if best == 0 || ahead(w.hist.Start[id], id, w.hist.Start[best], best) {
			best, second = id, best
		} else if second == 0 || ahead(w.hist.Start[id], id, w.hist.Start[second], second) {
			second = id
		}
	}
	if second == 0 {
		return best, false
	}
	a, b := w.hist.Start[best], w.hist.Start[second]
	return best, a.CurrentEpoch == b.CurrentEpoch && a.Zxid != b.Zxid
}
