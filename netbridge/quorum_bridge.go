package netbridge

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/netbridge/quorumwire"
)

// quorumSendQueueLen bounds the packets waiting for the writer. A session
// sends a handful of discovery packets and then one ping per half tick; a
// backlog this deep means the peer stopped reading, and a Zab stream with
// a gap is worthless, so the connection is closed rather than trimmed.
const quorumSendQueueLen = 64

// NewQuorumBridgeProps returns the props of a quorum bridge: the owner of
// one connection on the QUORUM port (the first port of server.N), where
// jute QuorumPackets follow each other with no outer framing. conn is
// the session's id for the connection, echoed in every report.
//
//   - Inbound, each packet is reported to the parent as
//     *messages.QuorumPacketReceived. There is no read deadline: the
//     session's read timer is ZooKeeper's socket timeout.
//   - Outbound, *messages.SendQuorumPacket is encoded and written, in
//     order, each write bounded by writeTimeout.
//   - When the connection ends (EOF, a malformed packet, an I/O error, a
//     full send queue, a stop, a restart) the parent gets exactly one
//     *messages.QuorumConnClosed and the bridge stops.
//
// Supervise it with Stop: a socket cannot be reopened by a restart.
func NewQuorumBridgeProps(netConn net.Conn, conn uint64, writeTimeout time.Duration, log *slog.Logger) *actor.Props {
	if writeTimeout <= 0 {
		writeTimeout = DefaultWriteTimeout
	}
	if log == nil {
		log = discardLogger
	}
	sh := &quorumShell{}
	return actor.PropsFromProducer(func() actor.Actor {
		return &quorumBridge{netConn: netConn, conn: conn, writeTimeout: writeTimeout, sh: sh, log: log}
	})
}

// quorumShell is shared by a bridge's incarnations.
type quorumShell struct {
	closed   atomic.Bool // the socket is closed: later incarnations do nothing
	reported atomic.Bool // QuorumConnClosed was sent
}

type quorumBridge struct {
	netConn      net.Conn
	conn         uint64
	writeTimeout time.Duration
	sh           *quorumShell
	log          *slog.Logger
	parent       *actor.PID
	io           *quorumIO
}

// Receive handles one message; reads and writes run on helper goroutines.
func (b *quorumBridge) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		b.parent = ctx.Parent()
		if b.netConn == nil || b.sh.closed.Load() {
			b.sh.closed.Store(true)
			b.report(ctx, "connection already closed (bridge restarted)")
			ctx.Stop(ctx.Self())
			return
		}
		system, self := ctx.ActorSystem(), ctx.Self()
		b.io = startQuorumIO(b.netConn, b.writeTimeout, func(msg any) { system.Root.Send(self, msg) })
	case *messages.SendQuorumPacket:
		if b.io == nil {
			return // already ended; the session has heard
		}
		if !b.io.enqueue(QuorumPacketFromProto(m.GetPacket()).AppendEncode(nil)) {
			b.fail(ctx, "peer is not reading: send queue full")
		}
	case *quorumRead:
		if b.io != nil && m.io == b.io {
			ctx.Send(b.parent, &messages.QuorumPacketReceived{Conn: b.conn, Packet: QuorumPacketToProto(m.packet)})
		}
	case *quorumFailed:
		if b.io != nil && m.io == b.io {
			b.fail(ctx, m.detail)
		}
	case *actor.Stopping:
		b.release()
		b.report(ctx, "closed by the session")
	case *actor.Restarting:
		b.release()
		b.report(ctx, "bridge failed; the connection cannot be reused")
	}
}

func (b *quorumBridge) fail(ctx actor.Context, detail string) {
	b.release()
	b.report(ctx, detail)
	ctx.Stop(ctx.Self())
}

func (b *quorumBridge) release() {
	b.sh.closed.Store(true)
	if b.io != nil {
		b.io.shutdown()
		b.io = nil
	} else if b.netConn != nil {
		_ = b.netConn.Close()
	}
}

func (b *quorumBridge) report(ctx actor.Context, detail string) {
	if b.sh.reported.Swap(true) || b.parent == nil {
		return
	}
	b.log.Debug("quorum connection closed", "conn", b.conn, "detail", detail)
	ctx.Send(b.parent, &messages.QuorumConnClosed{Conn: b.conn, Detail: detail})
}

// quorumRead and quorumFailed are the helper goroutines' reports.
type quorumRead struct {
	io     *quorumIO
	packet quorumwire.Packet
}

type quorumFailed struct {
	io     *quorumIO
	detail string
}

// quorumIO is the reader and writer goroutines of one connection.
type quorumIO struct {
	conn    net.Conn
	timeout time.Duration
	notify  func(any)
	out     chan []byte
	done    chan struct{}
	once    sync.Once
	wg      sync.WaitGroup
}

func startQuorumIO(conn net.Conn, timeout time.Duration, notify func(any)) *quorumIO {
	q := &quorumIO{conn: conn, timeout: timeout, notify: notify,
		out: make(chan []byte, quorumSendQueueLen), done: make(chan struct{})}
	q.wg.Add(2)
	go q.read()
	go q.write()
	return q
}

func (q *quorumIO) read() {
	defer q.wg.Done()
	defer q.recoverTo("reader")
	r := quorumwire.NewPacketReader(q.conn)
	for {
		p, err := r.Next()
		if err != nil {
			detail := "peer closed the connection"
			if !errors.Is(err, io.EOF) {
				detail = "read: " + err.Error()
			}
			q.failed(detail)
			return
		}
		q.notify(&quorumRead{io: q, packet: p})
	}
}

func (q *quorumIO) write() {
	defer q.wg.Done()
	defer q.recoverTo("writer")
	for {
		select {
		case <-q.done:
			return
		case b := <-q.out:
			_ = q.conn.SetWriteDeadline(time.Now().Add(q.timeout))
			if _, err := q.conn.Write(b); err != nil {
				q.failed("write: " + err.Error())
				return
			}
		}
	}
}

// failed reports the first failure of a live connection; after shutdown
// the errors are our own doing and nobody listens.
func (q *quorumIO) failed(detail string) {
	select {
	case <-q.done:
	default:
		q.notify(&quorumFailed{io: q, detail: detail})
	}
}

func (q *quorumIO) recoverTo(who string) {
	if r := recover(); r != nil {
		q.failed(fmt.Sprintf("quorum %s panicked: %v", who, r))
	}
}

// enqueue hands an encoded packet to the writer; false when the queue is
// full.
func (q *quorumIO) enqueue(b []byte) bool {
	select {
	case q.out <- b:
		return true
	default:
		return false
	}
}

// shutdown closes the socket and waits for both goroutines.
func (q *quorumIO) shutdown() {
	q.once.Do(func() {
		close(q.done)
		_ = q.conn.Close()
	})
	q.wg.Wait()
}
