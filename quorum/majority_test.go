package quorum

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// srv is a one-address server on 127.0.0.1 with ports derived from id
// (2000+id and 3000+id for small ids).
func srv(id int64, t LearnerType) Server {
	return Server{
		ID:    id,
		Addrs: []AddrPair{{Host: "127.0.0.1", QuorumPort: 2000 + int(id%1000), ElectionPort: 3000 + int(id%1000)}},
		Type:  t,
	}
}

func servers(participants []int64, observers ...int64) []Server {
	var out []Server
	for _, id := range participants {
		out = append(out, srv(id, Participant))
	}
	for _, id := range observers {
		out = append(out, srv(id, Observer))
	}
	return out
}

func acks(ids ...int64) map[int64]struct{} {
	m := make(map[int64]struct{}, len(ids))
	for _, id := range ids {
		m[id] = struct{}{}
	}
	return m
}

// TestMajorityQuorumMajorityTest ports ZooKeeper's QuorumMajorityTest
// (spec 6.10): acks are added one by one, and only voters in the view
// count.
func TestMajorityQuorumMajorityTest(t *testing.T) {
	type step struct {
		add  []int64
		want bool
	}
	tests := []struct {
		name  string
		view  []Server
		steps []step
	}{
		{
			name: "five followers",
			view: servers([]int64{1, 2, 3, 4, 5}),
			steps: []step{
				{add: []int64{1, 2}, want: false}, // 2 of 5
				{add: []int64{6}, want: false},    // 6 is not in the view
				{add: []int64{3}, want: true},     // 3 of 5
			},
		},
		{
			name: "three followers and observers 4 and 5",
			view: servers([]int64{1, 2, 3}, 4, 5),
			steps: []step{
				{add: []int64{1}, want: false},    // 1 of 3
				{add: []int64{4, 5}, want: false}, // observers do not count
				{add: []int64{6}, want: false},    // not in the view
				{add: []int64{2}, want: true},     // 2 of 3
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := NewMajority(tc.view, 0)
			require.NoError(t, err)
			got := acks()
			for _, s := range tc.steps {
				for _, id := range s.add {
					got[id] = struct{}{}
				}
				assert.Equal(t, s.want, v.ContainsQuorum(got), "acks %v", got)
			}
		})
	}
}

func TestMajorityContainsQuorum(t *testing.T) {
	tests := []struct {
		name         string
		participants []int64
		observers    []int64
		acks         []int64
		want         bool
	}{
		{"no members", nil, nil, nil, false},
		{"no members, stray ack", nil, nil, []int64{1}, false},
		{"one voter acked", []int64{1}, nil, []int64{1}, true},
		{"one voter, no ack", []int64{1}, nil, nil, false},
		{"two voters need both", []int64{1, 2}, nil, []int64{1}, false},
		{"two voters both acked", []int64{1, 2}, nil, []int64{1, 2}, true},
		{"four voters, half is not enough", []int64{1, 2, 3, 4}, nil, []int64{1, 2}, false},
		{"four voters, three", []int64{1, 2, 3, 4}, nil, []int64{2, 3, 4}, true},
		{"only observers acked", []int64{1, 2, 3}, []int64{4, 5, 6}, []int64{4, 5, 6}, false},
		{"negative and huge sids", []int64{-7, 1 << 62, 3}, nil, []int64{-7, 1 << 62}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := NewMajority(servers(tc.participants, tc.observers...), 0)
			require.NoError(t, err)
			assert.Equal(t, tc.want, v.ContainsQuorum(acks(tc.acks...)))
		})
	}
}

func TestMajorityMembership(t *testing.T) {
	in := []Server{srv(5, Participant), srv(2, Observer), srv(9, Participant), srv(1, Participant)}
	in[0].ClientAddr = "10.0.0.5:2181"
	v, err := NewMajority(in, 0x100000000)
	require.NoError(t, err)

	assert.Equal(t, int64(0x100000000), v.Version())
	assert.Equal(t, []int64{1, 5, 9}, v.VotingMembers())
	assert.Equal(t, []int64{2}, v.ObservingMembers())
	ids := []int64{}
	for _, s := range v.Servers() {
		ids = append(ids, s.ID)
	}
	assert.Equal(t, []int64{1, 2, 5, 9}, ids)
	assert.True(t, v.IsVoter(9))
	assert.False(t, v.IsVoter(2), "observer")
	assert.False(t, v.IsVoter(3), "not a member")

	s, ok := v.Server(5)
	require.True(t, ok)
	assert.Equal(t, in[0], s)
	_, ok = v.Server(3)
	assert.False(t, ok)

	for _, id := range []int64{1, 2, 3, -1} {
		w, ok := v.Weight(id)
		assert.Equal(t, int64(1), w, "QuorumMaj.getWeight is 1 for any id")
		assert.True(t, ok)
	}
}

