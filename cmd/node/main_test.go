package main

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/zkfle/zkfle/fourletter"
	"github.com/zkfle/zkfle/internal/freeport"
	"github.com/zkfle/zkfle/internal/version"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreAnyFunction("github.com/asynkron/protoactor-go/actor.NewDeadLetter.NewThrottle.func4.1"))
}

func run(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = dispatch(args, &out, &errOut, make(chan os.Signal))
	return code, out.String(), errOut.String()
}

func TestVersionAndHelp(t *testing.T) {
	code, out, _ := run("version")
	assert.Equal(t, exitOK, code)
	assert.True(t, strings.HasPrefix(out, "zkfle node "), out)

	code, out, _ = run("--help")
	assert.Equal(t, exitOK, code)
	for _, want := range []string{"node --config zoo.cfg", "node demo", "-config", "-log-level", "Exit codes", "14"} {
		assert.Contains(t, out, want)
	}
}

func TestUsageErrors(t *testing.T) {
	code, _, errOut := run()
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--config zoo.cfg is required")

	code, _, _ = run("--no-such-flag")
	assert.Equal(t, exitUsage, code)

	code, _, errOut = run("--config", "x.cfg", "--log-level", "loud")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, `--log-level="loud"`)
}

// Each mistake gets its own message: an unknown command is not a missing
// --config, nor is an argument after the flags.
func TestUsageErrorsSayWhatIsWrong(t *testing.T) {
	code, _, errOut := run("start")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, `unknown command "start"`)
	assert.NotContains(t, errOut, "--config zoo.cfg is required")

	code, _, errOut = run("--config", "ok.cfg", "extra")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, `unexpected argument "extra"`)
	assert.NotContains(t, errOut, "--config zoo.cfg is required")

	code, _, errOut = run("run", "--config", "ok.cfg", "extra")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, `unexpected argument "extra"`)

	code, _, errOut = run("demo", "extra")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, `unexpected argument "extra"`)

	code, _, errOut = run("run")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--config zoo.cfg is required")
}

// -h is a request, not a mistake: every subcommand answers it on stdout
// and exits 0, as `node help` does.
func TestHelpFlagExitsZero(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"help"}, {"run", "-h"}, {"--config", "x.cfg", "-h"},
		{"demo", "-h"}, {"demo", "--help"}, {"probe", "-h"}, {"trace", "-h"}, {"trace", "render", "-h"}} {
		code, out, errOut := run(args...)
		assert.Equal(t, exitOK, code, "%v", args)
		assert.Contains(t, out, "Usage", "%v", args)
		assert.Empty(t, errOut, "%v", args)
	}
	_, out, _ := run("demo", "-h")
	assert.Contains(t, out, "-failover")
	_, out, _ = run("run", "-h")
	assert.Contains(t, out, "-metrics-addr")
}

// A bad zoo.cfg is reported once, naming the key.
func TestConfigErrorIsPrintedOnce(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "zoo.cfg")
	require.NoError(t, os.WriteFile(path, []byte("tickTime=abc\ninitLimit=10\nsyncLimit=5\ndataDir="+dir+"\n"+
		"server.1=127.0.0.1:2888:3888\nserver.2=127.0.0.2:2888:3888\nserver.3=127.0.0.3:2888:3888\n"), 0o644))
	code, _, errOut := run("--config", path, "--myid", "1")
	assert.Equal(t, exitConfig, code)
	assert.Equal(t, 1, strings.Count(errOut, `tickTime="abc"`), errOut)
}

// Server lines that share a socket address are refused at start, exit 3,
// with both lines named.
func TestOverlappingPortsAreRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "zoo.cfg")
	require.NoError(t, os.WriteFile(path, []byte("initLimit=10\nsyncLimit=5\ndataDir="+dir+"\n"+
		"server.1=127.0.0.1:2888:3888\nserver.2=127.0.0.1:3888:3889\nserver.3=127.0.0.3:2888:3888\n"), 0o644))
	code, _, errOut := run("--config", path, "--myid", "1")
	assert.Equal(t, exitConfig, code)
	assert.Contains(t, errOut, `server.2="127.0.0.1:3888:3889"`)
	assert.Contains(t, errOut, `server.1="127.0.0.1:2888:3888"`)
	assert.Equal(t, 1, strings.Count(errOut, "server.2="), errOut)
}

