package netns

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
)

// Supported reports, by trying, whether this process can make a network
// namespace with a veth pair in it. The error wraps ErrUnsupported and
// says why not.
func Supported() error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("%w: not root (euid %d)", ErrUnsupported, os.Geteuid())
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return fmt.Errorf("%w: no ip(8): %v", ErrUnsupported, err)
	}
	probe := fmt.Sprintf("%s%d-probe", NamePrefix, os.Getpid())
	if err := ip("netns", "add", probe); err != nil {
		return fmt.Errorf("%w: %v", ErrUnsupported, err)
	}
	defer func() { _ = ip("netns", "del", probe) }()
	if err := ip("-n", probe, "link", "add", "name", "a0", "type", "veth", "peer", "name", "b0"); err != nil {
		return fmt.Errorf("%w: %v", ErrUnsupported, err)
	}
	if err := ip("-n", probe, "link", "add", "name", "br0", "type", "bridge"); err != nil {
		return fmt.Errorf("%w: %v", ErrUnsupported, err)
	}
	return nil
}

// labName matches the names New makes (and Supported's probe).
var labName = regexp.MustCompile(`^` + regexp.QuoteMeta(NamePrefix) + `(\d+)-(?:\d+-(?:hub|n\d+)|probe)$`)

// SweepStale deletes the namespaces that a lab of a process that no
// longer exists left behind (a test binary killed before its cleanup
// ran), when no process runs inside them. It returns the names it
// deleted; a stale namespace that still holds processes is reported in
// the error, not touched.
func SweepStale() ([]string, error) {
	names, err := List()
	if err != nil {
		return nil, err
	}
	var removed []string
	var errs []error
	for _, ns := range names {
		m := labName.FindStringSubmatch(ns)
		if m == nil {
			continue
		}
		pid, err := strconv.Atoi(m[1])
		if err != nil || pid == os.Getpid() || alive(pid) {
			continue
		}
		pids, err := ipOutput("netns", "pids", ns)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if strings.TrimSpace(pids) != "" {
			errs = append(errs, fmt.Errorf("netns: stale namespace %s still runs pids %s", ns, strings.Fields(pids)))
			continue
		}
		if err := ip("netns", "del", ns); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, ns)
	}
	return removed, errors.Join(errs...)
}

// alive reports whether a process with this pid exists (signal 0).
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
