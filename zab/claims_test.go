package zab

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/netbridge/quorumwire"
	"github.com/zkfle/zkfle/zk"
)

// refusal returns the one refusal an output carries, failing otherwise.
func refusal(t *testing.T, out Output, c ConnID) *ClaimError {
	t.Helper()
	require.Len(t, out.Close, 1)
	assert.Equal(t, c, out.Close[0].Conn)
	var ce *ClaimError
	require.True(t, errors.As(out.Close[0].Refused, &ce), "close carries a *ClaimError: %+v", out.Close[0])
	return ce
}

// TestLeaderRefusesClaims: a learner's first packet counts only when its sid
// is configured in the role the packet claims; a refused claim neither
// lifts the proposal nor counts toward the quorum, and the leader carries
// on.
func TestLeaderRefusesClaims(t *testing.T) {
	cases := []struct {
		name       string
		first      quorumwire.Packet
		wantSID    int64
		wantErr    error
		wantReason string
	}{
		{"non-member sid", info(99, 7), 99, ErrNotParticipant, "not-participant"},
		{"observer sending FOLLOWERINFO", info(4, 7), 4, ErrNotParticipant, "not-participant"},
		{"voter sending OBSERVERINFO", observerInfo(2, 7), 2, ErrNotObserver, "not-observer"},
		{"non-member sending OBSERVERINFO", observerInfo(99, 7), 99, ErrNotObserver, "not-observer"},
		{"wrong packet type", quorumwire.NewPingPacket(7 << 32), -1, ErrNotLearnerInfo, "wrong-packet"},
		{"accepted epoch 0x7fffffff", info(2, 0x7fffffff), 2, ErrEpochRange, "epoch-range"},
		{"accepted epoch MaxEpoch: no successor", info(2, MaxEpoch), 2, ErrEpochRange, "epoch-range"},
		{"observer with an overflowing epoch", observerInfo(4, 1<<31), 4, ErrEpochRange, "epoch-range"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := newLeader(t, LeaderConfig{ID: 1, Verifier: three(t), AcceptedEpoch: 2, CurrentEpoch: 2})
			l.Start()
			require.Equal(t, int64(3), l.Epoch())
			out := connect(t, l, 5, tc.first)
			ce := refusal(t, out, 5)
			assert.Equal(t, tc.wantSID, ce.SID)
			assert.ErrorIs(t, ce, tc.wantErr)
			assert.Equal(t, tc.wantReason, ce.Reason())
			assert.True(t, cancelled(out, ReadTimer, 5))
			assert.Empty(t, out.Persist, "nothing decided or written")
			assert.Empty(t, out.Send)
			assert.Nil(t, out.Ended, "the leader carries on")
			assert.Equal(t, int64(3), l.Epoch(), "the proposal is unchanged")
			assert.True(t, l.Received(5, info(2, 0)).Empty(), "the refused connection is forgotten")

			// A real follower still completes the quorum, at the proposal
			// the refused claim did not touch.
			out = connect(t, l, 6, info(2, 1))
			assert.Equal(t, []EpochWrite{{AcceptedEpochFile, 3}}, out.Persist)
			assert.Equal(t, []quorumwire.Packet{quorumwire.NewZkfleLeaderInfoPacket(3)}, sendsTo(out, 6))
		})
	}
}

// TestLeaderRefusedClaimsDoNotMakeAQuorum: only forged or misplaced
// claims, however many, never decide the epoch.
func TestLeaderRefusedClaimsDoNotMakeAQuorum(t *testing.T) {
	l := newLeader(t, LeaderConfig{ID: 1, Verifier: three(t)})
	l.Start()
	for i, p := range []quorumwire.Packet{info(99, 0), info(4, 0), observerInfo(2, 0), observerInfo(3, 0), info(2, 1<<31)} {
		out := connect(t, l, ConnID(i+1), p)
		refusal(t, out, ConnID(i+1))
		assert.Empty(t, out.Persist)
	}
	assert.Equal(t, int64(1), l.Epoch())
	assert.False(t, l.IsEstablished())
}

