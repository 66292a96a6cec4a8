package zab

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/zkfle/zkfle/netbridge/quorumwire"
	"github.com/zkfle/zkfle/zk"
)

// learnerInfo takes a learner's first packet (LearnerHandler.run, up to
// getEpochToPropose).
func (l *LeaderSession) learnerInfo(out *Output, lc *learnerConn, p quorumwire.Packet) {
	if p.Type != quorumwire.FollowerInfo && p.Type != quorumwire.ObserverInfo {
		l.refuse(out, lc, &ClaimError{SID: -1, Type: p.Type, Err: fmt.Errorf("%w: got %s", ErrNotLearnerInfo, p)})
		return
	}
	li, err := quorumwire.DecodeLearnerInfo(p.Data)
	if err != nil {
		l.refuse(out, lc, &ClaimError{SID: -1, Type: p.Type, Err: fmt.Errorf("%w: %w", ErrNotLearnerInfo, err)})
		return
	}
	if cerr := l.checkClaim(p, li); cerr != nil {
		l.refuse(out, lc, cerr)
		return
	}
	if li.ConfigVersion > l.verifier.Version() {
		l.closeConn(out, lc.id, fmt.Sprintf("follower %d is ahead of the leader (has a later activated configuration, version %x > %x)",
			li.ServerID, li.ConfigVersion, l.verifier.Version()))
		return
	}
	if !li.Zkfle && !l.zkMode {
		l.closeConn(out, lc.id, fmt.Sprintf("server %d is an Apache ZooKeeper server: it cannot sync from a zkfle leader, "+
			"which holds no data; give the ZooKeeper servers the highest sids so that one of them leads (docs/INTEROP.md)", li.ServerID))
		out.Close[len(out.Close)-1].Warn = true
		return
	}
	l.replaceOlder(out, lc, li.ServerID)
	lc.sid, lc.known = li.ServerID, true
	lc.protocol = li.ProtocolVersion
	lc.infoZxid = p.Zxid
	lc.stage = stageAwaitEpoch
	if l.phase == phaseEpoch {
		l.proposeEpoch(out, lc.sid, zk.Zxid(p.Zxid).Epoch())
		return
	}
	l.sendEpoch(out, lc)
}

// replaceOlder closes every other connection of the server sid: a server
// has one learner session, and a new connection that got this far (its
// claim passed the leader's checks, and its source the driver's) is the
// server reconnecting, its old socket dead or half-open. A connection
// that fails the checks never gets here, so it cannot displace a live
// one.
func (l *LeaderSession) replaceOlder(out *Output, lc *learnerConn, sid int64) {
	for _, c := range sortedConns(l.conns) {
		if old := l.conns[c]; old != lc && old.known && old.sid == sid {
			l.closeConn(out, c, fmt.Sprintf("server %d reconnected: replaced by connection %d", sid, lc.id))
		}
	}
}

// proposeEpoch is Leader.getEpochToPropose while the epoch is open: every
// connecting server, observers included, lifts the proposal above its
// acceptedEpoch; participants count toward the quorum, which must include
// the leader.
func (l *LeaderSession) proposeEpoch(out *Output, sid, lastAccepted int64) {
	if lastAccepted >= l.epoch {
		l.epoch = lastAccepted + 1
	}
	if l.verifier.IsVoter(sid) {
		l.connecting[sid] = struct{}{}
	}
	if _, self := l.connecting[l.id]; self && l.verifier.ContainsQuorum(l.connecting) {
		l.epochDecided(out)
	}
}

// epochDecided: a quorum connected. The leader accepts the epoch itself
// (on disk before anything announces it), acknowledges it with its own
// state summary (Leader.lead's waitForEpochAck(myid, ...)), and every
// waiting handler sends LEADERINFO.
func (l *LeaderSession) epochDecided(out *Output) {
	l.phase = phaseEpochAck
	l.accepted = l.epoch
	out.Persist = append(out.Persist, EpochWrite{File: AcceptedEpochFile, Epoch: l.epoch})
	l.countEpochAck(l.id, l.summary)
	l.checkEpochAcks(out)
	for _, lc := range l.connsIn(stageAwaitEpoch) {
		if l.conns[lc.id] == lc && lc.stage == stageAwaitEpoch {
			l.sendEpoch(out, lc)
		}
	}
}