// TestMajorityIsImmutable: neither the caller's slices nor what the
// accessors return can change the verifier.
func TestMajorityIsImmutable(t *testing.T) {
	in := servers([]int64{1, 2, 3})
	v, err := NewMajority(in, 0)
	require.NoError(t, err)
	before := v.String()

	in[0].Addrs[0].Host = "changed"
	in[1].Type = Observer
	got := v.Servers()
	got[2].Addrs[0].QuorumPort = 1
	one, _ := v.Server(1)
	one.Addrs[0].Host = "changed"
	voters := v.VotingMembers()
	voters[0] = 42

	assert.Equal(t, before, v.String())
	assert.Equal(t, []int64{1, 2, 3}, v.VotingMembers())
	s, _ := v.Server(1)
	assert.Equal(t, "127.0.0.1", s.Addrs[0].Host)
}

func TestMajorityString(t *testing.T) {
	static := srv(2, Participant)
	static.ClientAddr, static.ClientAddrFromStatic = "0.0.0.0:2181", true
	tests := []struct {
		name    string
		servers []Server
		version int64
		want    string
	}{
		{
			name:    "empty",
			version: 0,
			want:    "version=0",
		},
		{
			name: "client address from the server line is printed, the static one is not",
			servers: []Server{
				{ID: 1, Addrs: []AddrPair{{"10.0.0.1", 2888, 3888}}, ClientAddr: "0.0.0.0:2181"},
				static,
			},
			version: 0x100000000,
			want:    "server.1=10.0.0.1:2888:3888:participant;0.0.0.0:2181\nserver.2=127.0.0.1:2002:3002:participant\nversion=100000000",
		},
		{
			name: "IPv6 hosts are printed uncompressed, in brackets",
			servers: []Server{
				{ID: 1, Addrs: []AddrPair{{"::1", 2888, 3888}}, Type: Observer, ClientAddr: "[2001:db8::7]:2181"},
			},
			version: 0xabc,
			want:    "server.1=[0:0:0:0:0:0:0:1]:2888:3888:observer;[2001:db8:0:0:0:0:0:7]:2181\nversion=abc",
		},
		{
			name: "a server with no address prints as Java prints it",
			servers: []Server{
				{ID: 1},
			},
			want: "server.1=:participant\nversion=0",
		},
		{
			name: "several addresses are sorted by host",
			servers: []Server{
				{ID: 1, Addrs: []AddrPair{{"zk1-b", 2889, 3889}, {"zk1-a", 2888, 3888}}},
			},
			want: "server.1=zk1-a:2888:3888|zk1-b:2889:3889:participant\nversion=0",
		},
		{
			name:    "sids sharing a HashMap bucket print in the order given",
			servers: []Server{srv(17, Participant), srv(1, Participant), srv(2, Participant)},
			want: "server.17=127.0.0.1:2017:3017:participant\nserver.1=127.0.0.1:2001:3001:participant\n" +
				"server.2=127.0.0.1:2002:3002:participant\nversion=0",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := NewMajority(tc.servers, tc.version)
			require.NoError(t, err)
			assert.Equal(t, tc.want, v.String())
		})
	}
}

func TestNewMajorityErrors(t *testing.T) {
	withAddr := func(host string, q, e int) Server {
		return Server{ID: 4, Addrs: []AddrPair{{host, q, e}}}
	}
	tests := []struct {
		name     string
		servers  []Server
		version  int64
		sentinel error
		mention  string
	}{
		{"duplicate sid", []Server{srv(4, Participant), srv(4, Observer)}, 0, ErrDuplicateServer, "4"},
		{"negative version", servers([]int64{1}), -1, ErrBadVersion, "-1"},
		{"empty host", []Server{withAddr("", 1, 2)}, 0, ErrBadHost, "empty"},
		{"host with a space", []Server{withAddr("zk 1", 1, 2)}, 0, ErrBadHost, `"zk 1"`},
		{"bracketed host", []Server{withAddr("[::1]", 1, 2)}, 0, ErrBadHost, "[::1]"},
		{"host with a colon that is no IPv6", []Server{withAddr("a:b", 1, 2)}, 0, ErrBadHost, "a:b"},
		{"host with a pipe", []Server{withAddr("a|b", 1, 2)}, 0, ErrBadHost, "a|b"},
		{"port too big", []Server{withAddr("zk", 70000, 2)}, 0, ErrBadPort, "70000"},
		{"negative port", []Server{withAddr("zk", 1, -2)}, 0, ErrBadPort, "-2"},
		{"equal ports", []Server{withAddr("zk", 2888, 2888)}, 0, ErrSamePorts, "2888"},
		{"unknown type", []Server{{ID: 4, Type: 7}}, 0, ErrBadType, "7"},
		{
			"quorum address twice",
			[]Server{{ID: 4, Addrs: []AddrPair{{"zk", 1, 2}, {"ZK", 1, 3}}}}, 0,
			ErrDuplicateAddress, "ZK:1",
		},
		{
			"election address twice",
			[]Server{{ID: 4, Addrs: []AddrPair{{"::1", 1, 2}, {"0:0:0:0:0:0:0:1", 3, 2}}}}, 0,
			ErrDuplicateAddress, "[0:0:0:0:0:0:0:1]:2",
		},
		{
			"addresses that Java would print with equal ports",
			[]Server{{ID: 4, Addrs: []AddrPair{{"zk", 2001, 3002}, {"zk", 3002, 2001}}}}, 0,
			ErrSamePorts, "zk",
		},
		{"client address without port", []Server{{ID: 4, ClientAddr: "zk"}}, 0, ErrBadHost, `"zk"`},
		{"client port out of range", []Server{{ID: 4, ClientAddr: "zk:65536"}}, 0, ErrBadPort, "65536"},
		{"client host empty", []Server{{ID: 4, ClientAddr: ":2181"}}, 0, ErrBadHost, "empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := NewMajority(tc.servers, tc.version)
			require.Error(t, err)
			assert.Nil(t, v)
			assert.ErrorIs(t, err, tc.sentinel)
			assert.Contains(t, err.Error(), tc.mention)
			if !errors.Is(err, ErrBadVersion) {
				var se *ServerError
				require.ErrorAs(t, err, &se)
				assert.Equal(t, int64(4), se.ID)
			}
		})
	}
}

