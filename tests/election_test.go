package tests

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/quorum"
)

const agreeTimeout = 20 * time.Second

// Every node of a 3-, 5- and 7-node ensemble started together agrees on
// the leader, and with equal data that is the highest sid.
func TestEnsembleElectsHighestSid(t *testing.T) {
	for _, n := range []int{3, 5, 7} {
		t.Run(fmt.Sprintf("N=%d", n), func(t *testing.T) {
			checkLeaks(t)
			e := newEnsemble(t, participants(n), nil)
			e.start()
			assert.Equal(t, int64(n), e.waitAgreed(agreeTimeout))
			assertRoles(t, e)
		})
	}
}

// The leader is the maximum of (peerEpoch, zxid, sid): epoch first, then
// zxid, then sid.
func TestEnsembleElectsHighestEpochThenZxid(t *testing.T) {
	cases := []struct {
		name   string
		ms     []member
		leader int64
	}{
		{"epoch beats zxid and sid", []member{
			{sid: 1, epoch: 2, zxid: 2<<32 | 9}, {sid: 2, epoch: 3, zxid: 3 << 32},
			{sid: 3, epoch: 2, zxid: 2<<32 | 50}, {sid: 4, epoch: 2}, {sid: 5, epoch: 2}}, 2},
		{"zxid beats sid", []member{
			{sid: 1, epoch: 1, zxid: 1<<32 | 7}, {sid: 2, epoch: 1, zxid: 1<<32 | 3},
			{sid: 3, epoch: 1, zxid: 1<<32 | 5}}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkLeaks(t)
			e := newEnsemble(t, tc.ms, nil)
			e.start()
			assert.Equal(t, tc.leader, e.waitAgreed(agreeTimeout))
			assertRoles(t, e)
		})
	}
}

// A node started after the ensemble has decided learns the leader from
// the others' FOLLOWING/LEADING answers (outofelection) and follows,
// without anyone else starting a new round.
func TestLateJoinerFollowsWithoutNewRound(t *testing.T) {
	checkLeaks(t)
	e := newEnsemble(t, participants(5), nil)
	e.start(1, 2, 3, 4)
	leader := e.waitAgreed(agreeTimeout)
	require.Equal(t, int64(4), leader)
	before := rounds(t, e, 1, 2, 3, 4)

	e.start(5)
	assert.Equal(t, leader, e.waitAgreed(agreeTimeout, 5), "the joiner follows the established leader")
	st, _ := e.decided(5)
	assert.Equal(t, messages.ServerState_FOLLOWING, st.GetNewState())
	assert.Equal(t, before, rounds(t, e, 1, 2, 3, 4), "nobody started a new round")
	for _, sid := range []int64{1, 2, 3, 4} {
		st, ok := e.decided(sid)
		require.True(t, ok)
		assert.Equal(t, leader, st.GetLeader())
	}
}

// An observer learns the leader (OBSERVING) and its notifications never
// count as votes.
func TestObserverLearnsLeaderAndNeverVotes(t *testing.T) {
	checkLeaks(t)
	ms := append(participants(3), member{sid: 9, observer: true})
	e := newEnsemble(t, ms, nil)
	e.start()
	leader := e.waitAgreed(agreeTimeout)
	assert.Equal(t, int64(3), leader, "the observer (sid 9) is never elected")
	st, _ := e.decided(9)
	assert.Equal(t, messages.ServerState_OBSERVING, st.GetNewState())
	for _, sid := range []int64{1, 2, 3} {
		es, err := e.node(sid).ElectionStatus(time.Second)
		require.NoError(t, err)
		assert.NotContains(t, es.GetReceivedVotes(), int64(9), "server %d counted the observer's vote", sid)
		assert.NotContains(t, es.GetOutOfElection(), int64(9))
	}
}

// A hierarchical quorum (ZooKeeper's FLEZeroWeightTest layout, 6 servers):
// group 1 = {1,2,3} with weight 1 each, group 2 = {4,5,6} with weight 0.
// Zero-weight servers are never elected even though their sids are higher,
// and group 2 does not count toward the quorum.
func TestHierarchicalQuorumElects(t *testing.T) {
	checkLeaks(t)
	build := func(servers []quorum.Server) (quorum.Verifier, error) {
		return quorum.NewHierarchical(servers,
			quorum.Groups{1: {1, 2, 3}, 2: {4, 5, 6}},
			quorum.Weights{1: 1, 2: 1, 3: 1, 4: 0, 5: 0, 6: 0}, 0)
	}
	e := newEnsembleWith(t, participants(6), build, nil)
	e.start()
	assert.Equal(t, int64(3), e.waitAgreed(agreeTimeout))
	assertRoles(t, e)
}

// Only group 1 has weight: with servers 1 and 2 of it up (a majority of
// its weight) the ensemble elects, although the four others are down.
func TestHierarchicalQuorumNeedsOnlyWeightedMajority(t *testing.T) {
	checkLeaks(t)
	build := func(servers []quorum.Server) (quorum.Verifier, error) {
		return quorum.NewHierarchical(servers,
			quorum.Groups{1: {1, 2, 3}, 2: {4, 5, 6}},
			quorum.Weights{1: 1, 2: 1, 3: 1, 4: 0, 5: 0, 6: 0}, 0)
	}
	e := newEnsembleWith(t, participants(6), build, nil)
	e.start(1, 2)
	assert.Equal(t, int64(2), e.waitAgreed(agreeTimeout))
}

// A peer listed in the config whose host never answers (SYNs dropped)
// delays nothing: with a one-hour connect timeout the live majority still
// elects, because dials are asynchronous (ZooKeeper's blocking connect
// stalled elections here: ZOOKEEPER-900, ZOOKEEPER-3756).
func TestDeadPeerSlowsNothing(t *testing.T) {
	checkLeaks(t)
	ms := []member{{sid: 1}, {sid: 2}, {sid: 3}, {sid: 4, dead: blackhole(t)}, {sid: 5, dead: blackhole(t)}}
	e := newEnsemble(t, ms, func(c *actors.Config) { c.ConnectTimeout = time.Hour })
	e.start(1, 2, 3)
	assert.Equal(t, int64(3), e.waitAgreed(agreeTimeout))
	assertRoles(t, e)
}

// assertRoles checks that exactly the leader leads and everyone else
// follows (or observes).
func assertRoles(t *testing.T, e *ensemble) {
	t.Helper()
	leaders := 0
	for _, sid := range e.running() {
		st, ok := e.decided(sid)
		require.True(t, ok, "server %d undecided", sid)
		switch st.GetNewState() {
		case messages.ServerState_LEADING:
			leaders++
			assert.Equal(t, sid, st.GetLeader())
		case messages.ServerState_FOLLOWING:
			assert.False(t, e.members[sid].observer)
		case messages.ServerState_OBSERVING:
			assert.True(t, e.members[sid].observer)
		}
	}
	assert.Equal(t, 1, leaders, "exactly one leader")
}

// rounds returns each node's logicalclock.
func rounds(t *testing.T, e *ensemble, sids ...int64) map[int64]int64 {
	t.Helper()
	out := map[int64]int64{}
	for _, sid := range sids {
		es, err := e.node(sid).ElectionStatus(time.Second)
		require.NoError(t, err)
		out[sid] = es.GetLogicalClock()
	}
	return out
}