// TestLeaderClaimEpochBoundary: the highest accepted epoch whose successor
// is representable is taken, and the proposal becomes exactly MaxEpoch; a
// learner whose accepted epoch equals the proposal lifts it by one.
func TestLeaderClaimEpochBoundary(t *testing.T) {
	t.Run("accepted MaxEpoch-1 proposes MaxEpoch", func(t *testing.T) {
		l := newLeader(t, LeaderConfig{ID: 1, Verifier: three(t)})
		l.Start()
		out := connect(t, l, 5, info(2, MaxEpoch-1))
		require.Empty(t, out.Close)
		assert.Equal(t, []EpochWrite{{AcceptedEpochFile, MaxEpoch}}, out.Persist)
		assert.Equal(t, []quorumwire.Packet{quorumwire.NewZkfleLeaderInfoPacket(MaxEpoch)}, sendsTo(out, 5))
		assert.Positive(t, mkZxid(l.Epoch(), 0), "every zxid of the epoch stays positive")
	})
	t.Run("accepted equal to the proposal lifts it by one", func(t *testing.T) {
		l := newLeader(t, LeaderConfig{ID: 1, Verifier: three(t), AcceptedEpoch: 4, CurrentEpoch: 4})
		l.Start()
		require.Equal(t, int64(5), l.Epoch())
		out := connect(t, l, 5, info(2, 5))
		require.Empty(t, out.Close)
		assert.Equal(t, []EpochWrite{{AcceptedEpochFile, 6}}, out.Persist)
	})
}

// TestLeaderReplacesOnlyAcceptedReconnects: a second connection of the same
// server replaces the first once its claim is accepted; a refused one
// leaves the live connection alone.
func TestLeaderReplacesOnlyAcceptedReconnects(t *testing.T) {
	l := newLeader(t, LeaderConfig{ID: 1, Verifier: five(t)})
	l.Start()
	require.Empty(t, connect(t, l, 1, info(2, 0)).Close)

	out := connect(t, l, 2, observerInfo(2, 0)) // same sid, wrong role
	refusal(t, out, 2)
	out = connect(t, l, 3, info(2, 1<<31)) // same sid, overflowing epoch
	refusal(t, out, 3)
	assert.Equal(t, int64(1), l.Epoch())

	out = connect(t, l, 4, info(2, 0))
	require.Len(t, out.Close, 1, "the older connection of server 2 goes")
	assert.Equal(t, ConnID(1), out.Close[0].Conn)
	assert.Nil(t, out.Close[0].Refused, "a replacement is not a refusal")
	assert.True(t, l.Received(1, quorumwire.NewAckEpochPacket(0, 0)).Empty(), "the replaced connection is forgotten")

	out = connect(t, l, 5, info(3, 0))
	assert.Equal(t, []EpochWrite{{AcceptedEpochFile, 1}}, out.Persist, "leader, 2 (on its new connection) and 3")
	assert.Equal(t, []quorumwire.Packet{quorumwire.NewZkfleLeaderInfoPacket(1)}, sendsTo(out, 4))
}

// TestLeaderSilentConnectionRefused: a connection that never claims
// anything is dropped after initLimit × tickTime as a refusal.
func TestLeaderSilentConnectionRefused(t *testing.T) {
	l := newLeader(t, LeaderConfig{ID: 1, Verifier: three(t)})
	l.Start()
	out := l.Connected(5)
	tm := armed(t, out, ReadTimer, 5)
	ce := refusal(t, l.Tick(tm), 5)
	assert.ErrorIs(t, ce, ErrNoLearnerInfo)
	assert.Equal(t, "no-learnerinfo", ce.Reason())
}

// TestLeaderLastSeenMembersMayClaim: a server of a last-seen (proposed)
// configuration is a member too.
func TestLeaderLastSeenMembersMayClaim(t *testing.T) {
	next := parseConfig(t, "server.1=127.0.0.1:20001:30001\nserver.2=127.0.0.1:20002:30002\n"+
		"server.3=127.0.0.1:20003:30003\nserver.7=127.0.0.1:20007:30007\nversion=100000000")
	l := newLeader(t, LeaderConfig{ID: 1, Verifier: three(t), LastSeen: next})
	l.Start()
	assert.Empty(t, connect(t, l, 5, info(7, 0)).Close)
	refusal(t, connect(t, l, 6, info(8, 0)), 6)
}

