package zab

import (
	"errors"
	"time"
)

// simNode is one server: durable epochs, and at most one session.
type simNode struct {
	id       int64
	observer bool
	up       bool
	gen      int // incarnation: bumped by every crash
	accepted int64
	current  int64
	leader   *LeaderSession
	learner  *LearnerSession
}

// session returns the running session, or nil.
func (n *simNode) session() any {
	if n.leader != nil {
		return n.leader
	}
	if n.learner != nil {
		return n.learner
	}
	return nil
}

// choose starts a session for a LOOKING server: lead, or follow someone.
func (w *simWorld) choose(id int64) {
	n := w.nodes[id]
	if !n.up || n.session() != nil {
		return
	}
	voters := w.verifier.VotingMembers()
	lead := !n.observer && w.rng.Float64() < w.opts.leadProb
	target := voters[w.rng.IntN(len(voters))]
	if w.opts.calm || w.healed() {
		// An election that has converged: everyone names the voter with
		// the greatest (currentEpoch, sid), as FLE's (peerEpoch, zxid,
		// sid) order would with no data. A leader whose currentEpoch
		// is behind a follower's is refused by it ("follower is ahead").
		target = w.bestVoter(voters)
		lead = id == target
	}
	if lead {
		l, err := NewLeaderSession(LeaderConfig{ID: id, Verifier: w.verifier, AcceptedEpoch: n.accepted, CurrentEpoch: n.current, Timing: w.opts.timing})
		if err != nil {
			w.check.fail("server %d: NewLeaderSession: %v", id, err)
			return
		}
		n.leader = l
		w.check.leaderStarted(id, n.accepted)
		w.tracef("s%d LEADS (accepted %d, current %d)", id, n.accepted, n.current)
		w.apply(n, l, l.Start())
		return
	}
	if target == id {
		w.schedule(&simEvent{at: w.now + w.jitter(20*time.Millisecond), kind: evChoose, node: id})
		return
	}
	s, err := NewLearnerSession(LearnerConfig{ID: id, LeaderID: target, Observer: n.observer,
		AcceptedEpoch: n.accepted, CurrentEpoch: n.current, Timing: w.opts.timing})
	if err != nil {
		w.check.fail("server %d: NewLearnerSession: %v", id, err)
		return
	}
	n.learner = s
	w.tracef("s%d FOLLOWS s%d (accepted %d, current %d)", id, target, n.accepted, n.current)
	w.apply(n, s, s.Start())
}

// apply carries out an output the way the Output documentation tells a
// driver to, with the faults of the run.
func (w *simWorld) apply(n *simNode, sess any, out Output) {
	if w.opts.sendFirst {
		w.applySends(n, out)
		out.Send = nil
	}
	for _, pw := range out.Persist {
		if w.chance(w.opts.persistFail) {
			w.tracef("s%d persist %s=%d FAILS", n.id, pw.File, pw.Epoch)
			w.apply(n, sess, persistFailed(sess))
			return
		}
		if w.opts.sendFirst && w.chance(w.opts.crashOnWrite) {
			w.tracef("s%d crashes before writing %s=%d", n.id, pw.File, pw.Epoch)
			w.crash(n.id)
			w.schedule(&simEvent{at: w.now + w.jitter(w.opts.restartAfter), kind: evRestart, node: n.id})
			return
		}
		if !w.persist(n, pw) {
			return
		}
		if w.chance(w.opts.crashOnWrite) {
			w.tracef("s%d crashes right after writing %s=%d", n.id, pw.File, pw.Epoch)
			w.crash(n.id)
			w.schedule(&simEvent{at: w.now + w.jitter(w.opts.restartAfter), kind: evRestart, node: n.id})
			return
		}
	}
	if out.Dial != nil {
		w.dial(n, sess.(*LearnerSession))
	}
	w.applySends(n, out)
	for _, c := range out.Close {
		w.closeSide(c.Conn, n.id)
	}
	for _, tm := range out.Timers {
		if !tm.Cancel {
			w.schedule(&simEvent{at: w.now + tm.After, kind: evTimer, node: n.id, gen: n.gen, sess: sess, timer: tm})
		}
		// A cancelled timer's event still fires; the session must know it
		// is stale (Seq) and ignore it.
	}
	if out.Established != nil {
		w.tracef("s%d ESTABLISHED %+v", n.id, *out.Established)
		w.check.established(n, *out.Established)
		w.est[n.id] = *out.Established
	}
	if out.Ended != nil {
		w.endings[out.Ended.Reason]++
		w.tracef("s%d ended: %s (%s)", n.id, out.Ended.Reason, out.Ended.Detail)
		n.leader, n.learner = nil, nil
		delete(w.est, n.id)
		w.schedule(&simEvent{at: w.now + w.jitter(50*time.Millisecond), kind: evChoose, node: n.id})
	}
}

