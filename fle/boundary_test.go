package fle

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/zk"
)

// Boundary cases that mutation testing (cmd/mutate) found unchecked: each
// test here fails on the catalogue entry named in its comment.

// TestFinalizeWindowLastsFinalizeWait: the window is FinalizeWait long,
// whatever the notification timeout is. With the defaults both are 200 ms,
// so only distinct timings tell them apart (fle-finalize-wait-length).
func TestFinalizeWindowLastsFinalizeWait(t *testing.T) {
	m, err := New(Config{ID: 3, Verifier: majority(t, []int64{1, 2, 3}),
		Timing: Timing{FinalizeWait: 50 * time.Millisecond, MinNotificationInterval: 400 * time.Millisecond, MaxNotificationInterval: time.Second}})
	require.NoError(t, err)
	loopback(m, m.Start(10, 1))
	fin := armed(t, m.Step(note(1, zk.Looking, 3, 10, 1, 1)), FinalizeTimer)
	assert.Equal(t, 50*time.Millisecond, fin.After)
}

// TestVoteOneRoundBehindIsDropped: a LOOKING vote from the round just
// before ours is as stale as any older one (fle-old-round-counted).
func TestVoteOneRoundBehindIsDropped(t *testing.T) {
	m := newMachine(t, 1, majority(t, []int64{1, 2, 3}))
	m.Start(5, 1)
	m.Step(note(2, zk.Looking, 2, 5, 4, 1))
	require.Equal(t, int64(4), m.LogicalClock())

	out := m.Step(note(3, zk.Looking, 3, 9, 3, 1))
	assert.Equal(t, []string{DropOldRound}, reasons(out))
	assert.NotContains(t, m.ReceivedVotes(), int64(3))
	assert.Equal(t, int64(2), m.Proposal().Leader)
}

// TestLeaderReportsOnlyVotersOfEveryTrackedConfig: during a reconfig the
// leader reports a LOOKING voter only if it votes in both the committed
// and the proposed configuration (Java's leadingVoteSet.hasSid); a voter
// of the committed one alone is answered but not reported
// (fle-leader-reports-any-looking).
func TestLeaderReportsOnlyVotersOfEveryTrackedConfig(t *testing.T) {
	m, err := New(Config{ID: 3, Verifier: majorityV(t, 1, []int64{1, 2, 3}), LastSeen: majorityV(t, 2, []int64{2, 3, 4})})
	require.NoError(t, err)
	loopback(m, m.Start(10, 1))
	fin := armed(t, m.Step(note(2, zk.Looking, 3, 10, 1, 1)), FinalizeTimer)
	require.NotNil(t, m.Tick(FinalizeTimer, fin.Seq, true).Decision, "{2, 3} is a quorum of both configurations")
	require.Equal(t, zk.Leading, m.State())

	out := m.Step(note(1, zk.Looking, 1, 50, 2, 1))
	assert.Empty(t, out.LookingSids, "sid 1 votes in the committed configuration only")
	assert.Len(t, out.Messages, 1, "but it is answered")
	out = m.Step(note(2, zk.Looking, 2, 50, 2, 1))
	assert.Equal(t, []int64{2}, out.LookingSids)
}
