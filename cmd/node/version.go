package main

import (
	"fmt"
	"runtime"

	"github.com/zkfle/zkfle/internal/version"
)

// versionString is what `node version` prints: zkfle's one version string
// (internal/version; srvr prints the same in ZooKeeper's form
// "3.8.0-zkfle-<version>"), plus the platform and the Go version, as Go
// tools print theirs.
func versionString() string {
	return fmt.Sprintf("zkfle node %s %s/%s %s (ZooKeeper 3.8 election protocol)",
		version.String(), runtime.GOOS, runtime.GOARCH, runtime.Version())
}
