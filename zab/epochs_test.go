package zab

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

func TestOpenEpochsFreshDataDirStartsAtZero(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "does", "not", "exist")
	s, err := OpenEpochs(dataDir)
	require.NoError(t, err)
	assert.Equal(t, int64(0), s.Accepted())
	assert.Equal(t, int64(0), s.Current())
	assert.Equal(t, filepath.Join(dataDir, "version-2"), s.Dir())
	assert.Equal(t, "0", readFile(t, filepath.Join(dataDir, "version-2", "acceptedEpoch")), "written at once, no newline")
	assert.Equal(t, "0", readFile(t, filepath.Join(dataDir, "version-2", "currentEpoch")))
}

func TestEpochStoreWritesZooKeeperFormatAndReopens(t *testing.T) {
	dataDir := t.TempDir()
	s, err := OpenEpochs(dataDir)
	require.NoError(t, err)
	require.NoError(t, s.SetAccepted(7))
	require.NoError(t, s.SetCurrent(7))
	require.NoError(t, s.SetAccepted(12))
	assert.Equal(t, "12", readFile(t, filepath.Join(dataDir, "version-2", "acceptedEpoch")))
	assert.Equal(t, "7", readFile(t, filepath.Join(dataDir, "version-2", "currentEpoch")))
	entries, err := os.ReadDir(filepath.Join(dataDir, "version-2"))
	require.NoError(t, err)
	assert.Len(t, entries, 2, "no temporary file left behind")

	again, err := OpenEpochs(dataDir)
	require.NoError(t, err)
	assert.Equal(t, int64(12), again.Accepted())
	assert.Equal(t, int64(7), again.Current())
}

// TestOpenEpochsReadsWhatZooKeeperWrites: ZooKeeper writes Long.toString
// without a newline and reads the first line, so a trailing newline (an
// operator's editor) and a sign are fine.
func TestOpenEpochsReadsWhatZooKeeperWrites(t *testing.T) {
	for _, tc := range []struct{ accepted, current string }{
		{"5", "4"}, {"5\n", "4\n"}, {"5\r\n", "4\r"}, {"+5", "4\ngarbage on line 2"},
	} {
		dataDir := t.TempDir()
		writeFile(t, filepath.Join(dataDir, "version-2", "acceptedEpoch"), tc.accepted)
		writeFile(t, filepath.Join(dataDir, "version-2", "currentEpoch"), tc.current)
		s, err := OpenEpochs(dataDir)
		require.NoError(t, err, "%q/%q", tc.accepted, tc.current)
		assert.Equal(t, int64(5), s.Accepted())
		assert.Equal(t, int64(4), s.Current())
	}
}

func TestOpenEpochsCorruptFile(t *testing.T) {
	for _, content := range []string{"", "\n5", "abc", " 5", "5 ", "0x10", "-1", "1_000", "99999999999999999999", "1.5"} {
		t.Run(content, func(t *testing.T) {
			dataDir := t.TempDir()
			writeFile(t, filepath.Join(dataDir, "version-2", "acceptedEpoch"), "3")
			writeFile(t, filepath.Join(dataDir, "version-2", "currentEpoch"), content)
			_, err := OpenEpochs(dataDir)
			require.ErrorIs(t, err, ErrCorruptEpochFile)
			var fe *EpochFileError
			require.True(t, errors.As(err, &fe))
			assert.Equal(t, filepath.Join(dataDir, "version-2", "currentEpoch"), fe.Path)
			assert.Contains(t, err.Error(), fe.Path, "the message names the file")
			assert.Contains(t, err.Error(), `found "`, "and quotes the content")
		})
	}
}

func TestOpenEpochsCorruptFileQuotesContent(t *testing.T) {
	dataDir := t.TempDir()
	writeFile(t, filepath.Join(dataDir, "version-2", "acceptedEpoch"), "twelve\n")
	writeFile(t, filepath.Join(dataDir, "version-2", "currentEpoch"), "3")
	_, err := OpenEpochs(dataDir)
	require.ErrorIs(t, err, ErrCorruptEpochFile)
	assert.Contains(t, err.Error(), `found "twelve" in `+filepath.Join(dataDir, "version-2", "acceptedEpoch"))
}

