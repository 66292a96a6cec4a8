package zoocfg

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadMyID follows Long.parseLong(new BufferedReader(...).readLine()):
// the first line, untrimmed.
func TestReadMyID(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    int64
		reason  string // "" when the id is valid
	}{
		{"newline", "1\n", 1, ""},
		{"no newline", "42", 42, ""},
		{"crlf", "7\r\n", 7, ""},
		{"cr alone ends a line", "7\rjunk", 7, ""},
		{"only the first line counts", "3\nnot a number\n", 3, ""},
		{"plus sign", "+5\n", 5, ""},
		{"largest long", "9223372036854775807\n", 9223372036854775807, ""},
		{"negative", "-2\n", -2, ""},
		{"trailing space", "1 \n", 0, "not a decimal integer (ZooKeeper does not trim the line)"},
		{"leading space", " 1\n", 0, "not a decimal integer"},
		{"tab", "1\t\n", 0, "not a decimal integer"},
		{"empty file", "", 0, "empty file"},
		{"empty first line", "\n1\n", 0, "not a decimal integer"},
		{"hex", "0x1\n", 0, "not a decimal integer"},
		{"too big", "9223372036854775808\n", 0, "not a decimal integer"},
		{"byte order mark", "\ufeff1\n", 0, "not a decimal integer"},
		{"unset marker", "-1\n", 0, "-1 is ZooKeeper's 'no myid' marker"},
		{"huge first line", strings.Repeat("1", 100), 0, "first line is too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"myid": tt.content})
			id, err := ReadMyID(dir)
			if tt.reason == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, id)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrBadMyID)
			var e *Error
			require.True(t, errors.As(err, &e))
			assert.Equal(t, filepath.Join(dir, "myid"), e.File, "the error names the file")
			assert.Equal(t, "myid", e.Key)
			assert.Contains(t, e.Reason, tt.reason)
			assert.Contains(t, err.Error(), filepath.Join(dir, "myid")+": myid=")
		})
	}
}

func TestReadMyIDMissing(t *testing.T) {
	dir := t.TempDir()
	_, err := ReadMyID(dir)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrBadMyID)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.Contains(t, err.Error(), filepath.Join(dir, "myid")+`: myid="": myid file is missing`)

	// ZooKeeper only reads a regular file (File.isFile).
	require.NoError(t, os.Mkdir(filepath.Join(dir, "myid"), 0o755))
	_, err = ReadMyID(dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a regular file")
}
