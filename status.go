package zkfle

import (
	"fmt"

	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/zk"
)

// State is a node's place in the election, as ZooKeeper names it: zk's
// ServerState, the one state type of every layer (String gives LOOKING,
// FOLLOWING, LEADING or OBSERVING).
type State = zk.ServerState

// The states a node can be in (zk's, at Java's ordinals).
const (
	// Looking: electing a leader.
	Looking = zk.Looking
	// Following: a voter that follows the elected leader.
	Following = zk.Following
	// Leading: elected, and established by a quorum.
	Leading = zk.Leading
	// Observing: a non-voter that follows the leader.
	Observing = zk.Observing
)

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
	// Zxid is the leader's last zxid as the election saw it (prints in
	// ZooKeeper's hex); 0 while Looking.
	Zxid zk.Zxid
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
	state := sc.GetNewState().Zk()
	if state == Looking || !state.Valid() {
		return st
	}
	st.State = state
	st.Leader, st.Epoch = sc.GetLeader(), sc.GetPeerEpoch()
	st.Zxid, st.ElectionRound = zk.Zxid(sc.GetZxid()), sc.GetElectionEpoch()
	return st
}
