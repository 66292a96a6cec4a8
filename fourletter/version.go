package fourletter

import (
	"time"

	"github.com/zkfle/zkfle/internal/version"
)

// ZooKeeperVersion is the ZooKeeper release whose answers this package
// reproduces. It leads the version string, because tools parse the
// release from "Zookeeper version: X.Y.Z-...".
const ZooKeeperVersion = "3.8.0"

// FullVersion is the version string srvr, stat, mntr and envi print, in
// ZooKeeper's Version.getFullVersion form
// "<release>-<revision>, built on <yyyy-MM-dd HH:mm> UTC":
// "3.8.0-zkfle-<zkfleVersion>, built on 2025-01-02 03:04 UTC". A zero
// build time prints "unknown" in its place.
func FullVersion(zkfleVersion string, built time.Time) string {
	date := "unknown"
	if !built.IsZero() {
		date = built.UTC().Format("2006-01-02 15:04") + " UTC"
	}
	return ZooKeeperVersion + "-zkfle-" + zkfleVersion + ", built on " + date
}

// BuildVersion is FullVersion for the running binary: zkfle's one
// version string (internal/version: the stamped or module version, or the
// VCS revision of a work-tree build) and the commit time the Go toolchain
// stamped into the binary.
func BuildVersion() string {
	return FullVersion(version.String(), version.Built())
}
