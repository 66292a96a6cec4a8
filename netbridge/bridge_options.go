package netbridge

import (
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/zkfle/zkfle/messages"
)

// DefaultWriteTimeout bounds one frame (or quorum packet) write. ZooKeeper's
// SendWorker has no write timeout (it blocks until TCP gives up); we use its
// connect timeout (cnxTimeout, 5 s): a peer that cannot take one small frame
// in that time is as good as gone, and the connection manager will redial
// it.
const DefaultWriteTimeout = 5 * time.Second

// bridgeSendQueueLen is how many encoded frames may wait for the writer
// goroutine. Upstream, ZooKeeper keeps one pending message per peer (newest
// wins), so more than a handful only ever piles up behind a slow peer, and
// then the oldest are the stalest and the first to go.
const bridgeSendQueueLen = 16

// BridgeOption configures a bridge actor: the election bridge
// (NewBridgeProps) or the quorum bridge (NewQuorumBridgeProps).
// WithWriteTimeout, WithLogger and WithRecipient mean the same to both;
// WithRawFrames and WithInbound are the election bridge's, and a quorum
// bridge ignores them.
type BridgeOption func(*bridgeConfig)

// bridgeConfig is the bridge's configuration after options are applied.
type bridgeConfig struct {
	writeTimeout time.Duration
	logger       *slog.Logger
	recipient    *actor.PID
	rawFrames    bool
	inbound      func(*messages.NotificationReceived)
}

func defaultBridgeConfig() bridgeConfig {
	return bridgeConfig{writeTimeout: DefaultWriteTimeout}
}

// WithWriteTimeout bounds each frame or packet write; a write that does not
// finish in d ends the connection with CloseReason WRITE_TIMEOUT. A d <= 0 keeps
// DefaultWriteTimeout: an unbounded write would let a stuck peer hold the
// writer goroutine forever.
func WithWriteTimeout(d time.Duration) BridgeOption {
	return func(c *bridgeConfig) {
		if d > 0 {
			c.writeTimeout = d
		}
	}
}

// WithLogger sets the logger the bridge logs to. By default it logs to its
// actor system's logger, so actor.WithLoggerFactory controls it. A nil
// logger keeps the default.
func WithLogger(l *slog.Logger) BridgeOption {
	return func(c *bridgeConfig) {
		if l != nil {
			c.logger = l
		}
	}
}

// WithRecipient sends the bridge's reports (NotificationReceived,
// FrameReceived, NotificationDropped and ConnectionClosed from an election
// bridge; QuorumPacketReceived and QuorumConnClosed from a quorum bridge)
// to pid instead of the bridge's parent, e.g. to a sibling receive worker.
// A nil pid keeps the parent.
func WithRecipient(pid *actor.PID) BridgeOption {
	return func(c *bridgeConfig) {
		if pid != nil {
			c.recipient = pid
		}
	}
}

// WithRawFrames (election bridge) makes the bridge report each inbound frame as a
// messages.FrameReceived with the undecoded body, instead of decoding it
// into a NotificationReceived or NotificationDropped. For tools and tests
// that want ZooKeeper's bytes as they are.
func WithRawFrames() BridgeOption {
	return func(c *bridgeConfig) { c.rawFrames = true }
}

// WithInbound (election bridge) hands each decoded inbound notification to fn on the
// bridge's reader goroutine, tagged with the bridge's sid, instead of
// reporting it to the recipient through the bridge actor. fn must not
// block (send it to an actor: ActorSystem().Root.Send is safe from any
// goroutine) and is called in the order the frames arrived. It saves two
// actor messages per notification (the reader's report to the bridge and
// the bridge's to the recipient); bodies that do not decode and the end of
// the connection still go through the actor, which closes and reports
// them. A nil fn keeps the default. Ignored with WithRawFrames.
func WithInbound(fn func(*messages.NotificationReceived)) BridgeOption {
	return func(c *bridgeConfig) {
		if fn != nil {
			c.inbound = fn
		}
	}
}
