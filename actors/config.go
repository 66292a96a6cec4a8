package actors

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/quorum"
	"github.com/zkfle/zkfle/trace"
	"github.com/zkfle/zkfle/zab"
)

// Config is everything a node needs. Build one with DefaultConfig, set ID
// and Verifier (and whatever else differs from ZooKeeper's defaults), then
// call Validate, or let Start do it.
type Config struct {
	// ID is this server's sid (myid).
	ID int64
	// Verifier is the ensemble: every server.N line, as a quorum system.
	Verifier quorum.Verifier
	// LastSeen is a newer proposed configuration (reconfig in progress), or
	// nil.
	LastSeen quorum.Verifier

	// TickTime is ZooKeeper's basic time unit (tickTime). DefaultConfig
	// uses 2 s, the value of ZooKeeper's sample zoo.cfg; a zoo.cfg that
	// omits tickTime gets ZooKeeper's code default, 3 s (see zoocfg).
	TickTime time.Duration
	// InitLimit is how many ticks learners get to connect and sync to a
	// new leader (initLimit, default 10).
	InitLimit int
	// SyncLimit is how many ticks a learner may lag (syncLimit, default 5).
	SyncLimit int

	// Election holds FastLeaderElection's timing (finalizeWait, the
	// notification interval back-off).
	Election fle.Timing
	// DisableElectionFastPaths turns off the election's fast paths
	// (fle.Config.DisableFastPaths: deciding at once on a unanimous vote,
	// or on a quorum when every other voter is known unreachable), for
	// ZooKeeper-exact timing. zoo.cfg: zkfle.election.fastPaths=false.
	DisableElectionFastPaths bool

	// ConnectTimeout bounds each outbound TCP connect (cnxTimeout,
	// default 5 s). Dials are asynchronous: a slow peer delays nobody else.
	ConnectTimeout time.Duration
	// HandshakeTimeout bounds reading a connection's initial message
	// (quorumCnxnTimeoutMs). Zero means TickTime × SyncLimit, as in
	// ZooKeeper.
	HandshakeTimeout time.Duration
	// WriteTimeout bounds each frame write to a peer. Zero means the
	// handshake timeout. ZooKeeper has none; a peer that stops reading
	// then holds a SendWorker forever.
	WriteTimeout time.Duration
	// ElectionPortBindRetry is how many times binding the election port is
	// tried (electionPortBindRetry, default 3; 0 means forever).
	ElectionPortBindRetry int
	// BindRetryInterval is the pause between bind attempts (1 s in
	// ZooKeeper).
	BindRetryInterval time.Duration
	// ListenOnAllIPs binds the wildcard address on the election port
	// (quorumListenOnAllIPs).
	ListenOnAllIPs bool
	// TCPKeepAlive enables SO_KEEPALIVE on election connections
	// (zookeeper.tcpKeepAlive, default false).
	TCPKeepAlive bool
	// MultiAddress sends the version-2 connection header carrying every
	// election address (multiAddress.enabled, default false: 3.5 peers
	// reject it).
	MultiAddress bool
	// MaxPendingHandshakes caps inbound connections whose initial message
	// has not arrived yet. ZooKeeper reads handshakes one at a time on the
	// listener thread, so one silent peer stalls every other; we read them
	// concurrently, and this bound keeps a connection flood from costing
	// unbounded memory. Connections over the cap are closed at once. It
	// bounds connections from addresses that are not members' (each such
	// address may also hold only 8); a member's address has an allowance
	// of its own (32), so a flood from elsewhere never keeps a member out.
	MaxPendingHandshakes int
	// SkipPeerAddressCheck turns off the source-address check
	// (zkfle.peerAddressCheck=false in zoo.cfg). By default a connection
	// on the election or quorum port that claims to be server S is
	// accepted only from an address S's server line names or resolves to.
	// Behind NAT, where members see each other from other addresses, the
	// check refuses real members; turning it off lets anyone who reaches
	// the ports claim any sid (use TLS then).
	SkipPeerAddressCheck bool
	// TLS, if set, makes both the election and the quorum port TLS with
	// mutual authentication (sslQuorum); see QuorumTLS. Nil means plain
	// TCP, as ZooKeeper without sslQuorum.
	TLS *QuorumTLS
	// RecvQueueCapacity is the receive queue's size (ZooKeeper's
	// RECV_CAPACITY, 100); when full, the oldest notification is dropped.
	RecvQueueCapacity int

	// LastZxid, if set, supplies the last zxid of the replica's data, so
	// the replica with the newest data wins. Nil means currentEpoch<<32.
	// It is called on the QuorumPeer actor each time the node starts
	// looking; it must be quick and safe for concurrent use.
	LastZxid func() int64
	// CurrentEpoch is the epoch a node without a DataDir starts with (its
	// votes' peerEpoch until a leader is established). With a DataDir the
	// epoch files decide and CurrentEpoch must be 0.
	CurrentEpoch int64

	// DataDir is the data directory (dataDir). The epoch files live in its
	// version-2 subdirectory, in ZooKeeper's format (acceptedEpoch,
	// currentEpoch). Empty means no persistence: the epochs live in
	// memory, which suits tests and embedded replicas that keep their own
	// term elsewhere.
	DataDir string

	// Logger receives structured logs. Nil means slog.Default().
	Logger *slog.Logger
	// Trace, if set, receives every notification sent and received, every
	// timer and every decision of the election, and every reported role
	// change (see package trace; `node trace render` draws them). The
	// caller flushes and closes what it writes to, after Stop.
	Trace *trace.Writer

	// FaultInjection enables the test-only fault hook: every actor then
	// panics when it receives a Crash message. Never set it in production.
	FaultInjection bool
}

