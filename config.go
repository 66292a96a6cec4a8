package zkfle

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/quorum"
)

// Server is one member of the ensemble: a server.N line of zoo.cfg.
type Server struct {
	// ID is the server's sid (myid).
	ID int64
	// Host is the server's address: an IP or a host name (IPv6 without
	// brackets).
	Host string
	// QuorumPort is where the leader listens for its followers (2888 in
	// ZooKeeper's examples).
	QuorumPort int
	// ElectionPort is where the server listens for election
	// notifications (3888 in ZooKeeper's examples).
	ElectionPort int
	// Observer marks a member that follows the leader but never votes
	// and never leads.
	Observer bool
}

// QuorumTLS makes both the election and the quorum port TLS with mutual
// authentication (ZooKeeper's sslQuorum). Its fields are documented at
// actors.QuorumTLS; they are plain *tls.Config values and flags.
type QuorumTLS = actors.QuorumTLS

// Config is everything a node needs. Build one with DefaultConfig, set ID
// and Servers, then call Validate, or let Start do it.
type Config struct {
	// ID is this server's sid (myid); Servers must list it.
	ID int64
	// Servers is the ensemble: every member, this one included. A quorum
	// is a majority of the voters (the members that are not observers).
	Servers []Server

	// TickTime is ZooKeeper's basic time unit (tickTime, 2 s).
	TickTime time.Duration
	// InitLimit is how many ticks followers get to connect and sync to a
	// new leader (initLimit, 10).
	InitLimit int
	// SyncLimit is how many ticks a follower may lag (syncLimit, 5).
	SyncLimit int

	// FinalizeWait is how long a quorum must stand with no notification
	// arriving before the node decides (finalizeWait, 200 ms).
	FinalizeWait time.Duration
	// MinNotificationInterval is the first re-send timeout of an election
	// (zookeeper.fastleader.minNotificationInterval, 200 ms); it doubles
	// up to MaxNotificationInterval (60 s).
	MinNotificationInterval time.Duration
	// MaxNotificationInterval caps the re-send back-off
	// (zookeeper.fastleader.maxNotificationInterval, 60 s).
	MaxNotificationInterval time.Duration

	// ConnectTimeout bounds each connect to a peer (cnxTimeout, 5 s).
	ConnectTimeout time.Duration
	// HandshakeTimeout bounds reading a new connection's first message;
	// 0 means TickTime × SyncLimit, as in ZooKeeper.
	HandshakeTimeout time.Duration
	// WriteTimeout bounds each write to a peer; 0 means HandshakeTimeout.
	WriteTimeout time.Duration
	// ElectionPortBindRetry is how many times binding the election port
	// is tried before the node fails (electionPortBindRetry, 3; 0 means
	// forever), BindRetryInterval apart (1 s).
	ElectionPortBindRetry int
	// BindRetryInterval is the pause between bind attempts (1 s).
	BindRetryInterval time.Duration
	// ListenOnAllIPs binds the wildcard address on the election and
	// quorum ports (quorumListenOnAllIPs).
	ListenOnAllIPs bool
	// TCPKeepAlive enables SO_KEEPALIVE on election connections
	// (zookeeper.tcpKeepAlive).
	TCPKeepAlive bool
	// SkipPeerAddressCheck accepts a connection claiming to be server S
	// from any address, not only from S's Host (for NAT; use TLS then).
	SkipPeerAddressCheck bool
	// DisableFastPaths makes every election wait out ZooKeeper's finalize
	// window (ZooKeeper-exact timing). By default a round is decided at
	// once when every voter agrees, or when every voter that has not is
	// known to be unreachable (fle/fastpath.go says why that is safe).
	DisableFastPaths bool
	// TLS, if set, makes both ports TLS with mutual authentication. Nil
	// means plain TCP.
	TLS *QuorumTLS

	// LastZxid, if set, supplies the last zxid (log index) of the
	// replica's data, so that the replica with the newest data wins the
	// election. Nil means every replica's data is equally new. It is
	// called each time the node starts electing; it must be quick and
	// safe for concurrent use.
	LastZxid func() int64
	// DataDir, if set, is where the node keeps its epochs, in ZooKeeper's
	// format (version-2/acceptedEpoch and currentEpoch). Empty means the
	// epochs live in memory.
	DataDir string
	// CurrentEpoch is the epoch a node without a DataDir starts with; it
	// must be 0 with a DataDir (the files decide).
	CurrentEpoch int64

	// Logger receives structured logs. Nil means slog.Default().
	Logger *slog.Logger
}

