// Package nodehooks carries what package actors exposes of a running node
// to this module's own packages only: the fault-injection hook, actor
// paths and the actor system for tests (through package
// actors/actorstest), and the processed-message counter that admin and
// metrics report. None of it is on actors.Node's public API.
//
// It cannot name *actors.Node (actors imports it), so Of takes the node
// as any; package actors sets Of when it is initialised.
package nodehooks

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// Hooks is one node's seams.
type Hooks struct {
	// InjectFault makes the actor at path (relative to the node's root)
	// panic; it needs Config.FaultInjection.
	InjectFault func(path, reason string) error
	// ActorPath returns the current path of the node's one actor of a
	// kind (an actors.Kind).
	ActorPath func(kind string) (string, bool)
	// PeerPaths returns the paths of the connected Peer actors by sid.
	PeerPaths func(timeout time.Duration) (map[int64]string, error)
	// MessagesProcessed counts the messages the node's actors handled.
	MessagesProcessed func() uint64
	// System is the actor system the node runs on.
	System *actor.ActorSystem
}

// Of returns the hooks of node, an *actors.Node. Package actors sets it
// in its init; it panics for any other value.
var Of func(node any) Hooks
