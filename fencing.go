package zkfle

import (
	"fmt"

	"github.com/zkfle/zkfle/actors"
)

// ErrNotEstablished is wrapped by CheckFencingToken's error when the node
// holds no established role, or holds it in another epoch.
var ErrNotEstablished = actors.ErrNotEstablished

// FencingToken returns the epoch the node's role was established in, and
// true, while it is Leading, Following or Observing; 0 and false while it
// is electing. Epochs only grow and a quorum agreed on this one, so a
// resource that remembers the highest token it has seen can refuse a
// deposed leader's late writes.
// A node that has stopped or failed holds no role: 0 and false.
func (n *Node) FencingToken() (int64, bool) {
	if n.ended() {
		return 0, false
	}
	return n.inner.FencingToken()
}

// CheckFencingToken reports whether the node is still established in
// epoch: call it just before acting on a leadership decided earlier. The
// error wraps ErrNotEstablished and names the node's current state.
func (n *Node) CheckFencingToken(epoch int64) error {
	if n.ended() {
		return fmt.Errorf("%w: epoch %d: the node has stopped", ErrNotEstablished, epoch)
	}
	return n.inner.CheckFencingToken(epoch)
}
