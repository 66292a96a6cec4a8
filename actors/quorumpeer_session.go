package actors

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/quorumpeer"
	"github.com/zkfle/zkfle/zk"
)

// The QuorumPeer's main loop: LOOKING (the Election runs) -> a Decision
// spawns a Leader or Follower -> SessionEstablished makes the role visible
// -> SessionEnded (or the session actor's death) goes back to LOOKING and
// starts a new round. The rules (when to look, back off, report, stand
// for leader) are quorumpeer.Peer's; this file carries out its outputs:
// spawning and stopping sessions, messages to the Election, reports to
// the root, timers and logs.

// loop returns the QuorumPeer's rule core, building it on first use (the
// runtime is complete by then: tests replace its epoch store after
// newRuntimeStates). A disk fault found by the probe at start
// (Node.Start) is its first input.
func (q *quorumPeer) loop() *quorumpeer.Peer {
	if q.st.core != nil {
		return q.st.core
	}
	core, err := quorumpeer.New(quorumpeer.Config{
		ID:            q.rt.cfg.ID,
		Epochs:        runtimeEpochs{q.rt},
		LastZxid:      q.rt.cfg.LastZxid,
		ProbeInterval: q.rt.probeInterval(),
		BackoffCap:    quorumpeer.BackoffCapFor(q.rt.cfg.InitLimit, q.rt.cfg.TickTime),
	})
	if err != nil {
		panic("quorumpeer.New: " + err.Error()) // a non-nil store and a positive interval: a bug
	}
	q.st.core = core
	if q.rt.disk.faulted() {
		core.DiskFailed() // nothing to carry out yet: Start arms the probe
	}
	return core
}

// runtimeEpochs reads the runtime's epoch store at each call.
type runtimeEpochs struct{ rt *runtime }

// Current implements quorumpeer.Epochs.
func (e runtimeEpochs) Current() int64 { return e.rt.epochs.Current() }

// fleDecision converts the Election's decision for the core.
func fleDecision(d *messages.Decision) fle.Decision {
	return fle.Decision{Leader: d.GetLeader(), Zxid: zk.Zxid(d.GetZxid()), ElectionEpoch: d.GetElectionEpoch(),
		PeerEpoch: d.GetPeerEpoch(), State: d.GetState().Zk()}
}

// apply carries out one output of the core, in the order quorumpeer.Output
// documents.
func (q *quorumPeer) apply(ctx actor.Context, out quorumpeer.Output) {
	if e := out.Ended; e != nil {
		q.rt.log.Warn("leaving role; looking for a leader", "state", e.State.String(),
			"reason", e.Reason, "detail", e.Detail)
	}
	if out.StopSession && q.st.session != nil {
		ctx.Stop(q.st.session)
		q.st.session = nil
	}
	if r := out.Report; r != nil {
		q.reportRole(ctx, r)
	}
	if out.UpdateVote != nil {
		// Servers that join later must see this leader with the new epoch.
		ctx.Send(q.rt.dir.election.get(), &messages.UpdateElectionVote{PeerEpoch: *out.UpdateVote})
	}
	if out.PauseElection {
		ctx.Send(q.rt.dir.election.get(), &pauseElection{})
	}
	if s := out.StartLooking; s != nil {
		ctx.Send(q.rt.dir.election.get(), &startLooking{candidate: s.Candidate, msg: &messages.StartLooking{
			Reason:       messages.LookingReason(s.Reason),
			LastZxid:     int64(s.LastZxid),
			CurrentEpoch: s.CurrentEpoch,
		}})
	}
	if d := out.StartSession; d != nil {
		q.spawnSession(ctx, d)
	}
	if b := out.Backoff; b != nil {
		q.rt.log.Info("session failed; waiting before looking again", "delay", b.Delay.String(), "failures", b.Failures)
		q.armBackoff(ctx, b)
	}
	if out.AskStatus {
		ctx.Request(q.rt.dir.election.get(), &messages.StatusRequest{})
	}
	if p := out.ArmProbe; p != nil {
		q.armDiskProbe(ctx, p)
	}
	if out.RunProbe {
		q.runProbe(ctx)
	}
	if d := out.Disk; d != nil && !*d {
		q.rt.disk.clear()
		q.rt.log.Info("epoch files writable again; standing for leader", "dataDir", q.rt.cfg.DataDir)
	}
}

// startLooking is the core's StartLooking for the Election: the candidacy
// goes with the round it applies to (fle.Machine.SetCandidate, then
// Start).
type startLooking struct {
	msg       *messages.StartLooking
	candidate bool
}

// spawnSession starts the Leader or Follower a decision calls for.
func (q *quorumPeer) spawnSession(ctx actor.Context, fd *fle.Decision) {
	d := &messages.Decision{Sid: q.rt.cfg.ID, Leader: fd.Leader, Zxid: int64(fd.Zxid), ElectionEpoch: fd.ElectionEpoch,
		PeerEpoch: fd.PeerEpoch, State: messages.ServerStateOf(fd.State)}
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

// reportRole logs and publishes a change of the reported state.
func (q *quorumPeer) reportRole(ctx actor.Context, r *quorumpeer.RoleChange) {
	state := messages.ServerStateOf(r.New)
	switch {
	case r.New == zk.Looking:
	case r.ElectionOnly:
		q.rt.log.Warn("following a ZooKeeper leader in the election only: zkfle neither syncs from it nor counts in its quorum",
			"state", state.String(), "leader", r.Leader, "epoch", r.PeerEpoch)
	default:
		q.rt.log.Info("session established", "state", state.String(), "leader", r.Leader, "epoch", r.PeerEpoch)
	}
	q.report(ctx, r.Why, &messages.StateChanged{
		Sid:           q.rt.cfg.ID,
		OldState:      messages.ServerStateOf(r.Old),
		NewState:      state,
		Leader:        r.Leader,
		Zxid:          int64(r.Zxid),
		ElectionEpoch: r.ElectionEpoch,
		PeerEpoch:     r.PeerEpoch,
	})
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
// stopped before reporting); an old session's is expected; the Election's
// (known by its PID) is the Election giving up.
func (q *quorumPeer) childStopped(ctx actor.Context, m *actor.Terminated) {
	who := m.GetWho()
	if q.current(who) {
		if !q.leaving {
			q.st.session = nil
			q.apply(ctx, q.loop().SessionEnded("session actor stopped", who.GetId(), q.now()))
		}
		return
	}
	if !who.Equal(q.rt.dir.election.get()) {
		return // an earlier session's end, already handled
	}
	supervisedChildLost(q.leaving, KindQuorumPeer, m)
}

// report publishes a role change through the root, and traces it.
func (q *quorumPeer) report(ctx actor.Context, why string, sc *messages.StateChanged) {
	traceRole(q.rt, sc, why)
	ctx.Send(q.rt.dir.root, sc)
}