func TestMajorityEqual(t *testing.T) {
	mk := func(version int64, ss ...Server) *Majority {
		v, err := NewMajority(ss, version)
		require.NoError(t, err)
		return v
	}
	withClient := func(s Server, addr string, static bool) Server {
		s.ClientAddr, s.ClientAddrFromStatic = addr, static
		return s
	}
	hier, err := NewHierarchical(servers([]int64{1}), Groups{1: {1}}, nil, 1)
	require.NoError(t, err)
	var typedNil *Majority

	base := mk(1, srv(1, Participant), srv(2, Participant))
	tests := []struct {
		name  string
		other Verifier
		want  bool
	}{
		{"itself", base, true},
		{"same version, other members", mk(1, srv(3, Observer)), true},
		{"other version, same members", mk(2, srv(2, Participant), srv(1, Participant)), true},
		{"other version, a member missing", mk(2, srv(1, Participant)), false},
		{"other version, a member more", mk(2, srv(1, Participant), srv(2, Participant), srv(3, Participant)), false},
		{"other version, a type differs", mk(2, srv(1, Participant), srv(2, Observer)), false},
		{"other version, a port differs", mk(2, srv(1, Participant), Server{ID: 2, Addrs: []AddrPair{{"127.0.0.1", 2002, 3009}}}), false},
		{"other version, a client address more", mk(2, srv(1, Participant), withClient(srv(2, Participant), "0.0.0.0:2181", false)), false},
		{"other version, a static client address more", mk(2, srv(1, Participant), withClient(srv(2, Participant), "0.0.0.0:2181", true)), false},
		{"a hierarchical verifier of the same version", hier, false},
		{"nil", nil, false},
		{"typed nil", typedNil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, base.Equal(tc.other))
		})
	}
}

// TestMajorityEqualAddresses: addresses compare as Java's
// InetSocketAddress does, minus DNS.
func TestMajorityEqualAddresses(t *testing.T) {
	tests := []struct {
		name string
		a, b []AddrPair
		want bool
	}{
		{"IPv6 spellings", []AddrPair{{"::1", 1, 2}}, []AddrPair{{"0:0:0:0:0:0:0:1", 1, 2}}, true},
		{"IPv4-mapped IPv6 is IPv4", []AddrPair{{"::ffff:10.0.0.1", 1, 2}}, []AddrPair{{"10.0.0.1", 1, 2}}, true},
		{"names ignore case", []AddrPair{{"ZK1.example", 1, 2}}, []AddrPair{{"zk1.EXAMPLE", 1, 2}}, true},
		{"a name never equals a literal", []AddrPair{{"localhost", 1, 2}}, []AddrPair{{"127.0.0.1", 1, 2}}, false},
		{"order of addresses does not matter", []AddrPair{{"a", 1, 2}, {"b", 3, 4}}, []AddrPair{{"b", 3, 4}, {"a", 1, 2}}, true},
		{"quorum and election sets compare apart", []AddrPair{{"a", 1, 2}, {"a", 3, 4}}, []AddrPair{{"a", 1, 4}, {"a", 3, 2}}, true},
		{"different hosts", []AddrPair{{"a", 1, 2}}, []AddrPair{{"b", 1, 2}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := NewMajority([]Server{{ID: 1, Addrs: tc.a}}, 1)
			require.NoError(t, err)
			b, err := NewMajority([]Server{{ID: 1, Addrs: tc.b}}, 2)
			require.NoError(t, err)
			assert.Equal(t, tc.want, a.Equal(b))
			assert.Equal(t, tc.want, b.Equal(a))
		})
	}
}
