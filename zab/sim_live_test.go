package zab

import (
	"time"

	"github.com/zkfle/zkfle/zk"
)

// Liveness under chaos: from opts.healAt on, nothing fails any more
// (chance is always false, chaos stops, partitions are healed, every
// crashed server restarts within restartAfter of its crash) and every
// LOOKING server names the highest voter, as an election that has
// converged would. Within opts.liveBound of the heal some leader must be
// established with a quorum of voters established in its epoch (itself
// included), counted plainly.

// heal ends the partitions; crashed servers have their restarts scheduled
// already.
func (w *simWorld) heal() {
	clear(w.group)
	w.tracef("FAULTS HEALED")
}

// live reports whether some established leader has a quorum of voters
// established with it in its epoch.
func (w *simWorld) live() bool {
	for id, e := range w.est {
		if e.Role != zk.Leading {
			continue
		}
		set := map[int64]bool{id: true}
		for sid, le := range w.est {
			if le.Role != zk.Leading && le.Leader == id && le.Epoch == e.Epoch {
				set[sid] = true
			}
		}
		if w.check.isQuorum(set) {
			return true
		}
	}
	return false
}

// checkLiveness records when the liveness condition first holds after the
// heal, and fails the run once the bound passed without it (end: the run
// is over).
func (w *simWorld) checkLiveness(end bool) {
	if w.opts.healAt <= 0 || w.liveAt >= 0 || !w.healed() {
		if end && w.opts.healAt > 0 && w.liveAt < 0 && w.now < w.opts.healAt+w.opts.liveBound {
			// The run ended before the bound (no events left): judge now.
			w.check.fail("run ended at %v, before the liveness bound", w.now)
		}
		return
	}
	if w.live() {
		w.liveAt = w.now
		return
	}
	if end || w.now > w.opts.healAt+w.opts.liveBound {
		w.check.fail("LIVENESS: no leader established with a quorum %v after the faults healed at %v (now %v)",
			w.opts.liveBound, w.opts.healAt, w.now)
	}
}

// liveDelay is how long after the heal the condition first held.
func (w *simWorld) liveDelay() time.Duration { return w.liveAt - w.opts.healAt }
