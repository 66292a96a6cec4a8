package zoocfg

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// zkfle.peerAddressCheck (zkfle's own key, default true) maps, negated,
// to actors.Config.SkipPeerAddressCheck; it is neither unknown nor
// ignored, takes its system-property spelling, and refuses a value that
// is not a boolean rather than guessing which way a security check goes.
func TestPeerAddressCheckKey(t *testing.T) {
	tests := []struct {
		name  string
		lines string
		check bool
		warns bool
	}{
		{"default", "", true, false},
		{"off", "zkfle.peerAddressCheck=false\n", false, false},
		{"on, any case", "zkfle.peerAddressCheck=TRUE\n", true, false},
		{"off, system-property spelling", "zookeeper.zkfle.peerAddressCheck=false\n", false, false},
		{"both spellings: the bare key wins", "zkfle.peerAddressCheck=true\nzookeeper.zkfle.peerAddressCheck=false\n", true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := mustParse(t, base+tc.lines+ensemble3)
			assert.Equal(t, tc.check, f.Settings().PeerAddressCheck)
			assert.Empty(t, f.Unknown(), "the key must not be reported as unknown")
			assert.Empty(t, f.Ignored(), "the key must not be reported as ignored")
			if tc.warns {
				assert.Len(t, f.Warnings(), 1)
			} else {
				assert.Empty(t, f.Warnings())
			}
			cfg, err := f.NodeConfig(1)
			require.NoError(t, err)
			assert.Equal(t, tc.check, cfg.PeerAddressCheck)
		})
	}
	for _, bad := range []string{"zkfle.peerAddressCheck=off", "zookeeper.zkfle.peerAddressCheck=0"} {
		t.Run(bad, func(t *testing.T) {
			_, err := parse(t, base+bad+"\n"+ensemble3)
			require.Error(t, err)
			var e *Error
			require.True(t, errors.As(err, &e))
			assert.ErrorIs(t, err, ErrBadValue)
			assert.Contains(t, err.Error(), "not true or false")
		})
	}
}
