package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sampleRuns() []runResult {
	srv := func(sid int, rss int64) serverResult {
		return serverResult{SID: sid, RSSKiB: rss, LookingAfterLaunchMS: float64(sid), ElectedAfterLookingMS: 200, StopMS: 3}
	}
	return []runResult{
		{System: "zookeeper", N: 3, Run: 1, AllServingMS: 1400, ElectionMS: 280, DecidedMS: 250, Leader: 3,
			Servers: []serverResult{srv(1, 65536), srv(2, 65536), srv(3, 65536)}},
		{System: "zkfle", N: 3, Run: 2, AllServingMS: 30, ElectionMS: 210, DecidedMS: 210, Leader: 3,
			Servers: []serverResult{srv(1, 10240), srv(2, 10240), srv(3, 10240)}},
		{System: "zkfle", N: 3, Run: 1, AllServingMS: 10, ElectionMS: 200, DecidedMS: 200, Leader: 2,
			Servers: []serverResult{srv(1, 10240), srv(2, 20480), srv(3, 10240)}},
		{System: "zkfle", N: 3, Run: 3, Err: "timed out", Dir: "/tmp/x"},
	}
}

func TestSummarizeGroupSkipsFailedRuns(t *testing.T) {
	g := summarizeGroup(3, "zkfle", transportPlain, sampleRuns())
	assert.Equal(t, 3, g.Runs)
	assert.Equal(t, 1, g.Failed)
	assert.Equal(t, map[int]int{2: 1, 3: 1}, g.Winners)
	assert.Equal(t, map[int]int{0: 6}, g.Exits)
	assert.Equal(t, summary{Min: 10, Median: 20, Max: 30, Count: 2}, g.Figures["all_serving_ms"])
	assert.Equal(t, summary{Min: 10, Median: 10, Max: 20, Count: 6}, g.Figures["rss_mib"])
}

func TestWriteTableSideBySide(t *testing.T) {
	systems := []system{{name: "zkfle", title: "zkfle cmd/node"}, {name: "zookeeper", title: "ZooKeeper 3.8 (JVM)"}}
	rep := buildReport(machineInfo{NProc: 2, Command: "zkbench -n 3"}, systems, []int{3}, sampleRuns(), nil)
	var b bytes.Buffer
	require.NoError(t, rep.writeTable(&b, systems))
	out := b.String()
	assert.Contains(t, out, "command  zkbench -n 3")
	assert.Regexp(t, `launch of 1st process .*10 / 20 / 30 ms\s+1400 / 1400 / 1400 ms`, out)
	assert.Regexp(t, `leader \(srvr\)\s+sid 2 in 1 of 2, sid 3 in 1 of 2\s+sid 3 in 1 of 1`, out)
	assert.Contains(t, out, "failed: system=zkfle n=3 run=3: timed out (files kept in /tmp/x)")
}

func TestWriteJSONRoundTrips(t *testing.T) {
	systems := []system{{name: "zkfle"}}
	rep := buildReport(machineInfo{NProc: 2}, systems, []int{3}, sampleRuns(), []string{"a note"})
	var b bytes.Buffer
	require.NoError(t, rep.writeJSON(&b))
	var back report
	require.NoError(t, json.Unmarshal(b.Bytes(), &back))
	assert.Equal(t, rep.Groups, back.Groups)
	assert.Len(t, back.Runs, 4)
	assert.Equal(t, []string{"a note"}, back.Notes)
}
