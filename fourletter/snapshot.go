package fourletter

import (
	"time"

	"github.com/zkfle/zkfle/messages"
)

// Snapshot is everything the answers print about one node at one moment.
// Fields ZooKeeper fills from subsystems zkfle does not have (znodes,
// sessions, watches, request latencies) are not here: the answers print
// ZooKeeper's values for an empty server instead.
type Snapshot struct {
	// ServerID is this node's sid (myid).
	ServerID int64
	// State is the node's role. While it is LOOKING, most words answer
	// that the instance is not currently serving requests.
	State messages.ServerState
	// LeaderID is the sid of the leader this node follows or is. An
	// observer prints it as zk_observer_master_id.
	LeaderID int64
	// Zxid is the last zxid the node knows (srvr's "Zxid:" line).
	Zxid int64
	// ElectionEpoch is the round the leader was elected in. No 3.8 word
	// prints it; it is here so that a snapshot describes the decision.
	ElectionEpoch int64
	// PeerEpoch is the leader's epoch. No 3.8 word prints it either.
	PeerEpoch int64
	// Version is what follows "Zookeeper version: " (see FullVersion).
	Version string

	// Config is what `conf` prints.
	Config ServerConfig
	// Membership is the ensemble exactly as Java's QuorumVerifier
	// toString() prints it (quorum.Verifier's String()), no trailing
	// newline. `conf` prints it, and mntr's approximate data size counts
	// it (the /zookeeper/config znode holds it).
	Membership string
	// QuorumSize is the number of voting members (zk_quorum_size).
	QuorumSize int

	// PacketsReceived and PacketsSent count the words received and
	// answered since the node last started serving (srst resets them).
	PacketsReceived, PacketsSent int64
	// BytesReceived counts every byte read from the client port since
	// the process started (zk_bytes_received_count).
	BytesReceived int64
	// Clients are the open client-port connections, the asking one
	// included (stat's "Clients:", cons, dump, and the connection count).
	Clients []Client
	// Uptime is how long the node has been serving in its current role
	// (zk_uptime). LeaderUptime is how long it has led (zk_leader_uptime,
	// printed by leaders only).
	Uptime, LeaderUptime time.Duration
	// Learners are the sids of the servers a leader counts as its learners
	// (zk_learners); the voters among them are its synced followers and
	// the rest its synced observers.
	Learners []Learner
	// LookingCount is how many times the node has entered LOOKING.
	LookingCount int64
	// ElectionTime summarises how long each election took, in ms.
	ElectionTime Summary
	// UnavailableTime summarises, in ms, each stretch from entering
	// LOOKING to serving again; LeaderUnavailableTime the ones that ended
	// with this node leading.
	UnavailableTime, LeaderUnavailableTime Summary
	// FileDescriptors is the process's open and maximum descriptor
	// count, or nil where they cannot be read (ZooKeeper then omits the
	// two mntr keys, as it does on platforms without them).
	FileDescriptors *FileDescriptors
	// TraceMask is the server's trace mask (gtmk; stmk sets it).
	// ZooKeeper's default is 306.
	TraceMask int64
	// Now is the wall-clock time of the snapshot (dump prints when
	// connections expire).
	Now time.Time
	// Host describes the machine and process for envi.
	Host Host
	// DiskFault, when not empty, says why the node cannot persist its
	// epoch files (it then votes but does not stand for leader). srvr,
	// stat and mntr add a zkfle line for it (see diskFaultLines); no
	// ZooKeeper line changes.
	DiskFault string
	// TLS describes the quorum ports' TLS when it is on (sslQuorum), nil
	// when it is off: conf and mntr then add zkfle lines (see tlsLines),
	// so a plaintext node's answers stay ZooKeeper's.
	TLS *TLSInfo
}

// TLSInfo is what conf and mntr print about quorum TLS.
type TLSInfo struct {
	// PortUnification is true when plaintext is accepted too.
	PortUnification bool
	// Subject and NotAfter describe the certificate the node presents;
	// empty and zero when it cannot be told.
	Subject  string
	NotAfter time.Time
}

