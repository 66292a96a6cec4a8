package zkfle

import (
	"context"

	"github.com/zkfle/zkfle/actors"
)

// Subscription is a lossless, ordered stream of a node's status changes.
type Subscription struct {
	id    int64
	inner *actors.Subscription
}

// Subscribe returns a lossless subscription: every status change from now
// on, in order, however slowly it is read (changes are rare: a few per
// election). Close it when done; the node's end ends it too.
func (n *Node) Subscribe() *Subscription {
	return &Subscription{id: n.id, inner: n.inner.Subscribe()}
}

// Next returns the next status change, waiting for one until ctx is done.
// Once the node has ended (or the subscription is closed) and every
// change has been read, it returns ErrStopped.
func (s *Subscription) Next(ctx context.Context) (Status, error) {
	sc, err := s.inner.Next(ctx)
	if err != nil {
		return Status{}, err
	}
	return statusOf(s.id, sc), nil
}

// Close ends the subscription; changes already queued can still be read.
func (s *Subscription) Close() { s.inner.Close() }
