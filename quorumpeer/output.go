package quorumpeer

import (
	"time"

	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/zk"
)

// Output is what one input asks the driver to do. Carry the fields out in
// the order they are declared: log the end of a session, stop the
// session, report the role, update the election's vote, pause the
// election, start looking, start a session, arm the back-off, ask the
// election's status, arm the probe timer, run a probe; Disk says the
// fault state changed (for status and logs).
type Output struct {
	// Ended is set when the loop leaves a session (SessionEnded, a
	// restart with a session running, a newer round while election-only).
	// For logs; StopSession and the rest say what to do.
	Ended *Ended
	// StopSession: stop the running session (its actor or machine). It
	// may already be gone; stopping it again is harmless.
	StopSession bool
	// Report is a change of the reported state, to publish.
	Report *RoleChange
	// UpdateVote, if set, is the established epoch the election's current
	// vote takes (fle.Machine.UpdateElectionVote), so servers that join
	// later see this leader with the new epoch.
	UpdateVote *int64
	// PauseElection: stop the election machine (fle.Machine.Stop) while
	// the loop backs off: it neither votes nor answers with the decision
	// just abandoned. The next StartLooking starts it again.
	PauseElection bool
	// StartLooking starts an election round.
	StartLooking *StartLooking
	// StartSession starts a Leader (State Leading) or a Follower or
	// Observer session for this decision. Report its establishment with
	// Established and its end with SessionEnded.
	StartSession *fle.Decision
	// Backoff arms the back-off timer: call BackoffFired(Gen) after Delay.
	Backoff *Backoff
	// AskStatus: ask the election for its logical clock and state, and
	// answer with ElectionStatus.
	AskStatus bool
	// ArmProbe arms the disk probe timer: call ProbeDue(Gen) after After.
	ArmProbe *ProbeTimer
	// RunProbe: probe the epoch directory now (off the loop: it may hang)
	// and answer with Probed.
	RunProbe bool
	// Disk, if set, is the disk-fault state after a change: true when the
	// server stopped standing for leader, false when it stands again
	// (log "epoch files writable again").
	Disk *bool
}

// Reason is why a round starts; the values are messages.LookingReason's.
type Reason int32

const (
	// Startup is the first round of a server (or of a machine that never
	// ran).
	Startup Reason = 1
	// LeaderLost is every later round.
	LeaderLost Reason = 2
)

// String returns the reason's name.
func (r Reason) String() string {
	switch r {
	case Startup:
		return "STARTUP"
	case LeaderLost:
		return "LEADER_LOST"
	}
	return "UNKNOWN"
}

// StartLooking starts a round: set the machine's candidacy, then
// fle.Machine.Start(LastZxid, CurrentEpoch).
type StartLooking struct {
	// Reason is why.
	Reason Reason
	// LastZxid is the replica's last zxid (Config.LastZxid, or the first
	// zxid of CurrentEpoch).
	LastZxid zk.Zxid
	// CurrentEpoch is the currentEpoch file's value.
	CurrentEpoch int64
	// Candidate is whether the server stands for leader in this round
	// (fle.Machine.SetCandidate): false while disk-faulted.
	Candidate bool
}

// RoleChange is a change of the reported state.
type RoleChange struct {
	// Old and New are the states before and after.
	Old, New zk.ServerState
	// Leader is the established leader (our own sid when New is Looking).
	Leader int64
	// Zxid is the zxid the state reports: with Config.LastZxid, the
	// decided leader's zxid (or, when looking, our last zxid); without,
	// the first zxid of the epoch.
	Zxid zk.Zxid
	// ElectionEpoch is the round the session was decided in.
	ElectionEpoch int64
	// PeerEpoch is the established epoch (our current epoch when New is
	// Looking).
	PeerEpoch int64
	// ElectionOnly is set when following a ZooKeeper leader, which zkfle
	// follows in the election only (no sync, not in its quorum).
	ElectionOnly bool
	// Why is a short description for logs and traces.
	Why string
}

// Ended describes a session the loop left.
type Ended struct {
	// State is the reported state when it ended (Looking if the session
	// never established).
	State zk.ServerState
	// Reason and Detail say why (the session's, or the loop's).
	Reason, Detail string
	// Stable is set when the session had been established for
	// StableAfter: the next round starts at once.
	Stable bool
}

// Backoff is the back-off timer to arm.
type Backoff struct {
	// Delay is how long to wait.
	Delay time.Duration
	// Gen identifies this arming: pass it to BackoffFired.
	Gen uint64
	// Failures is the number of failed sessions in a row (for logs).
	Failures int
}

// ProbeTimer is the disk probe timer to arm.
type ProbeTimer struct {
	// After is how long to wait (Config.ProbeInterval).
	After time.Duration
	// Gen identifies this arming: pass it to ProbeDue.
	Gen uint64
}
