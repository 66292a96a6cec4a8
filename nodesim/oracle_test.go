package nodesim

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const ms = time.Millisecond

// cleanHistory is 1 leading epoch 1 with 2 and 3 following, both acked
// after making epoch 1 current on disk (4, when a test adds it, too).
func cleanHistory() History {
	return History{
		Voters: []int64{1, 2, 3},
		Writes: epochOneOnDisk(2, 3, 4),
		Acks:   []Ack{{SentSeq: 100, At: 10 * ms, Leader: 1, Learner: 2, Epoch: 1}, {SentSeq: 100, At: 11 * ms, Leader: 1, Learner: 3, Epoch: 1}},
		Changes: []Change{
			{At: 12 * ms, Node: 1, Role: Leading, Epoch: 1, Leader: 1},
			{At: 13 * ms, Node: 2, Role: Following, Epoch: 1, Leader: 1},
			{At: 14 * ms, Node: 3, Role: Following, Epoch: 1, Leader: 1},
		},
		LastHeal: 5 * ms, End: time.Second, Bound: 100 * ms,
	}
}

// epochOneOnDisk is each node writing acceptedEpoch then currentEpoch 1,
// numbered before any ack a test sends (SentSeq 100).
func epochOneOnDisk(nodes ...int64) []Write {
	var ws []Write
	for _, n := range nodes {
		ws = append(ws, Write{Seq: len(ws) + 1, At: ms, Node: n, Epoch: 1},
			Write{Seq: len(ws) + 2, At: ms, Node: n, Current: true, Epoch: 1})
	}
	return ws
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
	h.Acks = append(h.Acks, Ack{SentSeq: 100, At: 20 * ms, Leader: 2, Learner: 3, Epoch: 1})
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
	h.Acks = []Ack{{SentSeq: 100, At: 50 * ms, Leader: 1, Learner: 2, Epoch: 1}}
	require.NotEmpty(t, EpochsBackedByQuorum(h))

	// Acks for another epoch or another leader do not count.
	h = cleanHistory()
	h.Acks = []Ack{{SentSeq: 100, At: 1 * ms, Leader: 1, Learner: 2, Epoch: 2}, {SentSeq: 100, At: 1 * ms, Leader: 3, Learner: 2, Epoch: 1}}
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
	h.Writes = append(h.Writes, Write{Seq: 50, At: 39 * ms, Node: 3, Epoch: 2})
	require.Empty(t, SettledAtEnd(h))
	require.Equal(t, []int64{3}, Excused(h))

	h.Changes = append(h.Changes, Change{At: 41 * ms, Node: 2, Role: Looking})
	h.Writes = append(h.Writes, Write{Seq: 51, At: 40 * ms, Node: 2, Epoch: 2})
	require.Equal(t, []string{"d"}, oracles(SettledAtEnd(h)))
}

// (e) judges each moment by the disks of that moment: node 3, LOOKING
// from the heal on, is excused only from when its acceptedEpoch 2 landed
// (at 300 ms), not from the heal because it holds epoch 2 at the end.
func TestOracleEExcusesByTheDiskOfTheMoment(t *testing.T) {
	h := cleanHistory()
	h.Changes = []Change{
		{At: 12 * ms, Node: 1, Role: Leading, Epoch: 1, Leader: 1},
		{At: 13 * ms, Node: 2, Role: Following, Epoch: 1, Leader: 1},
	}
	h.Writes = append(h.Writes, Write{Seq: 60, At: 300 * ms, Node: 3, Epoch: 2})
	h.Bound = time.Second
	settle, vs := Liveness(h)
	require.Empty(t, vs)
	require.Equal(t, 295*ms, settle, "settled once 3's write landed, 295 ms after the heal at 5 ms")
	require.Equal(t, []int64{3}, Excused(h))
}

// cleanStart makes cleanHistory a clean run in which node 1 is the best
// voter: every voter in epoch 1, node 1 with the greatest zxid.
func cleanStart(h History) History {
	h.Clean = true
	h.Changes = append([]Change{{At: 0, Node: 1, Role: Looking}, {At: 0, Node: 2, Role: Looking}, {At: 0, Node: 3, Role: Looking}}, h.Changes...)
	h.Start = map[int64]Summary{1: {CurrentEpoch: 1, Zxid: 1<<32 | 5}, 2: {CurrentEpoch: 1, Zxid: 1<<32 | 4}, 3: {CurrentEpoch: 1, Zxid: 1<<32 | 4}}
	return h
}

