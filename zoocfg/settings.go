package zoocfg

import (
	"time"

	"github.com/zkfle/zkfle/quorum"
	"github.com/zkfle/zkfle/quorumtls"
)

// Settings are the typed values of a zoo.cfg, with ZooKeeper 3.8's
// defaults for keys the file does not set. The package documentation's
// table says where each comes from.
type Settings struct {
	// TickTime is tickTime (ZooKeeper's default: 3 s, its
	// ZooKeeperServer.DEFAULT_TICK_TIME; the sample zoo.cfg says 2000).
	TickTime time.Duration
	// InitLimit and SyncLimit are initLimit and syncLimit, in ticks (0
	// when unset, which only a standalone configuration may leave them).
	InitLimit, SyncLimit int

	// DataDir is dataDir as java.io.File prints it (relative paths are
	// joined to Parse's baseDir when one is given).
	DataDir string
	// DataLogDir is dataLogDir, or DataDir when unset.
	DataLogDir string

	// ClientAddr is the static client address, "host:port" from
	// clientPortAddress and clientPort ("0.0.0.0:port" without
	// clientPortAddress), or "" without clientPort. A server line's
	// ";client" part overrides it for that server (see NodeConfig).
	ClientAddr string

	// PeerType is peerType (participant unless set). The server list wins
	// when they disagree; see WarningsFor.
	PeerType quorum.LearnerType
	// StandaloneEnabled is standaloneEnabled (default true).
	StandaloneEnabled bool
	// ReconfigEnabled is reconfigEnabled (default false). zkfle accepts
	// it but never applies a reconfiguration.
	ReconfigEnabled bool
	// MultiAddressEnabled is multiAddress.enabled (or
	// zookeeper.multiAddress.enabled), default false.
	MultiAddressEnabled bool
	// ListenOnAllIPs is quorumListenOnAllIPs (default false).
	ListenOnAllIPs bool

	// DynamicConfigFile is dynamicConfigFile as resolved, or "".
	DynamicConfigFile string
	// Verifier is the ensemble: the server/group/weight lines of the
	// zoo.cfg, or of its dynamic config file.
	Verifier quorum.Verifier
	// LastSeen is the ensemble of <zoo.cfg>.dynamic.next (a
	// reconfiguration in progress), or nil.
	LastSeen quorum.Verifier
	// Distributed is QuorumPeerConfig.isDistributed(): false when
	// ZooKeeper would run standalone (no participants, or one with
	// standaloneEnabled=true), without leader election.
	Distributed bool

	// ConnectTimeout is cnxTimeout (default 5 s).
	ConnectTimeout time.Duration
	// HandshakeTimeout is quorumCnxnTimeoutMs when positive, else 0
	// (meaning TickTime × SyncLimit, as in ZooKeeper).
	HandshakeTimeout time.Duration
	// ElectionPortBindRetry is electionPortBindRetry (default 3, 0 means
	// forever; ZooKeeper replaces a negative value by 3).
	ElectionPortBindRetry int
	// TCPKeepAlive is tcpKeepAlive (default false).
	TCPKeepAlive bool
	// MinNotificationInterval and MaxNotificationInterval are
	// fastleader.minNotificationInterval and
	// fastleader.maxNotificationInterval (defaults 200 ms and 60 s).
	MinNotificationInterval, MaxNotificationInterval time.Duration
	// FourLetterWords is 4lw.commands.whitelist as ZooKeeper applies it:
	// the listed words, trimmed, plus srvr, which ZooKeeper always
	// allows; or just "*" when the list has "*". Default: srvr.
	FourLetterWords []string
	// PeerAddressCheck is zkfle.peerAddressCheck (default true): a
	// connection claiming server S is accepted only from an address S's
	// server line names. false (for NAT) lets anyone who can reach the
	// election and quorum ports claim any member's sid.
	PeerAddressCheck bool
	// ElectionFastPaths is zkfle.election.fastPaths (default true): the
	// election decides at once, without the finalize window, when every
	// voter votes for the proposal or every missing voter is known
	// unreachable. false gives ZooKeeper's exact timing.
	ElectionFastPaths bool

	// QuorumTLS are the quorum TLS settings when sslQuorum=true (the
	// ssl.quorum.* keys, sslQuorumReloadCertFiles, portUnification and
	// zkfle.sslQuorum.identityCheck), nil otherwise. The stores are not
	// read here: quorumtls.Load(*QuorumTLS, log) reads them.
	QuorumTLS *quorumtls.Options
}
