package zab

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/netbridge/quorumwire"
	"github.com/zkfle/zkfle/quorum"
)

// TestLeaderNewLeaderNeedsQuorumInBothConfigs: during a reconfiguration
// (a last-seen verifier newer than the committed one) the NEWLEADER acks
// must hold a quorum of both (Leader.waitForNewLeaderAck over
// newLeaderProposal's SyncedLearnerTracker); a last-seen verifier that is
// not newer is not consulted for quorums, though its members may still
// connect.
func TestLeaderNewLeaderNeedsQuorumInBothConfigs(t *testing.T) {
	committed := parseConfig(t, "server.1=127.0.0.1:20001:30001\nserver.2=127.0.0.1:20002:30002\n"+
		"server.3=127.0.0.1:20003:30003\nversion=2")
	lastSeen := func(version string) quorum.Verifier {
		return parseConfig(t, "server.1=127.0.0.1:20001:30001\nserver.4=127.0.0.1:20004:30004\n"+
			"server.5=127.0.0.1:20005:30005\nversion="+version)
	}
	for _, tc := range []struct {
		name     string
		lastSeen quorum.Verifier
		joint    bool
	}{
		{"newer last-seen", lastSeen("3"), true},
		{"stale last-seen", lastSeen("2"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLeader(t, LeaderConfig{ID: 1, Verifier: committed, LastSeen: tc.lastSeen})
			l.Start()
			connect(t, l, 4, info(4, 0)) // a member of the last-seen view only: not in the committed epoch quorum
			connect(t, l, 2, info(2, 0))
			l.Received(4, quorumwire.NewAckEpochPacket(0, 0))
			out := l.Received(2, quorumwire.NewAckEpochPacket(0, 0))
			require.Equal(t, []quorumwire.PacketType{quorumwire.Diff, quorumwire.NewLeader}, typesTo(out, 4), "the leader and 2 are a committed quorum")

			out = l.Received(2, quorumwire.NewAckPacket(mkZxid(1, 0)))
			if !tc.joint {
				require.NotNil(t, out.Established, "the stale last-seen view is not consulted")
				return
			}
			assert.Nil(t, out.Established, "the leader and 2 are no quorum of {1, 4, 5}")
			out = l.Received(4, quorumwire.NewAckPacket(mkZxid(1, 0)))
			require.NotNil(t, out.Established, "1 and 4 make the proposed quorum")
		})
	}
}
