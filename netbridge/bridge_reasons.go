package netbridge

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/netbridge/electionwire"
	"github.com/zkfle/zkfle/netbridge/quorumwire"
)

// readFailure classifies an error from either bridge's reader (an
// electionwire.FrameReader or a quorumwire.PacketReader). Java's RecvWorker
// and LearnerHandler end the connection on every one of them; the reason
// only tells why.
func readFailure(err error) (messages.CloseReason, string) {
	switch {
	case errors.Is(err, electionwire.ErrFrameLength):
		return messages.CloseReason_BAD_FRAME_LENGTH, err.Error()
	case errors.Is(err, quorumwire.ErrLength), errors.Is(err, quorumwire.ErrAuthInfoCount),
		errors.Is(err, quorumwire.ErrPacketTooLarge):
		return messages.CloseReason_MALFORMED_PACKET, err.Error()
	case errors.Is(err, io.ErrUnexpectedEOF):
		return messages.CloseReason_PEER_CLOSED, "peer closed the connection in the middle of a message: " + err.Error()
	case errors.Is(err, io.EOF):
		return messages.CloseReason_PEER_CLOSED, "peer closed the connection"
	case errors.Is(err, net.ErrClosed):
		// Not our own Close (the link suppresses that): someone else
		// closed the socket under us.
		return messages.CloseReason_READ_ERROR, "connection closed locally by another owner: " + err.Error()
	default:
		return messages.CloseReason_READ_ERROR, err.Error()
	}
}

// writeFailure classifies an error from writing a frame or packet with the
// given deadline.
func writeFailure(err error, timeout time.Duration) (messages.CloseReason, string) {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return messages.CloseReason_WRITE_TIMEOUT, fmt.Sprintf("not written within %v: %v", timeout, err)
	}
	return messages.CloseReason_WRITE_ERROR, err.Error()
}

// dropReason classifies an error from DecodeNotification. ZooKeeper skips
// such bodies and keeps the connection (ZOOKEEPER-3769); the bridge
// reports the drop and closes it.
func dropReason(err error) messages.DropReason {
	switch {
	case errors.Is(err, electionwire.ErrShortNotification):
		return messages.DropReason_SHORT_BODY
	case errors.Is(err, electionwire.ErrUnsupportedNotification):
		return messages.DropReason_TRUNCATED_BODY
	case errors.Is(err, electionwire.ErrConfigLength):
		return messages.DropReason_BAD_CONFIG_LENGTH
	default:
		return messages.DropReason_MALFORMED_BODY
	}
}
