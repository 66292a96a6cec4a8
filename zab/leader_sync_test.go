package zab

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/netbridge/quorumwire"
	"github.com/zkfle/zkfle/zk"
)

// decided returns a leader of voters 1..5 (plus observer 6) whose epoch 1
// was decided with learners 2 and 3 on connections 2 and 3.
func decided(t *testing.T) *LeaderSession {
	t.Helper()
	l := newLeader(t, LeaderConfig{ID: 1, Verifier: ensemble(t, []int64{1, 2, 3, 4, 5}, 6), LastZxid: 0x5})
	l.Start()
	connect(t, l, 2, info(2, 0))
	out := connect(t, l, 3, info(3, 0))
	require.Equal(t, []EpochWrite{{AcceptedEpochFile, 1}}, out.Persist)
	return l
}

func TestLeaderEpochAckQuorum(t *testing.T) {
	l := decided(t)
	out := l.Received(2, quorumwire.NewAckEpochPacket(0, 0x3))
	assert.True(t, out.Send == nil && out.Persist == nil, "leader and 2: no quorum of 5")
	out = l.Received(3, quorumwire.NewAckEpochPacket(0, 0x4))
	assert.Equal(t, []EpochWrite{{CurrentEpochFile, 1}}, out.Persist, "the leader makes the epoch current first")
	assert.Equal(t, []quorumwire.Packet{quorumwire.NewDiffPacket(0x3), quorumwire.NewNewLeaderPacket(1, l.config(1))}, sendsTo(out, 2),
		"an empty DIFF at the learner's own zxid, then NEWLEADER with the config")
	assert.Equal(t, []quorumwire.Packet{quorumwire.NewDiffPacket(0x4), quorumwire.NewNewLeaderPacket(1, l.config(1))}, sendsTo(out, 3))
	assert.Nil(t, out.Established, "NEWLEADER must be acknowledged first")
}

// TestLeaderEpochAcksThatDoNotCount: -1 (already accepted), a last zxid of
// -1 and observers are not counted (non-members are refused before they
// get this far: TestLeaderRefusesClaims).
func TestLeaderEpochAcksThatDoNotCount(t *testing.T) {
	l := decided(t)
	connect(t, l, 6, observerInfo(6, 0))
	for c, ack := range map[ConnID]quorumwire.Packet{
		2: quorumwire.NewAckEpochPacket(quorumwire.AlreadyAccepted, 0),
		3: quorumwire.NewAckEpochPacket(0, -1),
		6: quorumwire.NewAckEpochPacket(0, 0),
	} {
		out := l.Received(c, ack)
		assert.Empty(t, out.Persist, "conn %d", c)
		assert.Empty(t, out.Send, "conn %d", c)
	}
	connect(t, l, 4, info(4, 0))
	assert.Empty(t, l.Received(4, quorumwire.NewAckEpochPacket(0, 0)).Persist, "leader + 4 only")
	connect(t, l, 5, info(5, 0))
	out := l.Received(5, quorumwire.NewAckEpochPacket(0, 0))
	assert.Equal(t, []EpochWrite{{CurrentEpochFile, 1}}, out.Persist, "leader, 4 and 5")
	for _, c := range []ConnID{2, 3, 4, 5, 6} {
		assert.Equal(t, []quorumwire.PacketType{quorumwire.Diff, quorumwire.NewLeader}, typesTo(out, c), "every waiting learner is synced, conn %d", c)
	}
}

