package zab

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/netbridge/quorumwire"
	"github.com/zkfle/zkfle/zk"
)

// registered returns a learner (sid 2 following 1) connected on conn 9,
// with the given epochs.
func registered(t *testing.T, accepted, current int64) *LearnerSession {
	t.Helper()
	s := newLearner(t, LearnerConfig{ID: 2, LeaderID: 1, AcceptedEpoch: accepted, CurrentEpoch: current, LastZxid: 0x300000007})
	s.Start()
	s.Connected(9)
	return s
}

func TestLearnerDialsWithZooKeeperBudget(t *testing.T) {
	s := newLearner(t, LearnerConfig{ID: 2, LeaderID: 1})
	clk := newClock()
	out := clk.apply(s.Start())
	require.NotNil(t, out.Dial)
	assert.Equal(t, Dial{Attempt: 1, Timeout: 20 * time.Second}, *out.Dial)
	assert.Equal(t, 20*time.Second, armed(t, out, ConnectTimer, 0).After, "tickTime × initLimit for all tries")
	for attempt := 2; attempt <= 5; attempt++ {
		out = clk.apply(s.DialFailed(errors.New("connection refused")))
		assert.Equal(t, 100*time.Millisecond, armed(t, out, RetryTimer, 0).After)
		outs := clk.advance(100*time.Millisecond, s.Tick)
		require.Len(t, outs, 1)
		require.NotNil(t, outs[0].Dial)
		assert.Equal(t, attempt, outs[0].Dial.Attempt)
	}
	out = clk.apply(s.DialFailed(errors.New("connection refused")))
	require.NotNil(t, out.Ended)
	assert.Equal(t, ReasonConnectFailed, out.Ended.Reason)
	assert.Contains(t, out.Ended.Detail, "after 5 tries: connection refused")
	assert.Empty(t, clk.pending, "timers cancelled")
}

func TestLearnerConnectBudgetRunsOut(t *testing.T) {
	s := newLearner(t, LearnerConfig{ID: 2, LeaderID: 1, Timing: Timing{TickTime: time.Second, InitLimit: 4, ConnectToLearnerMasterLimit: 2}})
	clk := newClock()
	out := clk.apply(s.Start())
	assert.Equal(t, 2*time.Second, out.Dial.Timeout, "connectToLearnerMasterLimit replaces initLimit")
	end := endedIn(clk.advance(2*time.Second, s.Tick))
	require.NotNil(t, end, "the dial hangs; the budget ends it")
	assert.Equal(t, ReasonConnectFailed, end.Reason)
	assert.Equal(t, []ConnID{5}, closedConns(s.Connected(5)), "a dial that completes afterwards is closed")
}

func TestLearnerRegisters(t *testing.T) {
	for _, observer := range []bool{false, true} {
		s := newLearner(t, LearnerConfig{ID: 4, LeaderID: 1, Observer: observer, AcceptedEpoch: 3, CurrentEpoch: 2, ConfigVersion: 0x100000000})
		clk := newClock()
		clk.apply(s.Start())
		out := clk.apply(s.Connected(9))
		assert.Equal(t, []quorumwire.Packet{quorumwire.NewZkfleLearnerInfoPacket(observer, 4, 3, 0x100000000)}, sendsTo(out, 9))
		assert.True(t, cancelled(out, ConnectTimer, 0))
		assert.Equal(t, 20*time.Second, armed(t, out, ReadTimer, 9).After)
		if observer {
			assert.Equal(t, zk.Observing, s.Role())
		} else {
			assert.Equal(t, zk.Following, s.Role())
		}
	}
}

func TestLearnerAnswersLeaderInfo(t *testing.T) {
	t.Run("new epoch: accepted on disk, then ACKEPOCH with the current epoch", func(t *testing.T) {
		s := registered(t, 3, 2)
		out := s.Received(9, quorumwire.NewZkfleLeaderInfoPacket(4))
		assert.Equal(t, []EpochWrite{{AcceptedEpochFile, 4}}, out.Persist)
		assert.Equal(t, []quorumwire.Packet{quorumwire.NewAckEpochPacket(2, 0x300000007)}, sendsTo(out, 9))
		assert.Equal(t, int64(4), s.Epoch())
	})
	t.Run("epoch already accepted: -1, nothing written", func(t *testing.T) {
		s := registered(t, 3, 2)
		out := s.Received(9, quorumwire.NewZkfleLeaderInfoPacket(3))
		assert.Empty(t, out.Persist)
		assert.Equal(t, []quorumwire.Packet{quorumwire.NewAckEpochPacket(quorumwire.AlreadyAccepted, 0x300000007)}, sendsTo(out, 9))
	})
	t.Run("epoch below accepted: refused, back to LOOKING", func(t *testing.T) {
		s := registered(t, 3, 2)
		out := s.Received(9, quorumwire.NewZkfleLeaderInfoPacket(2))
		assert.Empty(t, out.Persist)
		assert.Empty(t, out.Send, "no ACKEPOCH")
		require.NotNil(t, out.Ended)
		assert.Equal(t, ReasonEpochBehind, out.Ended.Reason)
		assert.Equal(t, "Leaders epoch, 2 is less than accepted epoch, 3", out.Ended.Detail)
		assert.Equal(t, []ConnID{9}, closedConns(out))
	})
}

