package nodesim

import (
	"time"

	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/quorumpeer"
	"github.com/zkfle/zkfle/zab"
	"github.com/zkfle/zkfle/zk"
)

// The QuorumPeer: each node runs the production loop (quorumpeer.Peer:
// LOOKING -> session -> LOOKING, the back-off, the disk-fault rule, the
// newer-round rule) and this file carries out its outputs as
// actors/quorumpeer*.go and actors/diskfault.go do, in quorumpeer.Output's
// order. What is the simulator's here is only the carrying out: sessions
// are machines instead of actors, timers are the node's virtual timers
// (n.after, so a pause holds them), and the disk probe is MemoryEpochs'
// Probe (it fails while the node's disk is failed).

// Timing of the simulated ensemble: tickTime 100 ms, initLimit 10,
// syncLimit 5 (the leader waits initLimit × tickTime = 1 s for epoch
// acknowledgements).
const (
	simTickTime  = 100 * time.Millisecond
	simInitLimit = 10
	simSyncLimit = 5
)

// probeLatency is how long a probe write takes to report.
const probeLatency = time.Millisecond

// newPeer builds a node's QuorumPeer loop over its surviving epochs and
// transaction log, with the world's seeded randomness for the jitter. A
// node whose epoch directory does not take a write at boot starts
// disk-faulted (actors: Node.Start's probe, then core.DiskFailed).
func (n *node) newPeer() {
	w := n.w
	p, err := quorumpeer.New(quorumpeer.Config{
		ID:         n.id,
		Epochs:     n.epochs,
		LastZxid:   func() int64 { return n.zxid },
		Rand:       w.rng.Int64N,
		BackoffCap: quorumpeer.BackoffCapFor(simInitLimit, simTickTime),
	})
	if err != nil {
		w.fail("n%d quorumpeer.New: %v", n.id, err)
		return
	}
	n.qp = p
	if n.epochs.Probe() != nil {
		w.tracef("n%d disk faulted (probe at boot)", n.id)
		w.counts["disk-faulted"]++
		w.emit(Event{Kind: EventDisk, Node: n.id, Detail: "faulted"})
		p.DiskFailed()
	}
}

// applyQP carries out one output of the node's loop, in the order
// quorumpeer.Output documents (actors/quorumpeer_session.go's apply).
func (n *node) applyQP(out quorumpeer.Output) {
	w := n.w
	if !n.up {
		return
	}
	if e := out.Ended; e != nil {
		w.tracef("n%d leaves %v: %s %s (stable %v)", n.id, e.State, e.Reason, e.Detail, e.Stable)
	}
	if out.StopSession {
		n.endSession()
	}
	if r := out.Report; r != nil {
		n.report(r)
	}
	if out.UpdateVote != nil {
		// Servers that join later must see this leader with the new epoch.
		n.m.UpdateElectionVote(*out.UpdateVote)
	}
	if out.PauseElection {
		// As actors/election.go: the pending timers stay armed (the
		// machine ignores a firing it no longer expects, and keeps its
		// LinkDownTimer through the pause).
		n.m.Stop()
	}
	if s := out.StartLooking; s != nil {
		n.m.SetCandidate(s.Candidate)
		w.tracef("n%d starts looking (%v, zxid %v, epoch %d, candidate %v)", n.id, s.Reason, s.LastZxid, s.CurrentEpoch, s.Candidate)
		n.applyFle(n.m.Start(s.LastZxid, s.CurrentEpoch))
	}
	if d := out.StartSession; d != nil {
		n.startSession(*d)
	}
	if b := out.Backoff; b != nil {
		w.tracef("n%d backs off %v (failures %d)", n.id, b.Delay, b.Failures)
		n.qpTimer(n.skewed(b.Delay), func(p *quorumpeer.Peer) quorumpeer.Output { return p.BackoffFired(b.Gen) })
	}
	if out.AskStatus {
		// The Election answers at once (same node, no network).
		n.qpTimer(0, func(p *quorumpeer.Peer) quorumpeer.Output {
			return p.ElectionStatus(n.m.LogicalClock(), n.m.State())
		})
	}
	if pr := out.ArmProbe; pr != nil {
		n.qpTimer(n.skewed(pr.After), func(p *quorumpeer.Peer) quorumpeer.Output { return p.ProbeDue(pr.Gen) })
	}
	if out.RunProbe {
		// Off the loop, as the actor's probe goroutine: a write attempt
		// that fails while the node's disk is failed.
		ok := n.epochs.Probe() == nil
		w.counts["disk-probes"]++
		n.qpTimer(probeLatency, func(p *quorumpeer.Peer) quorumpeer.Output { return p.Probed(ok) })
	}
	if d := out.Disk; d != nil {
		detail := "writable"
		if *d {
			detail = "faulted"
			w.counts["disk-faulted"]++
		}
		w.tracef("n%d disk %s", n.id, detail)
		w.emit(Event{Kind: EventDisk, Node: n.id, Detail: detail})
	}
}

