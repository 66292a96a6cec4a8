package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tinyFailoverArgs run failover mode once per failure with a 200 ms tick,
// so that a paused leader is noticed after 1 s; the test checks what the
// table says, never how fast anything was.
var tinyFailoverArgs = []string{"-mode", "failover", "-n", "3", "-runs", "1",
	"-tick-time", "200ms", "-init-limit", "10", "-sync-limit", "5", "-idle", "200ms", "-timeout", "60s"}

// cellRE is one "min / median / max ms" cell of the table.
var cellRE = regexp.MustCompile(`(\d+(?:\.\d+)?) / (\d+(?:\.\d+)?) / (\d+(?:\.\d+)?) ms`)

// failoverRows maps each block's headline ("kill -9 leader -> ..." or
// "SIGSTOP leader -> ...") to its cells, one [min, median, max] per system.
func failoverRows(t *testing.T, table string) map[string][][3]float64 {
	t.Helper()
	rows := map[string][][3]float64{}
	for _, line := range strings.Split(table, "\n") {
		kind, ok := "", false
		for _, k := range []failureKind{failKill, failPause} {
			if strings.HasPrefix(line, k.verb()+" leader -> new leader established") {
				kind, ok = k.verb(), true
			}
		}
		if !ok {
			continue
		}
		for _, m := range cellRE.FindAllStringSubmatch(line, -1) {
			var cell [3]float64
			for i := range cell {
				v, err := strconv.ParseFloat(m[i+1], 64)
				require.NoError(t, err, "cell %q", m[0])
				cell[i] = v
			}
			rows[kind] = append(rows[kind], cell)
		}
	}
	return rows
}

// checkFailoverTable asserts that the table has a failover headline for
// each failure (both when none is given), one positive, ordered cell per
// system, and no failure.
func checkFailoverTable(t *testing.T, table string, systems int, kinds ...failureKind) {
	t.Helper()
	rows := failoverRows(t, table)
	if len(kinds) == 0 {
		kinds = []failureKind{failKill, failPause}
	}
	for _, k := range kinds {
		cells := rows[k.verb()]
		require.Len(t, cells, systems, "%s row of:\n%s", k.verb(), table)
		for _, c := range cells {
			assert.Positive(t, c[0], "%s: min of %v", k.verb(), c)
			assert.LessOrEqual(t, c[0], c[1], "%s: min <= median", k.verb())
			assert.LessOrEqual(t, c[1], c[2], "%s: median <= max", k.verb())
		}
	}
	assert.Regexp(t, `(?m)^  failed tries(\s+0 of 1){`+strconv.Itoa(systems)+`}\s*$`, table)
	assert.NotContains(t, table, "failed:")
}

func runFailoverBench(t *testing.T, extra ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(append(append([]string(nil), tinyFailoverArgs...), extra...), &out, &errOut)
	require.Equal(t, exitOK, code, "stderr:\n%s\nstdout:\n%s", errOut.String(), out.String())
	return out.String()
}

func TestFailoverModeZkfle(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-node ensemble of cmd/node processes")
	}
	table := runFailoverBench(t, "-zk=false")
	checkFailoverTable(t, table, 1)
	assert.Contains(t, table, "tickTime=200 initLimit=10 syncLimit=5")
}

func TestFailoverModeZookeeper(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 3-node ensembles of cmd/node and of ZooKeeper")
	}
	if _, err := zookeeperSystem("java", "128m"); err != nil {
		require.ErrorIs(t, err, ErrNoZooKeeper)
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set and real ZooKeeper is required: %v", err)
		}
		t.Skipf("SKIPPING the ZooKeeper column of the failover benchmark: %v. "+
			"Install it (apt-get install zookeeper); with CI set this is a failure.", err)
	}
	table := runFailoverBench(t)
	checkFailoverTable(t, table, 2)
	assert.Contains(t, table, "ZooKeeper 3.8 (JVM)")
}

