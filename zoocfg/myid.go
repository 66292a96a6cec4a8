package zoocfg

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// maxMyIDLine bounds how much of a myid file is read: a Java long has at
// most 20 characters, so a longer first line is wrong whatever follows.
const maxMyIDLine = 64

// ReadMyID reads <dataDir>/myid as ZooKeeper does
// (QuorumPeerConfig.setupMyId): the first line, up to \n, \r or \r\n,
// parsed with Long.parseLong. Nothing is trimmed, so "1 " is an error; a
// sign is allowed ("+3"), as in Java. -1 is refused: it is ZooKeeper's
// "no myid" marker. Errors are *Error wrapping ErrBadMyID (and
// fs.ErrNotExist for a missing file), naming the file.
func ReadMyID(dataDir string) (int64, error) {
	path := filepath.Join(dataDir, "myid")
	fail := func(value, reason string, wrapped error) (int64, error) {
		return 0, &Error{File: path, Key: "myid", Value: value, Reason: reason, Err: wrapped}
	}
	fh, err := os.Open(path)
	if err != nil {
		return fail("", "myid file is missing: "+readFailure(err), fmt.Errorf("%w: %w", ErrBadMyID, err))
	}
	defer fh.Close()
	info, err := fh.Stat()
	if err == nil && !info.Mode().IsRegular() {
		return fail("", "myid file is missing: not a regular file", ErrBadMyID)
	}
	head, err := io.ReadAll(io.LimitReader(fh, maxMyIDLine+1))
	if err != nil {
		return fail("", readFailure(err), fmt.Errorf("%w: %w", ErrBadMyID, err))
	}
	if len(head) == 0 {
		return fail("", "empty file", ErrBadMyID)
	}
	line := head
	if i := bytes.IndexAny(head, "\r\n"); i >= 0 {
		line = head[:i]
	} else if len(head) > maxMyIDLine {
		return fail(string(head[:maxMyIDLine])+"...", "first line is too long for a server id", ErrBadMyID)
	}
	id, ok := parseJavaLong(string(line))
	if !ok {
		return fail(string(line), "not a decimal integer (ZooKeeper does not trim the line)", ErrBadMyID)
	}
	if id == -1 {
		return fail(string(line), "-1 is ZooKeeper's 'no myid' marker", ErrBadMyID)
	}
	return id, nil
}
