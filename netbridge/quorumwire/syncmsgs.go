package quorumwire

import "github.com/zkfle/zkfle/zk"

// The packets of synchronisation and heartbeats, with the field values
// ZooKeeper 3.8 puts in them (checked against a real capture, see
// testdata/README.md).

// NewDiffPacket builds the DIFF a leader sends a learner that is already in
// sync (LearnerHandler.syncFollower, "send empty diff"): zxid the learner's
// own last zxid, no data. zkfle replicates nothing, so every sync is this
// one.
func NewDiffPacket(peerLastZxid int64) Packet {
	return Packet{Type: Diff, Zxid: peerLastZxid}
}

// NewNewLeaderPacket builds NEWLEADER: zxid zk.MakeZxid(epoch, 0), data the
// leader's last-seen config text (zab.NewLeaderConfig builds it). Pre-1.0
// learners get it with null data.
func NewNewLeaderPacket(epoch int64, config []byte) Packet {
	return Packet{Type: NewLeader, Zxid: int64(zk.MakeZxid(epoch, 0)), Data: config}
}

// NewAckPacket builds an ACK: of NEWLEADER, and after UPTODATE, both with
// zxid zk.MakeZxid(newEpoch, 0) (Learner.syncWithLeader).
func NewAckPacket(zxid int64) Packet {
	return Packet{Type: Ack, Zxid: zxid}
}

// NewUpToDatePacket builds UPTODATE: zxid -1, no data.
func NewUpToDatePacket() Packet {
	return Packet{Type: UpToDate, Zxid: -1}
}

// NewPingPacket builds the leader's heartbeat (LearnerHandler.ping): zxid
// the last proposed zxid, no data.
func NewPingPacket(lastProposed int64) Packet {
	return Packet{Type: Ping, Zxid: lastProposed}
}

// PingReply builds a learner's answer to a PING (Learner.ping): the same
// type and zxid, the learner's session touches as data (none in zkfle, so
// an empty, non-null buffer), and the ping's authinfo echoed back.
func PingReply(ping Packet) Packet {
	return Packet{Type: ping.Type, Zxid: ping.Zxid, Data: []byte{}, AuthInfo: ping.AuthInfo}
}
