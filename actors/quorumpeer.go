package actors

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/messages"
)

// Restart limits for the workers of the election side. Each is restarted at
// once (its state lives outside the actor, so a restart loses at most the
// message that failed); a worker that fails more than this many times
// within the window is stopped, and its parent escalates (see
// supervisedChildLost) so the node's root decides.
const (
	workerMaxRestarts   = 10
	workerRestartWindow = 10 * time.Second
)

// restartWorkers is the strategy QuorumPeer and Messenger use for their
// children: one-for-one, because siblings share nothing but PIDs, which a
// restart keeps.
func restartWorkers() actor.SupervisorStrategy {
	return actor.NewOneForOneStrategy(workerMaxRestarts, workerRestartWindow,
		func(any) actor.Directive { return actor.RestartDirective })
}

// quorumPeerState is the QuorumPeer's state across its restarts: the
// reported state and the vote it stands by, whether the first election
// has been started (a restarted QuorumPeer must not start another round
// in the middle of one), and the decision whose session is running.
type quorumPeerState struct {
	started bool
	// state is the reported state: LOOKING until a session is
	// established, then the role, until the session ends.
	state messages.ServerState
	// vote is the current vote: the initial one until the first decision,
	// then the decided one.
	vote *messages.Vote
	// lookingSids counts LookingSidReported reports (Leader.reportLookingSid).
	lookingSids uint64
	// decision is the election's last decision while its session runs
	// (nil while looking).
	decision *messages.Decision
	// session is the running Leader or Follower, nil while looking.
	session *actor.PID
	// epoch is the established epoch while established, else 0 with
	// established false.
	epoch       int64
	established bool
	// electionOnly is set while following a ZooKeeper leader, which the
	// quorum port cannot watch (SessionEstablished.election_only).
	electionOnly bool
	// establishedAt is when the running session was established.
	establishedAt time.Time
	// failures counts sessions in a row that ended before they had been
	// established for sessionStableAfter (session_backoff.go).
	failures int
	// retryPending is set while a back-off delays the next round;
	// retryGen identifies its timer.
	retryPending bool
	retryGen     uint64
	// probeArmed is set while a disk probe timer is pending; probeGen
	// identifies it (diskfault.go).
	probeArmed bool
	probeGen   uint64
}

func newQuorumPeerState() *quorumPeerState {
	return &quorumPeerState{state: messages.ServerState_LOOKING}
}

