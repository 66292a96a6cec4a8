package zab

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/netbridge/quorumwire"
)

// connect opens connection c and sends the learner's first packet.
func connect(t *testing.T, l *LeaderSession, c ConnID, first quorumwire.Packet) Output {
	t.Helper()
	require.True(t, l.Connected(c).Close == nil)
	return l.Received(c, first)
}

func TestLeaderEpochProposal(t *testing.T) {
	type learner struct {
		sid, accepted int64
		observer      bool
	}
	cases := []struct {
		name           string
		voters         []int64
		observers      []int64
		leaderAccepted int64
		learners       []learner
		decidedAt      int // index of the learner whose arrival decides; -1: never
		wantEpoch      int64
	}{
		{"3 voters: the leader and one follower", []int64{1, 2, 3}, nil, 3, []learner{{2, 5, false}}, 0, 6},
		{"leader's own accepted epoch is the max", []int64{1, 2, 3}, nil, 9, []learner{{2, 5, false}}, 0, 10},
		{"fresh ensemble", []int64{1, 2, 3}, nil, 0, []learner{{3, 0, false}}, 0, 1},
		{"5 voters need 3, the max wins", []int64{1, 2, 3, 4, 5}, nil, 2, []learner{{2, 4, false}, {3, 7, false}}, 1, 8},
		{"an observer lifts the epoch but does not count", []int64{1, 2, 3}, []int64{4}, 1,
			[]learner{{4, 9, true}, {2, 1, false}}, 1, 10},
		{"two observers are no quorum", []int64{1, 2, 3}, []int64{4, 5}, 1,
			[]learner{{4, 1, true}, {5, 1, true}}, -1, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := newLeader(t, LeaderConfig{ID: 1, Verifier: ensemble(t, tc.voters, tc.observers...),
				AcceptedEpoch: tc.leaderAccepted, CurrentEpoch: min(tc.leaderAccepted, 1)})
			out := l.Start()
			assert.Equal(t, tc.leaderAccepted+1, l.Epoch(), "the leader proposes for itself first")
			armed(t, out, PhaseTimer, 0)
			for i, ln := range tc.learners {
				first := info(ln.sid, ln.accepted)
				if ln.observer {
					first = observerInfo(ln.sid, ln.accepted)
				}
				out := connect(t, l, ConnID(i+1), first)
				if i != tc.decidedAt {
					assert.Empty(t, out.Persist, "learner %d: not decided yet", i)
					assert.Empty(t, out.Send, "learner %d: handlers wait for the epoch", i)
					continue
				}
				assert.Equal(t, []EpochWrite{{AcceptedEpochFile, tc.wantEpoch}}, out.Persist, "the leader accepts its epoch")
				for j := 0; j <= i; j++ {
					assert.Equal(t, []quorumwire.Packet{quorumwire.NewZkfleLeaderInfoPacket(tc.wantEpoch)}, sendsTo(out, ConnID(j+1)),
						"every waiting learner gets LEADERINFO, learner %d", j)
				}
				assert.Equal(t, tc.wantEpoch, l.Epoch())
			}
			if tc.decidedAt < 0 {
				assert.Equal(t, tc.wantEpoch, l.Epoch())
			}
		})
	}
}

func TestLeaderEpochTimeoutStepsDown(t *testing.T) {
	l := newLeader(t, LeaderConfig{ID: 1, Verifier: five(t)})
	clk := newClock()
	out := clk.apply(l.Start())
	assert.Equal(t, 20*time.Second, armed(t, out, PhaseTimer, 0).After, "initLimit × tickTime")
	clk.apply(connect(t, l, 1, info(2, 0)))
	clk.apply(l.Connected(2)) // connected, never says hello
	outs := clk.advance(19999*time.Millisecond, l.Tick)
	assert.Nil(t, endedIn(outs), "not before initLimit × tickTime")
	outs = clk.advance(time.Millisecond, l.Tick)
	end := endedIn(outs)
	require.NotNil(t, end)
	assert.Equal(t, ReasonEpochTimeout, end.Reason)
	assert.Equal(t, "Timeout while waiting for epoch from quorum", end.Detail)
	last := outs[len(outs)-1]
	assert.Equal(t, []ConnID{1, 2}, closedConns(last), "every connection closed")
	assert.True(t, l.IsEnded())
	assert.Empty(t, clk.pending, "every timer cancelled")
	assert.True(t, l.Received(1, info(2, 0)).Empty(), "an ended session ignores input")
	assert.Equal(t, []ConnID{9}, closedConns(l.Connected(9)), "and closes new connections")
}