func TestOpenEpochsMissingFromUsedDataDir(t *testing.T) {
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
			_, err := OpenEpochs(dataDir)
			require.ErrorIs(t, err, ErrMissingEpochFile)
			var fe *EpochFileError
			require.True(t, errors.As(err, &fe))
			assert.Contains(t, err.Error(), fe.Path)
			_, statErr := os.Stat(fe.Path)
			assert.True(t, os.IsNotExist(statErr), "names the missing file: %s", fe.Path)
		})
	}
}

// TestOpenEpochsIgnoresLeftoverTmp: a write interrupted before its rename
// leaves <file>.tmp; the old value stands.
func TestOpenEpochsIgnoresLeftoverTmp(t *testing.T) {
	dataDir := t.TempDir()
	writeFile(t, filepath.Join(dataDir, "version-2", "acceptedEpoch"), "4")
	writeFile(t, filepath.Join(dataDir, "version-2", "acceptedEpoch.tmp"), "5")
	writeFile(t, filepath.Join(dataDir, "version-2", "currentEpoch"), "4")
	s, err := OpenEpochs(dataDir)
	require.NoError(t, err)
	assert.Equal(t, int64(4), s.Accepted())

	fresh := t.TempDir()
	writeFile(t, filepath.Join(fresh, "version-2", "currentEpoch.tmp"), "")
	s, err = OpenEpochs(fresh)
	require.NoError(t, err, "a crash during the first write of a fresh dataDir")
	assert.Equal(t, int64(0), s.Current())
}

// TestOpenEpochsAcceptedBelowCurrent: ZooKeeper refuses to start.
func TestOpenEpochsAcceptedBelowCurrent(t *testing.T) {
	dataDir := t.TempDir()
	writeFile(t, filepath.Join(dataDir, "version-2", "acceptedEpoch"), "2")
	writeFile(t, filepath.Join(dataDir, "version-2", "currentEpoch"), "3")
	_, err := OpenEpochs(dataDir)
	require.ErrorIs(t, err, ErrEpochOrder)
	assert.Contains(t, err.Error(), "the accepted epoch, 2")
	assert.Contains(t, err.Error(), "the current epoch, 3")
}

func TestOpenEpochsNeedsDataDir(t *testing.T) {
	_, err := OpenEpochs("")
	require.Error(t, err)
}

func TestEpochStoreRefusesBadWrites(t *testing.T) {
	s, err := OpenEpochs(t.TempDir())
	require.NoError(t, err)
	require.NoError(t, s.SetAccepted(5))
	require.NoError(t, s.SetCurrent(4))

	err = s.SetAccepted(4)
	require.ErrorIs(t, err, ErrEpochRegression)
	assert.Contains(t, err.Error(), "acceptedEpoch 5 -> 4")

	err = s.SetCurrent(6)
	require.ErrorIs(t, err, ErrEpochOrder, "a server acknowledges only an epoch it accepted")
	err = s.SetCurrent(3)
	require.ErrorIs(t, err, ErrEpochRegression)

	require.NoError(t, s.SetAccepted(5), "rewriting the same value is fine")
	require.NoError(t, s.SetCurrent(5))
	assert.Equal(t, int64(5), s.Accepted())
	assert.Equal(t, int64(5), s.Current())
}

// TestEpochStoreFailedWriteChangesNothing: when the temporary file cannot
// be created, the error names it, the file and the in-memory value keep
// the old epoch.
func TestEpochStoreFailedWriteChangesNothing(t *testing.T) {
	dataDir := t.TempDir()
	s, err := OpenEpochs(dataDir)
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

func TestEpochStoreApply(t *testing.T) {
	s, err := OpenEpochs(t.TempDir())
	require.NoError(t, err)
	require.NoError(t, s.Apply(EpochWrite{File: AcceptedEpochFile, Epoch: 3}))
	require.NoError(t, s.Apply(EpochWrite{File: CurrentEpochFile, Epoch: 3}))
	assert.Equal(t, int64(3), s.Accepted())
	assert.Equal(t, int64(3), s.Current())
	require.Error(t, s.Apply(EpochWrite{File: 9, Epoch: 3}))
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
