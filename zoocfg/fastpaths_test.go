package zoocfg

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// zkfle.election.fastPaths (zkfle's own key, default true) maps, negated,
// to actors.Config.DisableElectionFastPaths; it is neither unknown nor
// ignored, takes its system-property spelling, and refuses a value that
// is not a boolean.
func TestElectionFastPathsKey(t *testing.T) {
	tests := []struct {
		name  string
		lines string
		fast  bool
	}{
		{"default", "", true},
		{"off", "zkfle.election.fastPaths=false\n", false},
		{"on, any case", "zkfle.election.fastPaths=TRUE\n", true},
		{"off, system-property spelling", "zookeeper.zkfle.election.fastPaths=false\n", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := mustParse(t, base+tc.lines+ensemble3)
			assert.Equal(t, tc.fast, f.Settings().ElectionFastPaths)
			assert.Empty(t, f.Unknown(), "the key must not be reported as unknown")
			assert.Empty(t, f.Ignored(), "the key must not be reported as ignored")
			assert.Empty(t, f.Warnings())
			cfg, err := f.NodeConfig(1)
			require.NoError(t, err)
			assert.Equal(t, tc.fast, cfg.ElectionFastPaths)
		})
	}
	for _, bad := range []string{"zkfle.election.fastPaths=no", "zookeeper.zkfle.election.fastPaths=1"} {
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
