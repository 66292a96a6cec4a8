// Package actorstest reaches into a running actors.Node for tests: it
// makes an actor panic (supervision tests), names the actors' paths, and
// hands out the node's actor system and its processed-message count.
// None of this is part of actors.Node's API; production code has no use
// for it.
package actorstest

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/internal/nodehooks"
)

// InjectFault makes the actor at path (relative to the node's root, ""
// for the root itself; see ActorPath and PeerPaths) panic, so that its
// supervisor handles the failure as it would a real one. The node must
// run with Config.FaultInjection; a path with no live actor gives an
// error wrapping actors.ErrNoSuchActor.
func InjectFault(n *actors.Node, path, reason string) error {
	return nodehooks.Of(n).InjectFault(path, reason)
}

// ActorPath returns the current path of the node's one actor of the given
// kind (paths change when an actor restarts). Peer, SendWorker,
// RecvWorker and bridge actors exist once per connection: see PeerPaths.
func ActorPath(n *actors.Node, kind actors.Kind) (string, bool) {
	return nodehooks.Of(n).ActorPath(string(kind))
}

// PeerPaths returns the paths of the Peer actors currently connected, by
// sid; their SendWorker, RecvWorker and bridge are below them
// ("<path>/sendworker", ...).
func PeerPaths(n *actors.Node, timeout time.Duration) (map[int64]string, error) {
	return nodehooks.Of(n).PeerPaths(timeout)
}

// MessagesProcessed returns how many messages the node's actors have
// processed since it started (a cost measure for benchmarks).
func MessagesProcessed(n *actors.Node) uint64 { return nodehooks.Of(n).MessagesProcessed() }

// System returns the actor system the node runs on.
func System(n *actors.Node) *actor.ActorSystem { return nodehooks.Of(n).System }
