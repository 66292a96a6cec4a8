// Package fle is ZooKeeper 3.8's FastLeaderElection as a pure, deterministic
// state machine, in the style of etcd's raft package: one input at a time
// goes in (Start, Step with a received notification, Tick with a fired
// timer) and a batch of outputs comes back (notifications to send, timers to
// arm or cancel, a decision).
//
// The package starts no goroutines, reads no clock, does no I/O and uses no
// global random source. Durations appear only as values inside timer
// outputs; the driver (the Election actor, or the simulator) owns real or
// simulated time and feeds timer firings back in with Tick.
//
// A Machine combines two Java classes' worth of behaviour:
//   - FastLeaderElection.lookForLeader (the election loop),
//   - FastLeaderElection.Messenger.WorkerReceiver (the immediate replies to
//     non-voters, lagging LOOKING peers, and LOOKING peers while we are not
//     LOOKING).
//
// The driver's duties: call Start when the server becomes LOOKING; deliver
// every received notification through Step, including the ones the
// machine addresses to its own sid; keep at most one pending timer per
// TimerKind (an arming replaces the previous one) and report firings with
// Tick, passing the connection manager's haveDelivered(); carry out the
// Messages, ConnectAll and Decision of every Output in order; and, for the
// reachable fast path, report a peer whose connection closed or whose dial
// failed with PeerUnreachable, and a new connection with PeerReachable.
//
// Fast paths (fastpath.go, zkfle's own, on unless
// Config.DisableFastPaths): a round decides at once, without the finalize
// window, when every voter has voted for the proposal (no better vote can
// exist), or when a quorum has and every other voter is known unreachable.
// Decision.Path says which rule decided.
//
// Where Java blocks, the machine arms a timer instead: lookForLeader's
// poll becomes NotificationTimer (re-armed when a notification changes our
// proposal or round), and the finalizeWait poll after a quorum becomes
// FinalizeTimer, armed once when the window opens. Unlike Java, neither is
// restarted by a notification that changes nothing, so a stream of
// not-better or repeated votes can neither hold the election open nor keep
// a LOOKING server from re-sending and reconnecting (see receive).
package fle

import (
	"fmt"
	"time"

	"github.com/zkfle/zkfle/quorum"
	"github.com/zkfle/zkfle/zk"
)

// MinValue is Java's Long.MIN_VALUE, the sid/zxid/epoch an observer proposes.
const MinValue int64 = -1 << 63

// Vote is ZooKeeper's Vote: a proposed (or decided) leader with the data
// that orders it, plus the round and the state of whoever cast it.
type Vote struct {
	// Version is the notification format version the vote arrived in (0 for
	// 28- and 40-byte notifications and for locally built votes, 2 for
	// current ones). It matters only to Equal.
	Version int32
	// Leader is the proposed leader's sid (Java: id).
	Leader int64
	// Zxid is the proposed leader's last logged zxid.
	Zxid zk.Zxid
	// ElectionEpoch is the round (logicalclock) the vote was cast in.
	ElectionEpoch int64
	// PeerEpoch is the proposed leader's epoch.
	PeerEpoch int64
	// State is the state of the server that cast the vote.
	State zk.ServerState
}

// Notification is a decoded election message as the election sees it: the
// five wire fields, the format version, the sender (which is not in the
// payload: it is the connection's sid) and the sender's quorum verifier if
// its config string parsed (nil otherwise, as in Java, where the vote still
// counts).
type Notification struct {
	// From is the sender's sid.
	From int64
	// State is the sender's state.
	State zk.ServerState
	// Leader is the sid the sender proposes or follows.
	Leader int64
	// Zxid is that leader's last zxid as the sender knows it.
	Zxid zk.Zxid
	// ElectionEpoch is the sender's round; for a FOLLOWING/LEADING sender,
	// the round its leader was elected in.
	ElectionEpoch int64
	// PeerEpoch is the proposed leader's epoch.
	PeerEpoch int64
	// Version is the notification format version (0 for legacy bodies).
	Version int32
	// Config is the sender's verifier, or nil.
	Config quorum.Verifier
}

