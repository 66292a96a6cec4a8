package zab

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/netbridge/quorumwire"
	"github.com/zkfle/zkfle/zk"
)

// How the sessions use ZkfleMark (quorumwire) to tell zkfle peers from
// ZooKeeper servers.

// A zkfle learner whose leader is a ZooKeeper server (no mark) must not
// take its sync or count in its quorum: it acknowledges nothing, persists
// nothing, hangs up and reports an election-only role in the leader's
// epoch.
func TestLearnerFollowsZooKeeperLeaderElectionOnly(t *testing.T) {
	s := registered(t, 3, 2)
	out := s.Received(9, quorumwire.NewLeaderInfoPacket(5))
	assert.Empty(t, out.Persist, "no epoch taken from a ZooKeeper leader")
	assert.Empty(t, out.Send, "no ACKEPOCH")
	assert.Equal(t, []ConnID{9}, closedConns(out))
	assert.True(t, cancelled(out, ReadTimer, 9))
	for _, tm := range out.Timers {
		assert.True(t, tm.Cancel, "no timer may stay armed for a connection that is gone: %+v", tm)
	}
	require.NotNil(t, out.Established)
	assert.Equal(t, Established{Epoch: 5, Leader: s.cfg.LeaderID, Role: zk.Following, ElectionOnly: true}, *out.Established)
	assert.Nil(t, out.Ended)
	assert.True(t, s.IsEstablished())

	// Nothing more arrives on a closed connection; Stop ends the role.
	assert.True(t, s.Received(9, quorumwire.NewDiffPacket(0)).Empty())
	end := s.Stop()
	require.NotNil(t, end.Ended)
	assert.Equal(t, ReasonStopped, end.Ended.Reason)
	assert.Empty(t, end.Close, "the connection is already closed")
}

// In ZooKeeperMode the learner is a ZooKeeper learner: unmarked
// FOLLOWERINFO, and it takes an unmarked leader's epoch.
func TestLearnerZooKeeperMode(t *testing.T) {
	s := newLearner(t, LearnerConfig{ID: 4, LeaderID: 1, AcceptedEpoch: 3, CurrentEpoch: 2, ZooKeeperMode: true})
	s.Start()
	out := s.Connected(9)
	assert.Equal(t, []quorumwire.Packet{quorumwire.NewLearnerInfoPacket(false, 4, 3, 0)}, sendsTo(out, 9))
	out = s.Received(9, quorumwire.NewLeaderInfoPacket(4))
	assert.Equal(t, []EpochWrite{{AcceptedEpochFile, 4}}, out.Persist)
	assert.Equal(t, []quorumwire.PacketType{quorumwire.AckEpoch}, typesTo(out, 9))
}

// A zkfle leader refuses a ZooKeeper learner, with a close an operator is
// told to act on; in ZooKeeperMode it serves it.
func TestLeaderRefusesZooKeeperLearner(t *testing.T) {
	l := newLeader(t, LeaderConfig{ID: 1, Verifier: three(t)})
	l.Start()
	l.Connected(2)
	out := l.Received(2, quorumwire.NewLearnerInfoPacket(false, 2, 0, 0))
	require.Len(t, out.Close, 1)
	assert.Equal(t, ConnID(2), out.Close[0].Conn)
	assert.True(t, out.Close[0].Warn)
	assert.Contains(t, out.Close[0].Detail, "server 2 is an Apache ZooKeeper server")
	assert.Contains(t, out.Close[0].Detail, "highest sids")
	assert.Empty(t, out.Send)

	zk := newLeader(t, LeaderConfig{ID: 1, Verifier: three(t), ZooKeeperMode: true})
	zk.Start()
	zk.Connected(2)
	out = zk.Received(2, quorumwire.NewLearnerInfoPacket(false, 2, 0, 0))
	assert.Empty(t, out.Close)
	assert.Equal(t, []quorumwire.Packet{quorumwire.NewLeaderInfoPacket(1)}, sendsTo(out, 2), "an unmarked LEADERINFO")
}
