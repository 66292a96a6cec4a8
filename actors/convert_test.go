package actors

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/quorum"
	"github.com/zkfle/zkfle/zk"
)

// Any int32 is a possible state code from a peer: unknown ones must reach
// the machine unchanged, which drops them after its voter check.
func genState() *rapid.Generator[zk.ServerState] {
	return rapid.Custom(func(t *rapid.T) zk.ServerState { return zk.ServerState(rapid.Int32().Draw(t, "state")) })
}

func TestNotificationRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := fle.Notification{
			From:          rapid.Int64().Draw(t, "from"),
			State:         genState().Draw(t, "state"),
			Leader:        rapid.Int64().Draw(t, "leader"),
			Zxid:          zk.Zxid(rapid.Int64().Draw(t, "zxid")),
			ElectionEpoch: rapid.Int64().Draw(t, "round"),
			PeerEpoch:     rapid.Int64().Draw(t, "peerEpoch"),
			Version:       rapid.Int32().Draw(t, "version"),
		}
		got := notificationFromProto(n.From, notificationToProto(n), nil)
		if got != n {
			t.Fatalf("round trip: got %+v, want %+v", got, n)
		}
	})
}

func TestMessageRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := fle.Message{
			To:            rapid.Int64().Draw(t, "to"),
			State:         genState().Draw(t, "state"),
			Leader:        rapid.Int64().Draw(t, "leader"),
			Zxid:          zk.Zxid(rapid.Int64().Draw(t, "zxid")),
			ElectionEpoch: rapid.Int64().Draw(t, "round"),
			PeerEpoch:     rapid.Int64().Draw(t, "peerEpoch"),
		}
		if got := messageFromSend(sendFromMessage(m)); got != m {
			t.Fatalf("round trip: got %+v, want %+v", got, m)
		}
	})
}

func TestVoteAndDecisionRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		v := fle.Vote{
			Version:       rapid.Int32().Draw(t, "version"),
			Leader:        rapid.Int64().Draw(t, "leader"),
			Zxid:          zk.Zxid(rapid.Int64().Draw(t, "zxid")),
			ElectionEpoch: rapid.Int64().Draw(t, "round"),
			PeerEpoch:     rapid.Int64().Draw(t, "peerEpoch"),
			State:         genState().Draw(t, "state"),
		}
		if got := voteFromProto(voteToProto(v)); got != v {
			t.Fatalf("vote round trip: got %+v, want %+v", got, v)
		}
		d := fle.Decision{Leader: v.Leader, Zxid: v.Zxid, ElectionEpoch: v.ElectionEpoch, PeerEpoch: v.PeerEpoch, State: v.State}
		sid := rapid.Int64().Draw(t, "sid")
		pd := decisionToProto(sid, &d)
		if pd.GetSid() != sid {
			t.Fatalf("decision sid %d, want %d", pd.GetSid(), sid)
		}
		if got := decisionFromProto(pd); got != d {
			t.Fatalf("decision round trip: got %+v, want %+v", got, d)
		}
	})
}

func TestNilMessagesConvertToZeroValues(t *testing.T) {
	assert.Equal(t, fle.Notification{From: 7}, notificationFromProto(7, nil, nil))
	assert.Equal(t, fle.Message{}, messageFromSend(nil))
	assert.Equal(t, fle.Vote{}, voteFromProto(nil))
}

func TestTimerKindRoundTrip(t *testing.T) {
	for _, k := range []fle.TimerKind{fle.NotificationTimer, fle.FinalizeTimer, fle.LinkDownTimer} {
		assert.Equal(t, k, timerKindFromProto(timerKindToProto(k)))
	}
	assert.Equal(t, messages.TimerKind_TIMER_KIND_UNSPECIFIED, timerKindToProto(fle.TimerKind(99)))
	assert.Zero(t, timerKindFromProto(messages.TimerKind(99)), "unknown kinds map to no timer")
}

func TestVotesToProtoKeepsSenders(t *testing.T) {
	votes := map[int64]fle.Vote{2: {Leader: 3, Zxid: 5}, 3: {Leader: 3, State: zk.Leading}}
	got := votesToProto(votes)
	require.Len(t, got, 2)
	assert.Equal(t, votes[2], voteFromProto(got[2]))
	assert.Equal(t, votes[3], voteFromProto(got[3]))
}

// Our own printed config parses back to an equal verifier: what every
// loopback and every current peer sends.
func TestConfigCacheParsesRealConfig(t *testing.T) {
	v := testMajority(t, []int64{1, 2, 3})
	c := newConfigCache(quorum.ParseConfig)
	qv, err := c.verifier([]byte(v.String()))
	require.NoError(t, err)
	require.NotNil(t, qv)
	assert.True(t, v.Equal(qv))
	assert.Equal(t, []int64{1, 2, 3}, qv.VotingMembers())
}

func TestConfigCacheParsesEachStringOnce(t *testing.T) {
	v := testMajority(t, []int64{1, 2, 3})
	calls := map[string]int{}
	c := newConfigCache(func(s string) (quorum.Verifier, error) {
		calls[s]++
		if s == "bad" {
			return nil, errors.New("bad config")
		}
		return v, nil
	})
	for i := 0; i < 3; i++ {
		qv, err := c.verifier([]byte("good"))
		assert.NoError(t, err)
		assert.Same(t, v, qv)
	}
	qv, err := c.verifier([]byte("bad"))
	assert.Nil(t, qv)
	assert.EqualError(t, err, "bad config", "the first failure is reported")
	qv, err = c.verifier([]byte("bad"))
	assert.Nil(t, qv, "a failure is cached as nil: the vote counts without a config")
	assert.NoError(t, err, "a cached failure is not reported again")
	assert.Equal(t, map[string]int{"good": 1, "bad": 1}, calls)
}

// A peer sending a new string every time costs bounded memory.
func TestConfigCacheIsBounded(t *testing.T) {
	c := newConfigCache(func(string) (quorum.Verifier, error) { return nil, errors.New("nope") })
	for i := 0; i < 10*maxCachedConfigs; i++ {
		_, _ = c.verifier([]byte(fmt.Sprintf("config %d", i)))
		require.LessOrEqual(t, len(c.entries), maxCachedConfigs)
	}
}
