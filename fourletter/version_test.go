package fourletter

import (
	"regexp"
	"runtime/debug"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestFullVersionKeepsZooKeepersShape(t *testing.T) {
	at := time.Date(2025, 6, 7, 8, 9, 10, 0, time.FixedZone("X", 7200))
	assert.Equal(t, "3.8.0-zkfle-v1.2.3, built on 2025-06-07 06:09 UTC", FullVersion("v1.2.3", at))
	assert.Equal(t, "3.8.0-zkfle-devel, built on unknown", FullVersion("devel", time.Time{}))
}

func TestBuildVersion(t *testing.T) {
	// Under go test the main module is the test binary's: whatever it
	// finds, the shape must be ZooKeeper's.
	assert.Regexp(t, regexp.MustCompile(`^3\.8\.0-zkfle-\S+, built on (\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC|unknown)$`), BuildVersion())
}

func TestModuleVersionAndCommitTime(t *testing.T) {
	info := &debug.BuildInfo{
		Main: debug.Module{Path: "example.com/app", Version: "v9.9.9"},
		Deps: []*debug.Module{{Path: modulePath, Version: "v0.4.0"}},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123"},
			{Key: "vcs.time", Value: "2025-02-03T04:05:06Z"},
		},
	}
	assert.Equal(t, "v0.4.0", moduleVersion(info), "zkfle as a dependency: its version")
	assert.Equal(t, time.Date(2025, 2, 3, 4, 5, 6, 0, time.UTC), commitTime(info))

	info.Deps = nil
	info.Main = debug.Module{Path: modulePath, Version: "(devel)"}
	assert.Equal(t, "0123456789ab", moduleVersion(info), "a work-tree build: the revision")

	info.Settings = nil
	assert.Equal(t, "devel", moduleVersion(info))
	assert.True(t, commitTime(info).IsZero())
}
