package actors

import (
	"github.com/asynkron/protoactor-go/actor"
)

// messenger is FastLeaderElection.Messenger: the parent of the
// WorkerReceiver, which does the work. It handles nothing itself. (The
// WorkerSender is a function the Election runs, workersender.go.)
type messenger struct {
	guard    *incarnationGuard
	children []childSpec
	// leaving is set once this incarnation is stopping or restarting.
	leaving bool
}

// newMessengerProps builds the Messenger's props for the root to spawn.
// Its workers are spawned inside its own Spawn (see withChildren): when
// the root's SpawnNamed returns, the WorkerReceiver is
// ready for the Election and the connections' readers (recvWorkerSink).
func newMessengerProps(rt *runtime) *actor.Props {
	guard := &incarnationGuard{}
	// The worker is restarted one-for-one (restartWorkers): the
	// receiver's queue, credit and counters live in recvState, so a
	// restart loses at most the one message that failed.
	children := []childSpec{
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
			return // a zombie incarnation (a Stop that raced a pending Restart started it again): start nothing
		}
		spawnChildren(ctx, KindMessenger, m.children)
		// The root spawns the QuorumPeer only after this: its Election
		// sends to the WorkerReceiver from its first message on. (Said again
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
