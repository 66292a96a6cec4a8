package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/trace"
)

// recorded is the 3-node demo trace kept with the trace package.
var recorded = []string{
	"../../trace/testdata/demo-3/trace-1.jsonl",
	"../../trace/testdata/demo-3/trace-2.jsonl",
	"../../trace/testdata/demo-3/trace-3.jsonl",
}

func readTraceFile(t *testing.T, path string) []trace.Event {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	events, err := trace.ReadChecked(f)
	require.NoError(t, err, path)
	return events
}

// `node trace render` writes one page to -o or to stdout.
func TestTraceRenderWritesThePage(t *testing.T) {
	out := filepath.Join(t.TempDir(), "election.html")
	code, stdout, stderr := run(append([]string{"trace", "render", "-o", out, "-title", "three nodes"}, recorded...)...)
	require.Equal(t, exitOK, code, stderr)
	assert.Empty(t, stdout)
	page, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Contains(t, string(page), "<title>three nodes</title>")
	for sid := 1; sid <= 3; sid++ {
		assert.Contains(t, string(page), fmt.Sprintf(`class="lifeline" data-sid="%d"`, sid))
	}

	code, stdout, stderr = run(append([]string{"trace", "render"}, recorded[0])...)
	require.Equal(t, exitOK, code, stderr)
	assert.True(t, strings.HasPrefix(stdout, "<!DOCTYPE html>"))
	assert.Contains(t, stdout, "election trace: trace-1.jsonl", "the default title names the files")
}

// Bad input is named with its file and line (exit 1); a bad command line
// exits 2; help exits 0.
func TestTraceRenderErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.jsonl")
	good := `{"time":"2024-01-02T03:04:05Z","mono_ns":1,"sid":1,"kind":"round"}`
	require.NoError(t, os.WriteFile(bad, []byte(good+"\n"+`{"time":"2024-01-02T03:04:05Z","sid":1,"kind":"gossip"}`+"\n"), 0o644))
	out := filepath.Join(dir, "out.html")

	code, _, stderr := run("trace", "render", "-o", out, recorded[0], bad)
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, stderr, bad+`: bad trace: line 2: unknown kind "gossip"`)
	assert.NoFileExists(t, out, "no page from bad input")

	missing := filepath.Join(dir, "missing.jsonl")
	code, _, stderr = run("trace", "render", missing)
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, stderr, missing)

	empty := filepath.Join(dir, "empty.jsonl")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	code, _, stderr = run("trace", "render", empty)
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, stderr, "no events")

	code, _, stderr = run("trace", "render", "-o", filepath.Join(dir, "no-such-dir", "x.html"), recorded[0])
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, stderr, "no-such-dir")

	for _, args := range [][]string{{"trace"}, {"trace", "draw"}, {"trace", "render"}, {"trace", "render", "-x"}} {
		code, _, _ = run(args...)
		assert.Equal(t, exitUsage, code, "%v", args)
	}
	code, _, stderr = run("trace", "draw")
	assert.Contains(t, stderr, `unknown subcommand "draw"`)
	code, stdout, _ := run("trace", "-h")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "Usage: node trace render")
	code, _, _ = run("trace", "render", "-h")
	assert.Equal(t, exitOK, code)
	code, stdout, _ = run("help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "node trace render")
	assert.Contains(t, stdout, "-trace FILE")
}

// `node demo --trace DIR` writes one trace per node, each with the whole
// election (rounds, notifications both ways, the decision, the role), and
// they render together. TestMain's goleak check covers the nodes.
func TestDemoWritesTraces(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := run("demo", "-n", "3", "-once", "-failover", "0", "--trace", dir)
	require.Equal(t, exitOK, code, "%s\n%s", out, errOut)
	var paths []string
	for sid := int64(1); sid <= 3; sid++ {
		path := filepath.Join(dir, fmt.Sprintf("trace-%d.jsonl", sid))
		paths = append(paths, path)
		kinds := map[string]int{}
		for _, ev := range readTraceFile(t, path) {
			assert.Equal(t, sid, ev.Sid)
			kinds[ev.Kind]++
		}
		for _, k := range []string{trace.KindRound, trace.KindSend, trace.KindRecv, trace.KindDecide, trace.KindRole} {
			assert.Positive(t, kinds[k], "server %d recorded a %s event", sid, k)
		}
	}
	code, _, errOut = run(append([]string{"trace", "render", "-o", filepath.Join(dir, "page.html")}, paths...)...)
	assert.Equal(t, exitOK, code, errOut)

	code, _, errOut = run("demo", "-n", "3", "-once", "-failover", "0", "--trace", filepath.Join(dir, "no-such-dir"))
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, errOut, "no-such-dir")
}

// `node run --trace FILE` records the node's election and flushes it when
// the node stops.
func TestRunWritesTrace(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "myid"), []byte("1\n"), 0o644))
	ports := zooCfgPorts(t)
	cfg := filepath.Join(dir, "zoo.cfg")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf(threeServers, ports...)+"\ndataDir="+dir+"\n"), 0o644))
	tracePath := filepath.Join(dir, "trace-1.jsonl")

	var stderr syncBuffer
	sigs := make(chan os.Signal, 1)
	exit := make(chan int, 1)
	go func() {
		exit <- dispatch([]string{"run", "--config", cfg, "--trace", tracePath}, io.Discard, &stderr, sigs)
	}()
	// Alone of three it cannot elect, but it enters round 1 and votes.
	require.Eventually(t, func() bool { return strings.Contains(stderr.String(), "election round changed") },
		10*time.Second, 10*time.Millisecond, stderr.String())
	sigs <- syscall.SIGTERM
	select {
	case code := <-exit:
		require.Equal(t, exitOK, code, stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatal("node did not stop")
	}
	kinds := map[string]int{}
	for _, ev := range readTraceFile(t, tracePath) {
		assert.Equal(t, int64(1), ev.Sid)
		kinds[ev.Kind]++
	}
	assert.Positive(t, kinds[trace.KindRound], "round recorded")
	assert.Positive(t, kinds[trace.KindSend], "its vote recorded")

	code, _, errOut := run("run", "--config", cfg, "--trace", filepath.Join(dir, "no-such-dir", "t.jsonl"))
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, errOut, "--trace")
}
