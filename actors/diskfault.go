package actors

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/quorumpeer"
	"github.com/zkfle/zkfle/zab"
	"github.com/zkfle/zkfle/zab/epochfile"
)

// A node that cannot persist its epoch files cannot lead and must not
// stand for leader (the rule, with its reasons, is quorumpeer's: disk.go
// there). After a failed epoch write, or a failed probe, the node is
// disk-faulted: it votes without standing for leader (fle.SetCandidate),
// says so (log, srvr/mntr, admin, metrics) and probes the directory every
// few seconds until a write succeeds, then stands again. This file is the
// actor's side: the status the node publishes, which errors are the
// disk's, the probe write itself (bounded, off the actor's goroutine) and
// its timer.

const (
	// diskProbeTimeout bounds one probe: a hung disk reports a fault
	// rather than stalling. A probe still running when the next is due is
	// not duplicated.
	diskProbeTimeout = 5 * time.Second
	// diskFaultMsg is the WARN a faulted node logs once per interval.
	diskFaultMsg = "cannot persist epochs; not standing for leader"
)

// errProbeTimeout is a probe that did not finish within diskProbeTimeout.
var errProbeTimeout = errors.New("probe write did not complete within " + diskProbeTimeout.String())

// DiskFault describes why a node cannot persist its epochs.
type DiskFault struct {
	// Dir is the directory holding the epoch files (dataDir/version-2).
	Dir string
	// Err is the last failed write's or probe's error.
	Err string
	// Since is when the fault was first seen.
	Since time.Time
}

// diskHealth records whether the epoch files can be written. It lives in
// the runtime and is read from any goroutine (status words, metrics).
type diskHealth struct {
	mu    sync.Mutex
	err   error
	since time.Time
	// probing is set while a probe goroutine runs.
	probing atomic.Bool
}

// fault records err; it reports whether the node was healthy before.
func (d *diskHealth) fault(err error) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	first := d.err == nil
	if first {
		d.since = time.Now()
	}
	d.err = err
	return first
}

// clear records a successful write or probe; it reports whether the node
// was faulted.
func (d *diskHealth) clear() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	was := d.err != nil
	d.err = nil
	return was
}

// faulted reports whether the node is disk-faulted.
func (d *diskHealth) faulted() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.err != nil
}

// status returns the fault, if any.
func (d *diskHealth) status(dir string) (DiskFault, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err == nil {
		return DiskFault{}, false
	}
	return DiskFault{Dir: dir, Err: d.err.Error(), Since: d.since}, true
}

// epochDir is where the epoch files live, for logs and status.
func (rt *runtime) epochDir() string {
	if rt.cfg.DataDir == "" {
		return ""
	}
	return rt.cfg.DataDir + "/" + epochfile.SnapDirName
}

// DiskFault reports whether the node cannot persist its epoch files, and
// why. While it is faulted the node votes but does not stand for leader.
func (n *Node) DiskFault() (DiskFault, bool) { return n.rt.disk.status(n.rt.epochDir()) }

// diskFailed records a failed epoch write or probe and logs it (once per
// interval).
func (rt *runtime) diskFailed(err error) {
	rt.disk.fault(err)
	rt.warnings().Warn(diskFaultMsg, rt.epochDir(), "disk-fault",
		"dataDir", rt.cfg.DataDir, "err", err.Error())
}

// probeDisk runs one bounded probe write: nil when the directory takes
// writes again.
func (rt *runtime) probeDisk() error {
	if !rt.disk.probing.CompareAndSwap(false, true) {
		return errProbeTimeout // the previous probe is still stuck
	}
	done := make(chan error, 1)
	go func() {
		defer rt.disk.probing.Store(false)
		done <- rt.epochs.Probe()
	}()
	t := time.NewTimer(diskProbeTimeout)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		return errProbeTimeout
	}
}

// probeAtStart marks the node faulted if its epoch directory does not
// take a write now, before the first election.
func (rt *runtime) probeAtStart() {
	if err := rt.probeDisk(); err != nil {
		rt.diskFailed(err)
	}
}

// diskProbeDue asks the QuorumPeer to probe (its probe timer fired).
type diskProbeDue struct{ gen uint64 }

// diskProbed is a probe's result, sent back to the QuorumPeer.
type diskProbed struct {
	err error
}

// epochWritten is a session's epoch write's result, sent by the session
// driver to the QuorumPeer (its parent), which owns the disk-fault rule.
type epochWritten struct {
	err error
}

// probeInterval is how often a faulted node probes (a test may shorten
// it).
func (rt *runtime) probeInterval() time.Duration {
	if rt.diskProbeEvery > 0 {
		return rt.diskProbeEvery
	}
	return quorumpeer.DefaultProbeInterval
}

// armDiskProbe arms the probe timer the core asked for. Its firing
// reaches whichever incarnation runs then; the core ignores all but the
// latest arming.
func (q *quorumPeer) armDiskProbe(ctx actor.Context, p *quorumpeer.ProbeTimer) {
	system, self, due := ctx.ActorSystem(), ctx.Self(), &diskProbeDue{gen: p.Gen}
	time.AfterFunc(p.After, func() { system.Root.Send(self, due) })
}

// runProbe runs a probe off the actor's goroutine.
func (q *quorumPeer) runProbe(ctx actor.Context) {
	system, self, rt := ctx.ActorSystem(), ctx.Self(), q.rt
	go func() { system.Root.Send(self, &diskProbed{err: rt.probeDisk()}) }()
}

// probed feeds a probe's result to the core: a failure is recorded for
// the status (and logged) first.
func (q *quorumPeer) probed(ctx actor.Context, m *diskProbed) {
	if m.err != nil {
		q.rt.diskFailed(m.err)
	}
	q.apply(ctx, q.loop().Probed(m.err == nil))
}

// epochWritten feeds a session's epoch write to the core. A refused value
// (zab.IsDiskFault false) says nothing about the disk. It is handled even
// while the QuorumPeer is leaving: it starts nothing, and a fault must not
// be lost.
func (q *quorumPeer) epochWritten(ctx actor.Context, m *epochWritten) {
	switch {
	case m.err == nil:
		q.apply(ctx, q.loop().DiskWritten())
	case zab.IsDiskFault(m.err):
		q.rt.diskFailed(m.err)
		q.apply(ctx, q.loop().DiskFailed())
	}
}
