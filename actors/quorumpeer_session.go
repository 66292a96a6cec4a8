package actors

import (
	"strings"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/messages"
)

// The QuorumPeer's main loop, as messages: LOOKING (the Election runs) ->
// a Decision spawns a Leader or Follower -> SessionEstablished makes the
// role visible -> SessionEnded (or the session actor's death) goes back to
// LOOKING and starts a new round. The reported state changes only at
// establishment and at the end of an established session.

// startLooking starts an election round. Our vote carries our last zxid
// and currentEpoch, as QuorumPeer.start does.
func (q *quorumPeer) startLooking(ctx actor.Context, reason messages.LookingReason) {
	epoch := q.rt.epochs.Current()
	zxid := q.lastZxid(epoch)
	q.st.started = true
	q.st.retryPending = false
	q.armDiskProbe(ctx)
	q.st.vote = &messages.Vote{Leader: q.rt.cfg.ID, Zxid: zxid, ElectionEpoch: -1, PeerEpoch: epoch}
	ctx.Send(q.rt.dir.election.get(), &messages.StartLooking{
		Reason:       reason,
		LastZxid:     zxid,
		CurrentEpoch: epoch,
	})
}

// lastZxid is the replica's last zxid: the embedding program's, or the
// first zxid of our epoch (zkfle stores no transactions).
func (q *quorumPeer) lastZxid(epoch int64) int64 {
	if q.rt.cfg.LastZxid != nil {
		return q.rt.cfg.LastZxid()
	}
	return epoch << 32
}

// establishedZxid is the zxid a role reports: the embedding program's data
// decide it (the decided leader's zxid); otherwise, as for a ZooKeeper
// leader that has just proposed NEWLEADER, the first zxid of the epoch.
func (q *quorumPeer) establishedZxid(d *messages.Decision, epoch int64) int64 {
	if q.rt.cfg.LastZxid != nil {
		return d.GetZxid()
	}
	return epoch << 32
}

// decided starts the session the decision calls for. The reported state
// stays LOOKING until the session is established.
func (q *quorumPeer) decided(ctx actor.Context, d *messages.Decision) {
	if q.st.session != nil {
		// Not expected (the Election decides only after StartLooking,
		// which follows the end of a session), but never run two, and
		// never report the old role over the new session.
		q.leaveRole(ctx, "a new decision replaced the session")
	}
	q.st.decision = d
	var props *actor.Props
	switch {
	case q.rt.sessionProps != nil:
		props = q.rt.sessionProps(d)
	case d.GetState() == messages.ServerState_LEADING:
		props = newLeaderProps(q.rt)
	default:
		props = newFollowerProps(q.rt, d.GetLeader(), d.GetState() == messages.ServerState_OBSERVING)
	}
	pid, err := ctx.SpawnNamed(props, q.rt.dir.session.nextName(nameSession))
	if err != nil {
		panic("spawn session: " + err.Error()) // a name clash is a bug
	}
	q.rt.dir.session.set(pid)
	q.st.session = pid
}

// established makes the role visible: the session agreed on an epoch with
// a quorum.
func (q *quorumPeer) established(ctx actor.Context, m *messages.SessionEstablished) {
	if !q.current(ctx.Sender()) || q.st.decision == nil {
		return
	}
	d := q.st.decision
	old := q.st.state
	q.st.state = m.GetRole()
	q.st.epoch, q.st.established = m.GetEpoch(), true
	q.st.establishedAt = q.now()
	q.st.electionOnly = m.GetElectionOnly()
	q.st.vote = &messages.Vote{Leader: d.GetLeader(), Zxid: d.GetZxid(),
		ElectionEpoch: d.GetElectionEpoch(), PeerEpoch: m.GetEpoch()}
	// Servers that join later must see this leader with the new epoch.
	ctx.Send(q.rt.dir.election.get(), &messages.UpdateElectionVote{PeerEpoch: m.GetEpoch()})
	if m.GetElectionOnly() {
		q.rt.log.Warn("following a ZooKeeper leader in the election only: zkfle neither syncs from it nor counts in its quorum",
			"state", m.GetRole().String(), "leader", m.GetLeader(), "epoch", m.GetEpoch())
	} else {
		q.rt.log.Info("session established", "state", m.GetRole().String(), "leader", m.GetLeader(), "epoch", m.GetEpoch())
	}
	q.report(ctx, "session established", &messages.StateChanged{
		Sid:           q.rt.cfg.ID,
		OldState:      old,
		NewState:      q.st.state,
		Leader:        m.GetLeader(),
		Zxid:          q.establishedZxid(d, m.GetEpoch()),
		ElectionEpoch: d.GetElectionEpoch(),
		PeerEpoch:     m.GetEpoch(),
	})
}

