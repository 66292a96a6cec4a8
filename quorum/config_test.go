package quorum

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseConfigMajority(t *testing.T) {
	v, err := ParseConfig("server.1=127.0.0.1:2888:3888:participant;0.0.0.0:2181\n" +
		"server.2=127.0.0.2:2888:3888:participant;0.0.0.0:2181\n" +
		"server.3=127.0.0.3:2888:3888:observer;0.0.0.0:2181\n" +
		"version=100000000")
	require.NoError(t, err)
	require.IsType(t, &Majority{}, v)
	assert.Equal(t, int64(0x100000000), v.Version())
	assert.Equal(t, []int64{1, 2}, v.VotingMembers())
	assert.Equal(t, []int64{3}, v.ObservingMembers())
	s, ok := v.Server(3)
	require.True(t, ok)
	assert.Equal(t, Server{
		ID:         3,
		Addrs:      []AddrPair{{"127.0.0.3", 2888, 3888}},
		Type:       Observer,
		ClientAddr: "0.0.0.0:2181",
	}, s)
	assert.True(t, v.ContainsQuorum(acks(1, 2)))
	assert.False(t, v.ContainsQuorum(acks(1, 3)))
}

func TestParseConfigHierarchical(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		groups  Groups
		weights Weights
	}{
		{
			name:    "group and weight keys",
			text:    "server.1=h1:1:2\nserver.2=h2:1:2\nserver.3=h3:1:2\ngroup.1=1:2\ngroup.2=3\nweight.3=0",
			groups:  Groups{1: {1, 2}, 2: {3}},
			weights: Weights{1: 1, 2: 1, 3: 0},
		},
		{
			name:    "a weight key alone makes it hierarchical",
			text:    "weight.4=2",
			groups:  Groups{},
			weights: Weights{4: 2},
		},
		{
			name:    "Java reads the id after the first dot of any group or weight key",
			text:    "server.1=h1:1:2\ngroups.9=1\nweightOf.1=3",
			groups:  Groups{9: {1}},
			weights: Weights{1: 3},
		},
		{
			name:    "a trailing colon in a group is ignored, like Java's split",
			text:    "server.1=h1:1:2\nserver.2=h2:1:2\ngroup.1=1:2:",
			groups:  Groups{1: {1, 2}},
			weights: Weights{1: 1, 2: 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := ParseConfig(tc.text)
			require.NoError(t, err)
			h, ok := v.(*Hierarchical)
			require.True(t, ok, "got %T", v)
			assert.Equal(t, tc.groups, h.Groups())
			assert.Equal(t, tc.weights, h.Weights())
		})
	}
}

func TestParseConfigVersion(t *testing.T) {
	tests := []struct {
		text string
		want int64
	}{
		{"", 0},
		{"version=0", 0},
		{"version=A1b", 0xa1b},
		{"version=+10", 0x10},
		{"version=7fffffffffffffff", 1<<63 - 1},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			v, err := ParseConfig(tc.text)
			require.NoError(t, err)
			assert.Equal(t, tc.want, v.Version())
		})
	}
}

