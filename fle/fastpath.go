package fle

import (
	"slices"

	"github.com/zkfle/zkfle/zk"
)

// Fast paths: deciding a LOOKING round without waiting out the finalize
// window, when waiting cannot change (or, for the reachable path, is not
// worth waiting for) the outcome. zkfle's own; ZooKeeper always waits.
// Config.DisableFastPaths turns both off.
//
// The finalize window exists for one reason: after a quorum agrees on our
// proposal P in round r, a better vote may still be on its way, and
// ZooKeeper gives it FinalizeWait to arrive. Both rules below look at the
// voters that could send one: fastVoters, every voter of the committed
// and the last-seen configuration whose weight in the committed
// configuration is positive. A voter of zero (or no) weight is left out:
// TotalOrderPredicate never lets a vote naming it beat P here, and any
// other vote it sends is another voter's (see below). Observers propose
// nobody and are not voters.
//
// Unanimity (PathUnanimity). When recvset holds, for every sid in
// fastVoters, a vote equal to P in round r, decide P at once. Why no
// better vote can exist in round r: a voter's vote in round r starts as
// its initial vote (its own sid, last zxid and epoch, at Start or when it
// joins round r, where it keeps the better of its initial vote and the
// round-r vote that brought it in) and afterwards changes only to a
// strictly better vote received in round r. So (1) every voter's round-r
// vote is at least its own initial vote, and (2) every round-r vote that
// exists anywhere is some voter's initial vote, copied. If every voter in
// fastVoters votes P, P is at least each of their initial votes by (1),
// so by (2) P is the maximum of every vote round r can ever carry: the
// window could only receive votes that are not better and would decide P
// too. (A better vote of a later round, from a voter that restarted with
// a newer log, is the race ZooKeeper has as well: had it arrived after
// the window, ZooKeeper would decide P. Deciding now is that schedule.)
//
// Reachable (PathReachable). After a leader dies, unanimity is impossible.
// Decide P at once when (a) the voters whose round-r vote is P form a
// quorum in every tracked configuration (the condition that opens the
// window), and (b) every voter of fastVoters without that vote is known
// unreachable: since this election's Start (or, for a link still down,
// shortly before it: startReachability) the driver reported that its
// connection closed (not by ZooKeeper's tie-break answering our own call:
// the peer then dials back, cnx/liveness.go) or that our dial to it was
// refused or failed (PeerUnreachable), and nothing has shown it reachable
// since (a new
// connection, PeerReachable, or a notification from it, Step). A voter
// that is merely silent (connected, but nothing arrived yet, or its
// messages were lost) is not unreachable: the round then waits out the
// window as in ZooKeeper. The facts describe the connection, not the
// round: they are not cleared when a newer round is joined (a peer whose
// dial failed in round r is still unreachable in round r+1 until a
// connection or a notification says otherwise), and a link still down at
// the next Start counts in that election too (startReachability); every
// other fact is cleared at Start.
//
// What the reachable path changes compared with ZooKeeper: only which
// leader may be chosen, and when. ZooKeeper would give an unreachable
// voter FinalizeWait to reconnect and deliver a better vote; zkfle does
// not wait for it. So (1) after a staggered start, a quorum of servers
// that started first elects the best among themselves at once, where
// ZooKeeper elects a better server that starts (and connects) within the
// window; (2) a voter with a better vote that is unreachable to us when
// the quorum forms (a crashed server restarting, a partitioned one) is
// not waited for, and leads only from a later election.
//
// Why safety is unchanged. A fast decision is a decision ZooKeeper's
// election makes under some schedule: the one where every notification
// that has not arrived by now arrives after the window closes (the network
// is asynchronous; the window bounds nothing). Both fast rules still
// require (a), a quorum voting P in round r, so every guarantee ZooKeeper
// has under all schedules holds:
//   - one established leader per epoch: that comes from Zab, not from the
//     election. A leader establishes its epoch only with a quorum of
//     followers acknowledging it, a follower acknowledges one leader's
//     epoch, and any two quorums share a voter;
//   - the leader's zxid is at least that of every member of the quorum
//     that elected it: each of them votes P in round r, and a voter's
//     vote is at least its own initial vote, so no member's (epoch,
//     zxid) exceeds P's. A committed transaction is on a quorum, which
//     shares a member with the electing quorum, so P has it.
//
// A voter V that is unreachable to us but alive and reachable to others
// may hold a better vote, and the others may adopt it and decide V while
// we decide P: two decisions for round r. ZooKeeper reaches the same state
// whenever V's vote reaches us after our window closes. It is safe for the
// reasons above: at most one of P and V gathers a quorum of followers for
// an epoch (the quorums intersect in a voter that follows one of them);
// the other times out in Zab's epoch agreement and its side looks again,
// now connected or with V's vote. And whichever of them establishes, its
// electing quorum's members all voted for it, so its zxid is at least
// theirs.

// mustHearFrom lists fastVoters: every voter of the committed or last-seen
// configuration that TotalOrderPredicate could let win here (positive
// weight in the committed configuration).
func (m *Machine) mustHearFrom() []int64 {
	var out []int64
	candidates := slices.Clone(m.voters())
	for _, sid := range candidates {
		if w, ok := m.committed.Weight(sid); ok && w > 0 {
			out = append(out, sid)
		}
	}
	return out
}

