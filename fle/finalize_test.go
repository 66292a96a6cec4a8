package fle

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/zk"
)

// openWindow brings machine 3 of {1..5} to a LOOKING quorum for itself
// (zxid 10, epoch 1) and returns the FinalizeTimer arming.
func openWindow(t *testing.T) (*Machine, Timer) {
	t.Helper()
	m := newMachine(t, 3, majority(t, []int64{1, 2, 3, 4, 5}))
	loopback(m, m.Start(10, 1))
	m.Step(note(1, zk.Looking, 3, 10, 1, 1))
	out := m.Step(note(2, zk.Looking, 3, 10, 1, 1))
	require.True(t, m.finalizing)
	return m, armed(t, out, FinalizeTimer)
}

// A notification that is not better is consumed during the window: it is
// dropped, never reaches recvset, and (unlike Java) the window keeps the
// deadline it was armed with when it opened.
func TestFinalizeWindowDropsWorseVotes(t *testing.T) {
	m, fin := openWindow(t)

	out := m.Step(note(4, zk.Looking, 4, 5, 1, 1))
	assert.Equal(t, []Drop{{From: 4, Reason: DropNotBetter}}, out.Dropped)
	assert.NotContains(t, m.ReceivedVotes(), int64(4))
	assert.Empty(t, out.Timers, "the window does not restart")

	// A worse FOLLOWING vote is discarded the same way, without reaching
	// outofelection.
	out = m.Step(note(5, zk.Following, 1, 5, 1, 1))
	assert.Equal(t, []string{DropNotBetter}, reasons(out))
	assert.Empty(t, m.OutOfElection())
	assert.Empty(t, out.Timers, "the window does not restart")

	out = m.Tick(FinalizeTimer, fin.Seq, true)
	require.NotNil(t, out.Decision)
	assert.Equal(t, Decision{Leader: 3, Zxid: 10, ElectionEpoch: 1, PeerEpoch: 1, State: zk.Leading, Path: PathFinalizeWindow}, *out.Decision)
}

// The receiver side still answers during the window even though the
// election drops the vote.
func TestFinalizeWindowStillRepliesToLaggingPeer(t *testing.T) {
	m, _ := openWindow(t)
	out := m.Step(note(4, zk.Looking, 4, 5, 0, 1))
	assert.Equal(t, []Message{{To: 4, State: zk.Looking, Leader: 3, Zxid: 10, ElectionEpoch: 1, PeerEpoch: 1}}, out.Messages)
	assert.Equal(t, []string{DropNotBetter}, reasons(out))
}

// A better notification closes the window and is processed by the main
// loop: the proposal changes and goes out, and the poll resumes.
func TestFinalizeWindowEndsOnBetterVote(t *testing.T) {
	m, fin := openWindow(t)

	out := m.Step(note(5, zk.Looking, 5, 10, 1, 1))
	assert.True(t, cancelled(out, FinalizeTimer))
	assert.False(t, m.finalizing)
	assert.Equal(t, int64(5), m.Proposal().Leader)
	assert.Equal(t, []int64{1, 2, 3, 4, 5}, recipients(out))
	assert.Contains(t, m.ReceivedVotes(), int64(5))
	armed(t, out, NotificationTimer)
	assert.Equal(t, Output{}, m.Tick(FinalizeTimer, fin.Seq, true))
	assert.Equal(t, zk.Looking, m.State())
}

// Messages that WorkerReceiver does not queue (non-voter senders) do not
// restart the window.
func TestFinalizeWindowIgnoresNonVoterSenders(t *testing.T) {
	m := newMachine(t, 3, majority(t, []int64{1, 2, 3}, 9))
	loopback(m, m.Start(10, 1))
	fin := armed(t, m.Step(note(1, zk.Looking, 3, 10, 1, 1)), FinalizeTimer)

	out := m.Step(note(9, zk.Looking, 9, 99, 1, 1))
	assert.Empty(t, out.Timers)
	assert.Equal(t, []string{DropNonVoterSender}, reasons(out))
	require.NotNil(t, m.Tick(FinalizeTimer, fin.Seq, true).Decision)
}

