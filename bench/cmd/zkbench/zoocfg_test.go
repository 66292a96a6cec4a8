package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteServerFiles(t *testing.T) {
	ports := map[int]serverPorts{1: {11, 21, 31}, 2: {12, 22, 32}, 3: {13, 23, 33}}
	dir := t.TempDir()
	cfg, err := writeServerFiles(dir, 2, ports, defaultTiming, nil)
	require.NoError(t, err)
	myid, err := os.ReadFile(filepath.Join(dir, "data", "myid"))
	require.NoError(t, err)
	assert.Equal(t, "2\n", string(myid))
	text, err := os.ReadFile(cfg)
	require.NoError(t, err)
	assert.Contains(t, string(text), "tickTime=2000\ninitLimit=10\nsyncLimit=5\n", "zk-ensemble.sh's timing by default")
	assert.Contains(t, string(text), "clientPort=12\nclientPortAddress=127.0.0.1\n")
	assert.Contains(t, string(text), "dataDir="+filepath.Join(dir, "data")+"\n")
	assert.Contains(t, string(text), "server.1=127.0.0.1:21:31\nserver.2=127.0.0.1:22:32\nserver.3=127.0.0.1:23:33\n")
}

func TestFreePortsAreDistinct(t *testing.T) {
	ps, err := freePorts(15)
	require.NoError(t, err)
	seen := map[int]bool{}
	for _, p := range ps {
		assert.False(t, seen[p], "port %d twice", p)
		seen[p] = true
	}
}
