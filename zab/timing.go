package zab

import (
	"errors"
	"fmt"
	"time"
)

// Timing holds the session timeouts, in ZooKeeper's terms. Zero fields take
// ZooKeeper's defaults; negative ones are an error.
type Timing struct {
	// TickTime is zoo.cfg's tickTime (2000 ms).
	TickTime time.Duration
	// InitLimit is zoo.cfg's initLimit in ticks (10): the bound on each
	// discovery phase, on connecting, and on reads until NEWLEADER.
	InitLimit int
	// SyncLimit is zoo.cfg's syncLimit in ticks (5): the read timeout after
	// NEWLEADER, and how stale a learner may be at a leader's tick.
	SyncLimit int
	// ConnectToLearnerMasterLimit, when > 0, replaces InitLimit for the
	// learner's connect budget (zoo.cfg connectToLearnerMasterLimit).
	ConnectToLearnerMasterLimit int
	// ConnectRetryDelay is the pause between dials
	// (zookeeper.leaderConnectDelayDuringRetryMs, 100 ms).
	ConnectRetryDelay time.Duration
	// ConnectTries bounds the dials of one session (5, fixed in Java).
	ConnectTries int
	// ConnectRetryFirst, when > 0, replaces the fixed pause with a
	// back-off: the first pause is ConnectRetryFirst, each next one twice
	// the last, capped at ConnectRetryDelay. The learner then keeps
	// dialing until it has both made ConnectTries dials and waited as long
	// as ZooKeeper's fixed pace does ((ConnectTries-1) × ConnectRetryDelay,
	// 400 ms), so it gives up no sooner than a Java learner, in dials or in
	// time. Zero (the default) is ZooKeeper's fixed pause.
	//
	// Why: a follower decides at about the moment its leader does, and
	// its first dial usually reaches the quorum port before the leader
	// has bound it. Refused at once (loopback or LAN: an RST), ZooKeeper's
	// pace then idles 100 ms that carry no information; a pause of a few
	// milliseconds, doubling, finds the port within a few milliseconds of
	// the bind and costs a leader that is really gone only a handful of
	// refused SYNs.
	ConnectRetryFirst time.Duration
}

// DefaultTiming returns ZooKeeper 3.8's defaults.
func DefaultTiming() Timing {
	return Timing{
		TickTime:          2000 * time.Millisecond,
		InitLimit:         10,
		SyncLimit:         5,
		ConnectRetryDelay: 100 * time.Millisecond,
		ConnectTries:      5,
	}
}

// ErrBadConfig is wrapped by the constructors' errors for a bad Timing or
// session config.
var ErrBadConfig = errors.New("zab: bad session config")

// withDefaults fills zero fields and rejects negative ones.
func (t Timing) withDefaults() (Timing, error) {
	d := DefaultTiming()
	if t.TickTime < 0 || t.InitLimit < 0 || t.SyncLimit < 0 || t.ConnectToLearnerMasterLimit < 0 ||
		t.ConnectRetryDelay < 0 || t.ConnectTries < 0 || t.ConnectRetryFirst < 0 {
		return t, fmt.Errorf("%w: negative timing value in %+v", ErrBadConfig, t)
	}
	if t.TickTime == 0 {
		t.TickTime = d.TickTime
	}
	if t.InitLimit == 0 {
		t.InitLimit = d.InitLimit
	}
	if t.SyncLimit == 0 {
		t.SyncLimit = d.SyncLimit
	}
	if t.ConnectRetryDelay == 0 {
		t.ConnectRetryDelay = d.ConnectRetryDelay
	}
	if t.ConnectTries == 0 {
		t.ConnectTries = d.ConnectTries
	}
	return t, nil
}

// retryPause is the pause after the attempt-th failed dial (1-based):
// ConnectRetryDelay, or with ConnectRetryFirst set, ConnectRetryFirst ×
// 2^(attempt-1) capped at ConnectRetryDelay.
func (t Timing) retryPause(attempt int) time.Duration {
	if t.ConnectRetryFirst <= 0 || t.ConnectRetryFirst >= t.ConnectRetryDelay {
		return t.ConnectRetryDelay
	}
	d := t.ConnectRetryFirst
	for i := 1; i < attempt && d < t.ConnectRetryDelay; i++ {
		d *= 2
	}
	return min(d, t.ConnectRetryDelay)
}

// retryBudget is how long a learner waits between dials in all before it
// may give up: ZooKeeper's (ConnectTries-1) pauses of ConnectRetryDelay.
func (t Timing) retryBudget() time.Duration {
	return time.Duration(t.ConnectTries-1) * t.ConnectRetryDelay
}

// initTimeout is initLimit × tickTime.
func (t Timing) initTimeout() time.Duration { return time.Duration(t.InitLimit) * t.TickTime }

// syncTimeout is syncLimit × tickTime.
func (t Timing) syncTimeout() time.Duration { return time.Duration(t.SyncLimit) * t.TickTime }

// connectTimeout is the learner's connect budget.
func (t Timing) connectTimeout() time.Duration {
	if t.ConnectToLearnerMasterLimit > 0 {
		return time.Duration(t.ConnectToLearnerMasterLimit) * t.TickTime
	}
	return t.initTimeout()
}

// pingInterval is half a tick: the leader pings twice per tick.
func (t Timing) pingInterval() time.Duration { return t.TickTime / 2 }
