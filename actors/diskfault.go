package actors

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/zab"
)

// A node that cannot persist its epoch files cannot lead (a leader writes
// acceptedEpoch and currentEpoch before it is established) and can follow
// only a leader whose epoch it has already accepted. If it kept standing
// for leader it would keep winning elections it then abandons, burning an
// epoch each time while a healthy majority waits (issue 11). So after a
// failed epoch write, or a failed probe at start, the node is
// disk-faulted: it votes without standing for leader (fle.SetCandidate),
// says so (log, srvr/mntr, admin, metrics) and probes the directory every
// few seconds until a write succeeds, then stands again.

const (
	// diskProbeInterval is how often a disk-faulted node probes.
	diskProbeInterval = 2 * time.Second
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

// isDiskError reports whether a failed epoch write is the disk's fault,
// not a refused value (a regression or an order violation, which the
// store rejects before writing).
func isDiskError(err error) bool {
	return err != nil && !errors.Is(err, zab.ErrEpochRegression) && !errors.Is(err, zab.ErrEpochOrder)
}

// epochDir is where the epoch files live, for logs and status.
func (rt *runtime) epochDir() string {
	if rt.cfg.DataDir == "" {
		return ""
	}
	return rt.cfg.DataDir + "/" + zab.SnapDirName
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
	gen uint64
	err error
}

// probeInterval is how often a faulted node probes (a test may shorten
// it).
func (rt *runtime) probeInterval() time.Duration {
	if rt.diskProbeEvery > 0 {
		return rt.diskProbeEvery
	}
	return diskProbeInterval
}

// armDiskProbe schedules the next probe while the node is faulted. One
// probe timer at a time: a newer arming makes older firings stale.
func (q *quorumPeer) armDiskProbe(ctx actor.Context) {
	if !q.rt.disk.faulted() || q.st.probeArmed {
		return
	}
	q.st.probeArmed = true
	q.st.probeGen++
	system, self, due := ctx.ActorSystem(), ctx.Self(), &diskProbeDue{gen: q.st.probeGen}
	time.AfterFunc(q.rt.probeInterval(), func() { system.Root.Send(self, due) })
}

// probeDue runs a probe off the actor's goroutine.
func (q *quorumPeer) probeDue(ctx actor.Context, m *diskProbeDue) {
	if m.gen != q.st.probeGen {
		return
	}
	q.st.probeArmed = false
	if !q.rt.disk.faulted() {
		return
	}
	system, self, rt := ctx.ActorSystem(), ctx.Self(), q.rt
	go func() { system.Root.Send(self, &diskProbed{gen: m.gen, err: rt.probeDisk()}) }()
}

// probed handles a probe's result: still faulted, probe again later;
// writable again, stand for leader again at once (a new round), unless a
// session runs (it goes on; the next round will stand).
func (q *quorumPeer) probed(ctx actor.Context, m *diskProbed) {
	if m.err != nil {
		q.rt.diskFailed(m.err)
		q.armDiskProbe(ctx)
		return
	}
	if !q.rt.disk.clear() {
		return
	}
	q.rt.log.Info("epoch files writable again; standing for leader", "dataDir", q.rt.cfg.DataDir)
	q.st.failures = 0
	if q.st.session == nil {
		q.startLooking(ctx, messages.LookingReason_LEADER_LOST)
	}
}
