package actors

import (
	"errors"
	"fmt"

	"github.com/zkfle/zkfle/messages"
)

// ErrNotEstablished is wrapped by CheckFencingToken's error when the node
// holds no established role, or holds it in another epoch.
var ErrNotEstablished = errors.New("not established in that epoch")

// FencingToken returns the epoch this node's role was established in, and
// true, while it is LEADING, FOLLOWING or OBSERVING; 0 and false while it
// is electing. Epochs only grow, and a quorum agreed on this one, so a
// resource that remembers the highest token it has seen can refuse a
// deposed leader's late writes (see CheckFencingToken for the check on
// this side).
//
// A stopped node holds no role: 0 and false.
func (n *Node) FencingToken() (int64, bool) {
	select {
	case <-n.stopped:
		return 0, false
	default:
	}
	st := n.State()
	if st == nil || st.GetNewState() == messages.ServerState_LOOKING {
		return 0, false
	}
	return st.GetPeerEpoch(), true
}

// CheckFencingToken reports whether this node is still established in
// epoch: call it just before acting on a leadership decided earlier.
// The error wraps ErrNotEstablished and names the node's current state.
func (n *Node) CheckFencingToken(epoch int64) error {
	cur, ok := n.FencingToken()
	if !ok {
		return fmt.Errorf("%w: epoch %d: the node is electing", ErrNotEstablished, epoch)
	}
	if cur != epoch {
		return fmt.Errorf("%w: epoch %d: the node is established in epoch %d", ErrNotEstablished, epoch, cur)
	}
	return nil
}