func sampleFailovers() []failoverResult {
	return []failoverResult{
		{System: "zkfle", N: 3, Run: 2, Failure: failKill, Victim: 3, Leader: 2, WallMS: 300, DetectMS: 5, ElectionMS: 210, RestoreMS: 90},
		{System: "zkfle", N: 3, Run: 1, Failure: failKill, Victim: 3, Leader: 2, WallMS: 220, DetectMS: 3, ElectionMS: 205, RestoreMS: 80},
		{System: "zkfle", N: 3, Run: 1, Failure: failPause, Victim: 2, Leader: 3, WallMS: 1300, DetectMS: 950, ElectionMS: 300, RestoreMS: 20},
		{System: "zookeeper", N: 3, Run: 1, Failure: failKill, Victim: 3, Leader: 2, WallMS: 450, DetectMS: 20, ElectionMS: 230, RestoreMS: 1500},
		{System: "zookeeper", N: 3, Run: 1, Failure: failPause, Err: "timed out", Dir: "/tmp/f"},
	}
}

func TestSummarizeFailoversPerKind(t *testing.T) {
	g := summarizeFailovers(3, "zkfle", transportPlain, failKill, sampleFailovers())
	assert.Equal(t, 2, g.Tries)
	assert.Equal(t, 0, g.Failed)
	assert.Equal(t, map[int]int{2: 2}, g.NewLeaders)
	assert.Equal(t, summary{Min: 220, Median: 260, Max: 300, Count: 2}, g.Figures["wall_ms"])

	zk := summarizeFailovers(3, "zookeeper", transportPlain, failPause, sampleFailovers())
	assert.Equal(t, 1, zk.Failed)
	assert.Equal(t, 0, zk.Figures["wall_ms"].Count, "a failed try gives no figure")
}

func TestFailoverTableSideBySide(t *testing.T) {
	systems := []system{{name: "zkfle", title: "zkfle cmd/node"}, {name: "zookeeper", title: "ZooKeeper 3.8 (JVM)"}}
	o := options{sizes: []int{3}, failures: []failureKind{failKill, failPause}, timing: defaultTiming}
	rep := buildFailoverReport(machineInfo{NProc: 2, Command: "zkbench -mode failover"}, o, systems, sampleFailovers(), nil)
	var b bytes.Buffer
	require.NoError(t, rep.writeTable(&b, systems))
	out := b.String()
	assert.Contains(t, out, "tickTime=2000 initLimit=10 syncLimit=5 (no pings for syncLimit x tickTime = 10s)")
	assert.Regexp(t, `kill -9 leader -> new leader .*220 / 260 / 300 ms\s+450 / 450 / 450 ms`, out)
	assert.Regexp(t, `SIGSTOP leader -> new leader .*1300 / 1300 / 1300 ms\s+n/a`, out)
	assert.Contains(t, out, "failed: system=zookeeper n=3 run=1 failure=pause: timed out (files kept in /tmp/f)")
	rows := failoverRows(t, out)
	assert.Len(t, rows[failKill.verb()], 2, "the parser the end-to-end tests use reads this table")
}

func TestParseFailures(t *testing.T) {
	got, err := parseFailures("pause, kill,pause")
	require.NoError(t, err)
	assert.Equal(t, []failureKind{failPause, failKill}, got)

	_, err = parseFailures("kill,reboot")
	require.ErrorIs(t, err, ErrBadFlag)
	assert.Contains(t, err.Error(), `"reboot"`)
}

func TestTimingFlags(t *testing.T) {
	o, err := parseOptions([]string{"-mode", "failover", "-tick-time", "150ms", "-init-limit", "4", "-sync-limit", "2"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, modeFailover, o.mode)
	assert.Equal(t, "tickTime=150\ninitLimit=4\nsyncLimit=2\n", o.timing.cfgLines())

	for _, tc := range []struct {
		args []string
		flag string
	}{
		{[]string{"-tick-time", "1500us"}, "tick-time"},
		{[]string{"-tick-time", "5ms"}, "tick-time"},
		{[]string{"-init-limit", "0"}, "init-limit"},
		{[]string{"-sync-limit", "-1"}, "sync-limit"},
		{[]string{"-mode", "warm"}, "mode"},
	} {
		_, err := parseOptions(tc.args, io.Discard)
		var fe *FlagError
		require.True(t, errors.As(err, &fe), "%v: %v", tc.args, err)
		assert.Equal(t, tc.flag, fe.Flag)
	}
}
