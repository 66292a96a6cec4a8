package netbridge

import (
	"net"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/netbridge/electionwire"
)

// link is one bridge incarnation's use of the connection: the reader and
// writer goroutines and the queue between the actor and the writer.
//
// Everything a helper goroutine sends to the actor carries its *link. The
// net.Conn itself cannot tell incarnations apart (a restarted bridge is
// handed the same conn by its props), so the link pointer is the tag: the
// actor drops any report whose link is not its current one.
type link struct {
	connHelpers
	rawFrames bool
	// send delivers a report to the owning actor. It must only use
	// ActorSystem().Root and Self() captured in Started, never a Context.
	send func(msg interface{})
	// inbound, when set (WithInbound), takes decoded notifications
	// straight from the reader; sid tags them.
	inbound func(*messages.NotificationReceived)
	sid     int64
	// ack tells a requester its frame is written, straight from the
	// writer goroutine (ActorSystem().Root.Send captured in Started).
	ack func(to *actor.PID, msg *messages.FrameWritten)

	out chan outFrame // encoded frames for the writer
}

// Reports from the helper goroutines to the actor. Internal: the actor
// turns them into messages.* for its recipient after checking the tag.
type (
	// linkNotification is a decoded body.
	linkNotification struct {
		link *link
		n    *messages.Notification
	}
	// linkDropped is a body that did not decode. It is the reader's last
	// report: the actor closes the connection on it.
	linkDropped struct {
		link   *link
		reason messages.DropReason
		detail string
		size   int
	}
	// linkFrame is a raw body (WithRawFrames).
	linkFrame struct {
		link *link
		body []byte
	}
	// linkFailed ends the connection.
	linkFailed struct {
		link   *link
		reason messages.CloseReason
		detail string
	}
)

func newLink(conn net.Conn, cfg bridgeConfig, sid int64, send func(msg interface{}),
	ack func(to *actor.PID, msg *messages.FrameWritten)) *link {
	l := &link{
		connHelpers: newConnHelpers(conn, cfg.writeTimeout),
		rawFrames:   cfg.rawFrames,
		send:        send,
		sid:         sid,
		ack:         ack,
		out:         make(chan outFrame, bridgeSendQueueLen),
	}
	l.failed = func(reason messages.CloseReason, detail string) {
		send(&linkFailed{link: l, reason: reason, detail: detail})
	}
	if !cfg.rawFrames {
		l.inbound = cfg.inbound
	}
	return l
}

// start launches the reader and the writer.
func (l *link) start() { l.connHelpers.start(l.readLoop, l.writeLoop) }

// outFrame is one encoded frame and who asked for it (nil if nobody is
// waiting for FrameWritten).
type outFrame struct {
	frame   []byte
	replyTo *actor.PID
}

// enqueue hands a frame to the writer without blocking the actor. When the
// queue is full the oldest frame is dropped and returned (ZooKeeper's send
// queues keep the newest message too). Only the actor's goroutine calls it,
// so after taking one frame out there is room for the new one.
func (l *link) enqueue(f outFrame) (dropped *outFrame) {
	select {
	case l.out <- f:
		return nil
	default:
	}
	select {
	case old := <-l.out:
		dropped = &old
	default:
	}
	select {
	case l.out <- f:
	default:
		// Unreachable with a single producer; never block the actor.
		dropped = &f
	}
	return dropped
}

// readLoop reads frames until the connection fails, decoding each one off
// the actor's goroutine.
func (l *link) readLoop() {
	defer l.wg.Done()
	defer l.recoverHelper("reader")
	fr := electionwire.NewFrameReader(l.conn)
	for {
		body, err := fr.Next()
		if err != nil {
			reason, detail := readFailure(err)
			l.fail(reason, detail)
			return
		}
		if l.closing.Load() {
			return
		}
		msg := l.decode(body)
		if n, ok := msg.(*linkNotification); ok && l.inbound != nil {
			l.inbound(&messages.NotificationReceived{Sid: l.sid, Notification: n.n})
			continue
		}
		l.send(msg)
		if _, bad := msg.(*linkDropped); bad {
			// The actor closes the connection on a body that does not
			// decode; reading on would only queue more of the same.
			return
		}
	}
}

// decode turns one frame body into the report for the actor. The body is
// copied (or decoded into fresh memory) because the frame reader may reuse
// its buffer for the next frame.
func (l *link) decode(body []byte) interface{} {
	if l.rawFrames {
		return &linkFrame{link: l, body: append([]byte(nil), body...)}
	}
	var n electionwire.Notification
	if err := electionwire.DecodeNotification(body, &n); err != nil {
		return &linkDropped{link: l, reason: dropReason(err), detail: err.Error(), size: len(body)}
	}
	return &linkNotification{link: l, n: notificationToMessage(&n)}
}

// writeLoop writes queued frames, each in one Write with a deadline, until
// shutdown or the first error.
//
// Why a goroutine rather than writing inline from Receive with a deadline:
// an inline write to a peer that stopped reading blocks the actor for up to
// the write timeout, and with it the Stop/Restart system messages and the
// parent's own stop or restart (system messages wait behind the running
// Receive). Here the actor
// only enqueues; Stop closes the socket, which fails a pending Write at
// once, so stopping never waits on the peer. The deadline still bounds how
// long a stuck peer can hold a frame before the connection is declared dead.
func (l *link) writeLoop() {
	defer l.wg.Done()
	defer l.recoverHelper("writer")
	for {
		select {
		case <-l.done:
			return
		case f := <-l.out:
			if !l.write(f.frame) {
				return
			}
			if f.replyTo != nil && !l.closing.Load() {
				// Straight to the requester: the frame is on the wire
				// whatever the actor does next, and a round through the
				// actor would cost a message per frame.
				l.ack(f.replyTo, &messages.FrameWritten{Sid: l.sid})
			}
		}
	}
}
