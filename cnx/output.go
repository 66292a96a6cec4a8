package cnx

import "time"

// Output is what one input asks the driver to do. Carry the fields out in
// the order they are declared: connections to refuse, links to end, links
// to start, messages to forward, dials to start, timers to arm; then report
// Delivered and drop the state of Forgotten sids.
type Output[M any] struct {
	// Closes are connections to close without using them.
	Closes []Close
	// Ends are live links to tear down. The Manager has already forgotten
	// them; the driver need not report them with Closed.
	Ends []End
	// Adopts are connections that became a peer's live link.
	Adopts []Adopt[M]
	// Forwards are messages to hand to a live link's Sender.
	Forwards []Forward[M]
	// Dials are connection attempts to start, one per sid at most; report
	// each one's end with Dialed.
	Dials []int64
	// Timers are redial checks to arm: call RedialDue(Sid) After from now.
	Timers []RedialTimer
	// Delivered is haveDelivered when it changed (nil otherwise): tell the
	// election.
	Delivered *bool
	// Dropped lists sids whose waiting message was replaced by a newer
	// one (counted, never sent: newest wins).
	Dropped []int64
	// Forgotten lists non-member sids whose state was dropped to make room
	// in the bounded table; a live link of theirs is among Ends.
	Forgotten []int64
}

// Close refuses a connection the Manager will not use.
type Close struct {
	// Conn is the connection to close.
	Conn Conn
	// SID is the sid it claimed (or was dialled for).
	SID int64
	// Reason is a short stable token (the Reason* constants).
	Reason string
}

// End tears down a live link.
type End struct {
	// Conn is the link's connection.
	Conn Conn
	// SID is the peer.
	SID int64
	// Reason is a short stable token (the Reason* constants).
	Reason string
}

// Adopt starts a live link on a connection.
type Adopt[M any] struct {
	// Conn is the connection.
	Conn Conn
	// SID is the peer.
	SID int64
	// Dir says who opened it.
	Dir Direction
	// First is what the connection sends first, if HasFirst: the message
	// that waited for it, or else a re-send of the last one handed to the
	// peer's previous connection (ZOOKEEPER-481: it may have died with
	// it). Give it to the connection's Sender (NewSender).
	First    M
	HasFirst bool
}

// Forward hands a message to a live link.
type Forward[M any] struct {
	// Conn is the link's connection.
	Conn Conn
	// SID is the peer.
	SID int64
	// Msg is the message.
	Msg M
}

// RedialTimer asks the driver to call RedialDue(SID) after a delay.
type RedialTimer struct {
	// SID is the peer to check.
	SID int64
	// After is the delay (never negative).
	After time.Duration
}

// Reasons for Close and End. They are stable tokens for logs and counters.
const (
	// ReasonOwnSID: a connection claimed our own sid (Java leaks it).
	ReasonOwnSID = "own-sid"
	// ReasonUnknownSID: a smaller sid in neither configuration view; Java
	// would dial back the address it advertised.
	ReasonUnknownSID = "unknown-sid"
	// ReasonAddressMismatch: a member sid whose header advertises none of
	// that member's election ports.
	ReasonAddressMismatch = "sid-address-mismatch"
	// ReasonTieBreak: an inbound connection from a smaller sid; we call
	// back instead.
	ReasonTieBreak = "tie-break"
	// ReasonRedialLimited: a smaller sid called within the redial
	// interval of our last teardown or of our live link's start; its
	// connection is closed and our live link kept.
	ReasonRedialLimited = "redial-limited"
	// ReasonStale: an inbound connection accepted before the live one
	// from the same sid.
	ReasonStale = "stale"
	// ReasonLeaving: the driver is stopping.
	ReasonLeaving = "leaving"
	// ReasonReplaced: a newer connection to the same peer took over.
	ReasonReplaced = "replaced"
	// ReasonTableFull: the oldest non-member was forgotten to make room.
	ReasonTableFull = "non-member-table-full"
)

// merge appends o's actions to out.
func (out *Output[M]) merge(o Output[M]) {
	out.Closes = append(out.Closes, o.Closes...)
	out.Ends = append(out.Ends, o.Ends...)
	out.Adopts = append(out.Adopts, o.Adopts...)
	out.Forwards = append(out.Forwards, o.Forwards...)
	out.Dials = append(out.Dials, o.Dials...)
	out.Timers = append(out.Timers, o.Timers...)
	out.Dropped = append(out.Dropped, o.Dropped...)
	out.Forgotten = append(out.Forgotten, o.Forgotten...)
	if o.Delivered != nil {
		out.Delivered = o.Delivered
	}
}
