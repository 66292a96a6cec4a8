package main

import (
	"bytes"
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInProcessElectionIsMeasured(t *testing.T) {
	r := inprocessOnce(context.Background(), 3, 1, time.Minute)
	require.Empty(t, r.Err)
	// Every listener is bound before any node starts: nobody is
	// unreachable, so the fast paths elect as ZooKeeper does, the highest
	// sid among equals, and never by the reachable path (a close that
	// ZooKeeper's tie-break explains is no sign of a peer gone,
	// cnx/liveness.go).
	assert.EqualValues(t, 3, r.Leader, "the highest sid wins a cold start of equals")
	assert.Zero(t, r.Paths["reachable"], "every node is up: %v", r.Paths)
	assert.Positive(t, r.EstablishedMS)
	assert.Positive(t, r.StartedMS)
	assert.Positive(t, r.CPUMS, "an election costs CPU")
	assert.LessOrEqual(t, r.StartedMS, r.EstablishedMS, "every node was started before all were established")
	assert.Positive(t, r.Notifications)
	assert.Greater(t, r.ActorMessages, r.Notifications, "every notification costs several actor messages")
	total := 0
	for _, k := range r.Paths {
		total += k
	}
	assert.Equal(t, 3, total, "one decision per node, by path")

	g := summarizeInProcess(3, []inprocessResult{r, {N: 3, Run: 2, Err: "timed out"}})
	assert.Equal(t, 2, g.Runs)
	assert.Equal(t, 1, g.Failed)
	assert.InDelta(t, r.perNotification(), g.PerNote.Median, 1e-9)
	assert.InDelta(t, r.EstablishedMS-r.StartedMS, g.AfterStarted.Median, 1e-9)
	var out bytes.Buffer
	require.NoError(t, inprocessReport{Groups: []inprocessGroup{g}, Runs: []inprocessResult{r}}.writeTable(&out))
	// Small counts print with one decimal (a median of 9 notifications is "9.0").
	assert.Regexp(t, `(?m)^3\s+\d+ / \d+ / \d+ ms\s+[\d.]+\s+[\d.]+\s+[\d.]+`, out.String())
}

func TestInProcessModeTakesLargeSizes(t *testing.T) {
	o, err := parseOptions([]string{"-mode", "inprocess", "-n", "3,51"}, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, []int{3, 51}, o.sizes)
	_, err = parseOptions([]string{"-n", "51"}, &bytes.Buffer{})
	require.ErrorIs(t, err, ErrBadFlag, "processes: at most 25")
}

// Every in-process node has a loopback address of its own, so that no
// source address carries more than one node's dials.
func TestInProcessNodesHaveTheirOwnLoopbackAddress(t *testing.T) {
	seen := map[netip.Addr]bool{}
	for sid := 1; sid <= maxInProcess; sid++ {
		a, err := netip.ParseAddr(nodeHost(sid))
		require.NoError(t, err)
		assert.True(t, a.IsLoopback(), "%v", a)
		assert.False(t, seen[a], "%v given twice", a)
		seen[a] = true
	}
}
