package history

import (
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/messages"
)

// ReceiverStatus asks node's WorkerReceiver for its receive queue and
// drop counters. actors.Node has no method for it, so this addresses the
// actor by the path Node.ActorPath reports, under the node's documented
// top-level actor "zkfle-<sid>" (see actors.WithActorSystem).
func ReceiverStatus(node *actors.Node, timeout time.Duration) (*messages.ReceiverStatus, error) {
	rel, ok := node.ActorPath(actors.KindWorkerReceiver)
	if !ok || rel == "" {
		return nil, fmt.Errorf("receiver status: %w: %s", actors.ErrNoSuchActor, actors.KindWorkerReceiver)
	}
	sys := node.System()
	pid := actor.NewPID(sys.Address(), fmt.Sprintf("zkfle-%d/%s", node.ID(), rel))
	res, err := sys.Root.RequestFuture(pid, &messages.StatusRequest{}, timeout).Result()
	if err != nil {
		return nil, fmt.Errorf("receiver status: %w", err)
	}
	st, ok := res.(*messages.ReceiverStatus)
	if !ok {
		return nil, fmt.Errorf("receiver status: unexpected reply %T", res)
	}
	return st, nil
}
