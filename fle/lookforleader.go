package fle

import (
	"github.com/zkfle/zkfle/quorum"
	"github.com/zkfle/zkfle/zk"
)

// Start is lookForLeader's entry, called whenever the server becomes
// LOOKING: at boot, and again after the leader is lost. lastLoggedZxid is
// the last zxid in the local database (-1 for an untrusted empty one) and
// currentEpoch the accepted epoch from the currentEpoch file.
//
// It clears the round's vote maps, resets the notification timeout to its
// minimum, advances the logical clock (the clock carries over from earlier
// rounds, as with one FastLeaderElection object), proposes the initial vote
// (ourselves, or Long.MIN_VALUE fields for an observer or a server that
// does not stand for leader, see SetCandidate), sends it to every
// voter and arms the NotificationTimer. Until the first decision the
// current vote, which replies carry, is (myid, lastLoggedZxid,
// currentEpoch), as QuorumPeer.startLeaderElection sets it.
func (m *Machine) Start(lastLoggedZxid zk.Zxid, currentEpoch int64) Output {
	var out Output
	m.running = true
	m.state = zk.Looking
	m.lastLoggedZxid = lastLoggedZxid
	m.currentEpoch = currentEpoch
	if !m.decided {
		m.currentVote = Vote{Leader: m.id, Zxid: lastLoggedZxid, ElectionEpoch: -1, PeerEpoch: currentEpoch, State: zk.Looking}
	}
	m.clearVotes()
	m.outofelection = map[int64]Vote{}
	m.notTimeout = m.timing.MinNotificationInterval
	m.finalizing = false
	// Reachability facts belong to one election, except that a link
	// still down is down in this one too (fastpath.go).
	m.startReachability()
	clear(m.notLooking)
	m.cancel(&out, FinalizeTimer)

	m.logicalClock++
	m.proposal = m.initialVote()
	m.sendNotifications(&out)
	m.armNotification(&out)
	return out
}

// initialVote is the vote a round starts from: ownVote, or the
// non-participant vote (Long.MIN_VALUE fields, as an observer's) while
// the server does not stand for leader (SetCandidate, candidacy.go).
func (m *Machine) initialVote() Vote {
	if m.nonCandidate {
		return nonParticipantVote()
	}
	return m.ownVote()
}

// ownVote is (getInitId, getInitLastLoggedZxid, getPeerEpoch). Java
// decides the first by voting membership and the other two by learner
// type; for a configured server they agree.
func (m *Machine) ownVote() Vote {
	v := Vote{Leader: MinValue, Zxid: zk.Zxid(MinValue), ElectionEpoch: -1, PeerEpoch: MinValue, State: zk.Looking}
	if m.committed.IsVoter(m.id) {
		v.Leader = m.id
	}
	if !m.observer {
		v.Zxid = m.lastLoggedZxid
		v.PeerEpoch = m.currentEpoch
	}
	return v
}

// setProposal is updateProposal.
func (m *Machine) setProposal(leader int64, zxid zk.Zxid, peerEpoch int64) {
	m.proposal = Vote{Leader: leader, Zxid: zxid, ElectionEpoch: -1, PeerEpoch: peerEpoch, State: zk.Looking}
}

// better reports whether n's vote beats (leader, zxid, peerEpoch) of v.
func (m *Machine) better(n Notification, v Vote) bool {
	return TotalOrderPredicate(m.committed, n.Leader, n.Zxid, n.PeerEpoch, v.Leader, v.Zxid, v.PeerEpoch)
}

