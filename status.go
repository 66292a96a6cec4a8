package zkfle

import (
	"fmt"

	"github.com/zkfle/zkfle/messages"
)

// State is a node's place in the election, as ZooKeeper names it.
type State int

// The states a node can be in.
const (
	// Looking: electing a leader.
	Looking State = iota
	// Following: a voter that follows the elected leader.
	Following
	// Leading: elected, and established by a quorum.
	Leading
	// Observing: a non-voter that follows the leader.
	Observing
)

// String returns ZooKeeper's name for the state (LOOKING, FOLLOWING,
// LEADING, OBSERVING).
func (s State) String() string {
	switch s {
	case Looking:
		return "LOOKING"
	case Following:
		return "FOLLOWING"
	case Leading:
		return "LEADING"
	case Observing:
		return "OBSERVING"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Status is a node's place in the ensemble.
type Status struct {
	// ID is this node's sid.
	ID int64
	// State is Looking while electing, then Leading, Following or
	// Observing.
	State State
	// Leader is the leader's sid, or -1 while Looking.
	Leader int64
	// Epoch is the epoch the role was established in (ZooKeeper's
	// peerEpoch): the fencing token. 0 while Looking.
	Epoch int64
	// Zxid is the leader's last zxid as the election saw it; 0 while
	// Looking.
	Zxid int64
	// ElectionRound is the election round (ZooKeeper's electionEpoch,
	// logicalclock) the leader was elected in; 0 while Looking.
	ElectionRound int64
}

// IsLeader reports whether the node leads.
func (s Status) IsLeader() bool { return s.State == Leading }

// String says the status in one line: "LOOKING", "LEADING epoch E",
// "FOLLOWING leader L epoch E" or "OBSERVING leader L epoch E".
func (s Status) String() string {
	switch s.State {
	case Looking:
		return s.State.String()
	case Leading:
		return fmt.Sprintf("LEADING epoch %d", s.Epoch)
	}
	return fmt.Sprintf("%s leader %d epoch %d", s.State, s.Leader, s.Epoch)
}

// statusOf converts the actor tree's published change. A nil change (no
// decision yet) and a LOOKING one are both plain Looking.
func statusOf(id int64, sc *messages.StateChanged) Status {
	st := Status{ID: id, State: Looking, Leader: -1}
	if sc == nil {
		return st
	}
	switch sc.GetNewState() {
	case messages.ServerState_FOLLOWING:
		st.State = Following
	case messages.ServerState_LEADING:
		st.State = Leading
	case messages.ServerState_OBSERVING:
		st.State = Observing
	default:
		return st
	}
	st.Leader, st.Epoch = sc.GetLeader(), sc.GetPeerEpoch()
	st.Zxid, st.ElectionRound = sc.GetZxid(), sc.GetElectionEpoch()
	return st
}
