package actors

import (
	"github.com/asynkron/protoactor-go/actor"
)

// messenger is FastLeaderElection.Messenger: the parent of WorkerSender
// and WorkerReceiver, which do the work. It handles nothing itself.
type messenger struct {
	guard    *incarnationGuard
	children []childSpec
	// leaving is set once this incarnation is stopping or restarting.
	leaving bool
}

// newMessengerProps builds the Messenger's props for the root to spawn.
// Its workers are spawned inside its own Spawn (see withChildren): when
// the root's SpawnNamed returns, the WorkerSender and WorkerReceiver are
// ready for the Election and the connections' readers (recvWorkerSink).
func newMessengerProps(rt *runtime) *actor.Props {
	// Our committed config, as every notification we send carries it. The
	// verifier is immutable, so it is printed once per spawn, not once per
	// message.
	config := []byte(rt.cfg.Verifier.String())
	guard := &incarnationGuard{}
	// Both workers are restarted one-for-one (restartWorkers). The sender
	// is stateless; the receiver's queue, credit and counters live in
	// recvState, so a restart loses at most the one message that failed.
	children := []childSpec{
		{nameWorkerSender, func() *actor.Props { return newWorkerSenderProps(rt, config) }, rt.dir.workerSender},
		{nameWorkerReceiver, func() *actor.Props { return newWorkerReceiverProps(rt) }, rt.dir.workerReceiver},
	}
	return rt.props(KindMessenger, func() actor.Actor {
		return &messenger{guard: guard, children: children}
	}, actor.WithSupervisor(restartWorkers()), withChildren(KindMessenger, children))
}

// Receive handles one message.
func (m *messenger) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		if m.guard.stopped.Load() {
			return // a zombie incarnation (protoactor.md §2.7): start nothing
		}
		spawnChildren(ctx, KindMessenger, m.children)
		// The root spawns the QuorumPeer only after this: its Election
		// sends to the WorkerSender from its first message on. (Said again
		// after a restart; the root ignores it then.)
		ctx.Send(ctx.Parent(), &childReady{name: nameMessenger})
	case *actor.Stopping, *actor.Restarting:
		m.leaving = true
	case *actor.Stopped:
		m.guard.stopped.Store(true)
	case *actor.Terminated:
		supervisedChildLost(m.leaving, KindMessenger, msg)
	}
}
