package actors

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/messages"
)

// pendingTimer is one armed machine timer as electionState remembers it:
// enough to re-arm it, for the time it had left, in a later incarnation of
// the Election actor. The machine holds the matching seq, so without this
// record a timer lost in a restart would leave the election waiting for a
// Tick that never comes.
type pendingTimer struct {
	seq      uint64
	round    int64
	deadline time.Time
}

// electionTimers are the live time.Timers of one Election incarnation.
// They fire by sending TimerFired to the actor itself with Root.Send, never
// through protoactor's scheduler or ReceiveTimeout, which race at the
// pinned version (a ReceiveTimeout can fire after it was reset). A firing that loses a race with a
// re-arm or a cancel carries a stale seq and the machine ignores it.
type electionTimers struct {
	system  *actor.ActorSystem
	self    *actor.PID
	running map[fle.TimerKind]*time.Timer
}

func newElectionTimers(system *actor.ActorSystem, self *actor.PID) *electionTimers {
	return &electionTimers{system: system, self: self, running: map[fle.TimerKind]*time.Timer{}}
}

// start arms kind to fire after d (at once if d <= 0), replacing any
// running timer of that kind.
func (t *electionTimers) start(kind fle.TimerKind, p pendingTimer, d time.Duration) {
	t.stop(kind)
	msg := &messages.TimerFired{Kind: timerKindToProto(kind), Seq: p.seq, Round: p.round}
	system, self := t.system, t.self // never capture the actor context
	t.running[kind] = time.AfterFunc(max(d, 0), func() { system.Root.Send(self, msg) })
}

func (t *electionTimers) stop(kind fle.TimerKind) {
	if tm, ok := t.running[kind]; ok {
		tm.Stop()
		delete(t.running, kind)
	}
}

// stopAll stops every running timer, leaving electionState's pending
// records for the next incarnation.
func (t *electionTimers) stopAll() {
	for kind := range t.running {
		t.stop(kind)
	}
}

// apply carries out the machine's timer commands: arming replaces the
// pending timer of that kind, cancelling forgets it.
func (t *electionTimers) apply(st *electionState, cmds []fle.Timer, round int64, now time.Time) {
	for _, c := range cmds {
		if c.Cancel {
			// The machine keeps one timer per kind, so a cancel is for
			// whichever arming of that kind is pending.
			delete(st.pending, c.Kind)
			t.stop(c.Kind)
			continue
		}
		p := pendingTimer{seq: c.Seq, round: round, deadline: now.Add(c.After)}
		st.pending[c.Kind] = p
		t.start(c.Kind, p, c.After)
	}
}

// resume re-arms what electionState says is pending, each for the time it
// had left (at once if its deadline passed while no incarnation ran).
func (t *electionTimers) resume(st *electionState, now time.Time) {
	for kind, p := range st.pending {
		t.start(kind, p, p.deadline.Sub(now))
	}
}

// fired records that the firing with seq arrived: its pending record, if
// still current, is done.
func (t *electionTimers) fired(st *electionState, kind fle.TimerKind, seq uint64) {
	if p, ok := st.pending[kind]; ok && p.seq == seq {
		delete(st.pending, kind)
		delete(t.running, kind)
	}
}
