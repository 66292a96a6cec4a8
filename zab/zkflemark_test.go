package zab

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The mark rides after the fields ZooKeeper reads, so a Java peer decodes
// the same values from a marked packet as from its own; zkfle tells the
// two apart.
func TestZkfleMarkIsInvisibleToZooKeeperFields(t *testing.T) {
	plain, marked := NewLeaderInfoPacket(7), NewZkfleLeaderInfoPacket(7)
	assert.Len(t, marked.Data, len(plain.Data)+len(ZkfleMark))
	p, err := DecodeLeaderInfo(plain)
	require.NoError(t, err)
	m, err := DecodeLeaderInfo(marked)
	require.NoError(t, err)
	assert.False(t, p.Zkfle)
	assert.True(t, m.Zkfle)
	assert.Equal(t, p.Epoch, m.Epoch)
	assert.Equal(t, p.ProtocolVersion, m.ProtocolVersion)

	li, err := DecodeLearnerInfo(NewLearnerInfoPacket(false, 3, 2, 0x100000000).Data)
	require.NoError(t, err)
	lm, err := DecodeLearnerInfo(NewZkfleLearnerInfoPacket(false, 3, 2, 0x100000000).Data)
	require.NoError(t, err)
	assert.False(t, li.Zkfle)
	assert.True(t, lm.Zkfle)
	lm.Zkfle = false
	assert.Equal(t, li, lm)

	// Trailing bytes that are not the mark are ignored, as Java does.
	other := NewLeaderInfoPacket(7)
	other.Data = append(other.Data, "zkfla\x00\x00\x01"...)
	o, err := DecodeLeaderInfo(other)
	require.NoError(t, err)
	assert.False(t, o.Zkfle)
}

// A zkfle learner whose leader is a ZooKeeper server (no mark) must not
// take its sync or count in its quorum: it acknowledges nothing, persists
// nothing, hangs up and reports an election-only role in the leader's
// epoch.
func TestLearnerFollowsZooKeeperLeaderElectionOnly(t *testing.T) {
	s := registered(t, 3, 2)
	out := s.Received(9, NewLeaderInfoPacket(5))
	assert.Empty(t, out.Persist, "no epoch taken from a ZooKeeper leader")
	assert.Empty(t, out.Send, "no ACKEPOCH")
	assert.Equal(t, []ConnID{9}, closedConns(out))
	assert.True(t, cancelled(out, ReadTimer, 9))
	for _, tm := range out.Timers {
		assert.True(t, tm.Cancel, "no timer may stay armed for a connection that is gone: %+v", tm)
	}
	require.NotNil(t, out.Established)
	assert.Equal(t, Established{Epoch: 5, Leader: s.cfg.LeaderID, Role: Following, ElectionOnly: true}, *out.Established)
	assert.Nil(t, out.Ended)
	assert.True(t, s.IsEstablished())

	// Nothing more arrives on a closed connection; Stop ends the role.
	assert.True(t, s.Received(9, NewDiffPacket(0)).Empty())
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
	assert.Equal(t, []Packet{NewLearnerInfoPacket(false, 4, 3, 0)}, sendsTo(out, 9))
	out = s.Received(9, NewLeaderInfoPacket(4))
	assert.Equal(t, []EpochWrite{{AcceptedEpochFile, 4}}, out.Persist)
	assert.Equal(t, []PacketType{AckEpoch}, typesTo(out, 9))
}

// A zkfle leader refuses a ZooKeeper learner, with a close an operator is
// told to act on; in ZooKeeperMode it serves it.
func TestLeaderRefusesZooKeeperLearner(t *testing.T) {
	l := newLeader(t, LeaderConfig{ID: 1, Verifier: three(t)})
	l.Start()
	l.Connected(2)
	out := l.Received(2, NewLearnerInfoPacket(false, 2, 0, 0))
	require.Len(t, out.Close, 1)
	assert.Equal(t, ConnID(2), out.Close[0].Conn)
	assert.True(t, out.Close[0].Warn)
	assert.Contains(t, out.Close[0].Detail, "server 2 is an Apache ZooKeeper server")
	assert.Contains(t, out.Close[0].Detail, "highest sids")
	assert.Empty(t, out.Send)

	zk := newLeader(t, LeaderConfig{ID: 1, Verifier: three(t), ZooKeeperMode: true})
	zk.Start()
	zk.Connected(2)
	out = zk.Received(2, NewLearnerInfoPacket(false, 2, 0, 0))
	assert.Empty(t, out.Close)
	assert.Equal(t, []Packet{NewLeaderInfoPacket(1)}, sendsTo(out, 2), "an unmarked LEADERINFO")
}
