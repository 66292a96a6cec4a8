package zab

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// The epoch files and where ZooKeeper keeps them: in the snapshot directory
// <dataDir>/version-2/ (QuorumPeer.CURRENT_EPOCH_FILENAME and
// ACCEPTED_EPOCH_FILENAME under FileTxnSnapLog's snapDir).
const (
	// SnapDirName is the subdirectory of dataDir that holds the files.
	SnapDirName = "version-2"
	// AcceptedEpochName is the file of the last epoch this server accepted
	// (from LEADERINFO as a learner, or proposed as a leader).
	AcceptedEpochName = "acceptedEpoch"
	// CurrentEpochName is the file of the last epoch this server
	// acknowledged NEWLEADER for (or established as a leader).
	CurrentEpochName = "currentEpoch"
)

// EpochStore holds a server's acceptedEpoch and currentEpoch, in memory and
// on disk, in ZooKeeper's format: decimal text, no newline, one file each.
// The in-memory value changes only after the file is durably written, so
// what the store reports is what a restart would read.
//
// EpochStore is the file implementation of EpochStorage (MemoryEpochs
// is the other). An EpochStore is safe for concurrent use.
type EpochStore struct {
	dir string

	mu       sync.Mutex
	accepted int64
	current  int64
}

// OpenEpochs opens the epoch files of dataDir, creating dataDir/version-2
// if needed.
//
//   - A fresh dataDir (neither file, and no ZooKeeper snapshot or log in
//     version-2) starts at 0: both files are written with 0, currentEpoch
//     first.
//   - A used dataDir that lacks one of the files is an error wrapping
//     ErrMissingEpochFile (ZooKeeper would derive the epoch from its last
//     zxid, which zkfle does not have).
//   - A file whose first line is not a decimal long >= 0 is an error
//     wrapping ErrCorruptEpochFile.
//   - acceptedEpoch < currentEpoch is an error wrapping ErrEpochOrder, as
//     ZooKeeper refuses to start then.
//
// File errors are *EpochFileError values naming the file and its content.
// Leftover .tmp files of an interrupted write are ignored: the rename never
// happened, so the old value stands.
func OpenEpochs(dataDir string) (*EpochStore, error) {
	if dataDir == "" {
		return nil, errors.New("zab: OpenEpochs needs a dataDir")
	}
	dir := filepath.Join(dataDir, SnapDirName)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("zab: creating %s: %w", dir, err)
	}
	s := &EpochStore{dir: dir}
	current, hasCurrent, err := readEpochFile(s.path(CurrentEpochName))
	if err != nil {
		return nil, err
	}
	accepted, hasAccepted, err := readEpochFile(s.path(AcceptedEpochName))
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
			return nil, &EpochFileError{Path: s.path(CurrentEpochName), Err: ErrMissingEpochFile}
		}
		if err := s.initFresh(); err != nil {
			return nil, err
		}
	case !hasCurrent:
		return nil, &EpochFileError{Path: s.path(CurrentEpochName), Err: ErrMissingEpochFile}
	default:
		return nil, &EpochFileError{Path: s.path(AcceptedEpochName), Err: ErrMissingEpochFile}
	}
	if accepted < current {
		return nil, fmt.Errorf("%w: the accepted epoch, %d (%s), is less than the current epoch, %d (%s)",
			ErrEpochOrder, accepted, s.path(AcceptedEpochName), current, s.path(CurrentEpochName))
	}
	s.accepted, s.current = accepted, current
	return s, nil
}

// initFresh writes both files with 0. currentEpoch goes first: a crash
// between the two writes leaves a used dataDir without acceptedEpoch,
// which the next OpenEpochs reports instead of guessing.
func (s *EpochStore) initFresh() error {
	if err := writeEpochFile(s.path(CurrentEpochName), 0); err != nil {
		return err
	}
	return writeEpochFile(s.path(AcceptedEpochName), 0)
}

// holdsZooKeeperData reports whether dir has ZooKeeper snapshots or
// transaction logs (snapshot.<zxid>, log.<zxid>).
func holdsZooKeeperData(dir string) (bool, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, fmt.Errorf("zab: listing %s: %w", dir, err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "snapshot.") || strings.HasPrefix(e.Name(), "log.") {
			return true, nil
		}
	}
	return false, nil
}

func (s *EpochStore) path(name string) string { return filepath.Join(s.dir, name) }

// Dir returns the directory holding the files (<dataDir>/version-2).
func (s *EpochStore) Dir() string { return s.dir }

// Accepted returns acceptedEpoch.
func (s *EpochStore) Accepted() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted
}

// Current returns currentEpoch.
func (s *EpochStore) Current() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current
}

// SetAccepted durably records e as acceptedEpoch. It refuses an e below the
// accepted epoch (ErrEpochRegression); since acceptedEpoch >= currentEpoch,
// that also keeps it at or above the current epoch. On error the stored
// value is unchanged.
func (s *EpochStore) SetAccepted(e int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := acceptedRule(s.accepted, e, s.path(AcceptedEpochName)); err != nil {
		return err
	}
	if err := writeEpochFile(s.path(AcceptedEpochName), e); err != nil {
		return err
	}
	s.accepted = e
	return nil
}

// SetCurrent durably records e as currentEpoch. It refuses an e above the
// accepted epoch (ErrEpochOrder: a server acknowledges only an epoch it has
// accepted) or below the current one (ErrEpochRegression). On error the
// stored value is unchanged.
func (s *EpochStore) SetCurrent(e int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := currentRule(s.accepted, s.current, e, s.path(CurrentEpochName)); err != nil {
		return err
	}
	if err := writeEpochFile(s.path(CurrentEpochName), e); err != nil {
		return err
	}
	s.current = e
	return nil
}

// Apply carries out one of a session's EpochWrite outputs.
func (s *EpochStore) Apply(w EpochWrite) error { return applyEpochWrite(s, w) }