func TestLearnerSyncsAndEstablishes(t *testing.T) {
	s := registered(t, 3, 2)
	clk := newClock()
	clk.apply(s.Received(9, quorumwire.NewZkfleLeaderInfoPacket(4)))
	out := clk.apply(s.Received(9, quorumwire.NewDiffPacket(0x300000007)))
	assert.Empty(t, out.Send)
	assert.Equal(t, 20*time.Second, armed(t, out, ReadTimer, 9).After, "initLimit × tickTime until NEWLEADER")
	out = clk.apply(s.Received(9, quorumwire.NewPingPacket(mkZxid(4, 0))))
	assert.Empty(t, out.Send, "Java does not answer pings while syncing")
	out = clk.apply(s.Received(9, quorumwire.NewNewLeaderPacket(4, []byte("server.1=x"))))
	assert.Equal(t, []EpochWrite{{CurrentEpochFile, 4}}, out.Persist, "the epoch is current on disk before the ACK")
	assert.Equal(t, []quorumwire.Packet{quorumwire.NewAckPacket(mkZxid(4, 0))}, sendsTo(out, 9))
	assert.Equal(t, 10*time.Second, armed(t, out, ReadTimer, 9).After, "syncLimit × tickTime from NEWLEADER on")
	assert.Nil(t, out.Established)
	out = clk.apply(s.Received(9, quorumwire.NewUpToDatePacket()))
	assert.Empty(t, out.Persist)
	assert.Equal(t, []quorumwire.Packet{quorumwire.NewAckPacket(mkZxid(4, 0))}, sendsTo(out, 9))
	require.NotNil(t, out.Established)
	assert.Equal(t, Established{Epoch: 4, Leader: 1, Role: zk.Following, Config: []byte("server.1=x")}, *out.Established)
	assert.True(t, s.IsEstablished())

	ping := quorumwire.Packet{Type: quorumwire.Ping, Zxid: mkZxid(4, 0), AuthInfo: []quorumwire.ID{{Scheme: "ip", ID: "10.0.0.1"}}}
	out = clk.apply(s.Received(9, ping))
	assert.Equal(t, []quorumwire.Packet{{Type: quorumwire.Ping, Zxid: mkZxid(4, 0), Data: []byte{}, AuthInfo: ping.AuthInfo}}, sendsTo(out, 9))
	for _, p := range []quorumwire.Packet{{Type: quorumwire.Proposal, Zxid: 1}, {Type: quorumwire.Commit}, quorumwire.NewUpToDatePacket(), {Type: 99}} {
		out = s.Received(9, p)
		assert.Empty(t, out.Send, "%s", p)
		assert.Nil(t, out.Ended, "%s", p)
	}
}

func TestLearnerSyncVariants(t *testing.T) {
	t.Run("TRUNC is an empty sync too", func(t *testing.T) {
		s := registered(t, 0, 0)
		s.Received(9, quorumwire.NewZkfleLeaderInfoPacket(1))
		assert.Nil(t, s.Received(9, quorumwire.Packet{Type: quorumwire.Trunc, Zxid: 0}).Ended)
		s.Received(9, quorumwire.NewNewLeaderPacket(1, nil))
		assert.NotNil(t, s.Received(9, quorumwire.NewUpToDatePacket()).Established)
	})
	t.Run("SNAP cannot be taken", func(t *testing.T) {
		s := registered(t, 0, 0)
		s.Received(9, quorumwire.NewZkfleLeaderInfoPacket(1))
		out := s.Received(9, quorumwire.Packet{Type: quorumwire.Snap, Zxid: 1 << 32})
		require.NotNil(t, out.Ended)
		assert.Equal(t, ReasonProtocol, out.Ended.Reason)
		assert.Contains(t, out.Ended.Detail, "SNAP")
	})
	t.Run("pre-1.0 leader: UPTODATE without NEWLEADER makes the epoch current", func(t *testing.T) {
		s := registered(t, 0, 0)
		s.Received(9, quorumwire.NewZkfleLeaderInfoPacket(1))
		s.Received(9, quorumwire.NewDiffPacket(0))
		out := s.Received(9, quorumwire.NewUpToDatePacket())
		assert.Equal(t, []EpochWrite{{CurrentEpochFile, 1}}, out.Persist)
		require.NotNil(t, out.Established)
		assert.Nil(t, out.Established.Config)
	})
}

