package actors

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/quorumpeer"
)

// quorumPeerState is the QuorumPeer's state across its restarts: the
// loop's rules and state (quorumpeer.Peer: the reported state, the vote,
// whether the first round started, the running decision, the back-off and
// the disk fault) and the running session's actor.
type quorumPeerState struct {
	// core is the QuorumPeer loop. It is built at the first Started,
	// when the runtime it reads (epochs, probe interval) is complete.
	core *quorumpeer.Peer
	// session is the running Leader or Follower, nil while looking.
	session *actor.PID
	// lookingSids counts LookingSidReported reports (Leader.reportLookingSid).
	lookingSids uint64
	// origin is the zero of the core's clock (now is time since origin).
	origin time.Time
}

func newQuorumPeerState() *quorumPeerState {
	return &quorumPeerState{origin: time.Now()}
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
		actor.WithSupervisor(sessionOrWorkers{session: stopChildren(), workers: restartWorkers(), election: rt.dir.election}),
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
			return // a zombie incarnation (a Stop that raced a pending Restart started it again): start nothing
		}
		spawnChildren(ctx, KindQuorumPeer, q.children)
		// The first start looks; a restart ends the session that died
		// with the previous incarnation, or asks the Election where it
		// stands (quorumpeer.Peer.Start).
		q.apply(ctx, q.loop().Start(q.now()))
	case *actor.Stopping, *actor.Restarting:
		q.leaving = true
	case *actor.Stopped:
		q.guard.stopped.Store(true)
	case *actor.Terminated:
		q.childStopped(ctx, m)
	case *messages.Decision:
		q.apply(ctx, q.loop().Decided(fleDecision(m)))
	case *messages.SessionEstablished:
		if q.current(ctx.Sender()) {
			q.apply(ctx, q.loop().Established(m.GetRole().Zk(), m.GetLeader(), m.GetEpoch(), m.GetElectionOnly(), q.now()))
		}
	case *messages.SessionEnded:
		if q.current(ctx.Sender()) {
			q.apply(ctx, q.loop().SessionEnded(m.GetReason(), m.GetDetail(), q.now()))
		}
	case *messages.VoterLookingInNewerRound:
		// Ends the session only while following a ZooKeeper leader
		// election-only (quorumpeer.Peer.VoterLookingInNewerRound).
		q.apply(ctx, q.loop().VoterLookingInNewerRound(m.GetSid(), q.now()))
	case *lookAgain:
		q.apply(ctx, q.loop().BackoffFired(m.gen))
	case *diskProbeDue:
		q.apply(ctx, q.loop().ProbeDue(m.gen))
	case *diskProbed:
		q.probed(ctx, m)
	case *epochWritten:
		q.epochWritten(ctx, m)
	case *messages.LookingSidReported:
		q.st.lookingSids++
		// One per LOOKING notification a voter sends us while we lead:
		// DEBUG, or every such peer (or one replaying its votes) writes a
		// line per message.
		q.rt.log.Debug("looking voter reported", "peer", m.GetSid())
	case *messages.StatusRequest:
		ctx.Forward(q.rt.dir.election.get())
	case *messages.ElectionStatus:
		// Our own question after a restart (the core ignores an answer
		// it no longer awaits). Either the StartLooking or the Decision
		// may have died with the failed incarnation (or with the tree,
		// when the root restarted).
		q.apply(ctx, q.loop().ElectionStatus(m.GetLogicalClock(), m.GetState().Zk()))
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
// actor has stopped (seen at the pinned protoactor version); that zombie must not spawn
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
