package freeport

import (
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// Ports are also reserved across processes: `go test ./...` runs several
// packages' test binaries at once, each with its own given map, and two
// of them drawing the same unbound port would both find it bindable. A
// reservation is an exclusive flock on DIR/<port>.lock held for the
// life of the process: the kernel drops it when the process exits, even
// by kill -9, so nothing stale is left to clean up (the empty lock files
// stay, one per port ever drawn, at most the size of the range).

// reserveDir is where the lock files live; tests point it elsewhere.
var reserveDir = filepath.Join(os.TempDir(), "zkfle-freeport")

// held keeps the reservations' files open (closing one drops its lock).
var held []*os.File

// reserve takes port's cross-process reservation, reporting false if
// another live process holds it. Without a usable directory it reports
// true: the in-process map still keeps this process's ports distinct.
// Called with mu held.
func reserve(port int) bool {
	if err := os.MkdirAll(reserveDir, 0o777); err != nil {
		return true
	}
	f, err := os.OpenFile(filepath.Join(reserveDir, strconv.Itoa(port)+".lock"), os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return true
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close() // not ours: another process holds the port
		return false
	}
	held = append(held, f)
	return true
}