func TestLearnerProtocolErrors(t *testing.T) {
	cases := []struct {
		name   string
		before []quorumwire.Packet
		bad    quorumwire.Packet
		want   string
	}{
		{"PING instead of LEADERINFO", nil, quorumwire.NewPingPacket(0), "First packet should have been NEWLEADER"},
		{"NEWLEADER first (pre-1.0 leader)", nil, quorumwire.NewNewLeaderPacket(1, nil), "pre-Zab-1.0"},
		{"short LEADERINFO", nil, quorumwire.Packet{Type: quorumwire.LeaderInfo, Zxid: 1 << 32, Data: []byte{1}}, "LEADERINFO data of 1 bytes"},
		{"UPTODATE instead of DIFF", []quorumwire.Packet{quorumwire.NewZkfleLeaderInfoPacket(1)}, quorumwire.NewUpToDatePacket(), "Got unexpected packet from leader: UPTODATE"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := registered(t, 0, 0)
			for _, p := range tc.before {
				require.Nil(t, s.Received(9, p).Ended)
			}
			out := s.Received(9, tc.bad)
			require.NotNil(t, out.Ended)
			assert.Equal(t, ReasonProtocol, out.Ended.Reason)
			assert.Contains(t, out.Ended.Detail, tc.want)
			assert.Equal(t, []ConnID{9}, closedConns(out))
			assert.True(t, s.IsEnded())
		})
	}
}

// TestLearnerLeaderSilence: once following, a leader silent for syncLimit ×
// tickTime sends the learner back to LOOKING; every packet restarts the
// timeout.
func TestLearnerLeaderSilence(t *testing.T) {
	s := registered(t, 0, 0)
	clk := newClock()
	for _, p := range []quorumwire.Packet{quorumwire.NewZkfleLeaderInfoPacket(1), quorumwire.NewDiffPacket(0), quorumwire.NewNewLeaderPacket(1, nil), quorumwire.NewUpToDatePacket()} {
		clk.apply(s.Received(9, p))
	}
	for range 5 {
		assert.Nil(t, endedIn(clk.advance(9*time.Second, s.Tick)))
		clk.apply(s.Received(9, quorumwire.NewPingPacket(1<<32)))
	}
	assert.Nil(t, endedIn(clk.advance(9999*time.Millisecond, s.Tick)))
	outs := clk.advance(time.Millisecond, s.Tick)
	end := endedIn(outs)
	require.NotNil(t, end)
	assert.Equal(t, ReasonLeaderSilent, end.Reason)
	assert.Equal(t, []ConnID{9}, closedConns(outs[0]))
}

func TestLearnerSilenceDuringDiscovery(t *testing.T) {
	s := registered(t, 0, 0)
	clk := newClock()
	clk.apply(s.Received(9, quorumwire.NewZkfleLeaderInfoPacket(1)))
	assert.Nil(t, endedIn(clk.advance(19*time.Second, s.Tick)), "initLimit × tickTime before NEWLEADER")
	end := endedIn(clk.advance(time.Second, s.Tick))
	require.NotNil(t, end)
	assert.Equal(t, ReasonLeaderSilent, end.Reason)
}

func TestLearnerLeaderClosesConnection(t *testing.T) {
	s := registered(t, 0, 0)
	assert.True(t, s.Disconnected(8).Empty(), "another connection")
	assert.True(t, s.Received(8, quorumwire.NewZkfleLeaderInfoPacket(1)).Empty(), "another connection")
	out := s.Disconnected(9)
	require.NotNil(t, out.Ended)
	assert.Equal(t, ReasonLeaderClosed, out.Ended.Reason)
	assert.Empty(t, out.Close, "already closed")
	assert.True(t, cancelled(out, ReadTimer, 9))
	assert.True(t, s.Received(9, quorumwire.NewZkfleLeaderInfoPacket(1)).Empty())
}

