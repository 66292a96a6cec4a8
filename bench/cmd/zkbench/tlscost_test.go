package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tlsSystems are the four columns of -tls plain,tls.
func tlsSystems() []system {
	v, _ := variants([]system{{name: "zkfle", title: "zkfle cmd/node"}, {name: "zookeeper", title: "ZooKeeper 3.8 (JVM)"}},
		[]transport{transportPlain, transportTLS})
	return v
}

func TestTLSCostFormat(t *testing.T) {
	c, ok := newTLSCost(summary{Median: 200, Count: 3}, summary{Median: 250, Count: 3})
	require.True(t, ok)
	c.Unit = "ms"
	assert.Equal(t, "+50 ms (x1.25)", c.format())

	c, ok = newTLSCost(summary{Median: 16, Count: 3}, summary{Median: 15.5, Count: 3})
	require.True(t, ok)
	c.Unit = "MiB"
	assert.Equal(t, "-0.5 MiB (x0.97)", c.format())

	_, ok = newTLSCost(summary{Median: 200, Count: 3}, summary{})
	assert.False(t, ok, "a column without a sample costs nothing known")
}

func TestColdReportTLSCost(t *testing.T) {
	srv := func(sid int) serverResult { return serverResult{SID: sid, RSSKiB: 16384, StopMS: 5} }
	runs := []runResult{
		{System: "zkfle", Transport: "plain", N: 3, Run: 1, AllServingMS: 300, ElectionMS: 210, DecidedMS: 205, Leader: 3, Servers: []serverResult{srv(1)}},
		{System: "zkfle", Transport: "tls", N: 3, Run: 1, AllServingMS: 330, ElectionMS: 220, DecidedMS: 206, Leader: 3, Servers: []serverResult{srv(1)}},
		{System: "zookeeper", Transport: "plain", N: 3, Run: 1, AllServingMS: 2000, ElectionMS: 300, DecidedMS: 230, Leader: 3, Servers: []serverResult{srv(1)}},
		{System: "zookeeper", Transport: "tls", N: 3, Run: 1, AllServingMS: 3000, ElectionMS: 1200, DecidedMS: 1150, Leader: 3, Servers: []serverResult{srv(1)}},
		{System: "zookeeper", Transport: "tls", N: 3, Run: 2, Err: "timed out", Dir: "/tmp/z"},
	}
	systems := tlsSystems()
	rep := buildReport(machineInfo{NProc: 2}, systems, []int{3}, runs, nil)
	require.Len(t, rep.Groups, 4)
	assert.Equal(t, "tls", rep.Groups[3].Transport)
	assert.Equal(t, 1, rep.Groups[3].Failed, "the failed TLS run is counted in its own column")
	assert.Equal(t, 0, rep.Groups[2].Failed)

	var b bytes.Buffer
	require.NoError(t, rep.writeTable(&b, systems))
	out := b.String()
	assert.Regexp(t, `launch of 1st process .*300 / 300 / 300 ms\s+330 / 330 / 330 ms\s+2000 / 2000 / 2000 ms\s+3000 / 3000 / 3000 ms`, out)
	assert.Contains(t, out, "N=3: cost of TLS, median TLS - median plain (TLS / plain)")
	assert.Regexp(t, `(?m)^launch of 1st process [^\n]*\+30 ms \(x1\.10\)\s+\+1000 ms \(x1\.50\)$`, out)
	assert.Regexp(t, `(?m)^last server LOOKING -> all elected [^\n]*\+10 ms \(x1\.05\)\s+\+900 ms \(x4\.00\)$`, out)
	assert.Contains(t, out, "failed: system=zookeeper transport=tls n=3 run=2: timed out")

	var back report
	b.Reset()
	require.NoError(t, rep.writeJSON(&b))
	require.NoError(t, json.Unmarshal(b.Bytes(), &back))
	var found bool
	for _, c := range back.TLSCost {
		if c.System == "zookeeper" && c.Figure == "all_serving_ms" {
			found = true
			assert.Equal(t, tlsCost{N: 3, System: "zookeeper", Figure: "all_serving_ms", Unit: "ms", Plain: 2000, TLS: 3000, Diff: 1000, Ratio: 1.5}, c)
		}
	}
	assert.True(t, found, "tls_cost in JSON: %+v", back.TLSCost)
	assert.Len(t, back.TLSCost, 2*len(figures), "one cost per system and figure")
}

func TestPlainReportHasNoTLSCost(t *testing.T) {
	systems, _ := variants([]system{{name: "zkfle", title: "zkfle cmd/node"}}, []transport{transportPlain})
	rep := buildReport(machineInfo{NProc: 2}, systems, []int{3}, sampleRuns(), nil)
	assert.Empty(t, rep.TLSCost)
	var b bytes.Buffer
	require.NoError(t, rep.writeTable(&b, systems))
	assert.NotContains(t, b.String(), "cost of TLS")
	b.Reset()
	require.NoError(t, rep.writeJSON(&b))
	assert.NotContains(t, b.String(), "tls_cost")
}

func TestFailoverReportTLSCost(t *testing.T) {
	tries := []failoverResult{
		{System: "zkfle", Transport: "plain", N: 3, Run: 1, Failure: failKill, Victim: 3, Leader: 2, WallMS: 300, DetectMS: 5, ElectionMS: 210, RestoreMS: 90},
		{System: "zkfle", Transport: "tls", N: 3, Run: 1, Failure: failKill, Victim: 3, Leader: 2, WallMS: 360, DetectMS: 5, ElectionMS: 230, RestoreMS: 120},
		{System: "zookeeper", Transport: "plain", N: 3, Run: 1, Failure: failKill, Victim: 3, Leader: 2, WallMS: 400, DetectMS: 30, ElectionMS: 230, RestoreMS: 1000},
		{System: "zookeeper", Transport: "tls", N: 3, Run: 1, Failure: failKill, Victim: 3, Leader: 2, WallMS: 800, DetectMS: 30, ElectionMS: 600, RestoreMS: 2000},
	}
	systems := tlsSystems()
	o := options{sizes: []int{3}, failures: []failureKind{failKill}, timing: defaultTiming}
	rep := buildFailoverReport(machineInfo{NProc: 2}, o, systems, tries, nil)
	var b bytes.Buffer
	require.NoError(t, rep.writeTable(&b, systems))
	out := b.String()
	assert.Contains(t, out, "N=3, kill -9 of the leader: cost of TLS, median TLS - median plain (TLS / plain)")
	assert.Regexp(t, `(?m)^kill -9 leader -> new leader [^\n]*\+60 ms \(x1\.20\)\s+\+400 ms \(x2\.00\)$`, out)
	assert.Len(t, failoverRows(t, out)[failKill.verb()], 4, "the end-to-end parser reads four measured cells and no cost cell")
	require.Len(t, rep.TLSCost, 2*len(failoverFigures))
	assert.Equal(t, failKill, rep.TLSCost[0].Failure)
	assert.Equal(t, "zkfle", rep.TLSCost[0].System)
	assert.InDelta(t, 60, rep.TLSCost[0].Diff, 1e-9)
}