func TestOracleCBestLeaderInACleanRun(t *testing.T) {
	h := cleanStart(cleanHistory())
	require.Empty(t, BestLeader(h))

	// The zxid decides between equal epochs: 2 has the greater zxid.
	h.Start[2] = Summary{CurrentEpoch: 1, Zxid: 1<<32 | 6}
	require.Equal(t, []string{"c"}, oracles(BestLeader(h)))

	// The epoch decides before the zxid: 3's epoch 2 beats 2's zxid.
	h.Start[3] = Summary{CurrentEpoch: 2, Zxid: 2 << 32}
	require.Equal(t, []string{"c"}, oracles(BestLeader(h)))
	h.Start[2], h.Start[3] = Summary{CurrentEpoch: 1, Zxid: 1<<32 | 4}, Summary{CurrentEpoch: 0, Zxid: 9}
	require.Empty(t, BestLeader(h), "an older epoch loses whatever its zxid")

	// Equal epoch and zxid: the larger sid decides.
	h.Start = map[int64]Summary{1: {CurrentEpoch: 1, Zxid: 7}, 2: {CurrentEpoch: 1, Zxid: 7}, 3: {CurrentEpoch: 1, Zxid: 7}}
	require.Equal(t, []string{"c"}, oracles(BestLeader(h)))
	h.Start = map[int64]Summary{1: {CurrentEpoch: 1, Zxid: 7}, 2: {CurrentEpoch: 1, Zxid: 7}, 3: {CurrentEpoch: 1, Zxid: 6}}
	require.Equal(t, []string{"c"}, oracles(BestLeader(h)), "2 beats 1 on the sid")

	// Only voters that are up count: 3, best but down, does not.
	h = cleanStart(cleanHistory())
	h.Start[3] = Summary{CurrentEpoch: 5, Zxid: 5 << 32}
	require.Equal(t, []string{"c"}, oracles(BestLeader(h)))
	h.Changes = append(h.Changes[:3:3], append([]Change{{At: 1 * ms, Node: 3, Role: Down}}, h.Changes[3:]...)...)
	require.Empty(t, BestLeader(h))

	// Only the first leader is judged, and only in clean runs.
	h = cleanStart(cleanHistory())
	h.Changes = append(h.Changes, Change{At: 50 * ms, Node: 2, Role: Leading, Epoch: 2, Leader: 2})
	require.Empty(t, BestLeader(h))
	h = cleanStart(cleanHistory())
	h.Start[2] = Summary{CurrentEpoch: 1, Zxid: 1<<32 | 6}
	h.Clean = false
	require.Empty(t, BestLeader(h))
}

func TestOraclePProposalAboveEveryAcceptedEpochHeard(t *testing.T) {
	h := cleanHistory()
	h.Infos = []Info{
		{Seq: 1, At: 1 * ms, Leader: 1, Session: 7, Learner: 1, Accepted: 2},
		{Seq: 2, At: 2 * ms, Leader: 1, Session: 7, Learner: 2, Accepted: 3},
	}
	h.Proposals = []Proposal{{Seq: 3, At: 3 * ms, Leader: 1, Session: 7, Epoch: 4}}
	require.Empty(t, ProposalAboveAccepted(h))

	// A learner that had accepted the proposal already: e' must be above.
	h.Proposals[0].Epoch = 3
	require.Equal(t, []string{"p"}, oracles(ProposalAboveAccepted(h)))
	// The leader's own acceptedEpoch counts too.
	h.Infos[1].Accepted = 0
	h.Proposals[0].Epoch = 2
	require.Equal(t, []string{"p"}, oracles(ProposalAboveAccepted(h)))

	// An info after the proposal, or to another session, does not count.
	h = cleanHistory()
	h.Infos = []Info{
		{Seq: 2, At: 3 * ms, Leader: 1, Session: 7, Learner: 2, Accepted: 5},
		{Seq: 1, At: 1 * ms, Leader: 1, Session: 6, Learner: 3, Accepted: 5},
	}
	h.Proposals = []Proposal{{Seq: 3, At: 3 * ms, Leader: 1, Session: 7, Epoch: 4}}
	h.Infos[0].Seq = 4
	require.Empty(t, ProposalAboveAccepted(h))
}

// Observers never count in a quorum: leader 1 with observer 4's ack is 1
// of 3 voters.
func TestOracleBIgnoresObservers(t *testing.T) {
	h := cleanHistory()
	h.Observers = []int64{4}
	h.Acks = []Ack{{SentSeq: 100, At: 10 * ms, Leader: 1, Learner: 4, Epoch: 1}}
	h.Changes = []Change{{At: 12 * ms, Node: 1, Role: Leading, Epoch: 1, Leader: 1}}
	require.Equal(t, []string{"b"}, oracles(EpochsBackedByQuorum(h)))

	// With a voter's ack it is a quorum, and the observer may observe.
	h.Acks = append(h.Acks, Ack{SentSeq: 100, At: 11 * ms, Leader: 1, Learner: 2, Epoch: 1})
	h.Changes = append(h.Changes, Change{At: 13 * ms, Node: 4, Role: Observing, Epoch: 1, Leader: 1})
	require.Empty(t, EpochsBackedByQuorum(h))

	// (d): an observer must observe the leader at the end.
	h = cleanHistory()
	h.Observers = []int64{4}
	require.Equal(t, []string{"d"}, oracles(SettledAtEnd(h)))
	h.Changes = append(h.Changes, Change{At: 15 * ms, Node: 4, Role: Observing, Epoch: 1, Leader: 1})
	require.Empty(t, SettledAtEnd(h))
	h.Changes = append(h.Changes, Change{At: 16 * ms, Node: 4, Role: Following, Epoch: 1, Leader: 1})
	require.Equal(t, []string{"d"}, oracles(SettledAtEnd(h)), "an observer reporting FOLLOWING is not settled")
}