func TestMissingConfigFile(t *testing.T) {
	code, _, errOut := run("--config", "/nonexistent/zoo.cfg")
	assert.Equal(t, exitConfig, code)
	assert.Contains(t, errOut, "/nonexistent/zoo.cfg")
}

// The README's main job, driven without a terminal: a local ensemble
// establishes a leader (usually the highest sid), loses it, establishes
// another leader in a higher epoch, and the old leader rejoins; the demo
// then exits cleanly, leaving nothing running (TestMain's goleak check).
func TestDemoElectsAndFailsOver(t *testing.T) {
	code, out, errOut := run("demo", "-n", "3", "-once", "-failover", "100ms")
	require.Equal(t, exitOK, code, "%s\n%s", out, errOut)
	// ZooKeeper's order, fast paths on: every listener is bound before a
	// node starts, so nobody is unreachable and the greatest sid among
	// equal votes leads (a link that ZooKeeper's tie-break closes is no
	// sign of a peer gone, cnx/liveness.go); after the kill, 2.
	assert.Contains(t, out, "leader is server 3, epoch 1", out)
	assert.Contains(t, out, "server 1: LOOKING -> FOLLOWING, leader 3")
	assert.Contains(t, out, "killing the leader, server 3")
	assert.Contains(t, out, "failover: server 2 leads epoch 2")
	assert.Contains(t, out, "server 3 rejoined as a follower of server 2")
	m := regexp.MustCompile(`data \(each node's epoch files\) in (\S+),`).FindStringSubmatch(out)
	require.Len(t, m, 2, "the demo names its data directory")
	assert.NoDirExists(t, m[1], "the demo removes its data directory")
}

func TestDemoWithoutFailover(t *testing.T) {
	code, out, errOut := run("demo", "-n", "5", "-once", "-failover", "0")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "all 5 nodes established")
	assert.NotContains(t, out, "killing")
	code, _, _ = run("demo", "-failover", "-1s")
	assert.Equal(t, exitUsage, code)
}

// One version string: `node version`, the admin endpoint's stat and the
// four-letter words (in ZooKeeper's "3.8.0-zkfle-<version>" form) all say
// internal/version's.
func TestOneVersionString(t *testing.T) {
	v := version.String()
	_, out, _ := run("version")
	assert.True(t, strings.HasPrefix(out, "zkfle node "+v+" "), out)
	assert.True(t, strings.HasPrefix(fourletter.BuildVersion(), fourletter.ZooKeeperVersion+"-zkfle-"+v+", built on "),
		fourletter.BuildVersion())
}

// zooCfgPorts returns the six ports of threeServers' three server lines,
// from internal/freeport: below the ephemeral range, where no dial's
// source port takes them before the node binds them, and distinct from
// the ports of every other test process running at the time.
func zooCfgPorts(t *testing.T) []any {
	t.Helper()
	ports, err := freeport.Ports(6)
	require.NoError(t, err)
	out := make([]any, len(ports))
	for i, p := range ports {
		out[i] = p
	}
	return out
}

// Every logger the node makes from its flags is handed on, so that main
// can make it the process's default (protoactor's records on the shared
// actor system go to slog.Default: they must come out in the node's
// format, not Go's default text).
func TestNewLoggerIsAdopted(t *testing.T) {
	var got *slog.Logger
	adoptLogger = func(l *slog.Logger) { got = l }
	defer func() { adoptLogger = func(*slog.Logger) {} }()
	var buf bytes.Buffer
	log, err := newLogger(&buf, "warn", "json")
	require.NoError(t, err)
	assert.Same(t, log, got)
	got.Warn("from protoactor", "lib", "protoactor")
	assert.Contains(t, buf.String(), `"lib":"protoactor"`, "the adopted logger writes the node's format")
}
