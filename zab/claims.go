package zab

import (
	"errors"
	"fmt"

	"github.com/zkfle/zkfle/netbridge/quorumwire"
	"github.com/zkfle/zkfle/quorum"
	"github.com/zkfle/zkfle/zk"
)

// Sentinel errors of a refused learner claim, wrapped by *ClaimError
// (test with errors.Is). Without TLS a learner's first packet is only a
// claim: the leader counts it toward its quorum only when it names a
// server of the configuration, in the role that server is configured for.
var (
	// ErrNotLearnerInfo: the first packet on a quorum connection is not
	// FOLLOWERINFO or OBSERVERINFO, or its LearnerInfo is unreadable.
	ErrNotLearnerInfo = errors.New("zab: first packet is not a readable FOLLOWERINFO or OBSERVERINFO")

	// ErrNotParticipant: FOLLOWERINFO from a sid that is not a participant
	// of the committed or the last-seen configuration.
	ErrNotParticipant = errors.New("zab: FOLLOWERINFO from a server that is not a configured participant")

	// ErrNotObserver: OBSERVERINFO from a sid that is not an observer of
	// the committed or the last-seen configuration.
	ErrNotObserver = errors.New("zab: OBSERVERINFO from a server that is not a configured observer")

	// ErrNoLearnerInfo: a connection sent no first packet within
	// initLimit × tickTime.
	ErrNoLearnerInfo = errors.New("zab: no FOLLOWERINFO or OBSERVERINFO within the init limit")
)

// ClaimError is a learner's first packet refused by the leader: the sid it
// claimed, the packet type, and why (Err wraps ErrNotLearnerInfo,
// ErrNotParticipant, ErrNotObserver, ErrNoLearnerInfo or ErrEpochRange).
type ClaimError struct {
	// SID is the claimed sid, or -1 when none could be read.
	SID int64
	// Type is the first packet's type (0 when none arrived).
	Type quorumwire.PacketType
	// Err says what is wrong.
	Err error
}

// Error names the claim and what is wrong with it.
func (e *ClaimError) Error() string {
	if e.SID < 0 {
		return fmt.Sprintf("learner refused: %v", e.Err)
	}
	return fmt.Sprintf("learner claiming sid %d (%s) refused: %v", e.SID, e.Type, e.Err)
}

// Unwrap returns the cause.
func (e *ClaimError) Unwrap() error { return e.Err }

// Reason is a short stable token for logs and metrics: "wrong-packet",
// "not-participant", "not-observer", "no-learnerinfo", "epoch-range".
func (e *ClaimError) Reason() string {
	switch {
	case errors.Is(e.Err, ErrNotParticipant):
		return "not-participant"
	case errors.Is(e.Err, ErrNotObserver):
		return "not-observer"
	case errors.Is(e.Err, ErrNoLearnerInfo):
		return "no-learnerinfo"
	case errors.Is(e.Err, ErrEpochRange):
		return "epoch-range"
	}
	return "wrong-packet"
}

// checkClaim refuses a learner whose claim must not count: a sid in the
// wrong role (or in none) in every configuration in play, or an accepted
// epoch that is negative or has no representable successor
// (getEpochToPropose would lift the proposal to it plus one).
func (l *LeaderSession) checkClaim(p quorumwire.Packet, li quorumwire.LearnerInfo) *ClaimError {
	observer := p.Type == quorumwire.ObserverInfo
	if !l.configuredAs(li.ServerID, observer) {
		cause := ErrNotParticipant
		if observer {
			cause = ErrNotObserver
		}
		return &ClaimError{SID: li.ServerID, Type: p.Type, Err: cause}
	}
	// A negative epoch is what an overflowed one reads back as (2^31
	// gives -2^31); MaxEpoch itself has no successor to propose.
	if accepted := zk.Zxid(p.Zxid).Epoch(); accepted < 0 || accepted >= MaxEpoch {
		return &ClaimError{SID: li.ServerID, Type: p.Type, Err: &EpochRangeError{
			Epoch: accepted, What: fmt.Sprintf("accepted epoch claimed by server %d (below MaxEpoch, so that a successor can be proposed)", li.ServerID)}}
	}
	return nil
}

// configuredAs reports whether sid is a participant (observer false) or an
// observer (observer true) in the committed or the last-seen verifier (of
// any version: quorum.JointConfig.Views). A
// zero-weight participant is a participant: it follows, as in ZooKeeper,
// though its ack weighs nothing.
func (l *LeaderSession) configuredAs(sid int64, observer bool) bool {
	for _, v := range l.joint.Views() {
		s, ok := v.Server(sid)
		if ok && (s.Type == quorum.Observer) == observer {
			return true
		}
	}
	return false
}