// In a hierarchical ensemble the finalize window compares votes that were
// not filtered by validVoter; a vote naming an unweighted sid must be
// dropped, not crash (Java would throw a NullPointerException).
func TestFinalizeWindowUnweightedLeader(t *testing.T) {
	v := hierarchical(t, map[int64][]int64{1: {1, 2, 3}}, map[int64]int64{1: 1, 2: 1, 3: 1}, 9)
	m := newMachine(t, 3, v)
	loopback(m, m.Start(10, 1))
	fin := armed(t, m.Step(note(1, zk.Looking, 3, 10, 1, 1)), FinalizeTimer)

	var out Output
	require.NotPanics(t, func() { out = m.Step(note(2, zk.Looking, 9, 99, 1, 9)) })
	assert.Equal(t, []string{DropNotBetter}, reasons(out))
	assert.Empty(t, out.Timers)
	require.NotNil(t, m.Tick(FinalizeTimer, fin.Seq, true).Decision)
}

// A stream of not-better votes, one every FinalizeWait/2, would keep Java's
// window open for as long as it lasts (each one restarts the poll). Here
// the window still closes, and the proposal is decided, exactly
// FinalizeWait after it opened.
func TestFinalizeWindowNotBetterStreamKeepsDeadline(t *testing.T) {
	wait := DefaultTiming().FinalizeWait
	for name, vote := range map[string]Notification{
		"worse vote":    note(4, zk.Looking, 4, 5, 1, 1),
		"repeated vote": note(4, zk.Looking, 3, 10, 1, 1),
		"worse leader":  note(5, zk.Following, 1, 5, 1, 1),
	} {
		t.Run(name, func(t *testing.T) {
			m := newMachine(t, 3, majority(t, []int64{1, 2, 3, 4, 5}))
			c := newVirtualClock(t, m)
			c.apply(m.Start(10, 1))
			c.step(note(1, zk.Looking, 3, 10, 1, 1))
			c.step(note(2, zk.Looking, 3, 10, 1, 1))
			require.Equal(t, []time.Duration{0}, c.opened)

			for at := wait / 4; at <= 3*wait; at += wait / 2 {
				c.advance(at)
				c.step(vote)
			}
			require.NotNil(t, c.decision, "the stream held the window open")
			assert.Equal(t, wait, c.decidedAt, "decided at the first deadline")
			assert.Equal(t, Decision{Leader: 3, Zxid: 10, ElectionEpoch: 1, PeerEpoch: 1, State: zk.Leading, Path: PathFinalizeWindow}, *c.decision)
			assert.Equal(t, []time.Duration{0}, c.opened, "armed once, when the window opened")
		})
	}
}

// A strictly better vote still ends the window early; when a quorum agrees
// on the new proposal a fresh window opens with a full FinalizeWait of its
// own, measured from its own opening.
func TestFinalizeWindowBetterVoteResets(t *testing.T) {
	wait := DefaultTiming().FinalizeWait
	m := newMachine(t, 3, majority(t, []int64{1, 2, 3, 4, 5}))
	c := newVirtualClock(t, m)
	c.apply(m.Start(10, 1))
	c.step(note(1, zk.Looking, 3, 10, 1, 1))
	c.step(note(2, zk.Looking, 3, 10, 1, 1))
	require.True(t, m.finalizing)

	better := 3 * wait / 4
	c.advance(better)
	c.step(note(5, zk.Looking, 5, 10, 1, 1)) // same data, higher sid: better
	assert.False(t, m.finalizing, "a better vote leaves the window")
	assert.Equal(t, int64(5), m.Proposal().Leader)

	reopen := better + wait/10
	c.advance(reopen)
	c.step(note(1, zk.Looking, 5, 10, 1, 1)) // {1, 3, 5} agree on 5
	require.True(t, m.finalizing)
	assert.Equal(t, []time.Duration{0, reopen}, c.opened)

	c.advance(wait) // the first window's deadline is gone
	assert.Nil(t, c.decision)
	c.advance(reopen + wait)
	require.NotNil(t, c.decision)
	assert.Equal(t, reopen+wait, c.decidedAt)
	assert.Equal(t, Decision{Leader: 5, Zxid: 10, ElectionEpoch: 1, PeerEpoch: 1, State: zk.Following, Path: PathFinalizeWindow}, *c.decision)
}
