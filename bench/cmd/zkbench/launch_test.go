package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProcStopsOnSIGTERM(t *testing.T) {
	dir := t.TempDir()
	p, err := startProc([]string{"sleep", "60"}, dir, filepath.Join(dir, "log"))
	require.NoError(t, err)
	assert.False(t, p.exited())
	p.term()
	assert.False(t, p.awaitExit(5*time.Second), "SIGTERM was enough")
	assert.True(t, p.exited())
	assert.Equal(t, -1, p.exitCode, "ended by a signal")
	p.term() // a reaped process is never signalled again; must not panic
}

func TestProcIgnoringSIGTERMIsKilled(t *testing.T) {
	dir := t.TempDir()
	// exec keeps the ignored disposition, so sleep itself ignores TERM and
	// no grandchild outlives the test.
	log := filepath.Join(dir, "log")
	p, err := startProc([]string{"sh", "-c", `trap "" TERM; echo ready; exec sleep 60`}, dir, log)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		b, _ := os.ReadFile(log)
		return strings.Contains(string(b), "ready")
	}, 5*time.Second, 5*time.Millisecond, "the trap is set before SIGTERM is sent")
	p.term()
	start := time.Now()
	assert.True(t, p.awaitExit(300*time.Millisecond), "needed SIGKILL")
	assert.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond, "waited the grace first")
	assert.True(t, p.exited())
}

func TestStartProcRefusesEmptyCommand(t *testing.T) {
	_, err := startProc(nil, t.TempDir(), "")
	assert.Error(t, err)
}
