package zab

import "fmt"

// Reason says why a session ended.
type Reason int

const (
	// ReasonStopped: the driver called Stop.
	ReasonStopped Reason = iota + 1
	// ReasonPersistFailed: the driver reported a failed epoch write.
	ReasonPersistFailed
	// ReasonEpochTimeout (leader): no quorum of participants, the leader
	// counted, connected within initLimit × tickTime
	// ("Timeout while waiting for epoch from quorum").
	ReasonEpochTimeout
	// ReasonEpochAckTimeout (leader): no quorum acknowledged the new epoch
	// within initLimit × tickTime
	// ("Timeout while waiting for epoch to be acked by quorum").
	ReasonEpochAckTimeout
	// ReasonNewLeaderAckTimeout (leader): no quorum acknowledged NEWLEADER
	// within initLimit × tickTime
	// ("Waiting for a quorum of followers, only synced with sids: [...]").
	ReasonNewLeaderAckTimeout
	// ReasonQuorumLost (leader): at a tick, fewer than a quorum had been
	// heard from within syncLimit ticks
	// ("Not sufficient followers synced, only synced with sids: [...]").
	ReasonQuorumLost
	// ReasonConnectFailed (learner): every dial to the leader failed, or
	// the connect budget ran out.
	ReasonConnectFailed
	// ReasonLeaderSilent (learner): nothing came from the leader for the
	// read timeout (initLimit × tickTime until NEWLEADER, syncLimit ×
	// tickTime after).
	ReasonLeaderSilent
	// ReasonLeaderClosed (learner): the leader connection closed.
	ReasonLeaderClosed
	// ReasonEpochBehind (learner): LEADERINFO proposed an epoch below this
	// server's acceptedEpoch ("Leaders epoch, e is less than accepted
	// epoch, a").
	ReasonEpochBehind
	// ReasonProtocol (learner): the leader sent a packet out of sequence,
	// a malformed payload, or a sync zkfle cannot take (SNAP, pre-Zab-1.0).
	ReasonProtocol
	// ReasonEpochRange (learner): the leader proposed an epoch outside
	// [0, MaxEpoch] (LEADERINFO or NEWLEADER); it was not adopted.
	ReasonEpochRange
)

var reasonNames = [...]string{
	ReasonStopped:             "stopped",
	ReasonPersistFailed:       "persist failed",
	ReasonEpochTimeout:        "epoch timeout",
	ReasonEpochAckTimeout:     "epoch ack timeout",
	ReasonNewLeaderAckTimeout: "newleader ack timeout",
	ReasonQuorumLost:          "quorum lost",
	ReasonConnectFailed:       "connect failed",
	ReasonLeaderSilent:        "leader silent",
	ReasonLeaderClosed:        "leader closed",
	ReasonEpochBehind:         "epoch behind",
	ReasonProtocol:            "protocol error",
	ReasonEpochRange:          "epoch out of range",
}

// String returns a short name for logs.
func (r Reason) String() string {
	if r > 0 && int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return fmt.Sprintf("Reason(%d)", int(r))
}