// Message is a notification to send. The driver attaches this node's own
// config string (the committed verifier's String()) when it encodes it.
// To may equal the node's own sid: ZooKeeper delivers those by loopback,
// and the driver must feed them back through Step like any other.
type Message struct {
	// To is the recipient's sid.
	To int64
	// State, Leader, Zxid, ElectionEpoch and PeerEpoch are the wire fields.
	State         zk.ServerState
	Leader        int64
	Zxid          zk.Zxid
	ElectionEpoch int64
	PeerEpoch     int64
}

// TimerKind names the machine's timers.
type TimerKind int

const (
	// NotificationTimer is lookForLeader's poll timeout (notTimeout): it
	// fires when the current interval passed without a notification that
	// changed our proposal or round.
	NotificationTimer TimerKind = iota + 1
	// FinalizeTimer is the finalizeWait window after a quorum agrees.
	FinalizeTimer
	// LinkDownTimer ages the memory of links reported down (a zkfle
	// rule, fastpath.go's startReachability): armed by a report while
	// none is pending (with the fast paths on) and re-armed while facts
	// remain, every Timing.LinkDownMemory; each firing ends a period, and
	// a fact is forgotten at the end of the period after the one of its
	// last report.
	LinkDownTimer
)

// String names the timer as logs and traces do: "notification",
// "finalize" or "link-down".
func (k TimerKind) String() string {
	switch k {
	case NotificationTimer:
		return "notification"
	case FinalizeTimer:
		return "finalize"
	case LinkDownTimer:
		return "link-down"
	}
	return fmt.Sprintf("timer(%d)", int(k))
}

// Timer is a command to the driver: arm (After > 0) or cancel (Cancel) the
// machine's single timer of this Kind. Arming replaces any pending timer of
// the same kind. Seq identifies this arming; the driver hands it back in
// Tick and the machine ignores stale sequence numbers, so a firing that
// raced with a re-arm is harmless.
type Timer struct {
	// Kind is the timer this command is about.
	Kind TimerKind
	// After is how long from now the timer fires (arming only).
	After time.Duration
	// Seq identifies the arming; a cancel names the arming it cancels.
	Seq uint64
	// Cancel asks the driver to drop the pending timer of Kind.
	Cancel bool
}

// Decision is the outcome of an election: the vote lookForLeader returns.
type Decision struct {
	// Leader is the elected leader's sid.
	Leader int64
	// Zxid is the leader's last zxid as the deciding vote states it.
	Zxid zk.Zxid
	// ElectionEpoch is the round the leader was elected in; the machine's
	// logical clock equals it after the decision.
	ElectionEpoch int64
	// PeerEpoch is the leader's epoch as the deciding vote states it.
	PeerEpoch int64
	// State is the state the node enters: Leading, Following or Observing.
	State zk.ServerState
	// Path is the rule that decided (see DecisionPath).
	Path DecisionPath
}

// DecisionPath names the rule that ended an election, for metrics, traces
// and benchmarks.
type DecisionPath int

const (
	// PathFinalizeWindow: a quorum agreed on our proposal and the finalize
	// window closed with nothing better arriving (ZooKeeper's only way
	// out of a LOOKING round).
	PathFinalizeWindow DecisionPath = iota + 1
	// PathUnanimity: every voter voted for our proposal in this round, so
	// no better vote can exist (fast path, fastpath.go).
	PathUnanimity
	// PathReachable: a quorum voted for our proposal in this round and
	// every other voter is known unreachable (fast path, fastpath.go).
	PathReachable
	// PathLeaderNotification: FOLLOWING/LEADING notifications showed a
	// quorum behind a leader that says it leads (receivedFollowing, as in
	// ZooKeeper; no window).
	PathLeaderNotification
)

// String names the path as logs, traces and metrics do.
func (p DecisionPath) String() string {
	switch p {
	case PathFinalizeWindow:
		return "finalize-window"
	case PathUnanimity:
		return "unanimity"
	case PathReachable:
		return "reachable"
	case PathLeaderNotification:
		return "leader-notification"
	}
	return fmt.Sprintf("path(%d)", int(p))
}

