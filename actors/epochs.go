package actors

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/zkfle/zkfle/zab"
)

// epochStore is where a node keeps acceptedEpoch and currentEpoch: the
// files in dataDir (zab.EpochStore), or memory for an embedded node
// without a DataDir. It lives in the runtime, outside every actor, so the
// epochs outlive any restart.
type epochStore interface {
	// Accepted is acceptedEpoch.
	Accepted() int64
	// Current is currentEpoch: the peerEpoch of our votes.
	Current() int64
	// Apply makes one write durable before it returns.
	Apply(w zab.EpochWrite) error
	// Probe checks that a write would succeed now (zab.ProbeWritable),
	// leaving the epochs unchanged.
	Probe() error
}

// openEpochStore opens dataDir's epoch files, or starts in memory at
// cfg.CurrentEpoch when there is no DataDir.
func openEpochStore(cfg Config) (epochStore, error) {
	if cfg.DataDir == "" {
		return &memEpochs{accepted: cfg.CurrentEpoch, current: cfg.CurrentEpoch}, nil
	}
	warnMissingSnapDir(cfg.logger().With("sid", cfg.ID), cfg.DataDir)
	s, err := zab.OpenEpochs(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("epoch files in dataDir %s: %w", cfg.DataDir, err)
	}
	return s, nil
}

// warnMissingSnapDir warns when dataDir has been used (it holds myid) but
// its version-2 directory, where the epoch files live, is gone: OpenEpochs
// will create it and start at epoch 0, which is right for a new server and
// wrong for one whose files were deleted (it forgets the epochs it
// accepted). ZooKeeper would start the same way; an operator wants to know.
func warnMissingSnapDir(log *slog.Logger, dataDir string) {
	snap := filepath.Join(dataDir, zab.SnapDirName)
	if _, err := os.Stat(filepath.Join(dataDir, "myid")); err != nil {
		return // a fresh dataDir, or none yet
	}
	if _, err := os.Stat(snap); errors.Is(err, fs.ErrNotExist) {
		log.Warn("dataDir has a myid file but no version-2 directory: starting at epoch 0 with new epoch files",
			"dataDir", dataDir, "missing", snap,
			"files", zab.CurrentEpochName+", "+zab.AcceptedEpochName)
	}
}

// memEpochs keeps the epochs of a node without a DataDir in memory: they
// survive actor restarts, not the process.
type memEpochs struct {
	mu       sync.Mutex
	accepted int64
	current  int64
}

func (m *memEpochs) Accepted() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.accepted
}

func (m *memEpochs) Current() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.current
}

func (m *memEpochs) Apply(w zab.EpochWrite) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch w.File {
	case zab.AcceptedEpochFile:
		m.accepted = w.Epoch
	case zab.CurrentEpochFile:
		m.current = w.Epoch
	default:
		return fmt.Errorf("unknown epoch file %v", w.File)
	}
	return nil
}

// Probe always succeeds: memory takes every write.
func (m *memEpochs) Probe() error { return nil }