// TestLeaderKeepsCountingDisconnectedLearners: Leader.connectingFollowers
// is never pruned; a learner that connected and left still counts.
func TestLeaderKeepsCountingDisconnectedLearners(t *testing.T) {
	l := newLeader(t, LeaderConfig{ID: 1, Verifier: five(t)})
	l.Start()
	connect(t, l, 1, info(2, 4))
	assert.True(t, l.Disconnected(1).Close == nil)
	out := connect(t, l, 2, info(3, 0))
	assert.Equal(t, []EpochWrite{{AcceptedEpochFile, 5}}, out.Persist, "decided with 1, 2 and 3; 2's epoch counted")
	assert.Equal(t, []quorumwire.Packet{quorumwire.NewZkfleLeaderInfoPacket(5)}, sendsTo(out, 2))
	assert.Empty(t, sendsTo(out, 1))
}

// TestLeaderLateLearnerGetsTheDecidedEpoch: once decided, the epoch is
// final; a learner with a higher acceptedEpoch is told the lower epoch
// (and will refuse it, see the learner tests).
func TestLeaderLateLearnerGetsTheDecidedEpoch(t *testing.T) {
	l := newLeader(t, LeaderConfig{ID: 1, Verifier: three(t), AcceptedEpoch: 2, CurrentEpoch: 2})
	l.Start()
	connect(t, l, 1, info(2, 2))
	out := connect(t, l, 2, info(3, 8))
	assert.Empty(t, out.Persist)
	assert.Equal(t, []quorumwire.Packet{quorumwire.NewZkfleLeaderInfoPacket(3)}, sendsTo(out, 2))
	assert.Equal(t, int64(3), l.Epoch())
}

func TestLeaderRejectsBadFirstPackets(t *testing.T) {
	cases := map[string]struct {
		p    quorumwire.Packet
		want string
	}{
		"not FOLLOWERINFO":      {quorumwire.NewAckEpochPacket(0, 0), "got ACKEPOCH"},
		"short LearnerInfo":     {quorumwire.Packet{Type: quorumwire.FollowerInfo, Data: []byte{0, 0, 0, 2}}, "LearnerInfo of 4 bytes"},
		"null LearnerInfo":      {quorumwire.Packet{Type: quorumwire.FollowerInfo}, "LearnerInfo of 0 bytes"},
		"newer config":          {quorumwire.NewZkfleLearnerInfoPacket(false, 2, 0, 0x100000003), "later activated configuration"},
		"unknown type as hello": {quorumwire.Packet{Type: 77}, "UNKNOWN(77)"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			l := newLeader(t, LeaderConfig{ID: 1, Verifier: three(t)})
			l.Start()
			l.Connected(5)
			out := l.Received(5, tc.p)
			require.Len(t, out.Close, 1)
			assert.Equal(t, ConnID(5), out.Close[0].Conn)
			assert.Contains(t, out.Close[0].Detail, tc.want)
			assert.True(t, cancelled(out, ReadTimer, 5))
			assert.Nil(t, out.Ended, "the leader carries on")
			assert.True(t, l.Received(5, info(2, 0)).Empty(), "the connection is forgotten")
		})
	}
}