// receive is lookForLeader taking n from its queue, whether its poll or
// the finalize window's poll is the one waiting.
//
// While the finalize window is open, a notification that is not better
// than the proposal is dropped and leaves the window's deadline where it
// is: the window closes at most FinalizeWait after it opened. This differs
// from Java on purpose. Java's poll(finalizeWait) loop restarts its wait
// for every notification it consumes, so any peer (or anyone who can pass
// as one on the election port) that sends a not-better or repeated vote
// more often than finalizeWait holds the window open, and the election
// undecided, for as long as it keeps sending. Only a strictly better vote
// ends the window early; it is processed as in Java, and a fresh window
// (with a fresh deadline) opens if a quorum agrees again.
//
// With the fast paths on, one kind of not-better notification is not
// dropped: a LOOKING vote of the current round for exactly our proposal
// (confirms). It is recorded as outside the window, since it may complete
// the unanimity that decides at once (fastpath.go); the window's deadline
// stays where it is.
func (m *Machine) receive(out *Output, n Notification) {
	if n.State == zk.Following || n.State == zk.Leading {
		m.notLooking[n.From] = struct{}{}
	}
	if m.finalizing {
		if !m.better(n, m.proposal) {
			if !m.confirms(n) {
				m.answerWorse(out, n)
				out.drop(n.From, DropNotBetter)
				return
			}
		} else {
			// Java puts the better notification back and leaves the
			// window; the main loop takes it next.
			m.finalizing = false
			m.cancel(out, FinalizeTimer)
		}
	}
	proposal, round := m.proposal, m.logicalClock
	m.process(out, n)
	switch {
	case m.state != zk.Looking:
		// decided: decide cancelled the timers.
	case m.finalizing:
		// openFinalize armed the window when it opened; nothing here may
		// push that deadline back.
	case m.timers.notification == 0 || m.proposal != proposal || m.logicalClock != round:
		// The poll restarts when it was not waiting (the window just
		// closed) or when we just told everyone a new proposal or round.
		// Anything else leaves its deadline where it is, unlike Java
		// (whose poll restarts for every notification it takes): a peer
		// re-sending the same vote more often than notTimeout (a server
		// stranded by an acceptedEpoch above the leader's, restarting its
		// election every few hundred ms) would otherwise keep us from
		// ever re-sending or reconnecting, and a server cut off from the
		// leader's side by a healed partition stayed LOOKING for ever.
		m.armNotification(out)
	}
}

// process is one iteration of lookForLeader's loop for a notification.
func (m *Machine) process(out *Output, n Notification) {
	if !m.validVoter(n.From) || !m.validVoter(n.Leader) {
		out.drop(n.From, DropLeaderNotVoter)
		return
	}
	switch n.State {
	case zk.Looking:
		m.processLooking(out, n)
	case zk.Following, zk.Leading:
		// Without an oracle verifier LEADING is handled exactly like
		// FOLLOWING (receivedLeadingNotification's extra step needs one).
		m.receivedFollowing(out, n)
	default:
		out.drop(n.From, DropObserving)
	}
}

// processLooking is the LOOKING case of lookForLeader.
func (m *Machine) processLooking(out *Output, n Notification) {
	if m.ownVote().Zxid == -1 {
		out.drop(n.From, DropOwnZxidUnknown)
		return
	}
	if n.Zxid == -1 {
		out.drop(n.From, DropZxidUnknown)
		return
	}
	switch {
	case n.ElectionEpoch > m.logicalClock:
		// A newer round: join it, judging n against our initial vote, not
		// against whatever we proposed in the round we are leaving.
		m.logicalClock = n.ElectionEpoch
		m.clearVotes()
		if init := m.initialVote(); m.mayAdopt(n) && m.better(n, init) {
			m.setProposal(n.Leader, n.Zxid, n.PeerEpoch)
		} else {
			m.proposal = init
		}
		m.sendNotifications(out)
	case n.ElectionEpoch < m.logicalClock:
		out.drop(n.From, DropOldRound)
		return
	case m.mayAdopt(n) && m.better(n, m.proposal):
		m.setProposal(n.Leader, n.Zxid, n.PeerEpoch)
		m.sendNotifications(out)
	default:
		m.answerWorse(out, n)
	}
	// LOOKING votes are stored without version: it plays no part in
	// comparing them.
	m.record(n.From, Vote{Leader: n.Leader, Zxid: n.Zxid, ElectionEpoch: n.ElectionEpoch, PeerEpoch: n.PeerEpoch, State: zk.Looking})
	if m.recvIndex.hasAllQuorums(m.target()) {
		if m.decideFast(out) {
			return
		}
		m.openFinalize(out)
	}
}

// target is the vote a LOOKING quorum must agree on: our proposal in the
// current round.
func (m *Machine) target() Vote {
	t := m.proposal
	t.ElectionEpoch = m.logicalClock
	return t
}

// record stores sid's vote in recvset and keeps the index in step.
func (m *Machine) record(sid int64, v Vote) {
	old, had := m.recvset[sid]
	m.recvset[sid] = v
	m.recvIndex.move(sid, old, had, v)
}

