package netbridge

import (
	"net"

	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/netbridge/quorumwire"
)

// quorumLink is one quorum bridge incarnation's use of the connection: the
// reader and writer goroutines and the queue between the actor and the
// writer. As with the election bridge's link, every report carries the
// *quorumLink, so that the actor drops a report of an incarnation that is
// not its current one.
type quorumLink struct {
	connHelpers
	// send delivers a report to the owning actor. It must only use
	// ActorSystem().Root and Self() captured in Started, never a Context.
	send func(msg any)
	out  chan []byte // encoded packets for the writer
}

// Reports from the helper goroutines to the quorum bridge.
type (
	// quorumRead is a packet read from the connection.
	quorumRead struct {
		link   *quorumLink
		packet quorumwire.Packet
	}
	// quorumFailed ends the connection.
	quorumFailed struct {
		link   *quorumLink
		reason messages.CloseReason
		detail string
	}
)

func newQuorumLink(conn net.Conn, cfg bridgeConfig, send func(msg any)) *quorumLink {
	l := &quorumLink{
		connHelpers: newConnHelpers(conn, cfg.writeTimeout),
		send:        send,
		out:         make(chan []byte, quorumSendQueueLen),
	}
	l.failed = func(reason messages.CloseReason, detail string) {
		send(&quorumFailed{link: l, reason: reason, detail: detail})
	}
	return l
}

// start launches the reader and the writer.
func (l *quorumLink) start() { l.connHelpers.start(l.readLoop, l.writeLoop) }

// enqueue hands an encoded packet to the writer without blocking the
// actor; false when the queue is full.
func (l *quorumLink) enqueue(b []byte) bool {
	select {
	case l.out <- b:
		return true
	default:
		return false
	}
}

// readLoop reads packets until the connection fails. Every length is
// checked before the reader's buffer grows for it (quorumwire.PacketReader),
// so a hostile length costs nothing but the connection.
func (l *quorumLink) readLoop() {
	defer l.wg.Done()
	defer l.recoverHelper("reader")
	r := quorumwire.NewPacketReader(l.conn)
	for {
		p, err := r.Next()
		if err != nil {
			l.fail(readFailure(err))
			return
		}
		if l.closing.Load() {
			return
		}
		l.send(&quorumRead{link: l, packet: p})
	}
}

// writeLoop writes queued packets, each in one Write with a deadline, until
// shutdown or the first error (see link.writeLoop for why a goroutine).
func (l *quorumLink) writeLoop() {
	defer l.wg.Done()
	defer l.recoverHelper("writer")
	for {
		select {
		case <-l.done:
			return
		case b := <-l.out:
			if !l.write(b) {
				return
			}
		}
	}
}