// A hierarchical configuration counts weighted groups: groups {1,2} (2+1)
// and {3,4} (1+1) and {5} (weight 0: not a group at all).
func TestOracleBCountsWeightedGroups(t *testing.T) {
	h := History{Voters: []int64{1, 2, 3, 4, 5}, Writes: epochOneOnDisk(3, 4),
		Groups:  map[int64]int64{1: 1, 2: 1, 3: 2, 4: 2, 5: 3},
		Weights: map[int64]int64{1: 2, 2: 1, 3: 1, 4: 1, 5: 0}}
	q := func(sids ...int64) bool {
		set := map[int64]bool{}
		for _, s := range sids {
			set[s] = true
		}
		return isQuorum(h, set)
	}
	// Two groups count; both need a majority of their weight.
	require.False(t, q(1), "group 1 alone (weight 2 of 3) is one group of two")
	require.False(t, q(1, 3), "group 2 needs more than half of weight 2")
	require.True(t, q(1, 3, 4), "1 has group 1's majority alone; 3+4 make group 2's")
	require.False(t, q(2, 3, 4), "2 has 1 of group 1's weight 3")
	require.False(t, q(3, 4, 5), "5 weighs nothing and group 3 does not count")
	require.True(t, q(1, 2, 3, 4))
	// Three of five servers, a plain majority, is not always a quorum here.
	require.False(t, q(2, 4, 5))

	// Used by (b): leader 1 with 3's ack only is no quorum; with 4's it is.
	h.Acks = []Ack{{SentSeq: 100, At: 1 * ms, Leader: 1, Learner: 3, Epoch: 1}}
	h.Changes = []Change{{At: 2 * ms, Node: 1, Role: Leading, Epoch: 1, Leader: 1}}
	require.Equal(t, []string{"b"}, oracles(EpochsBackedByQuorum(h)))
	h.Acks = append(h.Acks, Ack{SentSeq: 100, At: 1 * ms, Leader: 1, Learner: 4, Epoch: 1})
	require.Empty(t, EpochsBackedByQuorum(h))
}

func TestOraclePEpochMadeCurrentOnlyWithAQuorumOfPromises(t *testing.T) {
	h := cleanHistory()
	h.Promises = []Promise{{Seq: 1, At: 1 * ms, Leader: 1, Session: 7, Learner: 2}}
	h.Currents = []Current{{Seq: 2, At: 2 * ms, Leader: 1, Session: 7, Epoch: 1}}
	require.Empty(t, EpochAgreedByPromises(h), "1 and 2 are 2 of 3")

	// The leader alone is not a quorum; nor is a promise to another
	// session, or one that arrived after the epoch was made current.
	h.Promises[0].Session = 6
	require.Equal(t, []string{"p"}, oracles(EpochAgreedByPromises(h)))
	h.Promises[0].Session, h.Promises[0].Seq = 7, 3
	require.Equal(t, []string{"p"}, oracles(EpochAgreedByPromises(h)))

	// An observer's promise never counts.
	h.Observers = []int64{4}
	h.Promises = []Promise{{Seq: 1, At: 1 * ms, Leader: 1, Session: 7, Learner: 4}}
	require.Equal(t, []string{"p"}, oracles(EpochAgreedByPromises(h)))
}

// A NEWLEADER ack sent while the learner's currentEpoch on disk was not
// the epoch acknowledges nothing.
func TestOracleBStaleAckDoesNotCount(t *testing.T) {
	h := cleanHistory()
	h.Acks[0].SentSeq = 2 // before 2's currentEpoch write (Seq 2)
	require.Empty(t, EpochsBackedByQuorum(h), "1 with 3's ack is still 2 of 3")
	h.Acks[1].SentSeq = 3 // before 3's (Seq 4)
	require.Equal(t, []string{"b", "b", "b"}, oracles(EpochsBackedByQuorum(h)))

	// The disk is what was written last before the ack, across crashes,
	// or what it held at the start.
	h = cleanHistory()
	h.Writes = append(h.Writes, Write{Seq: 90, At: 9 * ms, Node: 2, Current: true, Epoch: 2})
	require.Empty(t, EpochsBackedByQuorum(h), "2's disk moved past 1, but 3's ack stands")
	h.Acks[1].Learner = 2
	require.NotEmpty(t, EpochsBackedByQuorum(h), "2 holds epoch 2 when both acks are sent")
	h = cleanHistory()
	h.Writes = nil
	h.Start = map[int64]Summary{2: {CurrentEpoch: 1}, 3: {CurrentEpoch: 1}}
	require.Empty(t, EpochsBackedByQuorum(h), "epoch 1 was on both disks from the start")
}