// DefaultConfig returns ZooKeeper 3.8's defaults (those of its sample
// zoo.cfg: tickTime 2 s, initLimit 10, syncLimit 5). ID and Servers must
// still be set.
func DefaultConfig() Config {
	d := actors.DefaultConfig()
	return Config{
		TickTime:                d.TickTime,
		InitLimit:               d.InitLimit,
		SyncLimit:               d.SyncLimit,
		FinalizeWait:            d.Election.FinalizeWait,
		MinNotificationInterval: d.Election.MinNotificationInterval,
		MaxNotificationInterval: d.Election.MaxNotificationInterval,
		ConnectTimeout:          d.ConnectTimeout,
		ElectionPortBindRetry:   d.ElectionPortBindRetry,
		BindRetryInterval:       d.BindRetryInterval,
	}
}

// ErrInvalidConfig is wrapped by every error Validate returns.
var ErrInvalidConfig = actors.ErrInvalidConfig

func invalid(field string, value any, why string) error {
	return fmt.Errorf("%w: %s=%v: %s", ErrInvalidConfig, field, value, why)
}

// Validate checks the configuration. Each error wraps ErrInvalidConfig
// and names the field and its bad value, for example
// "invalid config: Servers[1].ElectionPort=0: must be 1-65535".
func (c Config) Validate() error {
	_, err := c.actorsConfig()
	return err
}

// checkServers checks what quorum.NewMajority would reject, field by
// field, so that the error names the entry.
func (c Config) checkServers() error {
	if len(c.Servers) == 0 {
		return invalid("Servers", "[]", "the ensemble is required (at least this server)")
	}
	seen := make(map[int64]int, len(c.Servers))
	for i, s := range c.Servers {
		field := func(name string) string { return fmt.Sprintf("Servers[%d].%s", i, name) }
		if j, dup := seen[s.ID]; dup {
			return invalid(field("ID"), s.ID, fmt.Sprintf("also the ID of Servers[%d]", j))
		}
		seen[s.ID] = i
		if s.Host == "" {
			return invalid(field("Host"), `""`, "a host is required")
		}
		if s.QuorumPort <= 0 || s.QuorumPort > 65535 {
			return invalid(field("QuorumPort"), s.QuorumPort, "must be 1-65535")
		}
		if s.ElectionPort <= 0 || s.ElectionPort > 65535 {
			return invalid(field("ElectionPort"), s.ElectionPort, "must be 1-65535")
		}
		if s.QuorumPort == s.ElectionPort {
			return invalid(field("ElectionPort"), s.ElectionPort, "must differ from QuorumPort")
		}
	}
	return nil
}

// actorsConfig validates c and maps it onto the actor tree's
// configuration. Fields Config does not have keep actors.DefaultConfig's
// values (ZooKeeper's defaults); no client port is served.
func (c Config) actorsConfig() (actors.Config, error) {
	if err := c.checkServers(); err != nil {
		return actors.Config{}, err
	}
	servers := make([]quorum.Server, len(c.Servers))
	for i, s := range c.Servers {
		servers[i] = quorum.Server{ID: s.ID, Addrs: []quorum.AddrPair{
			{Host: s.Host, QuorumPort: s.QuorumPort, ElectionPort: s.ElectionPort}}}
		if s.Observer {
			servers[i].Type = quorum.Observer
		}
	}
	v, err := quorum.NewMajority(servers, 0)
	if err != nil {
		return actors.Config{}, invalid("Servers", len(servers), err.Error())
	}
	a := actors.DefaultConfig()
	a.ID, a.Verifier = c.ID, v
	a.TickTime, a.InitLimit, a.SyncLimit = c.TickTime, c.InitLimit, c.SyncLimit
	a.Election.FinalizeWait = c.FinalizeWait
	a.Election.MinNotificationInterval = c.MinNotificationInterval
	a.Election.MaxNotificationInterval = c.MaxNotificationInterval
	a.ConnectTimeout, a.HandshakeTimeout, a.WriteTimeout = c.ConnectTimeout, c.HandshakeTimeout, c.WriteTimeout
	a.ElectionPortBindRetry, a.BindRetryInterval = c.ElectionPortBindRetry, c.BindRetryInterval
	a.ListenOnAllIPs, a.TCPKeepAlive = c.ListenOnAllIPs, c.TCPKeepAlive
	a.SkipPeerAddressCheck, a.TLS = c.SkipPeerAddressCheck, c.TLS
	a.DisableElectionFastPaths = c.DisableFastPaths
	a.LastZxid, a.DataDir, a.CurrentEpoch = c.LastZxid, c.DataDir, c.CurrentEpoch
	a.Logger = c.Logger
	if err := a.Validate(); err != nil {
		return actors.Config{}, err
	}
	return a, nil
}
