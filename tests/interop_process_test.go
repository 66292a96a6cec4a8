package tests

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/internal/zkjava"
	"github.com/zkfle/zkfle/probe"
)

// (a) as processes: cmd/node processes run from zoo.cfg files (sids 1, 2)
// and ZooKeeper servers (3, 4, 5) share one server list, start together
// and agree on one Java leader, seen through srvr on both sides and
// through the probe.
func TestInteropProcessColdStartMixed(t *testing.T) {
	checkLeaks(t)
	inst := zkjava.RequireInstalled(t)
	e := newProcEnsemble(t, 5) // zoo.cfg files list all five; only 1 and 2 run cmd/node
	var members []zkjava.Member
	for sid := int64(1); sid <= 5; sid++ {
		s := e.servers[sid]
		members = append(members, zkjava.Member{SID: sid, QuorumPort: s.quorumPort, ElectionPort: s.electionPort,
			ClientPort: s.clientPort, Java: sid >= 3})
	}
	java, err := zkjava.New(inst, zkjava.Spec{Dir: t.TempDir(), Members: members})
	require.NoError(t, err)
	t.Cleanup(func() {
		require.NoError(t, java.Stop())
		if t.Failed() {
			t.Logf("ZooKeeper logs:\n%s", java.Logs())
		}
	})
	nodeBinary(t) // build before the clock starts
	require.NoError(t, java.Start())
	e.start(1, 2)

	modes := e.waitModes(interopTimeout, 1, 2, 3, 4, 5)
	var leader int64
	for sid, mode := range modes {
		if mode == "leader" {
			leader = sid
		}
	}
	require.Containsf(t, []int64{3, 4, 5}, leader, "modes: %v", modes)
	assert.Equal(t, "follower", modes[1], "cmd/node 1's srvr")
	assert.Equal(t, "follower", modes[2], "cmd/node 2's srvr")

	addrs := make([]string, 5)
	for i := range addrs {
		addrs[i] = fmt.Sprintf("127.0.0.1:%d", e.servers[int64(i+1)].electionPort)
	}
	results, err := probe.Probe(context.Background(), addrs, probe.Options{Timeout: 10 * time.Second})
	require.NoError(t, err)
	for i, r := range results {
		require.NoErrorf(t, r.Err, "probe of server %d", i+1)
		assert.Equalf(t, leader, r.Reply.Leader, "server %d's vote", i+1)
		assert.Equalf(t, int64(i+1), r.Reply.ServerID, "the config names server %d at its election port", i+1)
	}
	assert.Equal(t, 0, e.stop(1), "SIGTERM stops cmd/node cleanly")
}
