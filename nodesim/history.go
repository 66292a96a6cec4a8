package nodesim

import (
	"fmt"
	"time"

	"github.com/zkfle/zkfle/zk"
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
	// Observing: established as observer.
	Observing
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
	case Observing:
		return "OBSERVING"
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
	// SentSeq orders the ack's sending among Writes: the oracles read the
	// learner's currentEpoch on disk at that moment from the writes that
	// landed before it (an ack of an epoch not on disk acknowledges
	// nothing).
	SentSeq int
}

// Write is an epoch write that reached a node's disk (the simulator saw
// the store take it; a failed or refused write is not one, and a crash in
// the middle of one records it only if it landed). The disk survives
// crashes: the last write of a file is what the file holds.
type Write struct {
	Seq  int
	At   time.Duration
	Node int64
	// Current is true for currentEpoch, false for acceptedEpoch.
	Current bool
	Epoch   int64
}

// Summary is a server's state summary as the election orders it: its
// currentEpoch (FLE's peerEpoch) and last zxid; AcceptedEpoch is the
// other epoch file (History.Start: what each disk held at the start).
type Summary struct {
	CurrentEpoch  int64
	Zxid          int64
	AcceptedEpoch int64
}

// Info is a learner's FOLLOWERINFO/OBSERVERINFO reaching a leader session
// (Session numbers the sessions of the run), with the acceptedEpoch it
// carries; a leader session's start is recorded as an Info from itself
// with its own acceptedEpoch.
type Info struct {
	// Seq orders Infos and Proposals of the same instant.
	Seq      int
	At       time.Duration
	Leader   int64
	Session  int
	Learner  int64
	Accepted int64
}

// Proposal is a leader session writing the epoch it proposes as its
// acceptedEpoch (Zab phase 1 decided).
type Proposal struct {
	Seq     int
	At      time.Duration
	Leader  int64
	Session int
	Epoch   int64
}

// Promise is a learner's promise of a leader session's epoch reaching
// it: the learner raised its acceptedEpoch on disk in answer to that
// session's LEADERINFO, and its ACKEPOCH then reached the session. A
// learner that had accepted the epoch before (an ACKEPOCH of -1) made no
// promise.
type Promise struct {
	Seq     int
	At      time.Duration
	Leader  int64
	Session int
	Learner int64
}

// Current is a leader session writing its epoch as its currentEpoch (the
// epoch agreed: Zab phase 1 done).
type Current struct {
	Seq     int
	At      time.Duration
	Leader  int64
	Session int
	Epoch   int64
}

// History is everything the oracles judge.
type History struct {
	// Voters are the voting members; Observers the non-voting ones.
	Voters    []int64
	Observers []int64
	// Groups and Weights describe a hierarchical configuration (sid ->
	// group id, sid -> weight); nil for a plain majority.
	Groups  map[int64]int64
	Weights map[int64]int64
	// Changes are the role changes, in time order.
	Changes []Change
	// Acks are the NEWLEADER acks delivered, in time order.
	Acks []Ack
	// Infos and Proposals are Zab phase 1 as seen on the wire and disk.
	Infos     []Info
	Proposals []Proposal
	Promises  []Promise
	Currents  []Current
	// Start is each node's state summary when the run began.
	Start map[int64]Summary
	// Writes are the epoch writes that reached a disk, in order.
	Writes []Write
	// Clean says the run had no faults, a simultaneous start and small
	// delays: the election promises the best leader (oracle (c)).
	Clean bool
	// LastHeal is when the last fault ended.
	LastHeal time.Duration
	// End is when the run stopped.
	End time.Duration
	// Bound is the liveness bound after LastHeal.
	Bound time.Duration
}

// String renders the summary with the zxid in hex (epoch<<32 | counter).
func (s Summary) String() string {
	return fmt.Sprintf("(epoch %d, zxid %v)", s.CurrentEpoch, zk.Zxid(s.Zxid))
}
