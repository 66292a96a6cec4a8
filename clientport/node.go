package clientport

import (
	"context"
	"time"

	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/messages"
)

// Node is what the client port asks of a node: *actors.Node's public
// queries (Of adapts one). Tests give a fake.
type Node interface {
	// State is the node's published state, nil before the first change.
	State() *messages.StateChanged
	// Watch returns every state change from now on, in order.
	Watch() Changes
	// CnxStatus is the connection manager's status (mntr's learners).
	CnxStatus(timeout time.Duration) (*messages.CnxStatus, error)
	// DiskFault says whether the node cannot persist its epoch files.
	DiskFault() (actors.DiskFault, bool)
	// TLSStatus describes the quorum ports' TLS (conf, mntr).
	TLSStatus() actors.TLSStatus
}

// Changes is a lossless, ordered stream of state changes, as
// *actors.Subscription.
type Changes interface {
	// Next waits for the next change until ctx is done; it fails once the
	// stream has ended and been drained.
	Next(ctx context.Context) (*messages.StateChanged, error)
	// Close ends the stream.
	Close()
}

// Of adapts an actors node.
func Of(n *actors.Node) Node { return actorsNode{n} }

type actorsNode struct{ *actors.Node }

// Watch is Subscribe.
func (n actorsNode) Watch() Changes { return n.Subscribe() }
