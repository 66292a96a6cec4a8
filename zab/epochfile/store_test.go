package epochfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/zab"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

func TestOpenFreshDataDirStartsAtZero(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "does", "not", "exist")
	s, err := Open(dataDir)
	require.NoError(t, err)
	assert.Equal(t, int64(0), s.Accepted())
	assert.Equal(t, int64(0), s.Current())
	assert.Equal(t, filepath.Join(dataDir, "version-2"), s.Dir())
	assert.Equal(t, "0", readFile(t, filepath.Join(dataDir, "version-2", "acceptedEpoch")), "written at once, no newline")
	assert.Equal(t, "0", readFile(t, filepath.Join(dataDir, "version-2", "currentEpoch")))
}

func TestStoreWritesZooKeeperFormatAndReopens(t *testing.T) {
	dataDir := t.TempDir()
	s, err := Open(dataDir)
	require.NoError(t, err)
	require.NoError(t, s.SetAccepted(7))
	require.NoError(t, s.SetCurrent(7))
	require.NoError(t, s.SetAccepted(12))
	assert.Equal(t, "12", readFile(t, filepath.Join(dataDir, "version-2", "acceptedEpoch")))
	assert.Equal(t, "7", readFile(t, filepath.Join(dataDir, "version-2", "currentEpoch")))
	entries, err := os.ReadDir(filepath.Join(dataDir, "version-2"))
	require.NoError(t, err)
	assert.Len(t, entries, 2, "no temporary file left behind")

	again, err := Open(dataDir)
	require.NoError(t, err)
	assert.Equal(t, int64(12), again.Accepted())
	assert.Equal(t, int64(7), again.Current())
}

// TestOpenReadsWhatZooKeeperWrites: ZooKeeper writes Long.toString
// without a newline and reads the first line, so a trailing newline (an
// operator's editor) and a sign are fine.
func TestOpenReadsWhatZooKeeperWrites(t *testing.T) {
	for _, tc := range []struct{ accepted, current string }{
		{"5", "4"}, {"5\n", "4\n"}, {"5\r\n", "4\r"}, {"+5", "4\ngarbage on line 2"},
	} {
		dataDir := t.TempDir()
		writeFile(t, filepath.Join(dataDir, "version-2", "acceptedEpoch"), tc.accepted)
		writeFile(t, filepath.Join(dataDir, "version-2", "currentEpoch"), tc.current)
		s, err := Open(dataDir)
		require.NoError(t, err, "%q/%q", tc.accepted, tc.current)
		assert.Equal(t, int64(5), s.Accepted())
		assert.Equal(t, int64(4), s.Current())
	}
}

func TestOpenCorruptFile(t *testing.T) {
	for _, content := range []string{"", "\n5", "abc", " 5", "5 ", "0x10", "-1", "1_000", "99999999999999999999", "1.5"} {
		t.Run(content, func(t *testing.T) {
			dataDir := t.TempDir()
			writeFile(t, filepath.Join(dataDir, "version-2", "acceptedEpoch"), "3")
			writeFile(t, filepath.Join(dataDir, "version-2", "currentEpoch"), content)
			_, err := Open(dataDir)
			require.ErrorIs(t, err, zab.ErrCorruptEpochFile)
			var fe *zab.EpochFileError
			require.True(t, errors.As(err, &fe))
			assert.Equal(t, filepath.Join(dataDir, "version-2", "currentEpoch"), fe.Path)
			assert.Contains(t, err.Error(), fe.Path, "the message names the file")
			assert.Contains(t, err.Error(), `found "`, "and quotes the content")
		})
	}
}

func TestOpenCorruptFileQuotesContent(t *testing.T) {
	dataDir := t.TempDir()
	writeFile(t, filepath.Join(dataDir, "version-2", "acceptedEpoch"), "twelve\n")
	writeFile(t, filepath.Join(dataDir, "version-2", "currentEpoch"), "3")
	_, err := Open(dataDir)
	require.ErrorIs(t, err, zab.ErrCorruptEpochFile)
	assert.Contains(t, err.Error(), `found "twelve" in `+filepath.Join(dataDir, "version-2", "acceptedEpoch"))
}

func TestOpenMissingFromUsedDataDir(t *testing.T) {
	cases := map[string]map[string]string{
		"only acceptedEpoch":            {"acceptedEpoch": "3"},
		"only currentEpoch":             {"currentEpoch": "3"},
		"ZooKeeper snapshot, no epochs": {"snapshot.100000000": "x"},
		"ZooKeeper log, no epochs":      {"log.100000001": "x"},
	}
	for name, files := range cases {
		t.Run(name, func(t *testing.T) {
			dataDir := t.TempDir()
			for f, c := range files {
				writeFile(t, filepath.Join(dataDir, "version-2", f), c)
			}
			_, err := Open(dataDir)
			require.ErrorIs(t, err, zab.ErrMissingEpochFile)
			var fe *zab.EpochFileError
			require.True(t, errors.As(err, &fe))
			assert.Contains(t, err.Error(), fe.Path)
			_, statErr := os.Stat(fe.Path)
			assert.True(t, os.IsNotExist(statErr), "names the missing file: %s", fe.Path)
		})
	}
}