func TestLearnerStopAndPersistFailure(t *testing.T) {
	s := registered(t, 0, 0)
	out := s.Stop()
	require.NotNil(t, out.Ended)
	assert.Equal(t, ReasonStopped, out.Ended.Reason)
	assert.Equal(t, []ConnID{9}, closedConns(out))

	s = registered(t, 0, 0)
	s.Received(9, quorumwire.NewZkfleLeaderInfoPacket(1))
	out = s.PersistFailed(errors.New("read-only file system"))
	require.NotNil(t, out.Ended)
	assert.Equal(t, ReasonPersistFailed, out.Ended.Reason)
	assert.Contains(t, out.Ended.Detail, "read-only file system")
	assert.True(t, s.Stop().Empty())
}

func TestLearnerStaleTimersAndInputsOutOfTurn(t *testing.T) {
	s := newLearner(t, LearnerConfig{ID: 2, LeaderID: 1})
	assert.True(t, s.DialFailed(errors.New("x")).Empty(), "no dial out yet")
	assert.Equal(t, []ConnID{3}, closedConns(s.Connected(3)), "no dial out yet")
	out := s.Start()
	assert.True(t, s.Start().Empty())
	budget := armed(t, out, ConnectTimer, 0)
	s.Connected(4)
	assert.True(t, s.Tick(budget).Empty(), "the budget timer was cancelled: a late firing is stale")
	assert.True(t, s.Tick(Timer{Kind: ReadTimer, Conn: 4, Seq: 999}).Empty(), "unknown seq")
	assert.Equal(t, []ConnID{5}, closedConns(s.Connected(5)), "a second connection is not wanted")
}

func TestLearnerSessionConfigErrors(t *testing.T) {
	for name, cfg := range map[string]LearnerConfig{
		"follows itself":     {ID: 1, LeaderID: 1},
		"accepted < current": {ID: 2, LeaderID: 1, AcceptedEpoch: 1, CurrentEpoch: 2},
		"negative current":   {ID: 2, LeaderID: 1, AcceptedEpoch: 1, CurrentEpoch: -1},
		"negative tries":     {ID: 2, LeaderID: 1, Timing: Timing{ConnectTries: -1}},
	} {
		_, err := NewLearnerSession(cfg)
		assert.ErrorIs(t, err, ErrBadConfig, name)
	}
}

// With ConnectRetryFirst the learner redials after 5 ms, doubling up to
// ConnectRetryDelay, and gives up only once it has made ConnectTries dials
// and waited ZooKeeper's 400 ms in all: never sooner than a Java learner.
func TestLearnerRetryBackOffStartsSmall(t *testing.T) {
	s := newLearner(t, LearnerConfig{ID: 2, LeaderID: 1, Timing: Timing{ConnectRetryFirst: 5 * time.Millisecond}})
	clk := newClock()
	clk.apply(s.Start())
	want := []time.Duration{5, 10, 20, 40, 80, 100, 100, 100}
	var waited time.Duration
	for i, ms := range want {
		pause := ms * time.Millisecond
		out := clk.apply(s.DialFailed(errors.New("connection refused")))
		require.Nil(t, out.Ended, "gave up after %d dials, %v waited", i+1, waited)
		assert.Equal(t, pause, armed(t, out, RetryTimer, 0).After, "pause after dial %d", i+1)
		waited += pause
		outs := clk.advance(pause, s.Tick)
		require.Len(t, outs, 1)
		require.NotNil(t, outs[0].Dial)
		assert.Equal(t, i+2, outs[0].Dial.Attempt)
	}
	require.Equal(t, 455*time.Millisecond, waited)
	out := clk.apply(s.DialFailed(errors.New("connection refused")))
	require.NotNil(t, out.Ended, "9 dials and 455 ms waited: past ZooKeeper's 5 dials and 400 ms")
	assert.Equal(t, ReasonConnectFailed, out.Ended.Reason)
	assert.Contains(t, out.Ended.Detail, "after 9 tries")
}

func TestLearnerRetryBackOffRejectsNegative(t *testing.T) {
	_, err := NewLearnerSession(LearnerConfig{ID: 2, LeaderID: 1, Timing: Timing{ConnectRetryFirst: -time.Millisecond}})
	require.ErrorIs(t, err, ErrBadConfig)
}
