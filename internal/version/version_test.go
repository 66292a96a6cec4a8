package version

import (
	"runtime/debug"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

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

func TestStampedWins(t *testing.T) {
	old := stamped
	t.Cleanup(func() { stamped = old })
	stamped = "v1.2.3"
	assert.Equal(t, "v1.2.3", String())
	stamped = ""
	assert.NotEmpty(t, String())
}
