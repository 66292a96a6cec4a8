package zoocfg

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNodeConfigRefusesSharedSockets: two listeners on one host:port
// cannot both run; NodeConfig refuses the lines and names both.
func TestNodeConfigRefusesSharedSockets(t *testing.T) {
	tests := []struct {
		name, lines string
		key         string // the line named first (the later one)
		reason      string
	}{
		{"same quorum and election address",
			"server.1=127.0.0.1:2888:3888\nserver.2=127.0.0.1:2888:3888\nserver.3=127.0.0.3:2888:3888\n",
			"server.2", `its quorum address 127.0.0.1:2888 is also the quorum address of server.1="127.0.0.1:2888:3888"`},
		{"election port of one is the quorum port of another",
			"server.1=127.0.0.1:2888:3888\nserver.2=127.0.0.1:3888:3889\nserver.3=127.0.0.3:2888:3888\n",
			"server.2", `its quorum address 127.0.0.1:3888 is also the election address of server.1="127.0.0.1:2888:3888"`},
		{"same election port only",
			"server.1=127.0.0.1:2881:3888\nserver.2=127.0.0.1:2882:3888\nserver.3=127.0.0.3:2888:3888\n",
			"server.2", `its election address 127.0.0.1:3888 is also the election address of server.1=`},
		{"IPv4-mapped IPv6 is the same host",
			"server.1=127.0.0.1:2888:3888\nserver.2=[::ffff:127.0.0.1]:2889:3888\nserver.3=127.0.0.3:2888:3888\n",
			"server.2", "127.0.0.1:3888"},
		{"a server's client address on its own election port",
			"server.1=127.0.0.1:2888:3888;127.0.0.1:3888\nserver.2=127.0.0.2:2888:3888\nserver.3=127.0.0.3:2888:3888\n",
			"server.1", "its client address 127.0.0.1:3888 is also its election address"},
		{"a client address on another server's quorum port",
			"server.1=127.0.0.1:2888:3888;127.0.0.2:2888\nserver.2=127.0.0.2:2888:3888\nserver.3=127.0.0.3:2888:3888\n",
			"server.2", `its quorum address 127.0.0.2:2888 is also the client address of server.1=`},
		{"an observer counts too",
			ensemble3 + "server.4=127.0.0.3:2888:3888:observer\n",
			"server.4", `also the quorum address of server.3="127.0.0.3:2888:3888"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, base+tt.lines)
			_, err := f.NodeConfig(1)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrConflict)
			var e *Error
			require.True(t, errors.As(err, &e))
			assert.Equal(t, tt.key, e.Key)
			assert.Contains(t, e.Reason, tt.reason)
		})
	}
}

// TestNodeConfigAcceptsDistinctSockets: the same ports on different
// hosts, a wildcard client port on every line, and names that may resolve
// to one address are all fine.
func TestNodeConfigAcceptsDistinctSockets(t *testing.T) {
	for _, lines := range []string{
		ensemble3,
		"server.1=127.0.0.1:2888:3888;2181\nserver.2=127.0.0.2:2888:3888;2181\nserver.3=127.0.0.3:2888:3888;2181\n",
		"server.1=127.0.0.1:2888:3888\nserver.2=localhost:2888:3888\nserver.3=127.0.0.1:2889:3889\n",
		"server.1=127.0.0.1:2881:3881;127.0.0.1:2181\nserver.2=127.0.0.1:2882:3882;127.0.0.1:2182\nserver.3=127.0.0.1:2883:3883;127.0.0.1:2183\n",
	} {
		f := mustParse(t, base+lines)
		_, err := f.NodeConfig(1)
		assert.NoError(t, err, lines)
	}
}