func TestLeaderRefusesFollowerAhead(t *testing.T) {
	for name, ack := range map[string]quorumwire.Packet{
		"higher current epoch":      quorumwire.NewAckEpochPacket(3, 0),
		"same epoch, higher zxid":   quorumwire.NewAckEpochPacket(2, 0x200000009),
		"short ACKEPOCH data":       {Type: quorumwire.AckEpoch, Data: []byte{0}},
		"ACK where ACKEPOCH is due": quorumwire.NewAckPacket(0),
	} {
		t.Run(name, func(t *testing.T) {
			l := newLeader(t, LeaderConfig{ID: 1, Verifier: three(t), AcceptedEpoch: 2, CurrentEpoch: 2, LastZxid: 0x200000005})
			l.Start()
			connect(t, l, 2, info(2, 2))
			out := l.Received(2, ack)
			assert.Equal(t, []ConnID{2}, closedConns(out))
			assert.Empty(t, out.Persist, "not counted")
		})
	}
	l := newLeader(t, LeaderConfig{ID: 1, Verifier: three(t), AcceptedEpoch: 2, CurrentEpoch: 2, LastZxid: 0x200000005})
	l.Start()
	connect(t, l, 2, info(2, 2))
	out := l.Received(2, quorumwire.NewAckEpochPacket(quorumwire.AlreadyAccepted, 0x900000000))
	assert.Empty(t, out.Close, "a -1 ack is not compared, just not counted")
}

func TestLeaderEstablishesOnNewLeaderAckQuorum(t *testing.T) {
	l := decided(t)
	l.Received(2, quorumwire.NewAckEpochPacket(0, 0))
	connect(t, l, 6, observerInfo(6, 0))
	l.Received(6, quorumwire.NewAckEpochPacket(0, 0))
	l.Received(3, quorumwire.NewAckEpochPacket(0, 0))
	out := l.Received(6, quorumwire.NewAckPacket(mkZxid(1, 0)))
	assert.Nil(t, out.Established, "an observer's ack does not count")
	assert.True(t, cancelled(out, ReadTimer, 6), "the observer's handler waits for the leader to start")
	out = l.Received(2, quorumwire.NewAckPacket(mkZxid(1, 0)))
	assert.Nil(t, out.Established)
	out = l.Received(3, quorumwire.NewAckPacket(mkZxid(1, 0)))
	require.NotNil(t, out.Established)
	assert.Equal(t, Established{Epoch: 1, Leader: 1, Role: zk.Leading}, *out.Established)
	assert.True(t, l.IsEstablished())
	for _, c := range []ConnID{2, 3, 6} {
		assert.Equal(t, []quorumwire.Packet{quorumwire.NewUpToDatePacket()}, sendsTo(out, c), "UPTODATE to every learner that acked, conn %d", c)
		assert.Equal(t, 10*time.Second, armed(t, out, ReadTimer, c).After, "syncLimit × tickTime from now on")
	}
	assert.Equal(t, time.Second, armed(t, out, HeartbeatTimer, 0).After, "pings every tickTime/2")
	assert.True(t, cancelled(out, PhaseTimer, 0))
}

func TestLeaderNewLeaderAckOfAnotherEpochIsNotCounted(t *testing.T) {
	l := newLeader(t, LeaderConfig{ID: 1, Verifier: three(t)})
	l.Start()
	connect(t, l, 2, info(2, 0))
	l.Received(2, quorumwire.NewAckEpochPacket(0, 0))
	out := l.Received(2, quorumwire.NewAckPacket(mkZxid(7, 0)))
	assert.Nil(t, out.Established)
	assert.Empty(t, out.Close, "not counted, but the handler waits on")
	connect(t, l, 3, info(3, 0))
	l.Received(3, quorumwire.NewAckEpochPacket(0, 0))
	out = l.Received(3, quorumwire.NewAckPacket(mkZxid(1, 0)))
	require.NotNil(t, out.Established)
	assert.Equal(t, []quorumwire.PacketType{quorumwire.UpToDate}, typesTo(out, 2), "it still gets UPTODATE")
	assert.Equal(t, []quorumwire.PacketType{quorumwire.UpToDate}, typesTo(out, 3))
}