// Serving reports whether the node is in a role that answers requests
// (not LOOKING). ZooKeeper answers most words only then.
func (s *Snapshot) Serving() bool {
	switch s.State {
	case messages.ServerState_FOLLOWING, messages.ServerState_LEADING, messages.ServerState_OBSERVING:
		return true
	default:
		return false
	}
}

// ServerConfig holds the configuration values `conf` prints.
type ServerConfig struct {
	// ClientPort is the client port (clientPort).
	ClientPort int
	// ClientPortAddress is the address the client port is bound to
	// (clientPortAddress). ZooKeeper 3.8's conf does not print it.
	ClientPortAddress string
	// DataDir and DataLogDir are the absolute snapshot and transaction-log
	// directories, without the "version-2" ZooKeeper appends.
	DataDir, DataLogDir string
	// DataDirSize and DataLogSize are the bytes in their version-2
	// subdirectories (0 when absent, as on a zkfle node).
	DataDirSize, DataLogSize int64
	// TickTime is ZooKeeper's basic time unit (printed in ms).
	TickTime time.Duration
	// MaxClientCnxns is the per-host connection limit (ZooKeeper: 60).
	MaxClientCnxns int
	// MinSessionTimeout and MaxSessionTimeout bound session timeouts
	// (ZooKeeper: 2 and 20 ticks). Printed in ms.
	MinSessionTimeout, MaxSessionTimeout time.Duration
	// InitLimit and SyncLimit are in ticks.
	InitLimit, SyncLimit int
	// ElectionAlg is the election algorithm (always 3 in 3.8).
	ElectionAlg int
	// ElectionPorts and QuorumPorts are this server's election and quorum
	// ports, one per address (multi-address servers have several).
	ElectionPorts, QuorumPorts []int
	// Observer is true for an observer (peerType=1), false for a
	// participant (peerType=0).
	Observer bool
}

// Client is one open client-port connection, as stat, cons and dump list
// it.
type Client struct {
	// Addr is the remote address.
	Addr string
	// Interest is the connection's NIO interest set: 0 once its word has
	// been read (ZooKeeper cancels the selection key), 1 (OP_READ) while
	// it is still being read.
	Interest int
	// Received and Sent count the packets (words) read from and answers
	// written to this connection.
	Received, Sent int64
	// Expires is when the connection would be closed if it stayed idle.
	Expires time.Time
}

// Learner is one server a leader counts as connected to it.
type Learner struct {
	// ID is the learner's sid.
	ID int64
	// Observer is true for an observer, false for a voting follower.
	Observer bool
}

// Summary is ZooKeeper's AvgMinMaxCounter: count, total, minimum and
// maximum of some measurement, in ms. The zero value means nothing was
// measured.
type Summary struct {
	Count, Sum, Min, Max int64
}

// Add records one measurement.
func (s *Summary) Add(v int64) {
	if s.Count == 0 || v < s.Min {
		s.Min = v
	}
	if s.Count == 0 || v > s.Max {
		s.Max = v
	}
	s.Count++
	s.Sum += v
}

// FileDescriptors is the process's descriptor usage.
type FileDescriptors struct {
	// Open is how many descriptors are open.
	Open int64
	// Max is the soft limit on open descriptors.
	Max int64
}

// Host is what envi prints about the machine and the process. ZooKeeper
// also prints the JVM's properties (java.*, os.memory.*); a Go process has
// none, so envi leaves those lines out. An empty field prints as "<NA>",
// ZooKeeper's text for a property it could not read.
type Host struct {
	// Name is the host name (host.name).
	Name string
	// OS and Arch are Go's GOOS and GOARCH; envi prints them the way a JVM
	// names them (os.name "Linux", os.arch "amd64").
	OS, Arch string
	// OSVersion is the kernel release (os.version).
	OSVersion string
	// User, Home and WorkDir are the user's name and home directory and
	// the process's working directory (user.name, user.home, user.dir).
	User, Home, WorkDir string
}
