package sim

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/zk"
)

func set(sids ...int64) map[int64]bool {
	s := map[int64]bool{}
	for _, sid := range sids {
		s[sid] = true
	}
	return s
}

func TestOracleCountsMajoritiesByHand(t *testing.T) {
	four := []Member{{ID: 1}, {ID: 2}, {ID: 3}, {ID: 4}, {ID: 5, Observer: true}}
	assert.False(t, isQuorum(four, false, set(1, 2)), "half of the voters is no majority")
	assert.False(t, isQuorum(four, false, set(1, 2, 5)), "an observer adds nothing")
	assert.False(t, isQuorum(four, false, set(1, 2, 9)), "nor does a stranger")
	assert.True(t, isQuorum(four, false, set(1, 2, 3)))
	three := four[:3]
	assert.False(t, isQuorum(three, false, set(1)))
	assert.True(t, isQuorum(three, false, set(1, 3)))
	assert.False(t, isQuorum(three, false, set()))
}

func TestOracleCountsWeightedGroupsByHand(t *testing.T) {
	// Group 1 weighs 4 (1:2, 2:1, 3:1), group 2 weighs 2 (4:1, 5:1),
	// group 3 weighs 0 and does not count: two groups count.
	ms := []Member{
		{ID: 1, Group: 1, Weight: 2}, {ID: 2, Group: 1, Weight: 1}, {ID: 3, Group: 1, Weight: 1},
		{ID: 4, Group: 2, Weight: 1}, {ID: 5, Group: 2, Weight: 1},
		{ID: 6, Group: 3, Weight: 0},
		{ID: 7, Observer: true},
	}
	assert.False(t, isQuorum(ms, true, set(1, 4)), "2 of 4 and 1 of 2: halves, no majority")
	assert.False(t, isQuorum(ms, true, set(1, 2)), "one group of two is not more than half the groups")
	assert.True(t, isQuorum(ms, true, set(1, 2, 4, 5)))
	assert.True(t, isQuorum(ms, true, set(1, 3, 4, 5, 6)), "the zero group is ignored")
	assert.False(t, isQuorum(ms, true, set(6, 7)))
}

func TestOracleOrdersVotesFieldByField(t *testing.T) {
	a := Member{ID: 1, Epoch: 2, Zxid: 1}
	b := Member{ID: 9, Epoch: 1, Zxid: 99}
	assert.True(t, voteBeats(a, b), "the epoch comes first")
	c := Member{ID: 1, Epoch: 2, Zxid: 5}
	assert.True(t, voteBeats(c, a), "then the zxid")
	assert.False(t, voteBeats(a, c))
	d := Member{ID: 2, Epoch: 2, Zxid: 5}
	assert.True(t, voteBeats(d, c), "then the sid")
	assert.False(t, voteBeats(c, c), "strict")
	best, ok := bestVoter([]Member{a, b, c, d, {ID: 3, Epoch: 9, Zxid: -1}, {ID: 4, Epoch: 9, Observer: true}}, false)
	require.True(t, ok)
	assert.Equal(t, int64(2), best)
	_, ok = bestVoter([]Member{{ID: 1, Zxid: -1}}, false)
	assert.False(t, ok)
}

// settledCluster is a four-voter cluster whose nodes hold the given
// decisions (leader per sid; a node leads when it names itself).
func settledCluster(t *testing.T, leaders map[int64]int64) (*checker, *Result) {
	ms := []Member{{ID: 1}, {ID: 2}, {ID: 3}, {ID: 4}}
	c, err := NewCluster(Config{Members: ms})
	require.NoError(t, err)
	for sid, l := range leaders {
		n := c.byID[sid]
		n.up = true
		st := zk.Following
		if l == sid {
			st = zk.Leading
		}
		n.decision = &fle.Decision{Leader: l, ElectionEpoch: 1, State: st}
	}
	return newChecker(c, ms, false), &Result{Settled: true}
}

func TestCheckSettledWantsOneLeaderWithAQuorum(t *testing.T) {
	k, res := settledCluster(t, map[int64]int64{1: 1, 2: 1, 3: 4, 4: 4})
	k.checkSettled(res)
	require.Len(t, res.Violations, 1)
	assert.Equal(t, "settle", res.Violations[0].Check)
	assert.Contains(t, res.Violations[0].Detail, "2 LEADING nodes [1 4]")

	k, res = settledCluster(t, map[int64]int64{1: 1, 2: 1})
	k.checkSettled(res)
	require.Len(t, res.Violations, 1, "3 and 4 are down: 2 of 4 is no quorum")
	assert.Contains(t, res.Violations[0].Detail, "not a quorum")

	k, res = settledCluster(t, map[int64]int64{1: 1, 2: 1, 3: 2})
	k.checkSettled(res)
	require.Len(t, res.Violations, 2, "3 follows a follower: and then 1 has only two")
	assert.Contains(t, res.Violations[0].Detail, "node 3 does not follow leader 1")

	k, res = settledCluster(t, map[int64]int64{1: 1, 2: 1, 3: 1})
	k.checkSettled(res)
	assert.Empty(t, res.Violations)
}
