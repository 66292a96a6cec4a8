package nodesim

import (
	"fmt"
	"time"
)

// Role is a node's role as the oracles see it (their own type: the oracles
// share nothing with fle or zab).
type Role int

const (
	// Looking: electing, or between sessions.
	Looking Role = iota
	// Leading: established as leader.
	Leading
	// Following: established as follower.
	Following
	// Down: crashed.
	Down
)

func (r Role) String() string {
	switch r {
	case Looking:
		return "LOOKING"
	case Leading:
		return "LEADING"
	case Following:
		return "FOLLOWING"
	case Down:
		return "DOWN"
	}
	return fmt.Sprintf("Role(%d)", int(r))
}

// Change is one node's role change as the simulator observed it. Epoch and
// Leader are set for Leading and Following.
type Change struct {
	At     time.Duration
	Node   int64
	Role   Role
	Epoch  int64
	Leader int64
}

// Ack is a NEWLEADER acknowledgement delivered on the simulated wire: the
// ACK packet for Epoch from Learner reached Leader's running session.
type Ack struct {
	At      time.Duration
	Leader  int64
	Learner int64
	Epoch   int64
}

// History is everything the oracles judge.
type History struct {
	// Voters are the voting members.
	Voters []int64
	// Changes are the role changes, in time order.
	Changes []Change
	// Acks are the NEWLEADER acks delivered, in time order.
	Acks []Ack
	// LastHeal is when the last fault ended.
	LastHeal time.Duration
	// End is when the run stopped.
	End time.Duration
	// Bound is the liveness bound after LastHeal.
	Bound time.Duration
	// Accepted is each node's acceptedEpoch at the end of the run. A node
	// whose acceptedEpoch is above the settled leader's epoch cannot join
	// it (ZooKeeper's learner refuses a leader epoch below its accepted
	// one) until the next election; (d) and (e) excuse such a node as long
	// as the leader and its followers are a majority, and report it.
	Accepted map[int64]int64
}