func TestLeaderRefusesUnproposableOwnEpoch(t *testing.T) {
	for _, accepted := range []int64{MaxEpoch, MaxEpoch + 1, 1 << 31} {
		_, err := NewLeaderSession(LeaderConfig{ID: 1, Verifier: three(t), AcceptedEpoch: accepted})
		require.ErrorIs(t, err, ErrBadConfig)
		require.ErrorIs(t, err, ErrEpochRange)
	}
	_, err := NewLeaderSession(LeaderConfig{ID: 1, Verifier: three(t), AcceptedEpoch: MaxEpoch - 1})
	require.NoError(t, err)
}

// TestLearnerRefusesUnrepresentableEpochs: a LEADERINFO or NEWLEADER whose
// epoch is out of range ends the session, typed, with nothing persisted
// or acknowledged.
func TestLearnerRefusesUnrepresentableEpochs(t *testing.T) {
	overflow := quorumwire.Packet{Type: quorumwire.LeaderInfo, Zxid: mkZxid(1<<31, 0), Data: quorumwire.NewZkfleLeaderInfoPacket(0).Data}
	cases := map[string]struct {
		before []quorumwire.Packet
		bad    quorumwire.Packet
	}{
		"LEADERINFO 2^31 (reads back negative)": {nil, overflow},
		"LEADERINFO 0x7fffffff":                 {nil, quorumwire.NewZkfleLeaderInfoPacket(0x7fffffff)},
		"LEADERINFO MaxEpoch+1":                 {nil, quorumwire.NewZkfleLeaderInfoPacket(MaxEpoch + 1)},
		"ZooKeeper LEADERINFO 0x7fffffff":       {nil, quorumwire.NewLeaderInfoPacket(0x7fffffff)},
		"NEWLEADER 0x7fffffff": {[]quorumwire.Packet{quorumwire.NewZkfleLeaderInfoPacket(4), quorumwire.NewDiffPacket(0)},
			quorumwire.NewNewLeaderPacket(0x7fffffff, nil)},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := registered(t, 3, 2)
			for _, p := range tc.before {
				require.Nil(t, s.Received(9, p).Ended)
			}
			out := s.Received(9, tc.bad)
			require.NotNil(t, out.Ended)
			assert.Equal(t, ReasonEpochRange, out.Ended.Reason)
			assert.ErrorIs(t, out.Ended.Err, ErrEpochRange)
			var re *EpochRangeError
			require.ErrorAs(t, out.Ended.Err, &re)
			assert.Empty(t, out.Persist, "never adopted")
			assert.Empty(t, out.Send, "never acknowledged")
			assert.Nil(t, out.Established)
			assert.Equal(t, []ConnID{9}, closedConns(out))
		})
	}
	t.Run("MaxEpoch itself is taken", func(t *testing.T) {
		s := registered(t, 3, 2)
		out := s.Received(9, quorumwire.NewZkfleLeaderInfoPacket(MaxEpoch))
		assert.Nil(t, out.Ended)
		assert.Equal(t, []EpochWrite{{AcceptedEpochFile, MaxEpoch}}, out.Persist)
	})
}

func TestLearnerRefusesUnrepresentableOwnEpoch(t *testing.T) {
	_, err := NewLearnerSession(LearnerConfig{ID: 2, LeaderID: 1, AcceptedEpoch: 1 << 31})
	require.ErrorIs(t, err, ErrBadConfig)
	require.ErrorIs(t, err, ErrEpochRange)
}

func TestCheckedZxid(t *testing.T) {
	z, err := CheckedZxid(MaxEpoch, 0xffffffff)
	require.NoError(t, err)
	assert.Positive(t, z)
	assert.Equal(t, MaxEpoch, zk.Zxid(z).Epoch())
	for _, e := range []int64{-1, MaxEpoch + 1, 1 << 31, 1 << 40} {
		_, err := CheckedZxid(e, 0)
		var re *EpochRangeError
		require.ErrorAs(t, err, &re, "epoch %d", e)
		assert.Equal(t, e, re.Epoch)
	}
}
