package quorum

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHierarchicalContainsQuorum(t *testing.T) {
	type check struct {
		acks []int64
		want bool
	}
	tests := []struct {
		name         string
		participants []int64
		observers    []int64
		groups       Groups
		weights      Weights
		checks       []check
	}{
		{
			name:         "two groups of three, weight 1 (spec 3.4 example)",
			participants: []int64{1, 2, 3, 4, 5, 6},
			groups:       Groups{1: {1, 2, 3}, 2: {4, 5, 6}},
			checks: []check{
				{nil, false},                 // empty set
				{[]int64{1, 2, 4, 5}, true},  // both groups have 2 of 3
				{[]int64{1, 2, 3}, false},    // one group of two is not more than half
				{[]int64{1, 2, 4}, false},    // group 2 has 1 of 3
				{[]int64{1, 2, 3, 4}, false}, // still only group 1
				{[]int64{9, 10}, false},      // not members
			},
		},
		{
			name:         "FLEZeroWeightTest: groups 2 and 3 weigh 0 and do not count",
			participants: []int64{0, 1, 2, 3, 4, 5, 6, 7, 8},
			groups:       Groups{1: {0, 1, 2}, 2: {3, 4, 5}, 3: {6, 7, 8}},
			weights:      Weights{0: 1, 1: 1, 2: 1, 3: 0, 4: 0, 5: 0, 6: 0, 7: 0, 8: 0},
			checks: []check{
				{[]int64{0, 1}, true},              // the only counting group has 2 of 3
				{[]int64{0}, false},                // 1 of 3
				{[]int64{3, 4, 5, 6, 7, 8}, false}, // zero weights never make a majority
				{[]int64{0, 3, 4, 5, 6, 7, 8}, false},
				{[]int64{1, 2, 8}, true},
			},
		},
		{
			name:         "HierarchicalQuorumTest: 1:2:3 weigh 1, 4:5 weigh 0",
			participants: []int64{1, 2, 3, 4, 5},
			groups:       Groups{1: {1, 2, 3}, 2: {4, 5}},
			weights:      Weights{1: 1, 2: 1, 3: 1, 4: 0, 5: 0},
			checks: []check{
				{[]int64{1, 2}, true},
				{[]int64{4, 5}, false},
				{[]int64{1, 4, 5}, false},
			},
		},
		{
			name:         "ObserverHierarchicalQuorumTest: 4 and 5 observe",
			participants: []int64{1, 2, 3},
			observers:    []int64{4, 5},
			groups:       Groups{1: {1, 2, 3}, 2: {4, 5}},
			weights:      Weights{1: 1, 2: 1, 3: 1, 4: 0, 5: 0},
			checks: []check{
				{[]int64{1, 2}, true},
				{[]int64{1, 4, 5}, false}, // observers' acks are ignored
			},
		},
		{
			name:         "three groups need two majorities",
			participants: []int64{1, 2, 3, 4, 5, 6, 7, 8, 9},
			groups:       Groups{1: {1, 2, 3}, 2: {4, 5, 6}, 3: {7, 8, 9}},
			checks: []check{
				{[]int64{1, 2, 4, 5}, true},
				{[]int64{1, 2, 3, 4, 7}, false},
				{[]int64{1, 2, 3, 4, 5, 6, 7, 8, 9}, true},
			},
		},
		{
			name:         "weights decide inside a group",
			participants: []int64{1, 2, 3},
			groups:       Groups{1: {1, 2, 3}},
			weights:      Weights{1: 3, 2: 1, 3: 1},
			checks: []check{
				{[]int64{1}, true},     // 3 > 5/2
				{[]int64{2, 3}, false}, // 2 > 2 is false
			},
		},
		{
			name:         "negative weights follow Java's arithmetic",
			participants: []int64{1, 2},
			groups:       Groups{1: {1, 2}},
			weights:      Weights{1: 1, 2: -3},
			checks: []check{
				{[]int64{1}, true},  // 1 > -2/2
				{[]int64{2}, false}, // -3 > -1 is false
			},
		},
		{
			name:         "grouped non-member with a weight counts in its group's weight only",
			participants: []int64{1, 2},
			groups:       Groups{1: {1, 2, 9}},
			weights:      Weights{9: 2},
			checks: []check{
				{[]int64{1, 2}, false}, // 2 > 4/2 is false
				{[]int64{1, 2, 9}, false},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := NewHierarchical(servers(tc.participants, tc.observers...), tc.groups, tc.weights, 0)
			require.NoError(t, err)
			for _, c := range tc.checks {
				assert.Equal(t, c.want, v.ContainsQuorum(acks(c.acks...)), "acks %v", c.acks)
			}
		})
	}
}