// sendEpoch sends LEADERINFO to a handler past getEpochToPropose. A
// pre-1.0 learner gets none: its FOLLOWERINFO zxid stands for its state
// summary, as LearnerHandler fakes the ack.
func (l *LeaderSession) sendEpoch(out *Output, lc *learnerConn) {
	if lc.protocol < quorumwire.ProtocolVersion {
		lc.stage = stageAwaitEpochQuorum
		l.epochAck(out, lc, quorumwire.EpochAck{CurrentEpoch: zk.Zxid(lc.infoZxid).Epoch(), LastZxid: lc.infoZxid})
		return
	}
	out.Send = append(out.Send, Send{Conn: lc.id, Packet: l.leaderInfo()})
	lc.stage = stageAwaitAckEpoch
	l.resume(out, lc)
}

// ackEpochPacket takes the answer to LEADERINFO.
func (l *LeaderSession) ackEpochPacket(out *Output, lc *learnerConn, p quorumwire.Packet) {
	ack, err := quorumwire.DecodeAckEpoch(p)
	if err != nil {
		l.closeConn(out, lc.id, fmt.Sprintf("%s is not a valid ACKEPOCH: %v", p, err))
		return
	}
	lc.stage = stageAwaitEpochQuorum
	l.epochAck(out, lc, ack)
}

// epochAck is Leader.waitForEpochAck for a learner.
func (l *LeaderSession) epochAck(out *Output, lc *learnerConn, ack quorumwire.EpochAck) {
	lc.lastZxid = ack.LastZxid
	if l.phase != phaseEpochAck {
		l.sync(out, lc) // electionFinished: go straight on
		return
	}
	if ack.CurrentEpoch != quorumwire.AlreadyAccepted && moreRecentThan(ack, l.summary) {
		l.closeConn(out, lc.id, fmt.Sprintf("follower %d is ahead of the leader, leader summary: %d (current epoch), %d (last zxid)",
			lc.sid, l.summary.CurrentEpoch, l.summary.LastZxid))
		return
	}
	l.countEpochAck(lc.sid, ack)
	l.checkEpochAcks(out)
}

// countEpochAck adds a participant's ack to electingFollowers. An ack of -1
// (the learner had accepted this epoch already) or from a server with no
// trusted zxid does not count.
func (l *LeaderSession) countEpochAck(sid int64, ack quorumwire.EpochAck) {
	if ack.CurrentEpoch != quorumwire.AlreadyAccepted && ack.LastZxid != -1 && l.verifier.IsVoter(sid) {
		l.electing[sid] = struct{}{}
	}
}

// checkEpochAcks finishes the epoch-ack phase once a quorum, the leader
// included, has acknowledged.
func (l *LeaderSession) checkEpochAcks(out *Output) {
	if _, self := l.electing[l.id]; self && l.verifier.ContainsQuorum(l.electing) {
		l.epochAcked(out)
	}
}

// epochAcked: the epoch is agreed (electionFinished). The leader makes it
// its current epoch on disk, acknowledges its own NEWLEADER, and every
// waiting handler synchronises its learner.
func (l *LeaderSession) epochAcked(out *Output) {
	l.phase = phaseNewLeader
	out.Persist = append(out.Persist, EpochWrite{File: CurrentEpochFile, Epoch: l.epoch})
	l.acked[l.id] = struct{}{}
	if l.joint.HasAllQuorums(l.acked) {
		l.establish(out)
	}
	for _, lc := range l.connsIn(stageAwaitEpochQuorum) {
		if l.conns[lc.id] == lc && lc.stage == stageAwaitEpochQuorum {
			l.sync(out, lc)
		}
	}
}

// sync is syncFollower with nothing to send: an empty DIFF at the learner's
// own last zxid, then NEWLEADER. From here the handler's sender runs, so
// the heartbeat pings it.
func (l *LeaderSession) sync(out *Output, lc *learnerConn) {
	var config []byte
	if lc.protocol >= quorumwire.ProtocolVersion {
		config = l.config(l.epoch)
	}
	out.Send = append(out.Send,
		Send{Conn: lc.id, Packet: quorumwire.NewDiffPacket(lc.lastZxid)},
		Send{Conn: lc.id, Packet: quorumwire.NewNewLeaderPacket(l.epoch, config)})
	lc.pinging = true
	lc.stage = stageAwaitNewLeaderAck
	l.resume(out, lc)
}

