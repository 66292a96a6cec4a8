package admin

import (
	"fmt"

	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/zk"
)

// Envelope is the part of every answer ZooKeeper's AdminServer has too.
type Envelope struct {
	// Command is the command's primary name ("" for a path that names
	// no command).
	Command string `json:"command"`
	// Error is null on success, else why the command could not answer.
	Error *string `json:"error"`
}

// Vote is a vote or proposal in JSON.
type Vote struct {
	// Leader is the proposed or elected leader's sid.
	Leader int64 `json:"leader"`
	// Zxid is that leader's last zxid.
	Zxid int64 `json:"zxid"`
	// ZxidHex is Zxid as ZooKeeper prints it (0x...).
	ZxidHex string `json:"zxid_hex"`
	// ElectionEpoch is the round the vote was cast in.
	ElectionEpoch int64 `json:"election_epoch"`
	// PeerEpoch is the leader's epoch.
	PeerEpoch int64 `json:"peer_epoch"`
	// State is the state of whoever cast the vote.
	State string `json:"state"`
}

func voteOf(v *messages.Vote) *Vote {
	if v == nil {
		return nil
	}
	return &Vote{Leader: v.GetLeader(), Zxid: v.GetZxid(), ZxidHex: zk.Zxid(v.GetZxid()).String(),
		ElectionEpoch: v.GetElectionEpoch(), PeerEpoch: v.GetPeerEpoch(), State: v.GetState().String()}
}

func votesOf(m map[int64]*messages.Vote) map[string]*Vote {
	out := make(map[string]*Vote, len(m))
	for sid, v := range m {
		out[fmt.Sprint(sid)] = voteOf(v)
	}
	return out
}

// Stat answers stat (aliases stats, srvr): the node's state, vote and
// epochs.
type Stat struct {
	Envelope
	// Version is zkfle's version string.
	Version string `json:"version"`
	// Sid is this server's id.
	Sid int64 `json:"sid"`
	// State is LOOKING, FOLLOWING, LEADING or OBSERVING.
	State string `json:"state"`
	// ServerState is ZooKeeper's srvr "Mode" word: leader, follower,
	// observer, or looking.
	ServerState string `json:"server_state"`
	// Leader is the leader's sid, -1 while LOOKING.
	Leader int64 `json:"leader"`
	// Zxid is the leader's zxid as elected; ZxidHex the same in hex.
	Zxid    int64  `json:"zxid"`
	ZxidHex string `json:"zxid_hex"`
	// ElectionEpoch is the round the leader was elected in.
	ElectionEpoch int64 `json:"election_epoch"`
	// PeerEpoch is the leader's epoch (the fencing token once established).
	PeerEpoch int64 `json:"peer_epoch"`
	// LogicalClock is the election's current round.
	LogicalClock int64 `json:"logical_clock"`
	// CurrentVote is the vote the node stands by.
	CurrentVote *Vote `json:"current_vote"`
	// Proposal is the election's current proposal.
	Proposal *Vote `json:"proposal"`
	// MessagesProcessed counts every message the node's actors handled.
	MessagesProcessed uint64 `json:"messages_processed"`
	// DiskFault is set while the node cannot persist its epoch files:
	// it votes but does not stand for leader until a probe write works.
	DiskFault *DiskFault `json:"disk_fault,omitempty"`
	// TLS says whether the election and quorum ports speak TLS
	// (sslQuorum), and with which certificate.
	TLS TLS `json:"tls"`
}

// TLS describes a node's quorum TLS.
type TLS struct {
	// Enabled is true when both quorum ports speak TLS.
	Enabled bool `json:"enabled"`
	// PortUnification is true when plaintext is accepted too.
	PortUnification bool `json:"port_unification,omitempty"`
	// CertSubject and CertNotAfter (RFC 3339) describe the certificate
	// the node presents.
	CertSubject  string `json:"cert_subject,omitempty"`
	CertNotAfter string `json:"cert_not_after,omitempty"`
	// HandshakeFailures counts refused TLS connections: port -> reason ->
	// count (only the non-zero ones).
	HandshakeFailures map[string]map[string]uint64 `json:"handshake_failures,omitempty"`
}

// DiskFault says why a node cannot persist its epoch files.
type DiskFault struct {
	// Dir is dataDir/version-2.
	Dir string `json:"dir"`
	// Error is the last failed write's or probe's error.
	Error string `json:"error"`
	// Since is when the fault was first seen (RFC 3339).
	Since string `json:"since"`
}

// Leader answers leader (alias lead), with ZooKeeper's field names.
type Leader struct {
	Envelope
	// IsLeader tells whether this node leads.
	IsLeader bool `json:"is_leader"`
	// LeaderID is the leader's sid, -1 while LOOKING.
	LeaderID int64 `json:"leader_id"`
	// LeaderIP is the leader's host as configured, "" when unknown.
	LeaderIP string `json:"leader_ip"`
}

