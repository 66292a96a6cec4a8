package zab

import (
	"cmp"
	"slices"
	"time"
)

// TimerKind names a session timer.
type TimerKind int

const (
	// PhaseTimer (leader): initLimit × tickTime for the discovery phase in
	// progress (epoch, epoch acks, NEWLEADER acks).
	PhaseTimer TimerKind = iota + 1
	// HeartbeatTimer (leader): half a tick, between pings; every other
	// firing is a tick, when the leader checks its quorum.
	HeartbeatTimer
	// ReadTimer (both, per connection): how long a connection may stay
	// silent while the session is reading from it (Java's SO_TIMEOUT).
	ReadTimer
	// ConnectTimer (learner): the budget for all dials together.
	ConnectTimer
	// RetryTimer (learner): the pause before the next dial.
	RetryTimer
)

// String returns the kind's name.
func (k TimerKind) String() string {
	switch k {
	case PhaseTimer:
		return "phase"
	case HeartbeatTimer:
		return "heartbeat"
	case ReadTimer:
		return "read"
	case ConnectTimer:
		return "connect"
	case RetryTimer:
		return "retry"
	}
	return "unknown"
}

// Timer is a command to the driver: arm (Cancel false) or cancel the
// session's timer of this Kind (and Conn, for ReadTimer; 0 otherwise).
// Arming replaces any pending timer with the same Kind and Conn. When an
// armed timer fires, the driver passes the same Timer value back to Tick;
// Seq identifies the arming, so a firing that raced with a re-arm or a
// cancel is recognised as stale and ignored. Seq numbers are counted per
// session: hand a firing only to the session that armed it, never to a
// later session of the same server.
type Timer struct {
	// Kind is the timer.
	Kind TimerKind
	// Conn is the connection of a ReadTimer, 0 for the others.
	Conn ConnID
	// After is how long from now it fires (arming only).
	After time.Duration
	// Seq identifies the arming; a cancel names the arming it cancels.
	Seq uint64
	// Cancel asks the driver to drop the pending timer.
	Cancel bool
}

type timerKey struct {
	kind TimerKind
	conn ConnID
}

// timerSet tracks the pending arming of each (kind, conn): one counter
// numbers every arming, so stale firings never match.
type timerSet struct {
	next    uint64
	pending map[timerKey]uint64
}

func (ts *timerSet) arm(out *Output, kind TimerKind, conn ConnID, after time.Duration) {
	if ts.pending == nil {
		ts.pending = make(map[timerKey]uint64)
	}
	ts.next++
	ts.pending[timerKey{kind, conn}] = ts.next
	out.Timers = append(out.Timers, Timer{Kind: kind, Conn: conn, After: after, Seq: ts.next})
}

func (ts *timerSet) cancel(out *Output, kind TimerKind, conn ConnID) {
	k := timerKey{kind, conn}
	seq, ok := ts.pending[k]
	if !ok {
		return
	}
	delete(ts.pending, k)
	out.Timers = append(out.Timers, Timer{Kind: kind, Conn: conn, Seq: seq, Cancel: true})
}

// fired reports whether t is the pending arming of its timer, and if so
// forgets it (a timer fires once).
func (ts *timerSet) fired(t Timer) bool {
	k := timerKey{t.Kind, t.Conn}
	seq, ok := ts.pending[k]
	if !ok || t.Cancel || t.Seq == 0 || seq != t.Seq {
		return false
	}
	delete(ts.pending, k)
	return true
}

// cancelAll cancels every pending timer, in a fixed order so that outputs
// are deterministic.
func (ts *timerSet) cancelAll(out *Output) {
	keys := make([]timerKey, 0, len(ts.pending))
	for k := range ts.pending {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b timerKey) int {
		return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.conn, b.conn))
	})
	for _, k := range keys {
		ts.cancel(out, k.kind, k.conn)
	}
}
