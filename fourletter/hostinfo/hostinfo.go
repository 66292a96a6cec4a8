// Package hostinfo reads the facts about the machine and the process that
// ZooKeeper's four-letter words print and a JVM would supply: open and
// maximum file descriptors (mntr), the host and user (envi), and the
// bytes in a data directory (conf, dirs). Each returns what it could read
// and leaves the rest empty, so an answer never fails for want of one.
package hostinfo

import (
	"bufio"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/zkfle/zkfle/fourletter"
)

// Linux's per-process views. Elsewhere they do not exist, and the values
// they give are reported as unknown, as a JVM without
// UnixOperatingSystemMXBean does.
const (
	procFDs        = "/proc/self/fd"
	procLimits     = "/proc/self/limits"
	procOSRelease  = "/proc/sys/kernel/osrelease"
	openFilesLimit = "Max open files"
)

// Descriptors returns the process's open descriptor count and its soft
// limit, or nil when either cannot be read.
func Descriptors() *fourletter.FileDescriptors {
	entries, err := os.ReadDir(procFDs)
	if err != nil {
		return nil
	}
	max, ok := softOpenFilesLimit(procLimits)
	if !ok {
		return nil
	}
	// ReadDir held one descriptor of its own on the directory while
	// listing it.
	return &fourletter.FileDescriptors{Open: int64(len(entries)) - 1, Max: max}
}

// softOpenFilesLimit reads the "Max open files" soft limit from a
// /proc/<pid>/limits file ("unlimited" is reported as unknown).
func softOpenFilesLimit(path string) (int64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, found := strings.CutPrefix(sc.Text(), openFilesLimit)
		if !found {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			return 0, false
		}
		n, err := strconv.ParseInt(fields[0], 10, 64)
		return n, err == nil
	}
	return 0, false
}

// Host describes this machine and process for envi. Fields it cannot
// read stay empty (envi prints "<NA>").
func Host() fourletter.Host {
	h := fourletter.Host{OS: runtime.GOOS, Arch: runtime.GOARCH}
	h.Name, _ = os.Hostname()
	if b, err := os.ReadFile(procOSRelease); err == nil {
		h.OSVersion = strings.TrimSpace(string(b))
	}
	if u, err := user.Current(); err == nil {
		h.User, h.Home = u.Username, u.HomeDir
	}
	if h.Home == "" {
		h.Home, _ = os.UserHomeDir()
	}
	h.WorkDir, _ = os.Getwd()
	return h
}

// VersionDirSize is ZooKeeper's getDataDirSize/getLogDirSize: the bytes of
// every file under dir's "version-2" subdirectory, 0 when there is none (a
// zkfle node writes no snapshots or logs there). What cannot be read
// counts as empty, as Java's File.length does.
func VersionDirSize(dir string) int64 {
	var total int64
	_ = filepath.WalkDir(filepath.Join(dir, "version-2"), func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil // unreadable: skip it, keep walking
		}
		if info, err := d.Info(); err == nil {
			total += info.Size()
		}
		return nil
	})
	return total
}