func (w *simWorld) applySends(n *simNode, out Output) {
	for _, s := range out.Send {
		w.send(s.Conn, n.id, s.Packet)
	}
}

func persistFailed(sess any) Output {
	err := errors.New("injected write failure")
	if l, ok := sess.(*LeaderSession); ok {
		return l.PersistFailed(err)
	}
	return sess.(*LearnerSession).PersistFailed(err)
}

// persist is EpochStorage's rule book applied to the simulated disk; a
// machine that asks for a write the store would refuse is a violation.
func (w *simWorld) persist(n *simNode, pw EpochWrite) bool {
	switch pw.File {
	case AcceptedEpochFile:
		if pw.Epoch < n.accepted {
			w.check.fail("s%d: acceptedEpoch would go back %d -> %d", n.id, n.accepted, pw.Epoch)
			return false
		}
		raised := pw.Epoch > n.accepted
		n.accepted = pw.Epoch
		switch s := n.session().(type) {
		case *LeaderSession:
			w.check.decided(n.id, pw.Epoch)
		case *LearnerSession:
			if raised {
				w.check.promisedEpoch(n.id, s.cfg.LeaderID, pw.Epoch)
			}
		}
	case CurrentEpochFile:
		if pw.Epoch > n.accepted || pw.Epoch < n.current {
			w.check.fail("s%d: currentEpoch %d with accepted %d, current %d", n.id, pw.Epoch, n.accepted, n.current)
			return false
		}
		n.current = pw.Epoch
		if _, ok := n.session().(*LeaderSession); ok {
			w.check.epochAcked(n.id, pw.Epoch)
		}
	}
	w.tracef("s%d wrote %s=%d", n.id, pw.File, pw.Epoch)
	return true
}

// fireTimer hands a timer firing to the session that armed it.
func (w *simWorld) fireTimer(e *simEvent) {
	n := w.nodes[e.node]
	if !n.up || n.gen != e.gen || n.session() != e.sess {
		return
	}
	switch s := e.sess.(type) {
	case *LeaderSession:
		w.apply(n, s, s.Tick(e.timer))
	case *LearnerSession:
		w.apply(n, s, s.Tick(e.timer))
	}
}

// crash stops a server: its sessions vanish, its connections die. Most
// of the time the kernel resets them (the peers notice); sometimes the
// machine is gone and the peers must time out.
func (w *simWorld) crash(id int64) {
	n := w.nodes[id]
	if !n.up {
		return
	}
	w.tracef("s%d CRASHES", id)
	n.up = false
	n.gen++
	n.leader, n.learner = nil, nil
	delete(w.est, id)
	reset := w.rng.Float64() < 0.7
	for _, c := range w.sortedConns() {
		sc := w.conns[c]
		for side, owner := range []int64{sc.learner, sc.leader} {
			if owner == id && sc.open[side] {
				sc.open[side] = false
				if reset {
					w.notifyPeer(sc, side)
				}
			}
		}
	}
}

func (w *simWorld) restart(id int64) {
	n := w.nodes[id]
	if n.up {
		return
	}
	n.up = true
	if w.opts.forgetEpochs {
		n.accepted, n.current = 0, 0
	}
	w.tracef("s%d RESTARTS (accepted %d, current %d)", id, n.accepted, n.current)
	w.schedule(&simEvent{at: w.now + w.jitter(20*time.Millisecond), kind: evChoose, node: id})
}

// maybeAbandon lets the driver give a learner session up a little later:
// a new election, or an operator, moves the server on while its leader
// may still be counting it. It is what sends a learner to a second leader
// of an epoch it has just accepted from a first.
func (w *simWorld) maybeAbandon(n *simNode, s *LearnerSession) {
	if w.chance(w.opts.abandonProb) {
		w.schedule(&simEvent{at: w.now + w.jitter(30*time.Millisecond), kind: evAbandon, node: n.id, gen: n.gen, sess: s})
	}
}

func (w *simWorld) abandon(e *simEvent) {
	n := w.nodes[e.node]
	if !n.up || n.gen != e.gen || n.session() != e.sess {
		return
	}
	s := e.sess.(*LearnerSession)
	w.tracef("s%d abandons its session with s%d", n.id, s.cfg.LeaderID)
	w.apply(n, s, s.Stop())
}

// bestVoter is the voter with the greatest (currentEpoch on disk, sid).
func (w *simWorld) bestVoter(voters []int64) int64 {
	best := voters[0]
	for _, v := range voters[1:] {
		if c, b := w.nodes[v].current, w.nodes[best].current; c > b || (c == b && v > best) {
			best = v
		}
	}
	return best
}