// TestParseConfigKeyErrors: a bad key gives a *ConfigError naming the key.
func TestParseConfigKeyErrors(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		key      string
		sentinel error
	}{
		{"unknown key", "server.1=h:1:2\nclientPort=2181", "clientPort", ErrUnknownKey},
		{"escaped blank before a key", "\\ server.1=h:1:2", " server.1", ErrUnknownKey},
		{"empty key", "\\", "", ErrUnknownKey},
		{"server id not a number", "server.x=h:1:2", "server.x", ErrBadID},
		{"server id empty", "server.=h:1:2", "server.", ErrBadID},
		{"server id with a dot", "server.1.2=h:1:2", "server.1.2", ErrBadID},
		{"group without dot", "server.1=h:1:2\ngroup=1", "group", ErrBadID},
		{"group id not a number", "server.1=h:1:2\ngroup.x=1", "group.x", ErrBadID},
		{"group member not a number", "server.1=h:1:2\ngroup.1=1:x", "group.1", ErrBadID},
		{"group value empty", "server.1=h:1:2\ngroup.1=", "group.1", ErrBadID},
		{"group with a leading colon", "server.1=h:1:2\ngroup.1=:1", "group.1", ErrBadID},
		{"weight not a number", "server.1=h:1:2\ngroup.1=1\nweight.1=x", "weight.1", ErrBadWeight},
		{"weight id not a number", "weight.y=1", "weight.y", ErrBadID},
		{"version not hex", "version=g", "version", ErrBadVersion},
		{"version with 0x", "version=0x10", "version", ErrBadVersion},
		{"version too big", "version=10000000000000000", "version", ErrBadVersion},
		{"version negative", "version=-1", "version", ErrBadVersion},
		{"same group twice", "server.1=h:1:2\ngroup.1=1\ngroups.1=2", "", ErrDuplicateGroup},
		{"same weight twice", "weight.1=1\nweights.1=2", "", ErrDuplicateWeight},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := ParseConfig(tc.text)
			require.Error(t, err)
			assert.Nil(t, v)
			assert.ErrorIs(t, err, tc.sentinel)
			var ce *ConfigError
			require.ErrorAs(t, err, &ce)
			if tc.key != "" {
				assert.Equal(t, tc.key, ce.Key)
				assert.Contains(t, err.Error(), tc.key)
			}
		})
	}
}

// TestParseConfigServerErrors: a bad server line gives a *ServerError
// naming the sid and the line.
func TestParseConfigServerErrors(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		sid      int64
		sentinel error
	}{
		{"bad line", "server.4=zk4:2888", 4, ErrBadServerLine},
		{"same sid spelled twice", "server.01=a:1:2\nserver.1=b:1:2", 1, ErrDuplicateServer},
		{"same sid with a sign", "server.+3=a:1:2\nserver.3=b:1:2", 3, ErrDuplicateServer},
		{"equal ports", "server.2=zk:1:1", 2, ErrSamePorts},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig(tc.text)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.sentinel)
			var se *ServerError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.sid, se.ID)
		})
	}
}

func TestParseConfigMembershipErrors(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		sentinel error
		mention  string
	}{
		{"observers only", "server.1=a:1:2:observer\nserver.2=b:1:2:observer", ErrObserversOnly, "2 observers"},
		{"participant outside groups", "server.1=a:1:2\nserver.2=b:1:2\ngroup.1=1", ErrNoGroup, "participant 2"},
		{"empty group", "server.1=a:1:2\ngroup.1=1\ngroup.2=:", ErrEmptyGroup, "group 2"},
		{"sid in two groups", "server.1=a:1:2\ngroup.1=1\ngroup.2=1", ErrMultipleGroups, "sid 1"},
		{"grouped observer without weight", "server.1=a:1:2\nserver.2=b:1:2:observer\ngroup.1=1:2", ErrNoWeight, "sid 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig(tc.text)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.sentinel)
			assert.Contains(t, err.Error(), tc.mention)
		})
	}
}

// TestParseConfigRoundTrip: for ordinary configs the printed form parses
// back to an equal verifier that prints the same bytes.
func TestParseConfigRoundTrip(t *testing.T) {
	inputs := []string{
		"server.3=zk3:2888:3888\nserver.1=zk1:2888:3888;2181\nserver.2=[::1]:2888:3888:observer\nversion=5",
		"  server.1 = a:1:2\\\n  :participant\n# comment\nserver.2: b:1:2\nserver.3 c:1:2\nversion=ff",
		"server.1=h1:1:2\nserver.2=h2:1:2\nserver.3=h3:1:2:observer\ngroup.1=2:1\ngroup.2=3\nweight.3=4\nweight.9=0",
		"server.1=z-b:1:2|z-a:3:4;[2001:db8::1]:2181\nserver.2=x:1:2",
	}
	for _, text := range inputs {
		t.Run(text, func(t *testing.T) {
			v, err := ParseConfig(text)
			require.NoError(t, err)
			again, err := ParseConfig(v.String())
			require.NoError(t, err)
			assert.Equal(t, v.String(), again.String())
			assert.True(t, v.Equal(again))
			assert.True(t, sameConfig(v, again))
		})
	}
}