// qpTimer feeds fn's input to the node's loop d from now, unless the node
// crashed meanwhile (a restarted node has a fresh loop: its predecessor's
// timers died with it).
func (n *node) qpTimer(d time.Duration, fn func(*quorumpeer.Peer) quorumpeer.Output) {
	p, gen := n.qp, n.gen
	n.after(d, func() {
		if n.gen == gen && n.up && n.qp == p {
			n.applyQP(fn(p))
		}
	})
}

// report publishes a change of the reported state to the oracles.
func (n *node) report(r *quorumpeer.RoleChange) {
	c := Change{Node: n.id, Role: Looking}
	switch r.New {
	case zk.Leading:
		c = Change{Node: n.id, Role: Leading, Epoch: r.PeerEpoch, Leader: r.Leader}
	case zk.Following:
		c = Change{Node: n.id, Role: Following, Epoch: r.PeerEpoch, Leader: r.Leader}
	case zk.Observing:
		c = Change{Node: n.id, Role: Observing, Epoch: r.PeerEpoch, Leader: r.Leader}
	}
	n.w.record(c)
}

// startSession is the actor's spawnSession: a LeaderSession (LEADING) or
// a LearnerSession (FOLLOWING, OBSERVING) from the stored epochs and the
// last logged zxid.
func (n *node) startSession(d fle.Decision) {
	w := n.w
	s := &session{leader: d.Leader, conns: map[zab.ConnID]bool{}, timers: map[[2]uint64]uint64{}}
	switch d.State {
	case zk.Leading:
		l, err := zab.NewLeaderSession(zab.LeaderConfig{ID: n.id, Verifier: w.verifier,
			AcceptedEpoch: n.epochs.Accepted(), CurrentEpoch: n.epochs.Current(), LastZxid: n.zxid, Timing: n.timing()})
		if err != nil {
			w.fail("n%d NewLeaderSession: %v", n.id, err)
			return
		}
		s.impl, s.leading = l, true
	case zk.Following, zk.Observing:
		l, err := zab.NewLearnerSession(zab.LearnerConfig{ID: n.id, LeaderID: d.Leader, Observer: d.State == zk.Observing,
			AcceptedEpoch: n.epochs.Accepted(), CurrentEpoch: n.epochs.Current(),
			ConfigVersion: w.verifier.Version(), LastZxid: n.zxid, Timing: n.timing()})
		if err != nil {
			w.fail("n%d NewLearnerSession: %v", n.id, err)
			return
		}
		s.impl, s.learner = l, l
	default:
		w.fail("n%d decided %v", n.id, d.State)
		return
	}
	w.sessions++
	s.serial = w.sessions
	n.sess = s
	if s.leading {
		w.hist.Infos = append(w.hist.Infos, Info{Seq: w.obsSeq(), At: w.s.now, Leader: n.id, Session: s.serial, Learner: n.id, Accepted: n.epochs.Accepted()})
	}
	n.applyZab(s, s.impl.Start())
}

// endSession stops the running session and closes its connections (the
// actor's ctx.Stop of the session).
func (n *node) endSession() {
	s := n.sess
	if s == nil {
		return
	}
	if !s.ended {
		s.impl.Stop()
	}
	s.ended = true
	for _, id := range sortedConns(n.w) {
		if s.conns[zabID(id)] {
			n.w.closeZab(zabID(id), n.id)
		}
	}
	n.sess = nil
}

// established feeds a session's establishment to the loop (which reports
// the role and updates the election's vote). The leader's transactions
// (log.go) start here too; they are the simulator's.
func (n *node) established(s *session, e zab.Established) {
	w := n.w
	s.est, s.estAt, s.epoch = true, w.s.now, e.Epoch
	n.applyQP(n.qp.Established(e.Role, e.Leader, e.Epoch, false, w.s.now))
	if e.Role == zk.Leading && n.sess == s {
		n.scheduleTxn(s)
	}
}

// epochWritten feeds a session's epoch write to the loop, as
// actors/diskfault.go's epochWritten: a refused value (a regression or an
// order violation) says nothing about the disk (zab.IsDiskFault).
func (n *node) epochWritten(err error) {
	switch {
	case err == nil:
		n.applyQP(n.qp.DiskWritten())
	case zab.IsDiskFault(err):
		n.applyQP(n.qp.DiskFailed())
	}
}

// peerUnreachable feeds the connection manager's news that sid is
// unreachable (a failed dial, or the live link closed with the core's
// verdict that sid is gone, not ended by the tie-break in answer to our
// call) to the election machine, the reachable fast path's input; it may
// complete a decision.
func (n *node) peerUnreachable(sid int64) {
	if !n.up || n.m == nil {
		return
	}
	n.w.unreachable[[2]int64{n.id, sid}]++
	n.applyFle(n.m.PeerUnreachable(sid))
}