// TestHierarchicalManyGroups covers more groups than ContainsQuorum's
// stack buffer holds.
func TestHierarchicalManyGroups(t *testing.T) {
	var ids []int64
	groups := Groups{}
	for g := int64(1); g <= 11; g++ {
		groups[g] = []int64{2 * g, 2*g + 1}
		ids = append(ids, 2*g, 2*g+1)
	}
	v, err := NewHierarchical(servers(ids), groups, nil, 0)
	require.NoError(t, err)
	var six, five []int64
	for g := int64(1); g <= 6; g++ {
		six = append(six, 2*g, 2*g+1)
	}
	five = six[:10]
	assert.True(t, v.ContainsQuorum(acks(six...)), "6 of 11 groups")
	assert.False(t, v.ContainsQuorum(acks(five...)), "5 of 11 groups")
}

func TestHierarchicalWeight(t *testing.T) {
	v, err := NewHierarchical(
		servers([]int64{1, 2, 3}, 4, 5),
		Groups{1: {1, 2, 3}, 2: {4}},
		Weights{2: 0, 4: 7, 9: 5},
		0)
	require.NoError(t, err)
	tests := []struct {
		id     int64
		want   int64
		wantOK bool
	}{
		{1, 1, true},  // participant without weight: 1
		{2, 0, true},  // weight 0: never elected
		{4, 7, true},  // observer with a weight
		{5, 0, false}, // observer without one: Java would throw
		{9, 5, true},  // a weight for a non-member is kept
		{6, 0, false}, // unknown
	}
	for _, tc := range tests {
		w, ok := v.Weight(tc.id)
		assert.Equal(t, tc.wantOK, ok, "sid %d", tc.id)
		assert.Equal(t, tc.want, w, "sid %d", tc.id)
	}
	assert.Equal(t, Weights{1: 1, 2: 0, 3: 1, 4: 7, 9: 5}, v.Weights())
	assert.Equal(t, Groups{1: {1, 2, 3}, 2: {4}}, v.Groups())
	assert.Equal(t, []int64{1, 2, 3}, v.VotingMembers())
	assert.Equal(t, []int64{4, 5}, v.ObservingMembers())
}

func TestHierarchicalAccessorsAreCopies(t *testing.T) {
	groups := Groups{1: {3, 1, 2}}
	weights := Weights{1: 2}
	v, err := NewHierarchical(servers([]int64{1, 2, 3}), groups, weights, 0)
	require.NoError(t, err)
	before := v.String()

	groups[1][0] = 99
	weights[1] = 50
	v.Groups()[1][0] = 77
	v.Weights()[2] = 40

	assert.Equal(t, before, v.String())
	assert.Equal(t, Groups{1: {1, 2, 3}}, v.Groups())
	w, _ := v.Weight(1)
	assert.Equal(t, int64(2), w)
}

