// Package version is zkfle's one version string: what `node version`
// prints, what the admin endpoint's stat reports, and (in ZooKeeper's
// form, see fourletter.FullVersion) what srvr, stat, mntr and envi print.
package version

import (
	"runtime/debug"
	"time"
)

// stamped is set at build time with
//
//	go build -ldflags "-X github.com/zkfle/zkfle/internal/version.stamped=v1.2.3" ./cmd/node
//
// and then wins over what the Go toolchain recorded.
var stamped string

// modulePath is zkfle's Go module.
const modulePath = "github.com/zkfle/zkfle"

// String is zkfle's version: the stamped one if any; else the module
// version `go install github.com/zkfle/zkfle/cmd/node@v1.2.3` (or a
// program depending on zkfle) recorded; else, for a build from a work
// tree, its VCS revision (12 hex digits); else "devel".
func String() string {
	if stamped != "" {
		return stamped
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	return moduleVersion(info)
}

// Built is the commit time the Go toolchain stamped into the binary, or
// the zero time when it did not (go test, no VCS).
func Built() time.Time {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return time.Time{}
	}
	return commitTime(info)
}

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