// clearVotes empties recvset and its index (a new round).
func (m *Machine) clearVotes() {
	clear(m.recvset)
	m.recvIndex.reset()
	clear(m.answered)
}

// openFinalize opens the finalize window because a quorum agrees with our
// proposal. The decision comes when FinalizeTimer fires with nothing
// better arriving. Only the transition from closed to open arms the timer:
// an already open window keeps the deadline it was given when it opened
// (see receive).
func (m *Machine) openFinalize(out *Output) {
	if m.finalizing {
		return
	}
	m.finalizing = true
	m.cancel(out, NotificationTimer)
	m.armFinalize(out)
}

// receivedFollowing is receivedFollowingNotification, for a FOLLOWING or
// LEADING notification.
func (m *Machine) receivedFollowing(out *Output, n Notification) {
	target := Vote{Version: n.Version, Leader: n.Leader, Zxid: n.Zxid, ElectionEpoch: n.ElectionEpoch, PeerEpoch: n.PeerEpoch, State: n.State}
	if n.ElectionEpoch == m.logicalClock {
		// Same round (ZOOKEEPER-3537): recvset keeps the state but, as in
		// Java's five-argument Vote constructor, version 0, so against a
		// versioned target these entries match on the leader alone.
		m.record(n.From, Vote{Leader: n.Leader, Zxid: n.Zxid, ElectionEpoch: n.ElectionEpoch, PeerEpoch: n.PeerEpoch, State: n.State})
		t := trackVotes(m.joint, m.recvset, target)
		if t.HasAllQuorums() && m.checkLeader(m.recvset, n.Leader, n.ElectionEpoch) {
			m.decide(out, n.Leader, n.Zxid, n.ElectionEpoch, n.PeerEpoch, t, PathLeaderNotification)
			return
		}
	}
	// Any round: enough of the ensemble follows one leader that says it
	// leads, so join it (ZOOKEEPER-975, ZOOKEEPER-1732).
	m.outofelection[n.From] = target
	t := trackVotes(m.joint, m.outofelection, target)
	if t.HasAllQuorums() && m.checkLeader(m.outofelection, n.Leader, n.ElectionEpoch) {
		m.logicalClock = n.ElectionEpoch
		m.decide(out, n.Leader, n.Zxid, n.ElectionEpoch, n.PeerEpoch, t, PathLeaderNotification)
	}
}

// checkLeader guards against following a leader that crashed while others
// still name it: another server may be followed only if its own vote says
// LEADING; we may lead only if the votes were cast in our current round
// (ZOOKEEPER-1514).
func (m *Machine) checkLeader(votes map[int64]Vote, leader, electionEpoch int64) bool {
	if leader != m.id {
		v, ok := votes[leader]
		return ok && v.State == zk.Leading
	}
	return !m.nonCandidate && m.logicalClock == electionEpoch
}

// decide ends the election: we lead if the leader is us, else follow (or
// observe, for an observer). The decided vote becomes the current vote and
// every pending timer is cancelled. t is the ack set a leader keeps (only
// its verifiers matter, see quorum.AckSet.HasSid); path says which rule
// decided.
func (m *Machine) decide(out *Output, leader int64, zxid zk.Zxid, electionEpoch, peerEpoch int64, t *quorum.AckSet, path DecisionPath) {
	switch {
	case leader == m.id:
		m.state = zk.Leading
		m.leadingTracker = t
	case m.observer:
		m.state = zk.Observing
	default:
		m.state = zk.Following
	}
	m.decided = true
	m.finalizing = false
	m.currentVote = Vote{Leader: leader, Zxid: zxid, ElectionEpoch: electionEpoch, PeerEpoch: peerEpoch, State: zk.Looking}
	m.cancel(out, NotificationTimer)
	m.cancel(out, FinalizeTimer)
	// This election's link-down facts are not carried past it: the next
	// Start counts only links reported down while the role stands
	// (fastpath.go's startReachability).
	clear(m.linkDown)
	m.cancel(out, LinkDownTimer)
	out.Decision = &Decision{Leader: leader, Zxid: zxid, ElectionEpoch: electionEpoch, PeerEpoch: peerEpoch, State: m.state, Path: path}
}
