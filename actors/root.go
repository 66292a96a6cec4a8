package actors

import (
	"errors"
	"fmt"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/zk"
)

// rootActor is the node's top-level actor. It spawns the three pillars in
// order, each only once the one before has spawned its own children
// (childReady): the messenger first (its WorkerReceiver takes what the
// connections receive), then the connection manager (its Listener accepts
// at once), then the quorum peer (its Election starts sending). No actor
// then sends to a sibling that does not exist yet, which matters twice:
// such messages are lost, and protoactor registers a PID before its
// mailbox is wired, so a send racing a spawn is a data race.
type rootActor struct {
	rt       *runtime
	stopping bool
}

// childReady tells the root that a child has spawned its own children.
type childReady struct{ name string }

func (r *rootActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		r.spawn(ctx, nameMessenger, r.rt.dir.messenger, newMessengerProps(r.rt))
	case *childReady:
		if r.stopping {
			// A child spawned now would never be stopped, and the
			// root waits for all its children before it restarts.
			return
		}
		// A child restarted later says ready again: nothing to spawn then.
		switch {
		case m.name == nameMessenger && len(ctx.Children()) == 1:
			r.spawn(ctx, nameCnxManager, r.rt.dir.cnxManager, newCnxManagerProps(r.rt))
		case m.name == nameCnxManager && len(ctx.Children()) == 2:
			r.spawn(ctx, nameQuorumPeer, r.rt.dir.quorumPeer, newQuorumPeerProps(r.rt))
		}
	case *actor.Stopping, *actor.Restarting:
		r.stopping = true
	case *messages.StateChanged:
		r.rt.pub.set(m)
		for _, pid := range r.rt.pub.subscribedPIDs() {
			ctx.Send(pid, m)
		}
		r.rt.log.Info("state changed", "state", m.GetNewState().String(), "leader", m.GetLeader(),
			"zxid", zk.Zxid(m.GetZxid()).String(), "round", m.GetElectionEpoch(), "epoch", m.GetPeerEpoch())
	case *listenerFailed:
		r.fatal(fmt.Errorf("election port: %w", m.err))
	case *actor.Terminated:
		// Children stop on their own only when their supervisor gave up
		// on them (too many failures in the window).
		if !r.stopping {
			r.fatal(fmt.Errorf("actor %s stopped after repeated failures", m.GetWho().GetId()))
		}
	}
}

// spawn starts a child under a fresh name and publishes its PID.
func (r *rootActor) spawn(ctx actor.Context, name string, live *livePID, props *actor.Props) {
	pid, err := ctx.SpawnNamed(props, live.nextName(name))
	if err != nil {
		// A name clash means the previous incarnation's child is still
		// registered: a bug in stop ordering, not a runtime condition.
		panic(fmt.Sprintf("spawn %s: %v", name, err))
	}
	live.set(pid)
}

func (r *rootActor) fatal(err error) {
	r.rt.log.Error("node cannot continue", "reason", err.Error())
	r.rt.pub.setFatal(err)
}

// ErrBindFailed is wrapped by the fatal error of a node whose election
// port could not be bound (ZooKeeper exits with code 14 then).
var ErrBindFailed = errors.New("cannot bind election port")
