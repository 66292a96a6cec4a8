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

// Without a DataDir the epochs live in memory (zab.MemoryEpochs), starting
// at CurrentEpoch, under the files' rules;
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
	// The same rules as the files: no epoch goes back, currentEpoch
	// never passes acceptedEpoch.
	assert.ErrorIs(t, store.Apply(zab.EpochWrite{File: zab.AcceptedEpochFile, Epoch: 3}), zab.ErrEpochRegression)
	assert.ErrorIs(t, store.Apply(zab.EpochWrite{File: zab.CurrentEpochFile, Epoch: 6}), zab.ErrEpochOrder)
	assert.Equal(t, int64(5), store.Accepted())

	cfg.DataDir = t.TempDir()
	assert.ErrorIs(t, cfg.Validate(), ErrInvalidConfig)
}

// memEpochs is an in-memory epoch store at epoch (accepted and current).
func memEpochs(t testing.TB, epoch int64) *zab.MemoryEpochs {
	t.Helper()
	s, err := zab.NewMemoryEpochs(epoch, epoch)
	require.NoError(t, err)
	return s
}
