package quorum

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseServerLine(t *testing.T) {
	one := func(host string, q, e int) []AddrPair { return []AddrPair{{host, q, e}} }
	tests := []struct {
		value string
		want  Server
	}{
		{"zk1:2888:3888", Server{Addrs: one("zk1", 2888, 3888)}},
		{"zk4:2888:3888:observer;2181", Server{Addrs: one("zk4", 2888, 3888), Type: Observer, ClientAddr: "0.0.0.0:2181"}},
		{"zk1:2888:3888:Participant;10.0.0.1:2181", Server{Addrs: one("zk1", 2888, 3888), ClientAddr: "10.0.0.1:2181"}},
		{"zk1:2888:3888: OBSERVER ", Server{Addrs: one("zk1", 2888, 3888), Type: Observer}},
		{"[::1]:2888:3888:participant;[::1]:2181", Server{Addrs: one("::1", 2888, 3888), ClientAddr: "[::1]:2181"}},
		{"[zk1]:2888:3888;[zk1]:2181", Server{Addrs: one("zk1", 2888, 3888), ClientAddr: "zk1:2181"}},
		{"zk1:+2888:3888;+2181", Server{Addrs: one("zk1", 2888, 3888), ClientAddr: "0.0.0.0:2181"}},
		{"zk1:0:3888", Server{Addrs: one("zk1", 0, 3888)}},
		{"zk1:2888:3888:", Server{Addrs: one("zk1", 2888, 3888)}},
		{"zk1:2888:3888;", Server{Addrs: one("zk1", 2888, 3888)}},
		{"zk1:2888:3888|", Server{Addrs: one("zk1", 2888, 3888)}},
		{
			"zk1-a:2888:3888|zk1-b:2889:3889",
			Server{Addrs: []AddrPair{{"zk1-a", 2888, 3888}, {"zk1-b", 2889, 3889}}},
		},
		{
			"a:1:2:observer|b:3:4",
			Server{Addrs: []AddrPair{{"a", 1, 2}, {"b", 3, 4}}, Type: Observer},
		},
	}
	for _, tc := range tests {
		t.Run(tc.value, func(t *testing.T) {
			got, err := ParseServerLine(7, tc.value)
			require.NoError(t, err)
			tc.want.ID = 7
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseServerLineErrors(t *testing.T) {
	tests := []struct {
		value    string
		sentinel error
		mention  string
	}{
		{"", ErrBadServerLine, `""`},
		{";2181", ErrBadServerLine, `";2181"`},
		{"|", ErrBadServerLine, "no address"},
		{"zk1", ErrBadServerLine, `"zk1"`},
		{"zk1:2888", ErrBadServerLine, `"zk1:2888"`},
		{"zk1:2888:3888:observer:x", ErrBadServerLine, "observer:x"},
		{"zk1:2888:3888;a;b", ErrBadServerLine, "a;b"},
		{"zk1:2888:3888;a:b:2181", ErrBadServerLine, "a:b:2181"},
		{"zk1:2888:3888;::", ErrBadServerLine, `"::"`},
		{"[::1:2888:3888", ErrBadServerLine, "no matching"},
		{"[::1]:", ErrBadServerLine, "no port"},
		{"[::1]x2888:3888", ErrBadServerLine, "no ':' after ']'"},
		{"[::1]", ErrBadServerLine, `"[::1]"`},
		{"zk1:x:3888", ErrBadPort, `"x"`},
		{"zk1:2888:70000", ErrBadPort, `"70000"`},
		{"zk1:-1:3888", ErrBadPort, `"-1"`},
		{"zk1:2888:3888 ", ErrBadPort, `"3888 "`},
		{"zk1:2888:3888;zk1:x", ErrBadPort, `"x"`},
		{"zk1:2888:2888", ErrSamePorts, "2888"},
		{"zk1:2888:3888:leader", ErrBadType, `"leader"`},
		{"a:1:2:observer|b:3:4:participant", ErrMixedTypes, "participant"},
		{":2888:3888", ErrBadHost, "empty"},
		{"[]:2888:3888", ErrBadHost, "empty"},
		{"zk 1:2888:3888", ErrBadHost, `"zk 1"`},
		{"zk\\1:2888:3888", ErrBadHost, `zk\\1`},
		{"[1:2]:2888:3888", ErrBadHost, `"1:2"`},
		{"zk1:2888:3888;:2181", ErrBadHost, "empty"},
		{"a:1:2|A:1:3", ErrDuplicateAddress, "A:1"},
	}
	for _, tc := range tests {
		t.Run(tc.value, func(t *testing.T) {
			_, err := ParseServerLine(12, tc.value)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.sentinel)
			var se *ServerError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, int64(12), se.ID)
			assert.Equal(t, tc.value, se.Value)
			assert.Contains(t, err.Error(), "server.12")
			assert.Contains(t, err.Error(), tc.mention)
		})
	}
}
