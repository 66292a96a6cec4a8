package history

import (
	"fmt"
	"time"

	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/messages"
)

// ReceiverStatus asks node's WorkerReceiver for its receive queue and
// drop counters.
func ReceiverStatus(node *actors.Node, timeout time.Duration) (*messages.ReceiverStatus, error) {
	st, err := node.ReceiverStatus(timeout)
	if err != nil {
		return nil, fmt.Errorf("receiver status: %w", err)
	}
	return st, nil
}
