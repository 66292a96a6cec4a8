package fle

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/zkfle/zkfle/zk"
	"pgregory.net/rapid"
)

func TestVoteEqual(t *testing.T) {
	base := Vote{Leader: 4, Zxid: zk.MakeZxid(2, 1), ElectionEpoch: 2, PeerEpoch: 2}
	with := func(f func(*Vote)) Vote {
		v := base
		f(&v)
		return v
	}
	tests := []struct {
		name string
		a, b Vote
		want bool
	}{
		{"looking: identical", base, base, true},
		{"looking: zxid differs", base, with(func(v *Vote) { v.Zxid++ }), false},
		{"looking: round differs", base, with(func(v *Vote) { v.ElectionEpoch++ }), false},
		{"looking: peer epoch differs", base, with(func(v *Vote) { v.PeerEpoch++ }), false},
		{"looking: version ignored", base, with(func(v *Vote) { v.Version = 2 }), true},
		{"one side looking compares all four", base, with(func(v *Vote) { v.State = zk.Following; v.Zxid++ }), false},
		{"one side looking, same four fields", with(func(v *Vote) { v.State = zk.Leading }), base, true},
		{
			"both decided: zxid and round ignored",
			with(func(v *Vote) { v.State = zk.Following }),
			with(func(v *Vote) { v.State = zk.Leading; v.Zxid = 99; v.ElectionEpoch = 99 }),
			true,
		},
		{
			"both decided, same version: peer epoch must match",
			with(func(v *Vote) { v.State = zk.Following }),
			with(func(v *Vote) { v.State = zk.Leading; v.PeerEpoch = 3 }),
			false,
		},
		{
			"both decided, one versioned: leader only",
			with(func(v *Vote) { v.State = zk.Following }),
			with(func(v *Vote) { v.State = zk.Leading; v.PeerEpoch = 3; v.Version = 2 }),
			true,
		},
		{
			"both decided, one versioned: leader differs",
			with(func(v *Vote) { v.State = zk.Following }),
			with(func(v *Vote) { v.State = zk.Leading; v.Leader = 3; v.Version = 2 }),
			false,
		},
		{
			"both versioned: peer epoch must match",
			with(func(v *Vote) { v.State = zk.Following; v.Version = 1 }),
			with(func(v *Vote) { v.State = zk.Following; v.PeerEpoch = 3; v.Version = 2 }),
			false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.a.Equal(tt.b))
		})
	}
}

func drawVote(t *rapid.T, label string, version int32) Vote {
	return Vote{
		Version:       version,
		Leader:        rapid.Int64Range(1, 3).Draw(t, label+".leader"),
		Zxid:          zk.Zxid(rapid.Int64Range(0, 2).Draw(t, label+".zxid")),
		ElectionEpoch: rapid.Int64Range(0, 2).Draw(t, label+".round"),
		PeerEpoch:     rapid.Int64Range(0, 2).Draw(t, label+".peerEpoch"),
		State:         zk.ServerState(rapid.Int32Range(0, 3).Draw(t, label+".state")),
	}
}

func TestVoteEqualSymmetricForEqualVersions(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		version := rapid.Int32Range(0, 2).Draw(t, "version")
		a, b := drawVote(t, "a", version), drawVote(t, "b", version)
		if a.Equal(b) != b.Equal(a) {
			t.Fatalf("%+v.Equal(%+v) = %v but reverse is %v", a, b, a.Equal(b), b.Equal(a))
		}
		if !a.Equal(a) {
			t.Fatalf("%+v not equal to itself", a)
		}
	})
}