// DefaultConfig returns ZooKeeper 3.8's defaults. ID and Verifier must
// still be set.
func DefaultConfig() Config {
	return Config{
		TickTime:              2 * time.Second,
		InitLimit:             10,
		SyncLimit:             5,
		Election:              fle.DefaultTiming(),
		ConnectTimeout:        5 * time.Second,
		ElectionPortBindRetry: 3,
		BindRetryInterval:     time.Second,
		MaxPendingHandshakes:  256,
		RecvQueueCapacity:     100,
	}
}

// ErrInvalidConfig is wrapped by every error Validate returns.
var ErrInvalidConfig = errors.New("invalid config")

func invalid(field string, value any, why string) error {
	return fmt.Errorf("%w: %s=%v: %s", ErrInvalidConfig, field, value, why)
}

// Validate checks the configuration. Each error names the field and its
// bad value.
func (c Config) Validate() error {
	if c.Verifier == nil {
		return invalid("Verifier", nil, "the ensemble (server.N lines) is required")
	}
	if _, ok := c.Verifier.Server(c.ID); !ok {
		return invalid("ID", c.ID, fmt.Sprintf("no server.%d in the ensemble", c.ID))
	}
	srv, _ := c.Verifier.Server(c.ID)
	if len(srv.Addrs) == 0 {
		return invalid("ID", c.ID, "server has no election address")
	}
	if c.TickTime <= 0 {
		return invalid("TickTime", c.TickTime, "must be positive")
	}
	if c.InitLimit <= 0 {
		return invalid("InitLimit", c.InitLimit, "must be positive")
	}
	if c.SyncLimit <= 0 {
		return invalid("SyncLimit", c.SyncLimit, "must be positive")
	}
	if c.Election.FinalizeWait <= 0 {
		return invalid("Election.FinalizeWait", c.Election.FinalizeWait, "must be positive")
	}
	if c.Election.MinNotificationInterval <= 0 {
		return invalid("Election.MinNotificationInterval", c.Election.MinNotificationInterval, "must be positive")
	}
	if c.Election.MaxNotificationInterval < c.Election.MinNotificationInterval {
		return invalid("Election.MaxNotificationInterval", c.Election.MaxNotificationInterval,
			"must not be below MinNotificationInterval")
	}
	if c.ConnectTimeout <= 0 {
		return invalid("ConnectTimeout", c.ConnectTimeout, "must be positive")
	}
	if c.HandshakeTimeout < 0 {
		return invalid("HandshakeTimeout", c.HandshakeTimeout, "must not be negative (0 means TickTime×SyncLimit)")
	}
	if c.WriteTimeout < 0 {
		return invalid("WriteTimeout", c.WriteTimeout, "must not be negative (0 means the handshake timeout)")
	}
	if c.ElectionPortBindRetry < 0 {
		return invalid("ElectionPortBindRetry", c.ElectionPortBindRetry, "must not be negative (0 means forever)")
	}
	if c.BindRetryInterval <= 0 {
		return invalid("BindRetryInterval", c.BindRetryInterval, "must be positive")
	}
	if c.MaxPendingHandshakes <= 0 {
		return invalid("MaxPendingHandshakes", c.MaxPendingHandshakes, "must be positive")
	}
	if c.RecvQueueCapacity <= 0 {
		return invalid("RecvQueueCapacity", c.RecvQueueCapacity, "must be positive")
	}
	if c.TLS != nil && (c.TLS.Server == nil || (c.TLS.Client == nil && c.TLS.ClientFor == nil)) {
		return invalid("TLS", "incomplete", "TLS.Server and TLS.Client (or TLS.ClientFor) are required")
	}
	if c.TLS != nil && c.TLS.DialPlaintext && !c.TLS.PortUnification {
		return invalid("TLS.DialPlaintext", true, "needs TLS.PortUnification: a TLS-only port would refuse plaintext peers dialing like us")
	}
	if c.CurrentEpoch < 0 {
		return invalid("CurrentEpoch", c.CurrentEpoch, "must not be negative")
	}
	if c.CurrentEpoch != 0 && c.DataDir != "" {
		return invalid("CurrentEpoch", c.CurrentEpoch, "must be 0 with a DataDir (the currentEpoch file decides)")
	}
	if srv.Addrs[0].QuorumPort <= 0 || srv.Addrs[0].QuorumPort > 65535 {
		return invalid("ID", c.ID, fmt.Sprintf("server.%d has no valid quorum port (%d)", c.ID, srv.Addrs[0].QuorumPort))
	}
	return nil
}

// views is the committed and the last-seen configuration as one
// quorum.JointConfig: a server is looked up in the committed view, then in
// any last-seen one (QuorumCnxManager's lastCommittedView, then
// lastProposedView).
func (c Config) views() quorum.JointConfig { return quorum.NewJointConfig(c.Verifier, c.LastSeen) }

// handshakeTimeout is the effective initial-message read timeout.
func (c Config) handshakeTimeout() time.Duration {
	if c.HandshakeTimeout > 0 {
		return c.HandshakeTimeout
	}
	return c.TickTime * time.Duration(c.SyncLimit)
}

// writeTimeout is the effective per-frame write timeout.
func (c Config) writeTimeout() time.Duration {
	if c.WriteTimeout > 0 {
		return c.WriteTimeout
	}
	return c.handshakeTimeout()
}

// zabTiming is the session timing: ZooKeeper's tickTime, initLimit and
// syncLimit.
func (c Config) zabTiming() zab.Timing {
	t := zab.DefaultTiming()
	t.TickTime, t.InitLimit, t.SyncLimit = c.TickTime, c.InitLimit, c.SyncLimit
	return t
}

// logger returns the configured logger or the default one.
func (c Config) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.Default()
}
