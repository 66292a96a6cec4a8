package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// versionString is what `node version` prints: the -ldflags version if
// set, else the module version `go install ...@vX.Y.Z` recorded, plus the
// VCS revision and the Go version, as Go tools print theirs.
func versionString() string {
	v := version
	rev := ""
	if info, ok := debug.ReadBuildInfo(); ok {
		if version == defaultVersion && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = " " + s.Value[:12]
			}
		}
	}
	return fmt.Sprintf("zkfle node %s%s %s/%s %s (ZooKeeper 3.8 election protocol)",
		v, rev, runtime.GOOS, runtime.GOARCH, runtime.Version())
}