func TestLeaderRejectsNonAckAfterNewLeader(t *testing.T) {
	l := decided(t)
	connect(t, l, 4, info(4, 0))
	l.Received(2, quorumwire.NewAckEpochPacket(0, 0))
	l.Received(3, quorumwire.NewAckEpochPacket(0, 0))
	out := l.Received(2, quorumwire.NewPingPacket(0))
	assert.Equal(t, []ConnID{2}, closedConns(out))
	assert.Contains(t, out.Close[0].Detail, "supposed to be an ACK")
}

// TestLeaderLateLearnerAfterEstablished: a learner that connects once the
// leader runs goes straight through: LEADERINFO, DIFF+NEWLEADER on its
// ACKEPOCH, UPTODATE on its ACK.
func TestLeaderLateLearnerAfterEstablished(t *testing.T) {
	l := newLeader(t, LeaderConfig{ID: 1, Verifier: three(t)})
	clk := newClock()
	clk.apply(l.Start())
	handshake(t, l, clk, 2, 2, 0)
	require.True(t, l.IsEstablished())
	out := connect(t, l, 3, info(3, 0))
	assert.Equal(t, []quorumwire.Packet{quorumwire.NewZkfleLeaderInfoPacket(1)}, sendsTo(out, 3))
	out = l.Received(3, quorumwire.NewAckEpochPacket(quorumwire.AlreadyAccepted, 0x7))
	assert.Equal(t, []quorumwire.Packet{quorumwire.NewDiffPacket(0x7), quorumwire.NewNewLeaderPacket(1, l.config(1))}, sendsTo(out, 3))
	out = l.Received(3, quorumwire.NewAckPacket(mkZxid(1, 0)))
	assert.Equal(t, []quorumwire.Packet{quorumwire.NewUpToDatePacket()}, sendsTo(out, 3))
	assert.Empty(t, out.Persist)
	assert.Nil(t, out.Established, "reported once")
}

func TestLeaderPhaseTimeouts(t *testing.T) {
	t.Run("epoch acks", func(t *testing.T) {
		l2 := newLeader(t, LeaderConfig{ID: 1, Verifier: five(t)})
		clk2 := newClock()
		clk2.apply(l2.Start())
		clk2.advance(5*time.Second, l2.Tick)
		clk2.apply(connect(t, l2, 2, info(2, 0)))
		out := clk2.apply(connect(t, l2, 3, info(3, 0)))
		assert.Equal(t, 20*time.Second, armed(t, out, PhaseTimer, 0).After, "a fresh initLimit × tickTime for the acks")
		end := endedIn(clk2.advance(20*time.Second, l2.Tick))
		require.NotNil(t, end)
		assert.Equal(t, ReasonEpochAckTimeout, end.Reason)
		assert.Equal(t, "Timeout while waiting for epoch to be acked by quorum", end.Detail)
	})
	t.Run("newleader acks", func(t *testing.T) {
		l := newLeader(t, LeaderConfig{ID: 1, Verifier: five(t)})
		clk := newClock()
		clk.apply(l.Start())
		for c := ConnID(2); c <= 3; c++ {
			clk.apply(connect(t, l, c, info(int64(c), 0)))
		}
		clk.apply(l.Received(2, quorumwire.NewAckEpochPacket(0, 0)))
		out := clk.apply(l.Received(3, quorumwire.NewAckEpochPacket(0, 0)))
		armed(t, out, PhaseTimer, 0)
		clk.apply(l.Received(2, quorumwire.NewAckPacket(mkZxid(1, 0))))
		outs := clk.advance(20*time.Second, l.Tick)
		end := endedIn(outs)
		require.NotNil(t, end)
		assert.Equal(t, ReasonNewLeaderAckTimeout, end.Reason)
		assert.Equal(t, "Waiting for a quorum of followers, only synced with sids: [ 1,2 ]", end.Detail)
		var closed []ConnID
		for _, o := range outs {
			closed = append(closed, closedConns(o)...)
		}
		assert.ElementsMatch(t, []ConnID{2, 3}, closed, "3 by its own read timeout (it was reading), 2 by the shutdown")
	})
}

