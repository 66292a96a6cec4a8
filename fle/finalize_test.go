package fle

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// openWindow brings machine 3 of {1..5} to a LOOKING quorum for itself
// (zxid 10, epoch 1) and returns the FinalizeTimer arming.
func openWindow(t *testing.T) (*Machine, Timer) {
	t.Helper()
	m := newMachine(t, 3, majority(t, []int64{1, 2, 3, 4, 5}))
	loopback(m, m.Start(10, 1))
	m.Step(note(1, Looking, 3, 10, 1, 1))
	out := m.Step(note(2, Looking, 3, 10, 1, 1))
	require.True(t, m.finalizing)
	return m, armed(t, out, FinalizeTimer)
}

// A notification that is not better is consumed during the window: it is
// dropped, never reaches recvset, and the 200 ms wait starts over.
func TestFinalizeWindowDropsWorseVotes(t *testing.T) {
	m, fin := openWindow(t)

	out := m.Step(note(4, Looking, 4, 5, 1, 1))
	assert.Equal(t, []Drop{{From: 4, Reason: DropNotBetter}}, out.Dropped)
	assert.NotContains(t, m.ReceivedVotes(), int64(4))
	again := armed(t, out, FinalizeTimer)
	assert.NotEqual(t, fin.Seq, again.Seq, "the window restarts")
	assert.Equal(t, Output{}, m.Tick(FinalizeTimer, fin.Seq, true), "the first arming is stale")

	// A worse FOLLOWING vote is discarded the same way, without reaching
	// outofelection.
	out = m.Step(note(5, Following, 1, 5, 1, 1))
	assert.Equal(t, []string{DropNotBetter}, reasons(out))
	assert.Empty(t, m.OutOfElection())
	again = armed(t, out, FinalizeTimer)

	out = m.Tick(FinalizeTimer, again.Seq, true)
	require.NotNil(t, out.Decision)
	assert.Equal(t, Decision{Leader: 3, Zxid: 10, ElectionEpoch: 1, PeerEpoch: 1, State: Leading}, *out.Decision)
}

// The receiver side still answers during the window even though the
// election drops the vote.
func TestFinalizeWindowStillRepliesToLaggingPeer(t *testing.T) {
	m, _ := openWindow(t)
	out := m.Step(note(4, Looking, 4, 5, 0, 1))
	assert.Equal(t, []Message{{To: 4, State: Looking, Leader: 3, Zxid: 10, ElectionEpoch: 1, PeerEpoch: 1}}, out.Messages)
	assert.Equal(t, []string{DropNotBetter}, reasons(out))
}

// A better notification closes the window and is processed by the main
// loop: the proposal changes and goes out, and the poll resumes.
func TestFinalizeWindowEndsOnBetterVote(t *testing.T) {
	m, fin := openWindow(t)

	out := m.Step(note(5, Looking, 5, 10, 1, 1))
	assert.True(t, cancelled(out, FinalizeTimer))
	assert.False(t, m.finalizing)
	assert.Equal(t, int64(5), m.Proposal().Leader)
	assert.Equal(t, []int64{1, 2, 3, 4, 5}, recipients(out))
	assert.Contains(t, m.ReceivedVotes(), int64(5))
	armed(t, out, NotificationTimer)
	assert.Equal(t, Output{}, m.Tick(FinalizeTimer, fin.Seq, true))
	assert.Equal(t, Looking, m.State())
}

// Messages that WorkerReceiver does not queue (non-voter senders) do not
// restart the window.
func TestFinalizeWindowIgnoresNonVoterSenders(t *testing.T) {
	m := newMachine(t, 3, majority(t, []int64{1, 2, 3}, 9))
	loopback(m, m.Start(10, 1))
	fin := armed(t, m.Step(note(1, Looking, 3, 10, 1, 1)), FinalizeTimer)

	out := m.Step(note(9, Looking, 9, 99, 1, 1))
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
	fin := armed(t, m.Step(note(1, Looking, 3, 10, 1, 1)), FinalizeTimer)

	var out Output
	require.NotPanics(t, func() { out = m.Step(note(2, Looking, 9, 99, 1, 9)) })
	assert.Equal(t, []string{DropNotBetter}, reasons(out))
	fin = armed(t, out, FinalizeTimer)
	require.NotNil(t, m.Tick(FinalizeTimer, fin.Seq, true).Decision)
}