// TestOpenIgnoresLeftoverTmp: a write interrupted before its rename
// leaves <file>.tmp; the old value stands.
func TestOpenIgnoresLeftoverTmp(t *testing.T) {
	dataDir := t.TempDir()
	writeFile(t, filepath.Join(dataDir, "version-2", "acceptedEpoch"), "4")
	writeFile(t, filepath.Join(dataDir, "version-2", "acceptedEpoch.tmp"), "5")
	writeFile(t, filepath.Join(dataDir, "version-2", "currentEpoch"), "4")
	s, err := Open(dataDir)
	require.NoError(t, err)
	assert.Equal(t, int64(4), s.Accepted())

	fresh := t.TempDir()
	writeFile(t, filepath.Join(fresh, "version-2", "currentEpoch.tmp"), "")
	s, err = Open(fresh)
	require.NoError(t, err, "a crash during the first write of a fresh dataDir")
	assert.Equal(t, int64(0), s.Current())
}

// TestOpenAcceptedBelowCurrent: ZooKeeper refuses to start.
func TestOpenAcceptedBelowCurrent(t *testing.T) {
	dataDir := t.TempDir()
	writeFile(t, filepath.Join(dataDir, "version-2", "acceptedEpoch"), "2")
	writeFile(t, filepath.Join(dataDir, "version-2", "currentEpoch"), "3")
	_, err := Open(dataDir)
	require.ErrorIs(t, err, zab.ErrEpochOrder)
	assert.Contains(t, err.Error(), "the accepted epoch, 2")
	assert.Contains(t, err.Error(), "the current epoch, 3")
}

func TestOpenNeedsDataDir(t *testing.T) {
	_, err := Open("")
	require.Error(t, err)
}

func TestStoreRefusesBadWrites(t *testing.T) {
	s, err := Open(t.TempDir())
	require.NoError(t, err)
	require.NoError(t, s.SetAccepted(5))
	require.NoError(t, s.SetCurrent(4))

	err = s.SetAccepted(4)
	require.ErrorIs(t, err, zab.ErrEpochRegression)
	assert.Contains(t, err.Error(), "acceptedEpoch 5 -> 4")

	err = s.SetCurrent(6)
	require.ErrorIs(t, err, zab.ErrEpochOrder, "a server acknowledges only an epoch it accepted")
	err = s.SetCurrent(3)
	require.ErrorIs(t, err, zab.ErrEpochRegression)

	require.NoError(t, s.SetAccepted(5), "rewriting the same value is fine")
	require.NoError(t, s.SetCurrent(5))
	assert.Equal(t, int64(5), s.Accepted())
	assert.Equal(t, int64(5), s.Current())
}

// TestStoreFailedWriteChangesNothing: when the temporary file cannot
// be created, the error names it, the file and the in-memory value keep
// the old epoch.
func TestStoreFailedWriteChangesNothing(t *testing.T) {
	dataDir := t.TempDir()
	s, err := Open(dataDir)
	require.NoError(t, err)
	require.NoError(t, s.SetAccepted(2))
	tmp := filepath.Join(dataDir, "version-2", "acceptedEpoch.tmp")
	require.NoError(t, os.Mkdir(tmp, 0o755)) // a directory where the temp file goes
	writeFile(t, filepath.Join(tmp, "keep"), "x")

	err = s.SetAccepted(3)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "acceptedEpoch.tmp")
	assert.Equal(t, int64(2), s.Accepted())
	assert.Equal(t, "2", readFile(t, filepath.Join(dataDir, "version-2", "acceptedEpoch")))
}

func TestStoreApply(t *testing.T) {
	s, err := Open(t.TempDir())
	require.NoError(t, err)
	require.NoError(t, s.Apply(zab.EpochWrite{File: zab.AcceptedEpochFile, Epoch: 3}))
	require.NoError(t, s.Apply(zab.EpochWrite{File: zab.CurrentEpochFile, Epoch: 3}))
	assert.Equal(t, int64(3), s.Accepted())
	assert.Equal(t, int64(3), s.Current())
	require.Error(t, s.Apply(zab.EpochWrite{File: 9, Epoch: 3}))
}

func TestProbeWritable(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, ProbeWritable(dir))
	_, err := os.Stat(filepath.Join(dir, ProbeName))
	assert.ErrorIs(t, err, fs.ErrNotExist, "the probe leaves nothing behind")

	err = ProbeWritable(filepath.Join(dir, "missing"))
	require.ErrorIs(t, err, fs.ErrNotExist)
	assert.Contains(t, err.Error(), "missing")
}
