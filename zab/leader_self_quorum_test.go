package zab

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/netbridge/quorumwire"
)

// TestLeaderEpochAckQuorumMustIncludeTheLeader: two followers of three
// make a quorum of ACKEPOCHs, but the epoch is agreed only when the
// leader's own acknowledgement is among them (Leader.waitForEpochAck
// waits for its own sid). A leader with an untrusted zxid (-1) cannot
// acknowledge, so it never establishes, however many followers ack. The
// followers here are behind the leader (an older current epoch), so none
// is refused as ahead of it: only the leader's missing ack holds the
// epoch back (zab-leader-quorum-without-self).
func TestLeaderEpochAckQuorumMustIncludeTheLeader(t *testing.T) {
	l := newLeader(t, LeaderConfig{ID: 1, Verifier: three(t), AcceptedEpoch: 1, CurrentEpoch: 1, LastZxid: -1})
	clk := newClock()
	clk.apply(l.Start())
	for c := ConnID(2); c <= 3; c++ {
		clk.apply(connect(t, l, c, info(int64(c), 0)))
		out := clk.apply(l.Received(c, quorumwire.NewAckEpochPacket(0, mkZxid(0, 5))))
		assert.Empty(t, out.Close, "conn %d: a follower behind the leader is not refused", c)
		assert.Empty(t, out.Persist, "conn %d: no currentEpoch without the leader's own ack", c)
		assert.Nil(t, out.Established, "conn %d", c)
	}
	end := endedIn(clk.advance(20*time.Second, l.Tick))
	require.NotNil(t, end)
	assert.Equal(t, ReasonEpochAckTimeout, end.Reason)
}
