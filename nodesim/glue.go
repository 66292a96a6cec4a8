package nodesim

import (
	"time"

	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/zab"
)

// The QuorumPeer glue, in one place so that it can be swapped for the
// production rules once they are a pure package: what a node does when
// it starts looking, when the election decides, when its session is
// established, and when the session ends (the minimum of
// actors/quorumpeer*.go). Inputs it takes from the node: the stored
// epochs and the last logged zxid (log.go).

// startLooking is QuorumPeer.startLooking (glue).
func (n *node) startLooking() {
	epoch := n.epochs.Current()
	n.applyFle(n.m.Start(n.zxid, epoch))
}

// decided is the QuorumPeer's answer to the election's Decision: a
// LeaderSession (LEADING) or a LearnerSession (FOLLOWING, OBSERVING) from
// the stored epochs and the last logged zxid.
func (n *node) decided(d fle.Decision) {
	w := n.w
	if n.sess != nil {
		n.endSession()
	}
	s := &session{leader: d.Leader, conns: map[zab.ConnID]bool{}, timers: map[[2]uint64]uint64{}}
	switch d.State {
	case fle.Leading:
		l, err := zab.NewLeaderSession(zab.LeaderConfig{ID: n.id, Verifier: w.verifier,
			AcceptedEpoch: n.epochs.Accepted(), CurrentEpoch: n.epochs.Current(), LastZxid: n.zxid, Timing: n.timing()})
		if err != nil {
			w.fail("n%d NewLeaderSession: %v", n.id, err)
			return
		}
		s.impl, s.leading = l, true
	case fle.Following, fle.Observing:
		l, err := zab.NewLearnerSession(zab.LearnerConfig{ID: n.id, LeaderID: d.Leader, Observer: d.State == fle.Observing,
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

// endSession stops the running session and closes its connections.
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
	if s.est {
		n.w.record(Change{Node: n.id, Role: Looking})
	}
}

// sessionOver is QuorumPeer.sessionOver: look again at once after a stable
// session, else after a back-off with the election stopped.
func (n *node) sessionOver() {
	w := n.w
	s := n.sess
	stable := s != nil && s.est && w.s.now-s.estAt >= 10*time.Second
	n.endSession()
	if stable {
		n.failures = 0
		n.startLooking()
		return
	}
	n.failures++
	d := 3 * time.Second
	if n.failures < 16 {
		d = min(d, 100*time.Millisecond<<(n.failures-1))
	}
	d = d/2 + time.Duration(w.rng.Int64N(int64(d/2)+1))
	n.m.Stop()
	n.fleTimers = map[fle.TimerKind]uint64{}
	n.retryGen++
	gen, rg := n.gen, n.retryGen
	n.after(d, func() {
		if n.gen == gen && n.up && n.retryGen == rg && n.sess == nil {
			n.startLooking()
		}
	})
}

// established is the QuorumPeer's answer to Output.Established: report
// the role (to the oracles), and give the election the new epoch
// (UpdateElectionVote). The leader's transactions (log.go) start here
// too; they are the simulator's, not the glue's.
func (n *node) established(s *session, e zab.Established) {
	w := n.w
	s.est, s.estAt, s.epoch = true, w.s.now, e.Epoch
	role := Following
	switch e.Role {
	case zab.Leading:
		role = Leading
	case zab.Observing:
		role = Observing
	}
	w.record(Change{Node: n.id, Role: role, Epoch: e.Epoch, Leader: e.Leader})
	n.m.UpdateElectionVote(e.Epoch)
	if role == Leading {
		n.scheduleTxn(s)
	}
}
