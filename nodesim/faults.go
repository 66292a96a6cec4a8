package nodesim

import (
	"time"

	"github.com/zkfle/zkfle/zab"
)

// Node-level faults: pause (SIGSTOP/SIGCONT), crash with restart, and a
// crash during an epoch write.
//
// What "the last unsynced write" means for the epochs: zab's file store
// writes an epoch file to a temporary file, fsyncs it, renames it over the
// old one and fsyncs the directory before the write returns, and
// zab.MemoryEpochs has the same contract (a write that returned survives
// a restart). So no completed epoch write can be lost; the one write a
// crash can lose is the one it interrupts, before the rename reached the
// disk. The seed decides whether it did (the rename is atomic: the file
// holds the old value or the new one, never a torn one); either way the
// node carries out nothing after it (the packet that depended on it was
// never sent). The transaction log has a real unsynced tail (log.go).

// after schedules fn as an input of n, d from now: it runs then, or, while
// n is paused, when n resumes, in arrival order.
func (n *node) after(d time.Duration, fn func()) {
	n.w.s.after(d, func() { n.input(fn) })
}

// input runs fn now, or queues it while n is paused.
func (n *node) input(fn func()) {
	if n.paused {
		n.backlog = append(n.backlog, fn)
		return
	}
	fn()
}

// pause stops n processing anything (timers, messages, connections and
// dial outcomes queue up) until resume: a SIGSTOP, or a GC pause longer
// than syncLimit.
func (n *node) pause() {
	if !n.up || n.paused {
		return
	}
	n.w.tracef("pause n%d", n.id)
	n.paused = true
}

// resume processes what queued up, oldest first, then carries on.
func (n *node) resume() {
	if !n.paused {
		return
	}
	b := n.backlog
	n.paused, n.backlog = false, nil
	n.w.tracef("resume n%d (%d queued inputs)", n.id, len(b))
	n.w.counts["pause-queued-inputs"] += len(b)
	gen := n.gen
	for _, fn := range b {
		n.w.s.after(0, func() {
			if n.gen == gen {
				n.input(fn)
			}
		})
	}
}

// crashFor crashes n and restarts it down later (unless something else
// restarted it first).
func (n *node) crashFor(down time.Duration) {
	w := n.w
	if !n.up {
		return
	}
	n.crash()
	gen := n.gen
	w.s.after(down, func() {
		if n.gen == gen && !n.up {
			w.tracef("restart n%d", n.id)
			n.boot()
		}
	})
}

// crashesDuring reports whether an armed crash-during-write fault fires
// on the epoch write wr: the write lands or not by the seed, and n crashes
// before anything after it.
func (n *node) crashesDuring(wr zab.EpochWrite) bool {
	if n.crashWrite == 0 || (n.crashWrite == 2 && wr.File != zab.CurrentEpochFile) {
		return false
	}
	w := n.w
	landed := w.rng.IntN(2) == 0
	if landed && n.epochs.Apply(wr) != nil {
		landed = false
	}
	if landed {
		w.recordWrite(n, wr)
	}
	w.tracef("crash n%d during its %v=%d write (landed: %v)", n.id, wr.File, wr.Epoch, landed)
	w.counts["crash-in-write-fired"]++
	n.crashFor(n.crashDown)
	return true
}
