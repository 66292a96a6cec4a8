package hostinfo

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVersionDirSizeCountsEveryFileUnderVersion2(t *testing.T) {
	dir := t.TempDir()
	assert.Zero(t, VersionDirSize(dir), "no version-2: nothing written")
	v2 := filepath.Join(dir, "version-2")
	require.NoError(t, os.MkdirAll(filepath.Join(v2, "sub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(v2, "snapshot.0"), make([]byte, 100), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(v2, "sub", "log.1"), make([]byte, 23), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "myid"), []byte("1\n"), 0o644))
	assert.Equal(t, int64(123), VersionDirSize(dir), "files beside version-2 do not count")
	assert.Zero(t, VersionDirSize(filepath.Join(dir, "missing")))
}

func TestSoftOpenFilesLimit(t *testing.T) {
	write := func(text string) string {
		p := filepath.Join(t.TempDir(), "limits")
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
		return p
	}
	limits := "Limit                     Soft Limit           Hard Limit           Units     \n" +
		"Max cpu time              unlimited            unlimited            seconds   \n" +
		"Max open files            20000                1048576              files     \n"
	n, ok := softOpenFilesLimit(write(limits))
	assert.True(t, ok)
	assert.Equal(t, int64(20000), n)

	_, ok = softOpenFilesLimit(write("Max open files            unlimited            unlimited            files\n"))
	assert.False(t, ok, "unlimited is not a number")
	_, ok = softOpenFilesLimit(write("Max cpu time unlimited\n"))
	assert.False(t, ok, "no open-files line")
	_, ok = softOpenFilesLimit(filepath.Join(t.TempDir(), "absent"))
	assert.False(t, ok)
}

func TestDescriptorsSeeANewlyOpenedFile(t *testing.T) {
	if runtime.GOOS != "linux" {
		assert.Nil(t, Descriptors(), "only Linux has /proc/self/fd")
		return
	}
	before := Descriptors()
	require.NotNil(t, before)
	f, err := os.Open(os.DevNull)
	require.NoError(t, err)
	defer f.Close()
	after := Descriptors()
	require.NotNil(t, after)
	assert.Equal(t, before.Open+1, after.Open)
	assert.Positive(t, after.Max)
	assert.LessOrEqual(t, after.Open, after.Max)
}

func TestHost(t *testing.T) {
	h := Host()
	assert.Equal(t, runtime.GOOS, h.OS)
	assert.Equal(t, runtime.GOARCH, h.Arch)
	wd, err := os.Getwd()
	require.NoError(t, err)
	assert.Equal(t, wd, h.WorkDir)
	if name, err := os.Hostname(); err == nil {
		assert.Equal(t, name, h.Name)
	}
}
