package actors

import (
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/internal/testlog"
	"github.com/zkfle/zkfle/messages"
)

// "epoch persisted" is said only when a file was written: a node without
// a dataDir keeps its epochs in memory and says that (at debug).
func TestEpochPersistedOnlyWithADataDir(t *testing.T) {
	for _, withDir := range []bool{false, true} {
		cfg, ln := oneVoter(t)
		logs := &testlog.Recorder{}
		cfg.Logger = slog.New(logs)
		if withDir {
			cfg.DataDir = t.TempDir()
		}
		node, err := Start(cfg, WithListeners(ln))
		require.NoError(t, err)
		// A lone voter decides at once (unanimity): watch the status, not
		// a subscription made after Start, which may miss the change.
		require.Eventually(t, func() bool { return node.Status().State == messages.ServerState_LEADING },
			10*time.Second, 5*time.Millisecond)
		require.NoError(t, node.Stop())
		assert.Equal(t, withDir, logs.Has("epoch persisted"), "dataDir: %v", withDir)
		assert.Equal(t, !withDir, logs.Has("epoch kept in memory (no dataDir)"), "dataDir: %v", withDir)
	}
}
