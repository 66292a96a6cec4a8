package quorumwire

import "strconv"

// PacketType is a QuorumPacket's type field. The values and names are
// ZooKeeper 3.8's (Leader.java constants, printed by Leader.getPacketType).
type PacketType int32

// The packet types of the quorum port.
const (
	// Request: a learner forwards a client request to the leader.
	Request PacketType = 1
	// Proposal: the leader proposes a transaction.
	Proposal PacketType = 2
	// Ack: a learner acknowledges a proposal, NEWLEADER, or UPTODATE.
	Ack PacketType = 3
	// Commit: the leader commits a proposal.
	Commit PacketType = 4
	// Ping: the leader's heartbeat, echoed back by learners with their
	// session touches.
	Ping PacketType = 5
	// Revalidate: a session revalidation request or answer.
	Revalidate PacketType = 6
	// Sync: a client sync request's answer.
	Sync PacketType = 7
	// Inform: a committed transaction sent to observers.
	Inform PacketType = 8
	// CommitAndActivate: commit of a reconfiguration.
	CommitAndActivate PacketType = 9
	// NewLeader: the leader's proposal to establish its epoch, sent after
	// the sync packets; its data is the leader's last-seen config text.
	NewLeader PacketType = 10
	// FollowerInfo: a follower's first packet; zxid is
	// zk.MakeZxid(acceptedEpoch, 0), data is a LearnerInfo.
	FollowerInfo PacketType = 11
	// UpToDate: the learner is in sync and may serve.
	UpToDate PacketType = 12
	// Diff: sync by sending the missing transactions (none, for zkfle).
	Diff PacketType = 13
	// Trunc: sync by truncating the learner's log to zxid.
	Trunc PacketType = 14
	// Snap: sync by a full snapshot, which follows in the stream unframed.
	Snap PacketType = 15
	// ObserverInfo: an observer's first packet, laid out as FollowerInfo.
	ObserverInfo PacketType = 16
	// LeaderInfo: the leader's new epoch, zxid zk.MakeZxid(newEpoch, 0), data
	// the protocol version.
	LeaderInfo PacketType = 17
	// AckEpoch: a learner's answer to LeaderInfo, zxid its last zxid, data
	// its current epoch (or -1).
	AckEpoch PacketType = 18
	// InformAndActivate: a reconfiguration sent to observers.
	InformAndActivate PacketType = 19
)

var packetTypeNames = [...]string{
	Request:           "REQUEST",
	Proposal:          "PROPOSAL",
	Ack:               "ACK",
	Commit:            "COMMIT",
	Ping:              "PING",
	Revalidate:        "REVALIDATE",
	Sync:              "SYNC",
	Inform:            "INFORM",
	CommitAndActivate: "COMMITANDACTIVATE",
	NewLeader:         "NEWLEADER",
	FollowerInfo:      "FOLLOWERINFO",
	UpToDate:          "UPTODATE",
	Diff:              "DIFF",
	Trunc:             "TRUNC",
	Snap:              "SNAP",
	ObserverInfo:      "OBSERVERINFO",
	LeaderInfo:        "LEADERINFO",
	AckEpoch:          "ACKEPOCH",
	InformAndActivate: "INFORMANDACTIVATE",
}

// String returns ZooKeeper's name for the type (as Leader.getPacketType
// prints it), or "UNKNOWN(n)" for a value ZooKeeper does not define.
func (t PacketType) String() string {
	if t > 0 && int(t) < len(packetTypeNames) {
		return packetTypeNames[t]
	}
	return "UNKNOWN(" + strconv.Itoa(int(t)) + ")"
}
