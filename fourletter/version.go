package fourletter

import (
	"runtime/debug"
	"time"
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

// BuildVersion is FullVersion for the running binary: the zkfle module's
// version (or its VCS revision when built from a work tree) and the
// commit time the Go toolchain stamped into the binary.
func BuildVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return FullVersion("devel", time.Time{})
	}
	return FullVersion(moduleVersion(info), commitTime(info))
}

// modulePath is zkfle's Go module.
const modulePath = "github.com/zkfle/zkfle"

func moduleVersion(info *debug.BuildInfo) string {
	version := ""
	if info.Main.Path == modulePath {
		version = info.Main.Version
	}
	for _, dep := range info.Deps {
		if dep.Path == modulePath {
			version = dep.Version
		}
	}
	if version != "" && version != "(devel)" {
		return version
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return s.Value[:12]
		}
	}
	return "devel"
}

func commitTime(info *debug.BuildInfo) time.Time {
	for _, s := range info.Settings {
		if s.Key == "vcs.time" {
			if t, err := time.Parse(time.RFC3339, s.Value); err == nil {
				return t
			}
		}
	}
	return time.Time{}
}
