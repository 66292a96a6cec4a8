package actors

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/zab"
)

// A fresh dataDir starts at epoch 0 and gets both files; a corrupt file is
// a startup error that names it, before any actor or socket exists.
func TestStartReadsEpochFiles(t *testing.T) {
	cfg, ln := oneVoter(t)
	require.NoError(t, ln.Close())
	cfg.DataDir = t.TempDir()
	store, err := openEpochStore(cfg)
	require.NoError(t, err)
	assert.Equal(t, int64(0), store.Current())
	assert.Equal(t, int64(0), store.Accepted())
	assert.FileExists(t, filepath.Join(cfg.DataDir, "version-2", "currentEpoch"))

	require.NoError(t, os.WriteFile(filepath.Join(cfg.DataDir, "version-2", "currentEpoch"), []byte("three"), 0o644))
	_, err = Start(cfg)
	require.Error(t, err)
	assert.ErrorIs(t, err, zab.ErrCorruptEpochFile)
	assert.Contains(t, err.Error(), cfg.DataDir)
}

// Without a DataDir the epochs live in memory, starting at CurrentEpoch;
// with one, CurrentEpoch must stay 0 (the file decides).
func TestEpochsWithoutDataDir(t *testing.T) {
	cfg, ln := oneVoter(t)
	require.NoError(t, ln.Close())
	cfg.CurrentEpoch = 4
	store, err := openEpochStore(cfg)
	require.NoError(t, err)
	assert.Equal(t, int64(4), store.Current())
	require.NoError(t, store.Apply(zab.EpochWrite{File: zab.AcceptedEpochFile, Epoch: 5}))
	assert.Equal(t, int64(5), store.Accepted())
	assert.Error(t, store.Apply(zab.EpochWrite{File: 9, Epoch: 5}))

	cfg.DataDir = t.TempDir()
	assert.ErrorIs(t, cfg.Validate(), ErrInvalidConfig)
}