// ServerView is one voting member in voting_view, with ZooKeeper's field
// names.
type ServerView struct {
	// ServerAddresses are host:quorumPort of each address.
	ServerAddresses []string `json:"serverAddresses"`
	// ElectionAddresses are host:electionPort of each address.
	ElectionAddresses []string `json:"electionAddresses"`
	// ClientAddress is the client address from the server line, if any.
	ClientAddress []string `json:"clientAddress"`
	// LearnerType is participant or observer.
	LearnerType string `json:"learnerType"`
}

// VotingView answers voting_view: the voting members by sid.
type VotingView struct {
	Envelope
	// CurrentConfig maps each voting member's sid to its addresses.
	CurrentConfig map[string]ServerView `json:"current_config"`
}

// Votes answers votes: the election's view of the current or last round.
type Votes struct {
	Envelope
	// State is the election's state.
	State string `json:"state"`
	// LogicalClock is the current round.
	LogicalClock int64 `json:"logical_clock"`
	// Proposal is what the node proposes now.
	Proposal *Vote `json:"proposal"`
	// CurrentVote is the last decided vote.
	CurrentVote *Vote `json:"current_vote"`
	// Received are the votes of the current (or last) round, by sender sid.
	Received map[string]*Vote `json:"received_votes"`
	// OutOfElection are votes from FOLLOWING/LEADING senders, by sid.
	OutOfElection map[string]*Vote `json:"out_of_election"`
	// Discarded counts notifications the election dropped.
	Discarded uint64 `json:"discarded"`
}

// Peer is one election-port peer link in connections.
type Peer struct {
	// Sid is the peer's id.
	Sid int64 `json:"sid"`
	// Member is true for a sid in the configuration. Others (election
	// probes, observers missing from the configuration) are listed only
	// while connected or with a notification waiting for them; after
	// that they count in Connections.NonMembers.
	Member bool `json:"member"`
	// Connected is true while a connection carries frames.
	Connected bool `json:"connected"`
	// Dialing is true while an outbound connect is in flight.
	Dialing bool `json:"dialing"`
	// Direction is INBOUND or OUTBOUND (of the current connection).
	Direction string `json:"direction"`
	// RemoteAddress is the peer's socket address.
	RemoteAddress string `json:"remote_address"`
	// SendQueue is the send queue's depth (0 or 1: ZooKeeper keeps one).
	SendQueue int32 `json:"send_queue"`
	// SendDropped counts notifications replaced in the send queue.
	SendDropped uint64 `json:"send_dropped"`
	// Sent and Received count notifications.
	Sent     uint64 `json:"sent"`
	Received uint64 `json:"received"`
	// ConnectAttempts and ConnectFailures count outbound connects.
	ConnectAttempts uint64 `json:"connect_attempts"`
	ConnectFailures uint64 `json:"connect_failures"`
	// LastClose is why the last connection ended, if one did.
	LastClose       string `json:"last_close,omitempty"`
	LastCloseDetail string `json:"last_close_detail,omitempty"`
}

// ReceiveQueue is the WorkerReceiver's queue in connections.
type ReceiveQueue struct {
	// Capacity is the queue's size (100 in ZooKeeper).
	Capacity int32 `json:"capacity"`
	// Depth is how many notifications wait now.
	Depth int32 `json:"depth"`
	// InFlight is true while the election holds one not yet processed.
	InFlight bool `json:"in_flight"`
	// Received and Delivered count notifications in and to the election.
	Received  uint64 `json:"received"`
	Delivered uint64 `json:"delivered"`
	// Dropped counts notifications lost to a full queue (oldest first).
	Dropped uint64 `json:"dropped"`
	// Malformed counts undecodable bodies by DropReason.
	Malformed map[string]uint64 `json:"malformed"`
}

// Connections answers connections (alias cons). ZooKeeper lists client
// sessions here; zkfle has none, so it lists the election-port peers.
type Connections struct {
	Envelope
	// Peers are the peer links, by ascending sid.
	Peers []Peer `json:"peers"`
	// Rejected counts inbound connections refused during the handshake,
	// by reason.
	Rejected map[string]uint64 `json:"rejected"`
	// NonMembers sums the sids outside the configuration that are no
	// longer connected: a probe (node probe connects with a made-up sid)
	// is a peer while it is connected, then only a count here.
	NonMembers NonMembers `json:"non_members"`
	// ReceiveQueue is the receive side; null if it could not be queried.
	ReceiveQueue *ReceiveQueue `json:"receive_queue"`
}

// NonMembers is the sum of the links of sids outside the configuration
// that are not listed as peers: disconnected ones the node still
// remembers, and those it has forgotten.
type NonMembers struct {
	// Remembered is how many such sids the node still holds state for
	// (a small bounded table).
	Remembered int `json:"remembered"`
	// Sent and Received count their notifications.
	Sent     uint64 `json:"sent"`
	Received uint64 `json:"received"`
	// SendDropped counts notifications to them replaced in a send queue.
	SendDropped uint64 `json:"send_dropped"`
}