// newRuntimeStates builds the restart-surviving state of the election side
// of one node's tree. It fails when the election machine rejects cfg.
func newRuntimeStates(cfg Config) (*electionState, *quorumPeerState, *recvState, error) {
	el, err := newElectionState(cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	recv, err := newRecvState(cfg.RecvQueueCapacity)
	if err != nil {
		return nil, nil, nil, err
	}
	return el, newQuorumPeerState(), recv, nil
}

// quorumPeer is the QuorumPeer actor: it owns the peer's state (LOOKING,
// FOLLOWING, LEADING, OBSERVING), starts elections through its Election
// child and reports every state change to the node's root.
type quorumPeer struct {
	rt       *runtime
	st       *quorumPeerState
	guard    *incarnationGuard
	children []childSpec
	// leaving is set once this incarnation is stopping or restarting, when
	// its children's Terminated messages are expected.
	leaving bool
	// statusAsked is set while the restart check's ElectionStatus is
	// awaited; a Decision in between makes the answer stale.
	statusAsked bool
}

// newQuorumPeerProps builds the QuorumPeer's props for the root to spawn.
// The Election is spawned inside the QuorumPeer's own Spawn, so it is
// ready for status requests when the root's SpawnNamed returns.
func newQuorumPeerProps(rt *runtime) *actor.Props {
	guard := &incarnationGuard{}
	children := []childSpec{
		// Election: restarted one-for-one (restartWorkers). Its machine,
		// timers and counters live in electionState, so a restart keeps
		// the round; only the notification being handled is lost, and
		// peers re-send on their notification timeout.
		{nameElection, func() *actor.Props { return newElectionProps(rt) }, rt.dir.election},
	}
	return rt.props(KindQuorumPeer, func() actor.Actor {
		return &quorumPeer{rt: rt, st: rt.quorumPeer, guard: guard, children: children}
	},
		// The Election restarts in place (restartWorkers); a Leader or
		// Follower that fails is stopped instead: its sockets and
		// half-agreed epoch cannot be resumed, and the QuorumPeer then
		// goes back to LOOKING, as ZooKeeper does when lead() or
		// followLeader() throws.
		actor.WithSupervisor(sessionOrWorkers{session: stopChildren(), workers: restartWorkers()}),
		withChildren(KindQuorumPeer, children))
}

// Receive handles one message.
func (q *quorumPeer) Receive(ctx actor.Context) {
	if q.leaving && drivesSession(ctx.Message()) {
		// protoactor still delivers user messages while a stopping actor
		// waits for its children; a session spawned now would never be
		// stopped, and a role reported now would be false. A restarted
		// QuorumPeer asks the Election where it stands instead.
		return
	}
	switch m := ctx.Message().(type) {
	case *actor.Started:
		if q.guard.stopped.Load() {
			return // a zombie incarnation (protoactor.md §2.7): start nothing
		}
		spawnChildren(ctx, KindQuorumPeer, q.children)
		// A probe timer of an earlier incarnation may have died with it.
		q.st.probeArmed = false
		q.armDiskProbe(ctx)
		switch {
		case !q.st.started:
			q.startLooking(ctx, messages.LookingReason_STARTUP)
		case q.st.decision != nil:
			// A previous incarnation failed with a session running: the
			// session died with it.
			q.sessionOver(ctx, "quorum peer restarted", "the session ended with the failed QuorumPeer")
		default:
			// Looking, as far as we know; but the message that failed
			// may have been the Election's Decision. Ask it.
			q.statusAsked = true
			ctx.Request(q.rt.dir.election.get(), &messages.StatusRequest{})
		}
	case *actor.Stopping, *actor.Restarting:
		q.leaving = true
	case *actor.Stopped:
		q.guard.stopped.Store(true)
	case *actor.Terminated:
		q.childStopped(ctx, m)
	case *messages.Decision:
		q.statusAsked = false
		q.decided(ctx, m)
	case *messages.SessionEstablished:
		q.established(ctx, m)
	case *messages.SessionEnded:
		if q.current(ctx.Sender()) {
			q.sessionOver(ctx, m.GetReason(), m.GetDetail())
		}
	case *messages.VoterLookingInNewerRound:
		if q.st.electionOnly {
			// Our ZooKeeper leader is gone for that voter; look again.
			// If the leader is fine, the others answer with it and we
			// rejoin at once.
			q.sessionOver(ctx, "a voter is looking in a newer round", fmt.Sprintf("server %d", m.GetSid()))
		}
	case *lookAgain:
		q.lookAgainNow(ctx, m)
	case *diskProbeDue:
		q.probeDue(ctx, m)
	case *diskProbed:
		q.probed(ctx, m)
	case *messages.LookingSidReported:
		q.st.lookingSids++
		// One per LOOKING notification a voter sends us while we lead:
		// DEBUG, or every such peer (or one replaying its votes) writes a
		// line per message.
		q.rt.log.Debug("looking voter reported", "peer", m.GetSid())
	case *messages.StatusRequest:
		ctx.Forward(q.rt.dir.election.get())
	case *messages.ElectionStatus:
		if !q.statusAsked {
			return // stale: a Decision came first and moved the loop on
		}
		q.statusAsked = false
		// Our own question after a restart. Either message may have died
		// with the failed incarnation (or with the tree, when the root
		// restarted): the StartLooking (the machine never ran: its clock
		// is still 0), or the Election's Decision (it decided, and we
		// have no session). Look (again) rather than wait forever.
		switch {
		case m.GetLogicalClock() == 0:
			q.startLooking(ctx, messages.LookingReason_STARTUP)
		case m.GetState() != messages.ServerState_LOOKING && q.st.decision == nil:
			q.startLooking(ctx, messages.LookingReason_LEADER_LOST)
		}
	}
}

// childSpec is one child an actor keeps: its name and how to build its
// props (once per spawn).
type childSpec struct {
	name  string
	props func() *actor.Props
	// live, if set, is where the child's PID is published: it is spawned
	// under a fresh name each time (see directory).
	live *livePID
}

// incarnationGuard is shared by every incarnation of one spawned actor. A
// Stop that races a pending Restart can start a new incarnation after the
// actor has stopped (protoactor.md §2.7); that zombie must not spawn
// children, which nothing would ever stop.
type incarnationGuard struct {
	stopped atomic.Bool
}

// withChildren makes an actor spawn its children twice over: inside its
// own Spawn (OnInit), so they are registered and ready when the parent's
// SpawnNamed returns, and in Started after a restart (which stops them).
//
// The first matters because siblings address each other by fixed PIDs:
// at the pinned protoactor version, a message sent to a PID while that
// actor is being spawned races with the spawn (the mailbox's dispatcher is
// set after the PID is registered) and can wedge the mailbox for good. So
// nothing may send to a child before its parent's spawn has returned; the
// root spawns in an order that keeps to that. The same race forbids the
// other direction: a child spawned here must not send to its parent from
// Started (the parent is itself still being spawned), and an actor that
// reports to its parent from Started (the Messenger's childReady) must be
// spawned from its parent's Receive, never from an OnInit.
func withChildren(parent Kind, children []childSpec) actor.PropsOption {
	return actor.WithOnInit(func(ctx actor.Context) {
		spawnChildren(ctx, parent, children)
	})
}

// spawnChildren spawns children unless they are already running (spawned
// by OnInit, for a first incarnation).
func spawnChildren(ctx actor.Context, parent Kind, children []childSpec) {
	if len(ctx.Children()) > 0 {
		return
	}
	for _, c := range children {
		name := c.name
		if c.live != nil {
			name = c.live.nextName(c.name)
		}
		pid, err := ctx.SpawnNamed(c.props(), name)
		if err != nil {
			// The previous incarnation's child still registered: a bug in
			// stop ordering, not something input can cause.
			panic(fmt.Sprintf("%s: spawning %s: %v", parent, name, err))
		}
		if c.live != nil {
			c.live.set(pid)
		}
	}
}

// supervisedChildLost handles a child's Terminated. While the parent is
// leaving, its children stopping is expected. Otherwise the child was
// stopped by its supervisor after failing more than workerMaxRestarts
// times in workerRestartWindow, and the parent cannot do its job without
// it: it fails too, so the decision goes up the tree (a restarted parent
// spawns a fresh child, whose state still survives in the runtime).
func supervisedChildLost(leaving bool, parent Kind, m *actor.Terminated) {
	if leaving {
		return
	}
	panic(fmt.Sprintf("%s: child %s stopped after repeated failures", parent, m.GetWho().GetId()))
}
