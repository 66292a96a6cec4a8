package quorumwire

import (
	"encoding/binary"
	"fmt"

	"github.com/zkfle/zkfle/zk"
)

// ProtocolVersion is the Zab protocol version ZooKeeper 3.4+ learners and
// leaders announce (0x10000, "Zab 1.0"): in LearnerInfo and as LEADERINFO's
// data. A learner announcing less speaks the pre-1.0 protocol, which has no
// LEADERINFO/ACKEPOCH exchange.
const ProtocolVersion int32 = 0x10000

// learnerInfoLen is the encoded size of a full LearnerInfo record.
const learnerInfoLen = 8 + 4 + 8

// LearnerInfo is jute's LearnerInfo record, the data of FOLLOWERINFO and
// OBSERVERINFO.
type LearnerInfo struct {
	// ServerID is the learner's sid.
	ServerID int64
	// ProtocolVersion is ProtocolVersion for every current learner. A
	// record too short to hold it decodes as 1, the value LearnerHandler
	// assumes then (its field's initial value).
	ProtocolVersion int32
	// ConfigVersion is the version of the learner's committed quorum
	// verifier (0 for a static config, and when the record is too short to
	// hold it). A leader refuses a learner whose config is newer.
	ConfigVersion int64
	// Zkfle is set for a zkfle learner: ZkfleMark follows the record.
	Zkfle bool
}

// AppendEncode appends the record's 20-byte jute encoding to dst, and
// ZkfleMark after it when Zkfle is set.
func (li LearnerInfo) AppendEncode(dst []byte) []byte {
	dst = binary.BigEndian.AppendUint64(dst, uint64(li.ServerID))
	dst = binary.BigEndian.AppendUint32(dst, uint32(li.ProtocolVersion))
	dst = binary.BigEndian.AppendUint64(dst, uint64(li.ConfigVersion))
	if li.Zkfle {
		dst = append(dst, ZkfleMark...)
	}
	return dst
}

// DecodeLearnerInfo reads a LearnerInfo the way LearnerHandler.run does:
// the sid from the first 8 bytes, the protocol version if 12 bytes are
// there, the config version if 20 are; bytes beyond 20 are ignored. Fewer
// than 8 bytes (or null data, where Java would invent a negative sid) is an
// error wrapping ErrShortPayload.
func DecodeLearnerInfo(data []byte) (LearnerInfo, error) {
	if len(data) < 8 {
		return LearnerInfo{}, fmt.Errorf("%w: LearnerInfo of %d bytes (want at least 8)", ErrShortPayload, len(data))
	}
	li := LearnerInfo{ServerID: int64(binary.BigEndian.Uint64(data)), ProtocolVersion: 1}
	if len(data) >= 12 {
		li.ProtocolVersion = int32(binary.BigEndian.Uint32(data[8:]))
	}
	if len(data) >= learnerInfoLen {
		li.ConfigVersion = int64(binary.BigEndian.Uint64(data[12:]))
	}
	li.Zkfle = hasZkfleMark(data, learnerInfoLen)
	return li, nil
}

// NewZkfleLearnerInfoPacket is NewLearnerInfoPacket with ZkfleMark after
// the record: what a zkfle learner sends.
func NewZkfleLearnerInfoPacket(observer bool, sid, acceptedEpoch, configVersion int64) Packet {
	p := NewLearnerInfoPacket(observer, sid, acceptedEpoch, configVersion)
	p.Data = append(p.Data, ZkfleMark...)
	return p
}

// NewLearnerInfoPacket builds a learner's first packet, as
// Learner.registerWithLeader does: FOLLOWERINFO (or OBSERVERINFO when
// observer is true) with zxid zk.MakeZxid(acceptedEpoch, 0) and a LearnerInfo
// carrying ProtocolVersion.
func NewLearnerInfoPacket(observer bool, sid, acceptedEpoch, configVersion int64) Packet {
	t := FollowerInfo
	if observer {
		t = ObserverInfo
	}
	li := LearnerInfo{ServerID: sid, ProtocolVersion: ProtocolVersion, ConfigVersion: configVersion}
	return Packet{
		Type: t,
		Zxid: int64(zk.MakeZxid(acceptedEpoch, 0)),
		Data: li.AppendEncode(make([]byte, 0, learnerInfoLen)),
	}
}
