package actors

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/internal/nodehooks"
)

// The test and diagnostics seams of a node live off its public API: the
// module's own packages reach them through internal/nodehooks, tests
// through actors/actorstest.
func init() {
	nodehooks.Of = func(node any) nodehooks.Hooks {
		n := node.(*Node)
		return nodehooks.Hooks{
			InjectFault:       n.injectFault,
			ActorPath:         func(kind string) (string, bool) { return n.actorPath(Kind(kind)) },
			PeerPaths:         n.peerPaths,
			MessagesProcessed: n.messagesProcessed,
			System:            n.system,
		}
	}
}

// ErrNoSuchActor is returned by fault injection for a path with no live
// actor.
var ErrNoSuchActor = errors.New("no such actor")

// messagesProcessed returns how many messages the node's actors have
// processed since it started (a cost measure for benchmarks, admin and
// metrics).
func (n *Node) messagesProcessed() uint64 { return n.rt.sup.messages.Load() }

// injectFault makes the actor at path (relative to the node's root, e.g.
// "" for the root; see actorPath and peerPaths) panic. It requires
// Config.FaultInjection and exists for supervision tests.
func (n *Node) injectFault(path, reason string) error {
	if !n.rt.cfg.FaultInjection {
		return errors.New("fault injection is disabled (Config.FaultInjection)")
	}
	id := n.rt.dir.root.GetId()
	if path != "" {
		id += "/" + path
	}
	if _, ok := n.system.ProcessRegistry.GetLocal(id); !ok {
		return fmt.Errorf("%w: %s", ErrNoSuchActor, id)
	}
	n.system.Root.Send(actor.NewPID(n.system.Address(), id), &Crash{Reason: reason})
	return nil
}

// peerPaths returns the actor paths (for injectFault) of the Peer actors
// currently connected, by sid.
func (n *Node) peerPaths(timeout time.Duration) (map[int64]string, error) {
	res, err := n.system.Root.RequestFuture(n.rt.dir.cnxManager.get(), &peerPathsRequest{}, timeout).Result()
	if err != nil {
		return nil, err
	}
	paths, ok := res.(*peerPathsResponse)
	if !ok {
		return nil, fmt.Errorf("peer paths: unexpected reply %T", res)
	}
	return paths.paths, nil
}

// actorPath returns the current path (for injectFault) of the node's one
// actor of the given kind. Peer and bridge actors exist once per
// connection: see peerPaths.
func (n *Node) actorPath(kind Kind) (string, bool) {
	rel := func(pid *actor.PID) string {
		return strings.TrimPrefix(pid.GetId(), n.rt.dir.root.GetId()+"/")
	}
	switch kind {
	case KindNode:
		return "", true
	case KindQuorumPeer:
		return rel(n.rt.dir.quorumPeer.get()), true
	case KindElection:
		return rel(n.rt.dir.election.get()), true
	case KindMessenger:
		return rel(n.rt.dir.messenger.get()), true
	case KindWorkerReceiver:
		return rel(n.rt.dir.workerReceiver.get()), true
	case KindCnxManager:
		return rel(n.rt.dir.cnxManager.get()), true
	case KindListener:
		return rel(n.rt.dir.cnxManager.get()) + "/" + nameListener, true
	case KindLeader, KindFollower:
		return rel(n.rt.dir.session.get()), true
	}
	return "", false
}
