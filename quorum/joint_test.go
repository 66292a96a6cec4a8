package quorum

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func majorityV(t *testing.T, version int64, participants []int64, observers ...int64) Verifier {
	t.Helper()
	v, err := NewMajority(servers(participants, observers...), version)
	require.NoError(t, err)
	return v
}

func hierarchicalV(t *testing.T, version int64, participants []int64, groups Groups, weights Weights) Verifier {
	t.Helper()
	v, err := NewHierarchical(servers(participants), groups, weights, version)
	require.NoError(t, err)
	return v
}

// quorumCase is one ack set and whether it is a quorum of every verifier
// that counts.
type quorumCase struct {
	acks []int64
	want bool
}

func TestJointConfig(t *testing.T) {
	c123 := majorityV(t, 1, []int64{1, 2, 3}, 9)
	tests := []struct {
		name      string
		committed Verifier
		lastSeen  Verifier
		joint     bool    // the last-seen verifier's quorums count
		voters    []int64 // VotingMembers: committed and any last-seen
		inAll     []int64 // the voters IsVoterInAll accepts
		strangers []int64 // not voters anywhere
		quorums   []quorumCase
	}{
		{
			name: "committed only", committed: c123,
			voters: []int64{1, 2, 3}, inAll: []int64{1, 2, 3}, strangers: []int64{4, 9},
			quorums: []quorumCase{{[]int64{1, 2}, true}, {[]int64{1}, false}, {[]int64{1, 9}, false}, {nil, false}},
		},
		{
			name: "newer last-seen", committed: c123, lastSeen: majorityV(t, 2, []int64{3, 4, 5}),
			joint: true, voters: []int64{1, 2, 3, 4, 5}, inAll: []int64{3}, strangers: []int64{6, 9},
			quorums: []quorumCase{
				{[]int64{1, 2}, false},      // the old configuration only
				{[]int64{4, 5}, false},      // the new one only
				{[]int64{1, 3, 4}, true},    // 3 counts in both
				{[]int64{1, 2, 4, 5}, true}, // disjoint majorities
			},
		},
		{
			name: "stale last-seen", committed: c123, lastSeen: majorityV(t, 1, []int64{3, 4, 5}),
			voters: []int64{1, 2, 3, 4, 5}, inAll: []int64{1, 2, 3}, strangers: []int64{6, 9},
			quorums: []quorumCase{{[]int64{1, 2}, true}, {[]int64{4, 5}, false}},
		},
		{
			name: "older last-seen", committed: majorityV(t, 3, []int64{1, 2, 3}), lastSeen: majorityV(t, 2, []int64{3, 4, 5}),
			voters: []int64{1, 2, 3, 4, 5}, inAll: []int64{1, 2, 3},
			quorums: []quorumCase{{[]int64{1, 2}, true}, {[]int64{3, 4, 5}, false}},
		},
		{
			name: "observer", committed: c123, lastSeen: majorityV(t, 2, []int64{2, 3, 9}, 1),
			joint: true, voters: []int64{1, 2, 3, 9}, inAll: []int64{2, 3}, strangers: []int64{4},
			quorums: []quorumCase{
				{[]int64{1, 2}, false}, // 1 observes the new configuration
				{[]int64{1, 2, 9}, true},
				{[]int64{2, 3}, true},
			},
		},
		{
			name:      "weighted hierarchical voters",
			committed: hierarchicalV(t, 1, []int64{1, 2, 3, 4}, Groups{1: {1, 2, 3}, 2: {4}}, Weights{1: 3, 2: 1, 3: 1, 4: 1}),
			voters:    []int64{1, 2, 3, 4}, inAll: []int64{1, 2, 3, 4}, strangers: []int64{5},
			quorums: []quorumCase{
				{[]int64{1, 4}, true},     // 3 of 5 in group 1, and group 2
				{[]int64{2, 3, 4}, false}, // 2 of 5 in group 1
				{[]int64{1}, false},       // one group of two
			},
		},
		{
			name:      "zero-weight voter",
			committed: c123,
			lastSeen:  hierarchicalV(t, 2, []int64{1, 2, 3}, Groups{1: {1, 2, 3}}, Weights{1: 1, 2: 1, 3: 0}),
			joint:     true, voters: []int64{1, 2, 3}, inAll: []int64{1, 2, 3}, strangers: []int64{4},
			quorums: []quorumCase{
				{[]int64{1, 3}, false}, // a committed majority, but 3 weighs nothing in the new one
				{[]int64{1, 2}, true},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j := NewJointConfig(tc.committed, tc.lastSeen)
			assert.Same(t, tc.committed, j.Committed())
			assert.Equal(t, tc.lastSeen, j.LastSeen())
			assert.Equal(t, tc.joint, j.Joint())
			if tc.joint {
				assert.Equal(t, []Verifier{tc.committed, tc.lastSeen}, j.Verifiers())
			} else {
				assert.Equal(t, []Verifier{tc.committed}, j.Verifiers())
			}
			if tc.lastSeen == nil {
				assert.Equal(t, []Verifier{tc.committed}, j.Views())
			} else {
				assert.Equal(t, []Verifier{tc.committed, tc.lastSeen}, j.Views(), "membership reads any last-seen verifier")
			}

			assert.Equal(t, tc.voters, j.VotingMembers())
			for _, id := range tc.voters {
				assert.True(t, j.IsVoter(id), "voter %d", id)
				assert.Equal(t, slices.Contains(tc.inAll, id), j.IsVoterInAll(id), "voter %d in every counting verifier", id)
			}
			for _, id := range tc.strangers {
				assert.False(t, j.IsVoter(id), "stranger %d", id)
				assert.False(t, j.IsVoterInAll(id), "stranger %d", id)
			}

			for _, q := range tc.quorums {
				assert.Equal(t, q.want, j.HasAllQuorums(acks(q.acks...)), "acks %v", q.acks)
				a := j.NewAckSet()
				for _, id := range q.acks {
					a.Add(id)
				}
				assert.Equal(t, q.want, a.HasAllQuorums(), "ack set %v", q.acks)
				for _, id := range tc.voters {
					assert.Equal(t, slices.Contains(tc.inAll, id), a.HasSid(id), "HasSid(%d)", id)
				}
			}
		})
	}
}

