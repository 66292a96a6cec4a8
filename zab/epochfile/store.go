package epochfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/zkfle/zkfle/zab"
)

// SnapDirName is the subdirectory of dataDir that holds the epoch files,
// ZooKeeper's snapshot directory (FileTxnSnapLog's snapDir); the files
// are named zab.AcceptedEpochName and zab.CurrentEpochName, as
// QuorumPeer's ACCEPTED_EPOCH_FILENAME and CURRENT_EPOCH_FILENAME.
const SnapDirName = "version-2"

// Store holds a server's acceptedEpoch and currentEpoch, in memory and
// on disk, in ZooKeeper's format: decimal text, no newline, one file each.
// The in-memory value changes only after the file is durably written, so
// what the store reports is what a restart would read.
//
// Store is the file implementation of zab.EpochStorage (zab.MemoryEpochs
// is the other). A Store is safe for concurrent use: its mutex makes a
// rule check and the write it allows one step.
type Store struct {
	dir string

	mu       sync.Mutex
	accepted int64
	current  int64
}

// Open opens the epoch files of dataDir, creating dataDir/version-2
// if needed.
//
//   - A fresh dataDir (neither file, and no ZooKeeper snapshot or log in
//     version-2) starts at 0: both files are written with 0, currentEpoch
//     first.
//   - A used dataDir that lacks one of the files is an error wrapping
//     zab.ErrMissingEpochFile (ZooKeeper would derive the epoch from its last
//     zxid, which zkfle does not have).
//   - A file whose first line is not a decimal long >= 0 is an error
//     wrapping zab.ErrCorruptEpochFile.
//   - acceptedEpoch < currentEpoch is an error wrapping zab.ErrEpochOrder, as
//     ZooKeeper refuses to start then.
//
// File errors are *zab.EpochFileError values naming the file and its content.
// Leftover .tmp files of an interrupted write are ignored: the rename never
// happened, so the old value stands.
func Open(dataDir string) (*Store, error) {
	if dataDir == "" {
		return nil, errors.New("epochfile: Open needs a dataDir")
	}
	dir := filepath.Join(dataDir, SnapDirName)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("epochfile: creating %s: %w", dir, err)
	}
	s := &Store{dir: dir}
	current, hasCurrent, err := readEpochFile(s.path(zab.CurrentEpochName))
	if err != nil {
		return nil, err
	}
	accepted, hasAccepted, err := readEpochFile(s.path(zab.AcceptedEpochName))
	if err != nil {
		return nil, err
	}
	switch {
	case hasCurrent && hasAccepted:
	case !hasCurrent && !hasAccepted:
		used, err := holdsZooKeeperData(dir)
		if err != nil {
			return nil, err
		}
		if used {
			return nil, &zab.EpochFileError{Path: s.path(zab.CurrentEpochName), Err: zab.ErrMissingEpochFile}
		}
		if err := s.initFresh(); err != nil {
			return nil, err
		}
	case !hasCurrent:
		return nil, &zab.EpochFileError{Path: s.path(zab.CurrentEpochName), Err: zab.ErrMissingEpochFile}
	default:
		return nil, &zab.EpochFileError{Path: s.path(zab.AcceptedEpochName), Err: zab.ErrMissingEpochFile}
	}
	if accepted < current {
		return nil, fmt.Errorf("%w: the accepted epoch, %d (%s), is less than the current epoch, %d (%s)",
			zab.ErrEpochOrder, accepted, s.path(zab.AcceptedEpochName), current, s.path(zab.CurrentEpochName))
	}
	s.accepted, s.current = accepted, current
	return s, nil
}

// initFresh writes both files with 0. currentEpoch goes first: a crash
// between the two writes leaves a used dataDir without acceptedEpoch,
// which the next Open reports instead of guessing.
func (s *Store) initFresh() error {
	if err := writeEpochFile(s.path(zab.CurrentEpochName), 0); err != nil {
		return err
	}
	return writeEpochFile(s.path(zab.AcceptedEpochName), 0)
}

// holdsZooKeeperData reports whether dir has ZooKeeper snapshots or
// transaction logs (snapshot.<zxid>, log.<zxid>).
func holdsZooKeeperData(dir string) (bool, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, fmt.Errorf("epochfile: listing %s: %w", dir, err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "snapshot.") || strings.HasPrefix(e.Name(), "log.") {
			return true, nil
		}
	}
	return false, nil
}

func (s *Store) path(name string) string { return filepath.Join(s.dir, name) }

// Dir returns the directory holding the files (<dataDir>/version-2).
func (s *Store) Dir() string { return s.dir }

// Accepted returns acceptedEpoch.
func (s *Store) Accepted() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted
}

// Current returns currentEpoch.
func (s *Store) Current() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current
}

// SetAccepted durably records e as acceptedEpoch. It refuses an e below the
// accepted epoch (zab.AcceptedRule: zab.ErrEpochRegression); since acceptedEpoch >= currentEpoch,
// that also keeps it at or above the current epoch. On error the stored
// value is unchanged.
func (s *Store) SetAccepted(e int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := zab.AcceptedRule(s.accepted, e, s.path(zab.AcceptedEpochName)); err != nil {
		return err
	}
	if err := writeEpochFile(s.path(zab.AcceptedEpochName), e); err != nil {
		return err
	}
	s.accepted = e
	return nil
}

// SetCurrent durably records e as currentEpoch. It refuses an e above the
// accepted epoch (zab.CurrentRule: zab.ErrEpochOrder, a server
// acknowledges only an epoch it has accepted) or below the current one
// (zab.ErrEpochRegression). On error the
// stored value is unchanged.
func (s *Store) SetCurrent(e int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := zab.CurrentRule(s.accepted, s.current, e, s.path(zab.CurrentEpochName)); err != nil {
		return err
	}
	if err := writeEpochFile(s.path(zab.CurrentEpochName), e); err != nil {
		return err
	}
	s.current = e
	return nil
}

// Apply carries out one of a session's zab.EpochWrite outputs.
func (s *Store) Apply(w zab.EpochWrite) error { return zab.ApplyEpochWrite(s, w) }

var _ zab.EpochStorage = (*Store)(nil)
