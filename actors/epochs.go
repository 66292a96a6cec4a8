package actors

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/zkfle/zkfle/zab"
	"github.com/zkfle/zkfle/zab/epochfile"
)

// epochStore is where a node keeps acceptedEpoch and currentEpoch: the
// files in dataDir (epochfile.Store), or memory for an embedded node
// without a DataDir (zab.MemoryEpochs); both are zab.EpochStorage, of
// which the actors need only these methods. It lives in the runtime, outside every actor, so the
// epochs outlive any restart.
type epochStore interface {
	// Accepted is acceptedEpoch.
	Accepted() int64
	// Current is currentEpoch: the peerEpoch of our votes.
	Current() int64
	// Apply makes one write durable before it returns.
	Apply(w zab.EpochWrite) error
	// Probe checks that a write would succeed now (epochfile.ProbeWritable),
	// leaving the epochs unchanged.
	Probe() error
}

// openEpochStore opens dataDir's epoch files, or starts in memory at
// cfg.CurrentEpoch when there is no DataDir.
func openEpochStore(cfg Config) (epochStore, error) {
	if cfg.DataDir == "" {
		// The same rules as the files (zab.EpochStorage): epochs never go
		// back, currentEpoch never passes acceptedEpoch. They survive
		// actor restarts, not the process.
		return zab.NewMemoryEpochs(cfg.CurrentEpoch, cfg.CurrentEpoch)
	}
	warnMissingSnapDir(cfg.logger().With("sid", cfg.ID), cfg.DataDir)
	s, err := epochfile.Open(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("epoch files in dataDir %s: %w", cfg.DataDir, err)
	}
	return s, nil
}

// warnMissingSnapDir warns when dataDir has been used (it holds myid) but
// its version-2 directory, where the epoch files live, is gone: epochfile.Open
// will create it and start at epoch 0, which is right for a new server and
// wrong for one whose files were deleted (it forgets the epochs it
// accepted). ZooKeeper would start the same way; an operator wants to know.
func warnMissingSnapDir(log *slog.Logger, dataDir string) {
	snap := filepath.Join(dataDir, epochfile.SnapDirName)
	if _, err := os.Stat(filepath.Join(dataDir, "myid")); err != nil {
		return // a fresh dataDir, or none yet
	}
	if _, err := os.Stat(snap); errors.Is(err, fs.ErrNotExist) {
		log.Warn("dataDir has a myid file but no version-2 directory: starting at epoch 0 with new epoch files",
			"dataDir", dataDir, "missing", snap,
			"files", zab.CurrentEpochName+", "+zab.AcceptedEpochName)
	}
}
