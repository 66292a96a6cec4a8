package fourletter

import (
	"regexp"
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
