package history

import (
	"time"

	"github.com/zkfle/zkfle/messages"
)

// Election is one election as seen by one node.
type Election struct {
	// Started is when the node entered LOOKING (or when the recorder was
	// attached to a node that was already LOOKING).
	Started time.Time `json:"started_at"`
	// Ended is when the node reported its new role; zero while the
	// election is in progress.
	Ended time.Time `json:"ended_at,omitempty"`
	// Duration is Ended minus Started (monotonic), or the time elapsed so
	// far while in progress.
	Duration time.Duration `json:"-"`
	// DurationMillis is Duration in milliseconds, for JSON readers.
	DurationMillis float64 `json:"duration_ms"`
	// InProgress is true until the node leaves LOOKING.
	InProgress bool `json:"in_progress"`
	// Trigger says what started the election: "startup" for the first
	// one, otherwise the state the node left ("FOLLOWING", "LEADING",
	// "OBSERVING").
	Trigger string `json:"trigger"`
	// State is the role the node took (LEADING, FOLLOWING, OBSERVING);
	// empty while in progress.
	State string `json:"state,omitempty"`
	// Leader is the elected leader's sid (-1 while in progress).
	Leader int64 `json:"leader"`
	// Zxid is the elected leader's zxid.
	Zxid int64 `json:"zxid"`
	// ElectionEpoch is the round the leader was elected in.
	ElectionEpoch int64 `json:"election_epoch"`
	// PeerEpoch is the elected leader's epoch.
	PeerEpoch int64 `json:"peer_epoch"`
	// FirstRound is the node's logical clock when the election began.
	FirstRound int64 `json:"first_round"`
	// Rounds is how many rounds (logical clock values) the node went
	// through: ElectionEpoch - FirstRound + 1, at least 1. While in
	// progress it counts up to the node's current round.
	Rounds int64 `json:"rounds"`
	// NotificationsSent and NotificationsReceived count the notifications
	// the node exchanged with its peers during the election (deltas of
	// the connection manager's per-peer counters).
	NotificationsSent uint64 `json:"notifications_sent"`
	// NotificationsReceived: see NotificationsSent.
	NotificationsReceived uint64 `json:"notifications_received"`

	// start is the monotonic reading Started was taken with; the
	// counters at the start are kept to compute the deltas.
	start Sample
}

// Sample is what the recorder reads from the node at a state change: its
// round and its cumulative notification counters.
type Sample struct {
	// At is when the sample was taken; keep the monotonic reading
	// (time.Now) so durations survive wall-clock jumps.
	At time.Time
	// Round is the election's logical clock, or 0 when unknown.
	Round int64
	// Sent is the total of notifications sent to every peer.
	Sent uint64
	// Received is the total of notifications received from every peer.
	Received uint64
}

// SampleOf totals a node's status replies into a Sample taken at at.
// Either status may be nil (the query failed): its fields are then 0.
func SampleOf(at time.Time, es *messages.ElectionStatus, cs *messages.CnxStatus) Sample {
	s := Sample{At: at, Round: es.GetLogicalClock()}
	for _, p := range cs.GetPeers() {
		s.Sent += p.GetSent()
		s.Received += p.GetReceived()
	}
	return s
}

// delta is b-a for counters that only grow; a reset (a failed query, a
// peer forgotten) gives 0 rather than a wrapped-around number.
func delta(a, b uint64) uint64 {
	if b < a {
		return 0
	}
	return b - a
}

// update refreshes an in-progress election's running figures from s.
func (e *Election) update(s Sample) {
	e.Duration = s.At.Sub(e.Started)
	e.DurationMillis = millis(e.Duration)
	e.NotificationsSent = delta(e.start.Sent, s.Sent)
	e.NotificationsReceived = delta(e.start.Received, s.Received)
	e.Rounds = max(1, s.Round-e.FirstRound+1)
}

// finish closes the election with the node's new role.
func (e *Election) finish(sc *messages.StateChanged, s Sample) {
	e.update(s)
	e.Ended = s.At
	e.InProgress = false
	e.State = sc.GetNewState().String()
	e.Leader = sc.GetLeader()
	e.Zxid = sc.GetZxid()
	e.ElectionEpoch = sc.GetElectionEpoch()
	e.PeerEpoch = sc.GetPeerEpoch()
	e.Rounds = max(1, e.ElectionEpoch-e.FirstRound+1)
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
