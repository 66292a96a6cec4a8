package quorumwire

import (
	"encoding/binary"
	"fmt"

	"github.com/zkfle/zkfle/zk"
)

// EpochProposal is a decoded LEADERINFO: the leader's new epoch and its
// protocol version.
type EpochProposal struct {
	// Epoch is the proposed epoch, the epoch of the packet's zxid.
	Epoch int64
	// ProtocolVersion is the leader's Zab protocol version (ProtocolVersion).
	ProtocolVersion int32
	// Zkfle is set when the data carries ZkfleMark: the leader is a zkfle
	// node, not a ZooKeeper server.
	Zkfle bool
}

// NewLeaderInfoPacket builds LEADERINFO as LearnerHandler sends it: zxid
// zk.MakeZxid(epoch, 0), data the 4-byte ProtocolVersion.
func NewLeaderInfoPacket(epoch int64) Packet {
	return Packet{
		Type: LeaderInfo,
		Zxid: int64(zk.MakeZxid(epoch, 0)),
		Data: binary.BigEndian.AppendUint32(make([]byte, 0, 4), uint32(ProtocolVersion)),
	}
}

// NewZkfleLeaderInfoPacket is NewLeaderInfoPacket with ZkfleMark after the
// version: what a zkfle leader sends. ZooKeeper learners read the version
// and ignore the rest.
func NewZkfleLeaderInfoPacket(epoch int64) Packet {
	p := NewLeaderInfoPacket(epoch)
	p.Data = append(p.Data, ZkfleMark...)
	return p
}

// DecodeLeaderInfo reads a LEADERINFO packet as Learner.registerWithLeader
// does. Errors wrap ErrWrongType, or ErrShortPayload when the data holds no
// 4-byte version.
func DecodeLeaderInfo(p Packet) (EpochProposal, error) {
	if p.Type != LeaderInfo {
		return EpochProposal{}, fmt.Errorf("%w: %s, want LEADERINFO", ErrWrongType, p.Type)
	}
	if len(p.Data) < 4 {
		return EpochProposal{}, fmt.Errorf("%w: LEADERINFO data of %d bytes (want 4)", ErrShortPayload, len(p.Data))
	}
	return EpochProposal{
		Epoch:           zk.Zxid(p.Zxid).Epoch(),
		ProtocolVersion: int32(binary.BigEndian.Uint32(p.Data)),
		Zkfle:           hasZkfleMark(p.Data, 4),
	}, nil
}

// EpochAck is a decoded ACKEPOCH: the learner's state summary.
type EpochAck struct {
	// CurrentEpoch is the learner's current epoch, or -1 when it had
	// already accepted the proposed epoch (such an ack does not count
	// toward the leader's quorum). On the wire it is 32 bits: Java casts
	// the long to int.
	CurrentEpoch int64
	// LastZxid is the learner's last logged zxid (the packet's zxid).
	LastZxid int64
}

// AlreadyAccepted is the CurrentEpoch of an ACKEPOCH from a learner whose
// acceptedEpoch already equalled the proposal.
const AlreadyAccepted int64 = -1

// NewAckEpochPacket builds ACKEPOCH as Learner.registerWithLeader does: zxid
// the learner's last logged zxid, data its current epoch as a 4-byte int
// (truncated like Java's (int) cast), or AlreadyAccepted.
func NewAckEpochPacket(currentEpoch, lastZxid int64) Packet {
	return Packet{
		Type: AckEpoch,
		Zxid: lastZxid,
		Data: binary.BigEndian.AppendUint32(make([]byte, 0, 4), uint32(int32(currentEpoch))),
	}
}

// DecodeAckEpoch reads an ACKEPOCH packet as LearnerHandler.run does (the
// epoch is sign-extended from 32 bits). Errors wrap ErrWrongType, or
// ErrShortPayload when the data holds no 4-byte epoch.
func DecodeAckEpoch(p Packet) (EpochAck, error) {
	if p.Type != AckEpoch {
		return EpochAck{}, fmt.Errorf("%w: %s, want ACKEPOCH", ErrWrongType, p.Type)
	}
	if len(p.Data) < 4 {
		return EpochAck{}, fmt.Errorf("%w: ACKEPOCH data of %d bytes (want 4)", ErrShortPayload, len(p.Data))
	}
	return EpochAck{
		CurrentEpoch: int64(int32(binary.BigEndian.Uint32(p.Data))),
		LastZxid:     p.Zxid,
	}, nil
}
