package fle

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/quorum"
	"github.com/zkfle/zkfle/zk"
)

// newMachine builds a machine with ZooKeeper's exact behaviour (fast
// paths off): most tests here check conformance with ZooKeeper.
func newMachine(t testing.TB, id int64, v quorum.Verifier) *Machine {
	t.Helper()
	m, err := New(Config{ID: id, Verifier: v, DisableFastPaths: true})
	require.NoError(t, err)
	return m
}

// newFastMachine builds a machine with the fast paths on (the default).
func newFastMachine(t testing.TB, id int64, v quorum.Verifier) *Machine {
	t.Helper()
	m, err := New(Config{ID: id, Verifier: v})
	require.NoError(t, err)
	return m
}

// note builds a version-2 notification.
func note(from int64, state zk.ServerState, leader int64, zxid zk.Zxid, round, peerEpoch int64) Notification {
	return Notification{From: from, State: state, Leader: leader, Zxid: zxid, ElectionEpoch: round, PeerEpoch: peerEpoch, Version: 2}
}

// messageTo returns the messages of out addressed to sid.
func messagesTo(out Output, sid int64) []Message {
	var got []Message
	for _, msg := range out.Messages {
		if msg.To == sid {
			got = append(got, msg)
		}
	}
	return got
}

// recipients lists the To of every message, in order.
func recipients(out Output) []int64 {
	var got []int64
	for _, msg := range out.Messages {
		got = append(got, msg.To)
	}
	return got
}

// armed returns the last arming of kind in out.
func armed(t *testing.T, out Output, kind TimerKind) Timer {
	t.Helper()
	for i := len(out.Timers) - 1; i >= 0; i-- {
		if tm := out.Timers[i]; tm.Kind == kind && !tm.Cancel {
			return tm
		}
	}
	require.Failf(t, "timer not armed", "no arming of kind %d in %+v", kind, out.Timers)
	return Timer{}
}

// cancelled reports whether out cancels a timer of kind.
func cancelled(out Output, kind TimerKind) bool {
	for _, tm := range out.Timers {
		if tm.Kind == kind && tm.Cancel {
			return true
		}
	}
	return false
}

// loopback feeds the messages out addresses to m itself back through
// Step, as the driver must, and returns the outputs of those steps.
func loopback(m *Machine, out Output) []Output {
	var outs []Output
	for _, msg := range messagesTo(out, m.ID()) {
		outs = append(outs, m.Step(Notification{
			From: m.ID(), State: msg.State, Leader: msg.Leader, Zxid: msg.Zxid,
			ElectionEpoch: msg.ElectionEpoch, PeerEpoch: msg.PeerEpoch, Version: 2,
		}))
	}
	return outs
}

// last returns the last output of outs.
func last(t *testing.T, outs []Output) Output {
	t.Helper()
	require.NotEmpty(t, outs)
	return outs[len(outs)-1]
}

func reasons(out Output) []string {
	var got []string
	for _, d := range out.Dropped {
		got = append(got, d.Reason)
	}
	return got
}

// virtualClock drives one Machine in virtual time, as the Election actor
// does in real time: it keeps the pending arming of each timer kind with
// its due time, fires them as time advances, feeds the machine's messages
// to itself back in, and records when the finalize window was armed and
// when the machine decided. Messages to other sids are discarded.
type virtualClock struct {
	t         *testing.T
	m         *Machine
	now       time.Duration
	pending   map[TimerKind]Timer
	due       map[TimerKind]time.Duration
	opened    []time.Duration // each FinalizeTimer arming, in virtual time
	decision  *Decision
	decidedAt time.Duration
}

func newVirtualClock(t *testing.T, m *Machine) *virtualClock {
	return &virtualClock{t: t, m: m, pending: map[TimerKind]Timer{}, due: map[TimerKind]time.Duration{}}
}

// apply carries out one Output at the current virtual time.
func (c *virtualClock) apply(out Output) {
	for _, tm := range out.Timers {
		if tm.Cancel {
			delete(c.pending, tm.Kind)
			continue
		}
		c.pending[tm.Kind] = tm
		c.due[tm.Kind] = c.now + tm.After
		if tm.Kind == FinalizeTimer {
			c.opened = append(c.opened, c.now)
		}
	}
	if out.Decision != nil {
		require.Nil(c.t, c.decision, "decided twice")
		c.decision = out.Decision
		c.decidedAt = c.now
	}
	for _, msg := range messagesTo(out, c.m.ID()) {
		c.step(Notification{
			From: c.m.ID(), State: msg.State, Leader: msg.Leader, Zxid: msg.Zxid,
			ElectionEpoch: msg.ElectionEpoch, PeerEpoch: msg.PeerEpoch, Version: 2,
		})
	}
}

// step delivers n now.
func (c *virtualClock) step(n Notification) { c.apply(c.m.Step(n)) }

// advance moves time to at, firing every timer due by then in due order
// (a timer due exactly at is fired before anything delivered at at).
func (c *virtualClock) advance(at time.Duration) {
	require.GreaterOrEqual(c.t, at, c.now, "time goes forward")
	for {
		kind, found := TimerKind(0), false
		for k := range c.pending {
			if c.due[k] <= at && (!found || c.due[k] < c.due[kind] || (c.due[k] == c.due[kind] && k < kind)) {
				kind, found = k, true
			}
		}
		if !found {
			break
		}
		tm := c.pending[kind]
		delete(c.pending, kind)
		c.now = c.due[kind]
		c.apply(c.m.Tick(kind, tm.Seq, true))
	}
	c.now = at
}
