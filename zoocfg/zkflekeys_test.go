package zoocfg

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// zkfle's own boolean keys, each true by default: zkfle.election.fastPaths
// (actors.Config.DisableElectionFastPaths, negated) and
// zkfle.peerAddressCheck (actors.Config.SkipPeerAddressCheck, negated).
// Each is neither unknown nor ignored, takes its system-property spelling
// (the bare key wins over it, with a warning), and refuses a value that
// is not a boolean rather than guessing which way a switch goes.
func TestZkfleBooleanKeys(t *testing.T) {
	keys := []struct {
		key string
		get func(Settings) bool
	}{
		{"zkfle.election.fastPaths", func(s Settings) bool { return s.ElectionFastPaths }},
		{"zkfle.peerAddressCheck", func(s Settings) bool { return s.PeerAddressCheck }},
	}
	for _, k := range keys {
		t.Run(k.key, func(t *testing.T) {
			tests := []struct {
				name  string
				lines string
				want  bool
				warns bool
			}{
				{"default", "", true, false},
				{"off", k.key + "=false\n", false, false},
				{"on, any case", k.key + "=TRUE\n", true, false},
				{"off, system-property spelling", "zookeeper." + k.key + "=false\n", false, false},
				{"both spellings: the bare key wins", k.key + "=true\nzookeeper." + k.key + "=false\n", true, true},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					f := mustParse(t, base+tc.lines+ensemble3)
					assert.Equal(t, tc.want, k.get(f.Settings()))
					assert.Empty(t, f.Unknown(), "the key must not be reported as unknown")
					assert.Empty(t, f.Ignored(), "the key must not be reported as ignored")
					if tc.warns {
						assert.Len(t, f.Warnings(), 1)
					} else {
						assert.Empty(t, f.Warnings())
					}
					cfg, err := f.NodeConfig(1)
					require.NoError(t, err)
					assert.Equal(t, tc.want, k.get(cfg.Settings))
				})
			}
			for _, bad := range []string{k.key + "=no", k.key + "=off", "zookeeper." + k.key + "=1", "zookeeper." + k.key + "=0"} {
				t.Run(bad, func(t *testing.T) {
					_, err := parse(t, base+bad+"\n"+ensemble3)
					require.Error(t, err)
					var e *Error
					require.True(t, errors.As(err, &e))
					assert.ErrorIs(t, err, ErrBadValue)
					assert.Contains(t, err.Error(), "not true or false")
				})
			}
		})
	}
}