// Fast reports whether the path is one of the fast paths, which decide
// without waiting out the finalize window.
func (p DecisionPath) Fast() bool { return p == PathUnanimity || p == PathReachable }

// Output is everything the machine asks the driver to do after one input,
// in order.
type Output struct {
	// Messages are notifications to send, in order.
	Messages []Message
	// Timers are timer commands, in order.
	Timers []Timer
	// ConnectAll asks the connection manager to (re)connect to every peer it
	// ever had a send queue for (the notification timeout fired and nothing
	// had been delivered: QuorumCnxManager.connectAll).
	ConnectAll bool
	// Decision is set when this input ended the election.
	Decision *Decision
	// LookingSids lists voters from the leading vote set that sent LOOKING
	// notifications while this node leads (Leader.reportLookingSid,
	// ZOOKEEPER-3109). Empty unless we are Leading.
	LookingSids []int64
	// NewerRoundLookingSids lists voters that sent LOOKING in a round
	// after the one our leader was elected in, while we follow or
	// observe: they have lost the leader (a restarted server starts over
	// at round 1 and is not listed). Each voter is listed once per
	// round: a follower that re-looks because of it announces the same
	// round again when its clock was set back to the leader's round by
	// rejoining, and two election-only followers would otherwise push
	// each other back into LOOKING for ever, each re-look's LOOKING
	// reaching the other after it had rejoined. ZooKeeper ignores this; zkfle uses
	// it to notice the loss of a leader it cannot watch on the quorum
	// port (a ZooKeeper leader it follows election-only).
	NewerRoundLookingSids []int64
	// Dropped counts notifications this input discarded, with the reason,
	// for metrics and traces.
	Dropped []Drop
}

// Drop records a notification the machine ignored and why.
type Drop struct {
	// From is the sender of the dropped notification.
	From int64
	// Reason is one of the Drop* constants.
	Reason string
}

// Timing holds the election's timing values. Defaults are ZooKeeper's.
type Timing struct {
	// FinalizeWait is how long a quorum must stand with no notification
	// arriving before the node decides (Java: finalizeWait, 200 ms, fixed).
	FinalizeWait time.Duration
	// MinNotificationInterval is the first notification timeout
	// (zookeeper.fastleader.minNotificationInterval, 200 ms).
	MinNotificationInterval time.Duration
	// MaxNotificationInterval caps the doubling back-off
	// (zookeeper.fastleader.maxNotificationInterval, 60 s).
	MaxNotificationInterval time.Duration
	// LinkDownMemory is the period of the memory of links reported down:
	// such a link still counts as down at the next Start for one to two
	// periods after its last report (a zkfle rule of the fast paths, no
	// ZooKeeper setting; 1 s): long enough for the report that ends a
	// role (a dead leader's connection closing) to reach a Start that
	// follows it through the session back-off, short enough that a link
	// that went down long ago, and was never tried since, is not taken
	// for a dead peer.
	LinkDownMemory time.Duration
}

// DefaultTiming returns ZooKeeper 3.8's defaults.
func DefaultTiming() Timing {
	return Timing{
		FinalizeWait:            200 * time.Millisecond,
		MinNotificationInterval: 200 * time.Millisecond,
		MaxNotificationInterval: 60 * time.Second,
		LinkDownMemory:          time.Second,
	}
}

// Config configures a Machine.
type Config struct {
	// ID is this server's sid (myid).
	ID int64
	// Verifier is the last committed quorum verifier. Required.
	Verifier quorum.Verifier
	// LastSeen is a newer, proposed verifier (a reconfig in progress), or
	// nil. When its version is greater than Verifier's, a quorum is needed
	// in both, and its voters are valid voters too.
	LastSeen quorum.Verifier
	// Timing holds the timeouts; zero fields take ZooKeeper's defaults.
	Timing Timing
	// DisableFastPaths turns off the unanimity and reachable fast paths
	// (fastpath.go): every LOOKING decision then waits out the finalize
	// window, as ZooKeeper's does. The fast paths are on by default.
	DisableFastPaths bool
}