func TestLeaderReadTimeoutOnlyWhileReading(t *testing.T) {
	l := newLeader(t, LeaderConfig{ID: 1, Verifier: five(t)})
	clk := newClock()
	clk.apply(l.Start())
	out := clk.apply(l.Connected(1))
	assert.Equal(t, 20*time.Second, armed(t, out, ReadTimer, 1).After, "initLimit × tickTime until FOLLOWERINFO")
	out = clk.apply(l.Received(1, info(2, 0)))
	assert.True(t, cancelled(out, ReadTimer, 1), "blocked in getEpochToPropose: not reading, no timeout")

	// Once established there is no phase timer: a silent newcomer is
	// closed by its own read timeout.
	l = newLeader(t, LeaderConfig{ID: 1, Verifier: three(t)})
	clk = newClock()
	clk.apply(l.Start())
	handshake(t, l, clk, 1, 2, 0)
	require.True(t, l.IsEstablished())
	clk.advance(3*time.Second, func(tm Timer) Output { // keep learner 2 alive
		out := l.Tick(tm)
		if len(sendsTo(out, 1)) > 0 {
			clk.apply(l.Received(1, quorumwire.PingReply(sendsTo(out, 1)[0])))
		}
		return out
	})
	clk.apply(l.Connected(2))
	var closed []ConnID
	clk.advance(20*time.Second, func(tm Timer) Output {
		out := l.Tick(tm)
		closed = append(closed, closedConns(out)...)
		if len(sendsTo(out, 1)) > 0 {
			clk.apply(l.Received(1, quorumwire.PingReply(sendsTo(out, 1)[0])))
		}
		return out
	})
	assert.Equal(t, []ConnID{2}, closed, "the silent connection is closed after initLimit × tickTime")
	assert.False(t, l.IsEnded())
}

// TestLeaderBacklogWhileBlocked: packets a learner sends while its handler
// waits for the quorum are read, in order, once the handler reads again.
func TestLeaderBacklogWhileBlocked(t *testing.T) {
	l := newLeader(t, LeaderConfig{ID: 1, Verifier: five(t)})
	l.Start()
	connect(t, l, 1, info(2, 0))
	assert.True(t, l.Received(1, quorumwire.NewAckEpochPacket(0, 0)).Empty(), "ACKEPOCH before LEADERINFO waits in the socket")
	out := connect(t, l, 2, info(3, 0))
	assert.Equal(t, []EpochWrite{{AcceptedEpochFile, 1}}, out.Persist, "leader, 2 and 3 decide")
	assert.Equal(t, []quorumwire.PacketType{quorumwire.LeaderInfo}, typesTo(out, 1), "conn 1's queued ack is read: 1 and 2 acked, no quorum yet")
	assert.Equal(t, []quorumwire.PacketType{quorumwire.LeaderInfo}, typesTo(out, 2))
	out = l.Received(2, quorumwire.NewAckEpochPacket(0, 0))
	assert.Equal(t, []EpochWrite{{CurrentEpochFile, 1}}, out.Persist, "the third ack completes the quorum")
	for c := ConnID(1); c <= 2; c++ {
		assert.Equal(t, []quorumwire.PacketType{quorumwire.Diff, quorumwire.NewLeader}, typesTo(out, c), "conn %d", c)
	}

	l2 := newLeader(t, LeaderConfig{ID: 1, Verifier: five(t)})
	l2.Start()
	connect(t, l2, 1, info(2, 0))
	for i := range maxBacklog {
		require.Empty(t, l2.Received(1, quorumwire.NewPingPacket(int64(i))).Close)
	}
	out = l2.Received(1, quorumwire.NewPingPacket(99))
	assert.Equal(t, []ConnID{1}, closedConns(out), "a flood while blocked is cut off")
}

func TestLeaderSessionConfigErrors(t *testing.T) {
	v := three(t)
	cases := map[string]LeaderConfig{
		"no verifier":          {ID: 1},
		"observer as leader":   {ID: 4, Verifier: v},
		"non-member as leader": {ID: 9, Verifier: v},
		"accepted < current":   {ID: 1, Verifier: v, AcceptedEpoch: 1, CurrentEpoch: 2},
		"negative tick":        {ID: 1, Verifier: v, Timing: Timing{TickTime: -1}},
	}
	for name, cfg := range cases {
		_, err := NewLeaderSession(cfg)
		assert.ErrorIs(t, err, ErrBadConfig, name)
	}
}

func TestLeaderStartTwiceAndConnectBeforeStart(t *testing.T) {
	l := newLeader(t, LeaderConfig{ID: 1, Verifier: three(t)})
	assert.Equal(t, []ConnID{3}, closedConns(l.Connected(3)), "no session yet")
	assert.Equal(t, int64(-1), l.Epoch())
	assert.False(t, l.Start().Empty())
	assert.True(t, l.Start().Empty())
}