// Server reads the committed view first and falls back to any last-seen
// one: a server added by a proposed configuration can be dialled, and a
// server's committed address wins while both name it.
func TestJointConfigServer(t *testing.T) {
	committed := majorityV(t, 2, []int64{1, 2, 3})
	moved := Server{ID: 3, Addrs: []AddrPair{{Host: "10.0.0.3", QuorumPort: 2888, ElectionPort: 3888}}, Type: Participant}
	lastSeen, err := NewMajority([]Server{srv(2, Participant), moved, srv(4, Participant), srv(5, Observer)}, 1)
	require.NoError(t, err)

	tests := []struct {
		name     string
		lastSeen Verifier
		id       int64
		want     Server
		ok       bool
	}{
		{"committed member", nil, 1, srv(1, Participant), true},
		{"not a member", nil, 4, Server{}, false},
		{"committed wins over last-seen", lastSeen, 3, srv(3, Participant), true},
		{"only in a (stale) last-seen view", lastSeen, 4, srv(4, Participant), true},
		{"observer of the last-seen view", lastSeen, 5, srv(5, Observer), true},
		{"in neither", lastSeen, 6, Server{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := NewJointConfig(committed, tc.lastSeen).Server(tc.id)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, s)
		})
	}
}

func TestNewJointConfigNeedsCommitted(t *testing.T) {
	assert.Panics(t, func() { NewJointConfig(nil, majorityV(t, 1, []int64{1})) })
}

// An ack set keeps one set per counting verifier, voters only; Remove and
// Clear take acknowledgements back, so a set can move between votes.
func TestAckSet(t *testing.T) {
	j := NewJointConfig(majorityV(t, 1, []int64{1, 2, 3}, 9), majorityV(t, 2, []int64{3, 4, 5}))
	a := j.NewAckSet()
	assert.True(t, a.Empty())

	a.Add(9) // an observer of the committed configuration, not in the next
	a.Add(7) // a stranger
	assert.True(t, a.Empty(), "a non-voter's acknowledgement counts nowhere")

	for _, id := range []int64{1, 3, 4} {
		a.Add(id)
	}
	a.Add(3) // twice is once
	assert.False(t, a.Empty())
	assert.Equal(t, acks(1, 3), a.Acks(0))
	assert.Equal(t, acks(3, 4), a.Acks(1))
	assert.True(t, a.HasAllQuorums())

	a.Remove(3)
	assert.Equal(t, acks(1), a.Acks(0))
	assert.Equal(t, acks(4), a.Acks(1))
	assert.False(t, a.HasAllQuorums())
	a.Remove(3) // not there: nothing changes
	a.Remove(1)
	assert.False(t, a.Empty())
	a.Remove(4)
	assert.True(t, a.Empty(), "every acknowledgement taken back")

	a.Add(2)
	a.Add(5)
	a.Clear()
	assert.True(t, a.Empty())
	assert.Empty(t, a.Acks(0))
	assert.Empty(t, a.Acks(1))
}