// sessionOver stops the session, reports LOOKING if a role was visible,
// and starts a new election round: at once after a session that had been
// established for a while, else after a back-off (session_backoff.go).
func (q *quorumPeer) sessionOver(ctx actor.Context, reason, detail string) {
	q.rt.log.Warn("leaving role; looking for a leader", "state", q.st.state.String(), "reason", reason, "detail", detail)
	stable := q.st.established && q.now().Sub(q.st.establishedAt) >= sessionStableAfter
	q.leaveRole(ctx, reason)
	q.retryLater(ctx, stable)
}

// leaveRole stops the session, if any, and reports LOOKING if a role was
// visible.
func (q *quorumPeer) leaveRole(ctx actor.Context, reason string) {
	if q.st.session != nil {
		ctx.Stop(q.st.session)
		q.st.session = nil
	}
	d := q.st.decision
	q.st.decision = nil
	if q.st.state != messages.ServerState_LOOKING {
		old := q.st.state
		q.st.state = messages.ServerState_LOOKING
		q.st.established, q.st.epoch, q.st.electionOnly = false, 0, false
		epoch := q.rt.epochs.Current()
		q.report(ctx, reason, &messages.StateChanged{
			Sid:           q.rt.cfg.ID,
			OldState:      old,
			NewState:      messages.ServerState_LOOKING,
			Leader:        q.rt.cfg.ID,
			Zxid:          q.lastZxid(epoch),
			ElectionEpoch: d.GetElectionEpoch(),
			PeerEpoch:     epoch,
		})
	}
}

// drivesSession reports whether msg moves the QuorumPeer's loop (a
// decision, a session's report, a watch signal, the restart check).
func drivesSession(msg any) bool {
	switch msg.(type) {
	case *messages.Decision, *messages.SessionEstablished, *messages.SessionEnded,
		*messages.VoterLookingInNewerRound, *messages.ElectionStatus,
		*lookAgain, *diskProbeDue, *diskProbed:
		return true
	}
	return false
}

// current reports whether pid is the running session.
func (q *quorumPeer) current(pid *actor.PID) bool {
	return pid != nil && q.st.session != nil && q.st.session.Equal(pid)
}

// childStopped handles a child's Terminated: the running session's death
// ends the session (its supervisor stopped it after a failure, or it
// stopped before reporting); an old session's is expected; anything else
// is the Election giving up.
func (q *quorumPeer) childStopped(ctx actor.Context, m *actor.Terminated) {
	who := m.GetWho()
	if q.current(who) {
		if !q.leaving {
			q.st.session = nil
			q.sessionOver(ctx, "session actor stopped", who.GetId())
		}
		return
	}
	if isSessionChild(who) {
		return
	}
	supervisedChildLost(q.leaving, KindQuorumPeer, m)
}

// isSessionChild reports whether pid names a Leader or Follower.
func isSessionChild(pid *actor.PID) bool {
	id := pid.GetId()
	return strings.Contains(id[strings.LastIndex(id, "/")+1:], nameSession)
}

// sessionOrWorkers supervises the QuorumPeer's children: sessions with one
// strategy, the Election with another.
type sessionOrWorkers struct {
	session, workers actor.SupervisorStrategy
}

// HandleFailure implements actor.SupervisorStrategy.
func (s sessionOrWorkers) HandleFailure(system *actor.ActorSystem, supervisor actor.Supervisor, child *actor.PID,
	rs *actor.RestartStatistics, reason interface{}, message interface{}) {
	if isSessionChild(child) {
		s.session.HandleFailure(system, supervisor, child, rs, reason, message)
		return
	}
	s.workers.HandleFailure(system, supervisor, child, rs, reason, message)
}

// report publishes a role change through the root, and traces it.
func (q *quorumPeer) report(ctx actor.Context, why string, sc *messages.StateChanged) {
	traceRole(q.rt, sc, why)
	ctx.Send(q.rt.dir.root, sc)
}
