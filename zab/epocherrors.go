package zab

import (
	"errors"
	"fmt"
)

// Sentinel errors of the epoch store, wrapped by *EpochFileError or by the
// errors of SetAccepted and SetCurrent (test with errors.Is).
var (
	// ErrCorruptEpochFile: an epoch file's first line is not a decimal
	// long >= 0 (ZooKeeper's readLongFromFile: "Found <line> in <file>").
	ErrCorruptEpochFile = errors.New("zab: corrupt epoch file")

	// ErrMissingEpochFile: a used dataDir (one that holds the other epoch
	// file, or ZooKeeper snapshots or logs) lacks an epoch file. ZooKeeper
	// would recreate it from its last zxid; zkfle keeps no database to take
	// it from, and guessing could let this server accept an epoch twice.
	ErrMissingEpochFile = errors.New("zab: epoch file missing from a used dataDir")

	// ErrEpochOrder: acceptedEpoch < currentEpoch, on disk (ZooKeeper
	// refuses to start: "The accepted epoch, a is less than the current
	// epoch, c") or in a write that would make it so.
	ErrEpochOrder = errors.New("zab: accepted epoch less than current epoch")

	// ErrEpochRegression: a write would lower an epoch. Epochs a server
	// accepted or acknowledged must never go back, or it could acknowledge
	// the same epoch to two leaders.
	ErrEpochRegression = errors.New("zab: epoch would go backwards")
)

// IsDiskFault reports whether a failed epoch write is the storage's fault
// (the disk refused it: read-only, full, an I/O error), not a value the
// epoch rules refused before writing (ErrEpochRegression, ErrEpochOrder):
// a refused value says nothing about the disk. The QuorumPeer's disk-fault
// rule (quorumpeer.Peer.DiskFailed) takes only the first kind; the actors
// and nodesim both classify with this one function.
func IsDiskFault(err error) bool {
	return err != nil && !errors.Is(err, ErrEpochRegression) && !errors.Is(err, ErrEpochOrder)
}

// EpochFileError reports a bad epoch file: which file, what it held, and
// what is wrong (Err wraps one of the sentinels above). Use errors.As.
type EpochFileError struct {
	// Path is the file's path.
	Path string
	// Content is the offending first line (empty for a missing file); it
	// is truncated to 64 bytes in the message.
	Content string
	// Err is the sentinel saying what is wrong.
	Err error
}

// Error names the file and quotes the content.
func (e *EpochFileError) Error() string {
	if errors.Is(e.Err, ErrMissingEpochFile) {
		return fmt.Sprintf("%v: %s", e.Err, e.Path)
	}
	c := e.Content
	if len(c) > 64 {
		c = c[:64] + "..."
	}
	return fmt.Sprintf("%v: found %q in %s", e.Err, c, e.Path)
}

// Unwrap returns the sentinel.
func (e *EpochFileError) Unwrap() error { return e.Err }
