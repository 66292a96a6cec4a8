package fle

import "time"

// timerState tracks the sequence number of the pending arming of each of
// the machine's timers (0: none pending). Every arming takes a fresh
// number from one counter, so a firing that raced with a re-arm or a cancel
// carries a number that no longer matches and is ignored.
type timerState struct {
	next         uint64
	notification uint64
	finalize     uint64
	linkDown     uint64
}

func (t *timerState) slot(kind TimerKind) *uint64 {
	switch kind {
	case NotificationTimer:
		return &t.notification
	case FinalizeTimer:
		return &t.finalize
	case LinkDownTimer:
		return &t.linkDown
	}
	return nil
}

// forget drops the election's pending armings without telling the driver
// (Stop). LinkDownTimer is kept: the memory of links reported down runs
// on through a paused election, since the back-off that pauses it follows
// the report that ended the role.
func (t *timerState) forget() {
	t.notification = 0
	t.finalize = 0
}

// arm replaces any pending timer of kind with a new one after d.
func (m *Machine) arm(out *Output, kind TimerKind, after time.Duration) {
	m.timers.next++
	*m.timers.slot(kind) = m.timers.next
	out.Timers = append(out.Timers, Timer{Kind: kind, After: after, Seq: m.timers.next})
}

// cancel tells the driver to drop the pending timer of kind, if any.
func (m *Machine) cancel(out *Output, kind TimerKind) {
	s := m.timers.slot(kind)
	if *s == 0 {
		return
	}
	out.Timers = append(out.Timers, Timer{Kind: kind, Seq: *s, Cancel: true})
	*s = 0
}

// armNotification restarts lookForLeader's poll. Java polls its queue
// afresh after every notification it takes; here only a notification that
// changed our proposal or round restarts it (receive), so the timeout
// measures the time since we last had something new to say.
func (m *Machine) armNotification(out *Output) {
	m.arm(out, NotificationTimer, m.notTimeout)
}

// armFinalize starts the finalize window's one FinalizeWait. It is called
// only when the window opens, never while it is open: the window's length
// is bounded from the moment it opened, whatever arrives meanwhile.
func (m *Machine) armFinalize(out *Output) {
	m.arm(out, FinalizeTimer, m.timing.FinalizeWait)
}

// Tick reports that the timer of kind armed with seq fired. haveDelivered
// is the connection manager's haveDelivered() at that moment (true when
// some peer's send queue is empty); it matters only to NotificationTimer.
// A firing that is not the pending arming of its kind (stale, cancelled,
// or of an unknown kind) yields an empty Output.
//
// NotificationTimer: nothing new for notTimeout. Re-send our
// notifications if anything has been delivered, else ask the driver to
// connect to everyone; double notTimeout up to the maximum (it is never
// reset until the next Start) and poll again.
//
// FinalizeTimer: the finalize window closed with nothing better arriving,
// so the proposal the quorum agreed on is decided.
//
// LinkDownTimer: one period of the link-down memory ends; the links last
// reported down in the period before are forgotten for the next Start
// (this election's own facts stay), and the timer runs on while any are
// left.
func (m *Machine) Tick(kind TimerKind, seq uint64, haveDelivered bool) Output {
	var out Output
	s := m.timers.slot(kind)
	if s == nil || seq == 0 || *s != seq {
		return out
	}
	*s = 0
	switch kind {
	case LinkDownTimer:
		m.linkDownPeriod++
		for sid, p := range m.linkDown {
			if p+1 < m.linkDownPeriod {
				delete(m.linkDown, sid)
			}
		}
		if len(m.linkDown) > 0 {
			m.arm(&out, LinkDownTimer, m.timing.LinkDownMemory)
		}
	case NotificationTimer:
		if haveDelivered {
			m.sendNotifications(&out)
		} else {
			out.ConnectAll = true
		}
		m.notTimeout = min(2*m.notTimeout, m.timing.MaxNotificationInterval)
		m.armNotification(&out)
	case FinalizeTimer:
		m.finalizing = false
		p := m.proposal
		if p.Leader == m.id && m.nonCandidate {
			// Only reachable if candidacy was withdrawn mid-round: never
			// lead; keep polling until a vote for someone else arrives.
			m.armNotification(&out)
			return out
		}
		m.decide(&out, p.Leader, p.Zxid, m.logicalClock, p.PeerEpoch, m.joint.NewAckSet(), PathFinalizeWindow)
	}
	return out
}
