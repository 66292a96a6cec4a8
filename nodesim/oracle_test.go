package nodesim

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const ms = time.Millisecond

// cleanHistory is 1 leading epoch 1 with 2 and 3 following, both acked.
func cleanHistory() History {
	return History{
		Voters: []int64{1, 2, 3},
		Acks:   []Ack{{At: 10 * ms, Leader: 1, Learner: 2, Epoch: 1}, {At: 11 * ms, Leader: 1, Learner: 3, Epoch: 1}},
		Changes: []Change{
			{At: 12 * ms, Node: 1, Role: Leading, Epoch: 1, Leader: 1},
			{At: 13 * ms, Node: 2, Role: Following, Epoch: 1, Leader: 1},
			{At: 14 * ms, Node: 3, Role: Following, Epoch: 1, Leader: 1},
		},
		LastHeal: 5 * ms, End: time.Second, Bound: 100 * ms,
	}
}

func oracles(vs []Violation) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Oracle)
	}
	return out
}

func TestOraclesPassACleanHistory(t *testing.T) {
	vs, settle := Check(cleanHistory())
	require.Empty(t, vs)
	require.Equal(t, 9*ms, settle)
}

func TestOracleATwoLeadersInOneEpoch(t *testing.T) {
	h := cleanHistory()
	h.Acks = append(h.Acks, Ack{At: 20 * ms, Leader: 2, Learner: 3, Epoch: 1})
	h.Changes = append(h.Changes, Change{At: 21 * ms, Node: 2, Role: Leading, Epoch: 1, Leader: 2})
	require.Contains(t, oracles(OneLeaderPerEpoch(h)), "a")
	require.Empty(t, OneLeaderPerEpoch(cleanHistory()))
}

func TestOracleBEpochMustIncrease(t *testing.T) {
	h := cleanHistory()
	h.Changes = append(h.Changes, Change{At: 30 * ms, Node: 2, Role: Looking},
		Change{At: 31 * ms, Node: 2, Role: Following, Epoch: 0, Leader: 1})
	require.Contains(t, oracles(EpochsBackedByQuorum(h)), "b")

	// A leader re-establishing the same epoch is a violation too.
	h = cleanHistory()
	h.Changes = append(h.Changes, Change{At: 30 * ms, Node: 1, Role: Leading, Epoch: 1, Leader: 1})
	require.Contains(t, oracles(EpochsBackedByQuorum(h)), "b")

	// A follower rejoining the same leader in the same epoch is not.
	h = cleanHistory()
	h.Changes = append(h.Changes, Change{At: 30 * ms, Node: 2, Role: Looking},
		Change{At: 31 * ms, Node: 2, Role: Following, Epoch: 1, Leader: 1})
	require.Empty(t, EpochsBackedByQuorum(h))
}

func TestOracleBNeedsAMajorityOfAcks(t *testing.T) {
	h := cleanHistory()
	h.Acks = nil // the leader alone is 1 of 3
	vs := EpochsBackedByQuorum(h)
	require.Len(t, vs, 3, "the leader and both followers lack a quorum")

	// An ack delivered after the establishment does not count.
	h = cleanHistory()
	h.Acks = []Ack{{At: 50 * ms, Leader: 1, Learner: 2, Epoch: 1}}
	require.NotEmpty(t, EpochsBackedByQuorum(h))

	// Acks for another epoch or another leader do not count.
	h = cleanHistory()
	h.Acks = []Ack{{At: 1 * ms, Leader: 1, Learner: 2, Epoch: 2}, {At: 1 * ms, Leader: 3, Learner: 2, Epoch: 1}}
	require.NotEmpty(t, EpochsBackedByQuorum(h))

	// With 4 voters, 2 (half) is not a quorum.
	h = cleanHistory()
	h.Voters = []int64{1, 2, 3, 4}
	h.Acks = h.Acks[:1]
	require.NotEmpty(t, EpochsBackedByQuorum(h))
}

func TestOracleDOneLeaderAtEnd(t *testing.T) {
	h := cleanHistory()
	h.Changes = append(h.Changes, Change{At: 40 * ms, Node: 3, Role: Looking})
	require.Equal(t, []string{"d"}, oracles(SettledAtEnd(h)))

	h = cleanHistory()
	h.Changes = append(h.Changes, Change{At: 40 * ms, Node: 3, Role: Following, Epoch: 1, Leader: 2})
	require.Equal(t, []string{"d"}, oracles(SettledAtEnd(h)))

	h = cleanHistory()
	h.Changes = append(h.Changes, Change{At: 40 * ms, Node: 3, Role: Down})
	require.Equal(t, []string{"d"}, oracles(SettledAtEnd(h)))
}

func TestOracleELiveness(t *testing.T) {
	h := cleanHistory()
	h.Bound = 5 * ms // settled 9 ms after the heal
	settle, vs := Liveness(h)
	require.Equal(t, []string{"e"}, oracles(vs))
	require.Equal(t, 9*ms, settle)

	h = cleanHistory()
	h.Changes = h.Changes[:2] // 3 never follows
	settle, vs = Liveness(h)
	require.Equal(t, []string{"e"}, oracles(vs))
	require.Equal(t, time.Duration(-1), settle)

	// Settled before the heal and still settled: 0.
	h = cleanHistory()
	h.LastHeal = 100 * ms
	settle, vs = Liveness(h)
	require.Empty(t, vs)
	require.Equal(t, time.Duration(0), settle)
}

// A node whose acceptedEpoch is above the leader's epoch cannot join it;
// (d) excuses it only while the leader still has a majority.
func TestOracleDExcusesANodeAheadOnlyWithAMajority(t *testing.T) {
	h := cleanHistory()
	h.Changes = append(h.Changes, Change{At: 40 * ms, Node: 3, Role: Looking})
	h.Accepted = map[int64]int64{1: 1, 2: 1, 3: 2}
	require.Empty(t, SettledAtEnd(h))
	require.Equal(t, []int64{3}, Excused(h))

	h.Changes = append(h.Changes, Change{At: 41 * ms, Node: 2, Role: Looking})
	h.Accepted[2] = 2
	require.Equal(t, []string{"d"}, oracles(SettledAtEnd(h)))
}
