package epochfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/zkfle/zkfle/zab"
)

// tmpSuffix is the extension of the file an atomic write goes through,
// ZooKeeper's AtomicFileOutputStream.TMP_EXTENSION.
const tmpSuffix = ".tmp"

// maxEpochFileLen bounds how much of an epoch file is read: a decimal long
// takes at most 20 bytes, so anything near this size is corrupt anyway.
const maxEpochFileLen = 4096

// readEpochFile reads an epoch file as QuorumPeer.readLongFromFile does:
// the first line (ended by \n, \r or \r\n, as BufferedReader.readLine) as a
// decimal long, which zkfle also requires to be >= 0. A missing file gives
// exists=false and no error.
func readEpochFile(path string) (epoch int64, exists bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("epochfile: reading epoch file: %w", err)
	}
	defer f.Close()
	content, err := io.ReadAll(io.LimitReader(f, maxEpochFileLen))
	if err != nil {
		return 0, true, fmt.Errorf("epochfile: reading epoch file %s: %w", path, err)
	}
	v, line, ok := parseEpoch(content)
	if !ok {
		return 0, true, &zab.EpochFileError{Path: path, Content: line, Err: zab.ErrCorruptEpochFile}
	}
	return v, true, nil
}

// parseEpoch parses an epoch file's content: its first line, ended by \n,
// \r or \r\n as BufferedReader.readLine, must be what Long.parseLong
// accepts (an optional sign and decimal digits, no blanks) and >= 0. It
// returns the line it looked at.
func parseEpoch(content []byte) (epoch int64, line string, ok bool) {
	if i := bytes.IndexAny(content, "\r\n"); i >= 0 {
		content = content[:i]
	}
	line = string(content)
	v, err := strconv.ParseInt(line, 10, 64)
	if err != nil || v < 0 {
		return 0, line, false
	}
	return v, line, true
}

// writeEpochFile writes epoch as decimal text with no newline (Java's
// Long.toString) atomically, as AtomicFileWritingIdiom does, plus the
// directory fsync Java leaves out: write <path>.tmp, fsync it, rename it
// over path, fsync the directory so that the rename itself is durable. On
// failure the temporary file is removed and path is untouched.
func writeEpochFile(path string, epoch int64) (err error) {
	tmp := path + tmpSuffix
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("epochfile: writing epoch file: %w", err)
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	if _, err := f.Write(strconv.AppendInt(nil, epoch, 10)); err != nil {
		_ = f.Close()
		return fmt.Errorf("epochfile: writing epoch file %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("epochfile: syncing epoch file %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("epochfile: closing epoch file %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("epochfile: renaming epoch file: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

// syncDir fsyncs a directory, making a rename in it durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("epochfile: syncing directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("epochfile: syncing directory %s: %w", dir, err)
	}
	return nil
}
