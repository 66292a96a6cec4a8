package actors

import (
	"fmt"
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
}

// openEpochStore opens dataDir's epoch files, or starts in memory at
// cfg.CurrentEpoch when there is no DataDir.
func openEpochStore(cfg Config) (epochStore, error) {
	if cfg.DataDir == "" {
		return &memEpochs{accepted: cfg.CurrentEpoch, current: cfg.CurrentEpoch}, nil
	}
	s, err := zab.OpenEpochs(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("epoch files in dataDir %s: %w", cfg.DataDir, err)
	}
	return s, nil
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
