package fle

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/zk"
)

// TestRepeatedVotesDoNotStarveThePoll (issue 13, whole-node seeds 1007189 N5hier and 1008022 N5hierobs1 at 4bd33f6):
// a LOOKING server without a quorum that keeps receiving the same worse
// vote (a stranded peer re-starting its election every few hundred ms)
// must still reach its poll timeout, which alone re-sends its vote and
// reconnects to peers whose links a partition closed. Java restarts the
// poll for every notification, so such a stream keeps it LOOKING for ever.
func TestRepeatedVotesDoNotStarveThePoll(t *testing.T) {
	m := newMachine(t, 1, majority(t, []int64{1, 2, 3, 4, 5}))
	tm := armed(t, m.Start(0x20000000d, 2), NotificationTimer)
	for range 50 {
		// Peer 5's vote for itself, worse than ours, same round.
		out := m.Step(note(5, zk.Looking, 5, 0x200000003, 1, 2))
		require.Nil(t, out.Decision)
	}
	out := m.Tick(NotificationTimer, tm.Seq, false)
	require.True(t, out.ConnectAll, "the poll armed at Start must still fire: nothing was delivered, so reconnect")
}
