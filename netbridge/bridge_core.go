package netbridge

import (
	"io"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/zkfle/zkfle/messages"
)

// discardLogger is the logger of a bridge that has not started.
var discardLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

// bridgeShell is the state one spawned bridge shares across incarnations
// (restarts build a new bridge value from the producer).
type bridgeShell struct {
	// stopped is set in Stopped. protoactor can run the producer and
	// Started once more after a stop that raced a restart (seen at the
	// pinned protoactor version); such a zombie incarnation must not touch
	// the connection.
	stopped atomic.Bool
	// connClosed is set once an incarnation has closed conn: later
	// incarnations must not read from or write to it.
	connClosed atomic.Bool
	// reported is set when the end of the connection has been reported,
	// so that there is exactly one report per connection whichever
	// incarnation ends it.
	reported atomic.Bool
}

// bridgeCore is what the election and the quorum bridge share: one
// connection, its options, the shell, where reports go, and the lifecycle
// around the helper goroutines (start, release, report the end once).
// Each bridge embeds one and adds its own link.
type bridgeCore struct {
	conn net.Conn
	cfg  bridgeConfig
	sh   *bridgeShell
	// what names the port in the closing log line ("election", "quorum").
	what string
	// closed builds the bridge's end-of-connection report.
	closed func(reason messages.CloseReason, detail string) any

	log *slog.Logger
	to  *actor.PID // recipient of reports: cfg.recipient or the parent
}

// newBridgeCore applies opts over the defaults. The core starts with a
// logger that discards: until Started (and in a zombie incarnation, which
// never starts) nothing may log anywhere.
func newBridgeCore(conn net.Conn, what string, closed func(messages.CloseReason, string) any,
	opts []BridgeOption) bridgeCore {
	cfg := defaultBridgeConfig()
	for _, opt := range opts {
		if opt != nil {
			opt(&cfg)
		}
	}
	return bridgeCore{conn: conn, cfg: cfg, sh: &bridgeShell{}, what: what, closed: closed, log: discardLogger}
}

// begin sets up an incarnation in Started: the recipient, the logger (with
// logAttrs and the remote address), and the connection's read deadline.
// It returns false, having reported and stopped the actor if need be,
// when the incarnation must not start its helpers: a zombie after a stop,
// no connection, or a connection a previous incarnation closed.
func (c *bridgeCore) begin(ctx actor.Context, logAttrs ...any) bool {
	if c.sh.stopped.Load() {
		return false // zombie incarnation after a stop: acquire nothing
	}
	c.to = c.cfg.recipient
	if c.to == nil {
		c.to = ctx.Parent()
	}
	logger := c.cfg.logger
	if logger == nil {
		logger = ctx.Logger()
	}
	c.log = logger.With(logAttrs...)

	switch {
	case c.conn == nil:
		c.sh.connClosed.Store(true)
		c.report(ctx, messages.CloseReason_INTERNAL_ERROR, "bridge spawned without a connection")
		ctx.Stop(ctx.Self())
		return false
	case c.sh.connClosed.Load():
		// A previous incarnation closed the socket before this restart.
		c.report(ctx, messages.CloseReason_INTERNAL_ERROR, "connection closed by a previous bridge incarnation")
		ctx.Stop(ctx.Self())
		return false
	}
	if addr := c.conn.RemoteAddr(); addr != nil {
		c.log = c.log.With("remote", addr.String())
	}
	// After the handshake ZooKeeper reads with no timeout of its own on
	// either port (RecvWorker's SO_TIMEOUT is 0; on the quorum port the
	// session's read timer is the socket timeout). Clear whatever
	// deadline a handshake left.
	_ = c.conn.SetReadDeadline(time.Time{})
	return true
}

// release closes the connection: through the link's shutdown when the
// helpers run (it waits for them), else directly, once.
func (c *bridgeCore) release(shutdown func()) {
	wasClosed := c.sh.connClosed.Swap(true)
	if shutdown != nil {
		shutdown() // closes conn
		return
	}
	if !wasClosed && c.conn != nil {
		_ = c.conn.Close()
	}
}

// report tells the recipient that the connection ended, once per
// connection.
func (c *bridgeCore) report(ctx actor.Context, reason messages.CloseReason, detail string) {
	if c.sh.reported.Swap(true) {
		return
	}
	// Debug: the owner logs connection ends at the level it sees fit
	// (the connection manager rate-limits those of strangers).
	c.log.Debug(c.what+" connection closed", "reason", reason.String(), "detail", detail)
	c.deliver(ctx, c.closed(reason, detail))
}

// deliver sends a report to the recipient.
func (c *bridgeCore) deliver(ctx actor.Context, msg any) {
	if c.to == nil {
		c.log.Warn("bridge has no parent or recipient; report dropped", "message", msg)
		return
	}
	ctx.Send(c.to, msg)
}
