package actors

import (
	"fmt"

	"github.com/asynkron/protoactor-go/actor"
)

// messenger is FastLeaderElection.Messenger: the parent of WorkerSender
// and WorkerReceiver, which do the work. It handles nothing itself.
type messenger struct {
	rt *runtime
	// config is our committed config as every notification we send
	// carries it.
	config []byte
	// leaving is set once this incarnation is stopping or restarting.
	leaving bool
}

// newMessengerProps builds the Messenger's props for the root to spawn.
func newMessengerProps(rt *runtime) *actor.Props {
	// Our committed config, as every notification we send carries it. The
	// verifier is immutable, so it is printed once per node, not once per
	// message.
	config := []byte(rt.cfg.Verifier.String())
	return rt.props(KindMessenger, func() actor.Actor {
		return &messenger{rt: rt, config: config}
	}, actor.WithSupervisor(restartWorkers()))
}

// Receive handles one message.
func (m *messenger) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		// WorkerSender and WorkerReceiver: restarted one-for-one
		// (restartWorkers). The sender is stateless; the receiver's queue,
		// in-flight flag and counters live in recvState, so a restart
		// loses at most the one message that failed.
		for _, child := range []struct {
			props *actor.Props
			name  string
		}{
			{newWorkerSenderProps(m.rt, m.config), nameWorkerSender},
			{newWorkerReceiverProps(m.rt), nameWorkerReceiver},
		} {
			if _, err := ctx.SpawnNamed(child.props, child.name); err != nil {
				panic(fmt.Sprintf("messenger: spawning %s: %v", child.name, err))
			}
		}
		// Children spawned from Started become ready asynchronously; the
		// root waits for this before spawning the actors that send to them.
		ctx.Send(ctx.Parent(), &childReady{name: nameMessenger})
	case *actor.Stopping, *actor.Restarting:
		m.leaving = true
	case *actor.Terminated:
		supervisedChildLost(m.leaving, KindMessenger, msg)
	}
}