// TestLeaderPreZab10Learner: a learner announcing protocol version < 0x10000
// gets no LEADERINFO; its FOLLOWERINFO zxid stands for its ack, and
// NEWLEADER carries no config.
func TestLeaderPreZab10Learner(t *testing.T) {
	l := newLeader(t, LeaderConfig{ID: 1, Verifier: three(t), AcceptedEpoch: 1, CurrentEpoch: 1, LastZxid: mkZxid(1, 9),
		ZooKeeperMode: true})
	l.Start()
	l.Connected(2)
	old := quorumwire.Packet{Type: quorumwire.FollowerInfo, Zxid: mkZxid(1, 4), Data: []byte{0, 0, 0, 0, 0, 0, 0, 2}} // a bare sid, no version
	out := l.Received(2, old)
	assert.Equal(t, []EpochWrite{{AcceptedEpochFile, 2}, {CurrentEpochFile, 2}}, out.Persist)
	assert.Equal(t, []quorumwire.Packet{quorumwire.NewDiffPacket(mkZxid(1, 4)), quorumwire.NewNewLeaderPacket(2, nil)}, sendsTo(out, 2))
}

func TestLeaderStopAndPersistFailure(t *testing.T) {
	l := decided(t)
	out := l.Stop()
	require.NotNil(t, out.Ended)
	assert.Equal(t, ReasonStopped, out.Ended.Reason)
	assert.Equal(t, []ConnID{2, 3}, closedConns(out))
	assert.True(t, cancelled(out, PhaseTimer, 0))
	assert.True(t, l.Stop().Empty())

	l = decided(t)
	out = l.PersistFailed(assertError("disk full"))
	require.NotNil(t, out.Ended)
	assert.Equal(t, ReasonPersistFailed, out.Ended.Reason)
	assert.Contains(t, out.Ended.Detail, "disk full")
	assert.True(t, l.PersistFailed(assertError("again")).Empty())
}

type assertError string

func (e assertError) Error() string { return string(e) }

// TestLeaderAloneEstablishesAtStart: with a single voter the leader is its
// own quorum at every step, so Start decides, acknowledges and
// establishes epoch accepted+1 at once, writing both epochs first.
func TestLeaderAloneEstablishesAtStart(t *testing.T) {
	l := newLeader(t, LeaderConfig{ID: 1, Verifier: ensemble(t, []int64{1}, 2), AcceptedEpoch: 4, CurrentEpoch: 3})
	out := l.Start()
	assert.Equal(t, []EpochWrite{{AcceptedEpochFile, 5}, {CurrentEpochFile, 5}}, out.Persist)
	require.NotNil(t, out.Established)
	assert.Equal(t, Established{Epoch: 5, Leader: 1, Role: zk.Leading}, *out.Established)
	armed(t, out, HeartbeatTimer, 0)
	for _, tm := range out.Timers {
		assert.NotEqual(t, PhaseTimer, tm.Kind, "no phase to wait in")
	}
}

// TestLeaderWithUntrustedZxidCannotCountItself: a leader whose last zxid
// is -1 (an empty database it does not trust) does not count its own
// epoch ack, as in ZooKeeper; the ack quorum must contain the leader, so
// discovery times out even though every follower acks.
func TestLeaderWithUntrustedZxidCannotCountItself(t *testing.T) {
	l := newLeader(t, LeaderConfig{ID: 1, Verifier: three(t), LastZxid: -1})
	clk := newClock()
	clk.apply(l.Start())
	for c := ConnID(2); c <= 3; c++ {
		clk.apply(connect(t, l, c, info(int64(c), 0)))
		out := clk.apply(l.Received(c, quorumwire.NewAckEpochPacket(0, 0)))
		assert.Empty(t, out.Persist, "conn %d", c)
	}
	end := endedIn(clk.advance(20*time.Second, l.Tick))
	require.NotNil(t, end)
	assert.Equal(t, ReasonEpochAckTimeout, end.Reason)
}
