package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
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

// ephemeralRangeLow is the bottom of the kernel's ephemeral port range,
// read here independently of internal/freeport.
func ephemeralRangeLow(t *testing.T) int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		t.Skipf("no ephemeral port range to compare with: %v", err)
	}
	f := strings.Fields(string(b))
	require.NotEmpty(t, f)
	n, err := strconv.Atoi(f[0])
	require.NoError(t, err)
	return n
}

// The quorum port is bound only by the elected leader, long after the
// ports were chosen; a port from the ephemeral range can meanwhile become
// the source port of one of the ensemble's own election dials (N=51
// in-process: 2,550 of them), and the leader then cannot bind it, gives
// up and is re-elected, for as long as that connection lives (about one
// N=51 in-process run in three was not established within 60 s).
func TestHarnessPortsAreBelowTheEphemeralRange(t *testing.T) {
	lowEph := ephemeralRangeLow(t)
	ps, err := freePorts(30)
	require.NoError(t, err)
	for _, p := range ps {
		assert.Less(t, p, lowEph, "cold/failover port %d is in the ephemeral range", p)
	}
	for range 30 {
		p, err := freeLoopbackPort()
		require.NoError(t, err)
		assert.Less(t, p, lowEph, "in-process quorum port %d is in the ephemeral range", p)
	}
}
