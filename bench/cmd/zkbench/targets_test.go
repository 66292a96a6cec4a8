package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecisionPathReadsTheDecidedLine(t *testing.T) {
	for line, want := range map[string]string{
		`time=2026-12-03T16:00:00.100Z level=INFO msg="election decided" leader=3 path=fast-unanimity state=LEADING`:      "fast-unanimity",
		`time=2026-12-03T16:00:00.100Z level=INFO msg="election decided" leader=3 state=FOLLOWING path="finalize window"`: "finalize window",
		`time=2026-12-03T16:00:00.100Z level=INFO msg="election decided" leader=3 state=FOLLOWING`:                        "",
		`time=2026-12-03T16:00:00.100Z level=INFO msg="election decided" classpath=x state=FOLLOWING`:                     "",
	} {
		assert.Equal(t, want, decisionPath(line), line)
	}
	log := `time=2026-12-03T16:00:00.000Z level=INFO msg="start looking" reason=STARTUP
time=2026-12-03T16:00:00.010Z level=INFO msg="election decided" leader=3 path=fast-reachable state=FOLLOWING
time=2026-12-03T16:00:00.020Z level=INFO msg="state changed" state=FOLLOWING leader=3
time=2026-12-03T16:00:01.010Z level=INFO msg="election decided" leader=3 path=finalize-window state=FOLLOWING
`
	sl, err := scanLog(strings.NewReader(log), classifyZkfle)
	require.NoError(t, err)
	assert.Equal(t, "fast-reachable", sl.path, "the first decision's path")
}

func TestPathsAreCountedPerServer(t *testing.T) {
	runs := sampleRuns()
	runs[1].Servers[0].DecisionPath = "fast-unanimity"
	runs[1].Servers[1].DecisionPath = "fast-unanimity"
	runs[1].Servers[2].DecisionPath = "finalize-window"
	g := summarizeGroup(3, "zkfle", transportPlain, runs)
	assert.Equal(t, map[string]int{"fast-unanimity": 2, "finalize-window": 1, pathNotLogged: 3}, g.Paths)
	assert.Equal(t, "not logged x3, fast-unanimity x2, finalize-window x1", pathsText(g.Paths))
}

func TestTargetsCompareMediansOfTheSameRun(t *testing.T) {
	runs := sampleRuns()
	groups := []group{
		summarizeGroup(3, "zkfle", transportPlain, runs),
		summarizeGroup(3, "zookeeper", transportPlain, runs),
	}
	rows := coldStartTargets(groups)
	require.Len(t, rows, 3)
	byLabel := map[string]targetRow{}
	for _, r := range rows {
		byLabel[r.label] = r
	}
	decided := byLabel["last LOOKING -> all decided"]
	ratio, ok := decided.ratio()
	require.True(t, ok)
	assert.InDelta(t, 205.0/250, ratio, 1e-9, "zkfle's median (200, 210) over ZooKeeper's 250")
	launch := byLabel["launch -> all report a role"]
	ratio, ok = launch.ratio()
	require.True(t, ok)
	assert.InDelta(t, 20.0/1400, ratio, 1e-9)

	var out bytes.Buffer
	writeTargets(&out, rows)
	text := out.String()
	assert.Contains(t, text, "issue 14 targets")
	assert.Regexp(t, `last LOOKING -> all decided\s+3\s+205 ms\s+250 ms\s+0\.82\s+<= 0\.1 missed`, text)
	assert.Regexp(t, `launch -> all report a role\s+3\s+20 ms\s+1400 ms\s+0\.01\s+<= 0\.1 met`, text)
}

func TestFailoverTargetsUseKillOnly(t *testing.T) {
	groups := []failoverGroup{
		summarizeFailovers(3, "zkfle", transportPlain, failKill, sampleFailovers()),
		summarizeFailovers(3, "zookeeper", transportPlain, failKill, sampleFailovers()),
		summarizeFailovers(3, "zkfle", transportPlain, failPause, sampleFailovers()),
		summarizeFailovers(3, "zookeeper", transportPlain, failPause, sampleFailovers()),
	}
	rows := failoverTargets(groups)
	require.Len(t, rows, 1)
	assert.Equal(t, 3, rows[0].n)
	assert.Equal(t, targetFailover, rows[0].limit)
}
