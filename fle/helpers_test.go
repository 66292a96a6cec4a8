package fle

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/quorum"
)

func newMachine(t testing.TB, id int64, v quorum.Verifier) *Machine {
	t.Helper()
	m, err := New(Config{ID: id, Verifier: v})
	require.NoError(t, err)
	return m
}

// note builds a version-2 notification.
func note(from int64, state State, leader, zxid, round, peerEpoch int64) Notification {
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