// newLeaderAckPacket takes the learner's ACK of NEWLEADER
// (Leader.waitForNewLeaderAck).
func (l *LeaderSession) newLeaderAckPacket(out *Output, lc *learnerConn, p quorumwire.Packet) {
	if p.Type != quorumwire.Ack {
		l.closeConn(out, lc.id, fmt.Sprintf("next packet was supposed to be an ACK, but received packet: %s", p))
		return
	}
	lc.stage = stageAwaitStartup
	if l.phase == phaseEstablished {
		l.upToDate(out, lc)
		return
	}
	if p.Zxid != firstZxid(l.epoch) {
		// "NEWLEADER ACK from sid is from a different epoch": not counted;
		// the handler still waits for the leader to start.
		return
	}
	l.acked[lc.sid] = struct{}{}
	if l.joint.HasAllQuorums(l.acked) {
		l.establish(out)
	}
}

// establish: a quorum acknowledged NEWLEADER. The leader serves, reports
// LEADING with its epoch, sends UPTODATE to every learner that acked, and
// starts the heartbeat.
func (l *LeaderSession) establish(out *Output) {
	l.phase = phaseEstablished
	out.Established = &Established{Epoch: l.epoch, Leader: l.id, Role: zk.Leading}
	l.tickSkip = true
	l.timers.arm(out, HeartbeatTimer, 0, l.timing.pingInterval())
	for _, lc := range l.connsIn(stageAwaitStartup) {
		if l.conns[lc.id] == lc && lc.stage == stageAwaitStartup {
			l.upToDate(out, lc)
		}
	}
}

// upToDate releases a handler into its main loop.
func (l *LeaderSession) upToDate(out *Output, lc *learnerConn) {
	out.Send = append(out.Send, Send{Conn: lc.id, Packet: quorumwire.NewUpToDatePacket()})
	lc.stage = stageRunning
	l.resume(out, lc)
}

// phaseTimedOut: a discovery phase did not complete within initLimit ×
// tickTime; the leader steps down (Leader.lead's exceptions).
func (l *LeaderSession) phaseTimedOut(out *Output) {
	switch l.phase {
	case phaseEpoch:
		l.end(out, ReasonEpochTimeout, "Timeout while waiting for epoch from quorum")
	case phaseEpochAck:
		l.end(out, ReasonEpochAckTimeout, "Timeout while waiting for epoch to be acked by quorum")
	case phaseNewLeader:
		l.end(out, ReasonNewLeaderAckTimeout, "Waiting for a quorum of followers, only synced with sids: [ "+sidList(l.acked)+" ]")
	}
}

// settlePhaseTimer keeps exactly one PhaseTimer armed per discovery phase
// the leader waits in, and none once established.
func (l *LeaderSession) settlePhaseTimer(out *Output) {
	waiting := l.phase == phaseEpoch || l.phase == phaseEpochAck || l.phase == phaseNewLeader
	switch {
	case l.phase == phaseEnded:
	case waiting && l.timedPhase != l.phase:
		l.timers.arm(out, PhaseTimer, 0, l.timing.initTimeout())
		l.timedPhase = l.phase
	case !waiting && l.timedPhase != phaseIdle:
		l.timers.cancel(out, PhaseTimer, 0)
		l.timedPhase = phaseIdle
	}
}

// sidList prints a sid set in ascending order, comma-separated.
func sidList(set map[int64]struct{}) string {
	ids := make([]int64, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// leaderInfo is the LEADERINFO to send: marked as zkfle's unless the
// session plays a ZooKeeper leader.
func (l *LeaderSession) leaderInfo() quorumwire.Packet {
	if l.zkMode {
		return quorumwire.NewLeaderInfoPacket(l.epoch)
	}
	return quorumwire.NewZkfleLeaderInfoPacket(l.epoch)
}
