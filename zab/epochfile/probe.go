package epochfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// ProbeName is the file ProbeWritable writes and removes in version-2.
const ProbeName = ".zkfle-probe"

// ProbeWritable checks that dir accepts what an epoch write does: create
// a file, write it, fsync it, remove it, fsync dir. It leaves nothing
// behind (a leftover from an interrupted probe is overwritten). The error
// wraps the system call's (EROFS, EACCES, EPERM, ENOSPC, EIO, ...).
func ProbeWritable(dir string) (err error) {
	path := filepath.Join(dir, ProbeName)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("epochfile: probing %s: %w", dir, err)
	}
	defer func() {
		if err != nil {
			_ = os.Remove(path)
		}
	}()
	if _, err := f.WriteString("probe"); err != nil {
		_ = f.Close()
		return fmt.Errorf("epochfile: probing %s: %w", dir, err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("epochfile: probing %s: %w", dir, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("epochfile: probing %s: %w", dir, err)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("epochfile: probing %s: %w", dir, err)
	}
	return syncDir(dir)
}

// Probe checks that the epoch files' directory is writable (ProbeWritable).
func (s *Store) Probe() error { return ProbeWritable(s.dir) }