func TestNewHierarchicalErrors(t *testing.T) {
	tests := []struct {
		name     string
		servers  []Server
		groups   Groups
		weights  Weights
		sentinel error
		mention  string
	}{
		{"participant in no group", servers([]int64{1, 2, 3}), Groups{1: {1, 2}}, nil, ErrNoGroup, "participant 3"},
		{"sid in two groups", servers([]int64{1, 2}), Groups{1: {1, 2}, 2: {2}}, nil, ErrMultipleGroups, "sid 2"},
		{"sid twice in one group", servers([]int64{1, 2}), Groups{1: {1, 2, 1}}, nil, ErrMultipleGroups, "sid 1"},
		{"empty group", servers([]int64{1}), Groups{1: {1}, 5: {}}, nil, ErrEmptyGroup, "group 5"},
		{"grouped observer without weight", servers([]int64{1}, 2), Groups{1: {1, 2}}, nil, ErrNoWeight, "sid 2"},
		{"grouped stranger without weight", servers([]int64{1}), Groups{1: {1, 8}}, nil, ErrNoWeight, "sid 8"},
		{"a bad server", []Server{{ID: 1, Addrs: []AddrPair{{"zk", 1, 1}}}}, Groups{1: {1}}, nil, ErrSamePorts, "server.1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := NewHierarchical(tc.servers, tc.groups, tc.weights, 0)
			require.Error(t, err)
			assert.Nil(t, v)
			assert.ErrorIs(t, err, tc.sentinel)
			assert.Contains(t, err.Error(), tc.mention)
		})
	}
}

func TestHierarchicalString(t *testing.T) {
	tests := []struct {
		name    string
		servers []Server
		groups  Groups
		weights Weights
		version int64
		want    string
	}{
		{
			name:    "defaults are printed as weights; a group's sids print in HashMap order",
			servers: servers([]int64{1, 2, 3}),
			groups:  Groups{7: {3, 1, 2}},
			version: 0x1f,
			want: "server.1=127.0.0.1:2001:3001:participant\nserver.2=127.0.0.1:2002:3002:participant\n" +
				"server.3=127.0.0.1:2003:3003:participant\ngroup.7=1:2:3\nweight.1=1\nweight.2=1\nweight.3=1\nversion=1f",
		},
		{
			name:    "observers have a weight line only when given one",
			servers: servers([]int64{1, 2}, 3, 4),
			groups:  Groups{1: {1, 2}, 2: {3}},
			weights: Weights{3: 0},
			want: "server.1=127.0.0.1:2001:3001:participant\nserver.2=127.0.0.1:2002:3002:participant\n" +
				"server.3=127.0.0.1:2003:3003:observer\nserver.4=127.0.0.1:2004:3004:observer\n" +
				"group.1=1:2\ngroup.2=3\nweight.1=1\nweight.2=1\nweight.3=0\nversion=0",
		},
		{
			name:    "no servers",
			groups:  Groups{1: {5}},
			weights: Weights{5: 2},
			want:    "group.1=5\nweight.5=2\nversion=0",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := NewHierarchical(tc.servers, tc.groups, tc.weights, tc.version)
			require.NoError(t, err)
			assert.Equal(t, tc.want, v.String())
		})
	}
}

func TestHierarchicalEqual(t *testing.T) {
	mk := func(version int64, groups Groups, weights Weights) *Hierarchical {
		v, err := NewHierarchical(servers([]int64{1, 2, 3}), groups, weights, version)
		require.NoError(t, err)
		return v
	}
	maj, err := NewMajority(servers([]int64{1, 2, 3}), 1)
	require.NoError(t, err)
	var typedNil *Hierarchical

	base := mk(1, Groups{1: {1, 2, 3}}, nil)
	tests := []struct {
		name  string
		other Verifier
		want  bool
	}{
		{"same version, other groups", mk(1, Groups{1: {1}, 2: {2, 3}}, nil), true},
		{"other version, same content", mk(2, Groups{1: {3, 2, 1}}, Weights{1: 1}), true},
		{"other version, other weights", mk(2, Groups{1: {1, 2, 3}}, Weights{1: 2}), false},
		{"other version, other grouping", mk(2, Groups{1: {1}, 2: {2, 3}}, nil), false},
		{"other version, other group id", mk(2, Groups{4: {1, 2, 3}}, nil), false},
		{"other version, an extra weight", mk(2, Groups{1: {1, 2, 3}}, Weights{9: 1}), false},
		{"a majority verifier of the same version", maj, false},
		{"nil", nil, false},
		{"typed nil", typedNil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, base.Equal(tc.other))
		})
	}
}