// FastPaths reports whether the fast paths are enabled.
func (m *Machine) FastPaths() bool { return m.fast }

// PeerUnreachable tells the machine that sid is unreachable: its
// connection closed, or a dial to it was refused or failed. It feeds the
// reachable fast path; the fact lasts until PeerReachable(sid), a
// notification from sid, or the next Start, which keeps it only when it is
// recent (startReachability; this call's Output arms LinkDownTimer if it
// is not pending). If the
// finalize window is open and sid was the last voter the reachable path
// waited for, the returned Output carries the decision. Reports about
// ourselves and about non-voters are ignored.
func (m *Machine) PeerUnreachable(sid int64) Output {
	var out Output
	if sid == m.id || !m.validVoter(sid) {
		return out
	}
	m.unreachable[sid] = struct{}{}
	if m.fast {
		m.linkDown[sid] = m.linkDownPeriod
		if m.timers.linkDown == 0 {
			m.arm(&out, LinkDownTimer, m.timing.LinkDownMemory)
		}
	}
	if m.running && m.state == zk.Looking && m.finalizing && m.recvIndex.hasAllQuorums(m.target()) {
		m.decideFast(&out)
	}
	return out
}

// PeerReachable tells the machine that sid is reachable again (a
// connection to it was established): it no longer counts as unreachable.
func (m *Machine) PeerReachable(sid int64) {
	delete(m.unreachable, sid)
	delete(m.linkDown, sid)
}

// startReachability sets a new election's reachability facts at Start:
// the last election's are forgotten (they must come from this one), but a
// voter whose link was reported down recently (since the last decision:
// while the role stood, or in an election that did not decide; its last
// report at most one to two Timing.LinkDownMemory ago: each LinkDownTimer
// firing ends one period, and a fact lives until the end of the period
// after the one of its last report) and not shown up since counts as
// unreachable at once. The report
// that ends a role usually arrives just before the next Start: a kill -9
// leader's connection closes, the follower's session ends on that same
// close, and the close's report reaches the election before it starts
// looking. Without this the reachable path would wait for the next redial
// to be refused (200 ms and more). A voter that comes back is dialled by
// the round's first notifications and shown reachable by the connection
// (PeerReachable) or by its notification, which ends the fact; if that
// happens only after a quorum decided, the outcome is one ZooKeeper has
// when that vote arrives after the window. The memory starts afresh at
// each decision and is short because a link that nobody tries says
// nothing about the peer: ZooKeeper redials only to send, so a link whose
// dial failed in an earlier election, or that a partition cut and that
// has healed since, stays down between two followers for as long as their
// role stands. Taking such a fact for a dead peer at the next Start made
// a node decide to lead while a better voter was up (nodesim's
// kill_leader and repeated_kills scripts, when this rule first ran in the
// simulator without either bound; the actors had kept it unbounded). With
// the fast paths off no fact is kept (PeerUnreachable): nothing reads them.
func (m *Machine) startReachability() {
	clear(m.unreachable)
	for sid := range m.linkDown {
		if m.validVoter(sid) {
			m.unreachable[sid] = struct{}{}
		}
	}
}

// Unreachable returns the voters currently known unreachable, ascending.
func (m *Machine) Unreachable() []int64 {
	var out []int64
	for _, sid := range m.voters() {
		if _, ok := m.unreachable[sid]; ok {
			out = append(out, sid)
		}
	}
	return out
}

// confirms reports whether n, arriving while the finalize window is open,
// is a LOOKING vote of the current round for exactly our proposal: with
// the fast paths on it is recorded (it may complete unanimity) instead of
// being dropped as not better.
func (m *Machine) confirms(n Notification) bool {
	p := m.proposal
	return m.fast && n.State == zk.Looking && n.ElectionEpoch == m.logicalClock &&
		n.Leader == p.Leader && n.Zxid == p.Zxid && n.PeerEpoch == p.PeerEpoch
}

// decideFast decides our proposal at once if a fast path allows it; the
// caller has checked that a quorum of this round's votes agrees with it.
// It reports whether it decided.
func (m *Machine) decideFast(out *Output) bool {
	if !m.fast {
		return false
	}
	p := m.proposal
	if p.Leader == m.id && m.nonCandidate {
		return false
	}
	path, ok := m.fastPath()
	if !ok {
		return false
	}
	m.decide(out, p.Leader, p.Zxid, m.logicalClock, p.PeerEpoch, m.joint.NewAckSet(), path)
	return true
}

// fastPath returns which fast rule holds for our proposal in this round:
// unanimity if every voter of fastVoters voted for it, reachable if every
// one that did not is known unreachable; ok=false if some voter may still
// send a vote we have not seen.
func (m *Machine) fastPath() (DecisionPath, bool) {
	k := keyOf(m.target())
	path := PathUnanimity
	for _, sid := range m.fastVoters {
		if v, ok := m.recvset[sid]; ok && keyOf(v) == k {
			continue
		}
		if _, ok := m.unreachable[sid]; !ok {
			return 0, false
		}
		path = PathReachable
	}
	return path, true
}
