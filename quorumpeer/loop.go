package quorumpeer

import (
	"fmt"
	"time"

	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/zk"
)

// Start is the loop's start, the first time or after the driver was
// restarted (timers it armed may be lost with it; the back-off's and the
// probe's are matched by generation, so a late firing is harmless). The
// first start looks. A restart with a session running ends it (the
// session died with the driver's incarnation). Otherwise the loop may have
// lost the StartLooking (the machine never ran) or the election's
// Decision (it decided while no session runs): it asks (AskStatus) and
// ElectionStatus decides.
func (p *Peer) Start(now time.Duration) Output {
	var out Output
	p.statusAsked = false
	p.probeArmed = false
	p.armProbe(&out)
	switch {
	case !p.started:
		p.startLooking(&out, Startup)
	case p.decision != nil:
		p.sessionOver(&out, now, "quorum peer restarted", "the session ended with the failed QuorumPeer")
	default:
		p.statusAsked = true
		out.AskStatus = true
	}
	return out
}

// ElectionStatus is the election's answer to AskStatus: its logical clock
// and state. An answer nobody awaits (a decision came first and moved the
// loop on) is ignored. A machine that never ran (clock 0) starts its first
// round; one that decided while no session runs looks again, rather than
// wait for ever for a Decision that died.
func (p *Peer) ElectionStatus(logicalClock int64, state zk.ServerState) Output {
	var out Output
	if !p.statusAsked {
		return out
	}
	p.statusAsked = false
	switch {
	case logicalClock == 0:
		p.startLooking(&out, Startup)
	case state != zk.Looking && p.decision == nil:
		p.startLooking(&out, LeaderLost)
	}
	return out
}

// Decided is the election's decision: start its session. The reported
// state stays Looking until the session is established. A session still
// running (not expected: the election decides only after a StartLooking,
// which follows the end of a session) is stopped first, and its role, if
// visible, ends: never two sessions, never the old role over the new one.
func (p *Peer) Decided(d fle.Decision) Output {
	var out Output
	p.statusAsked = false
	if p.decision != nil {
		p.leaveRole(&out, "a new decision replaced the session")
	}
	p.decision = &d
	out.StartSession = &d
	return out
}

// Established is the running session's establishment: it agreed on epoch
// with a quorum (or, electionOnly, it follows a ZooKeeper leader in the
// election only). The role becomes visible and the election's vote takes
// the epoch. Without a running session it is ignored (the driver also
// drops reports of sessions it has let go).
func (p *Peer) Established(role zk.ServerState, leader, epoch int64, electionOnly bool, now time.Duration) Output {
	var out Output
	d := p.decision
	if d == nil {
		return out
	}
	old := p.state
	p.state = role
	p.epoch, p.established, p.electionOnly = epoch, true, electionOnly
	p.establishedAt = now
	p.vote = fle.Vote{Leader: d.Leader, Zxid: d.Zxid, ElectionEpoch: d.ElectionEpoch, PeerEpoch: epoch, State: role}
	out.UpdateVote = &epoch
	out.Report = &RoleChange{
		Old:           old,
		New:           role,
		Leader:        leader,
		Zxid:          p.establishedZxid(d, epoch),
		ElectionEpoch: d.ElectionEpoch,
		PeerEpoch:     epoch,
		ElectionOnly:  electionOnly,
		Why:           "session established",
	}
	return out
}

// SessionEnded is the running session's end (it reported its end, or its
// actor died). Without a running session it is ignored.
func (p *Peer) SessionEnded(reason, detail string, now time.Duration) Output {
	var out Output
	if p.decision == nil {
		return out
	}
	p.sessionOver(&out, now, reason, detail)
	return out
}

// VoterLookingInNewerRound is the election's news that a voter looks in a
// round newer than ours. It ends only a session that follows a ZooKeeper
// leader election-only: that leader is gone for the voter, and zkfle
// cannot watch it on the quorum port. If the leader is fine, the others
// answer with it and the server rejoins at once.
func (p *Peer) VoterLookingInNewerRound(sid int64, now time.Duration) Output {
	var out Output
	if !p.electionOnly {
		return out
	}
	p.sessionOver(&out, now, "a voter is looking in a newer round", fmt.Sprintf("server %d", sid))
	return out
}

// startLooking starts a round: our vote carries our last zxid and
// currentEpoch, as QuorumPeer.start does.
func (p *Peer) startLooking(out *Output, reason Reason) {
	epoch := p.cfg.Epochs.Current()
	zxid := p.lastZxid(epoch)
	p.started = true
	p.retryPending = false
	p.armProbe(out)
	p.vote = fle.Vote{Leader: p.cfg.ID, Zxid: zxid, ElectionEpoch: -1, PeerEpoch: epoch, State: zk.Looking}
	out.StartLooking = &StartLooking{Reason: reason, LastZxid: zxid, CurrentEpoch: epoch, Candidate: !p.faulted}
}

// sessionOver stops the session, reports Looking if a role was visible,
// and starts a new round: at once after a session that had been
// established for StableAfter, else after a back-off.
func (p *Peer) sessionOver(out *Output, now time.Duration, reason, detail string) {
	stable := p.established && now-p.establishedAt >= StableAfter
	out.Ended = &Ended{State: p.state, Reason: reason, Detail: detail, Stable: stable}
	p.leaveRole(out, reason)
	p.retryLater(out, stable)
}

// leaveRole stops the session, if any, and reports Looking if a role was
// visible.
func (p *Peer) leaveRole(out *Output, why string) {
	d := p.decision
	if d != nil {
		out.StopSession = true
	}
	p.decision = nil
	if p.state == zk.Looking {
		return
	}
	old := p.state
	p.state = zk.Looking
	p.established, p.epoch, p.electionOnly = false, 0, false
	epoch := p.cfg.Epochs.Current()
	var round int64
	if d != nil {
		round = d.ElectionEpoch
	}
	out.Report = &RoleChange{
		Old:           old,
		New:           zk.Looking,
		Leader:        p.cfg.ID,
		Zxid:          p.lastZxid(epoch),
		ElectionEpoch: round,
		PeerEpoch:     epoch,
		Why:           why,
	}
}
