package nodesim

import (
	"flag"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReplayCommandSelectsTheRunsConfig: the replay command a failing seed
// prints reruns exactly the failing run. Parsed as go test would parse it,
// its -run pattern selects that batch's subtest and no other batch, and
// the seed and flags it carries give the same Config as the run that
// failed (TestNodeSimReplaysExactly shows that a Config is its whole run).
// Before, -nodesim.nofast was left out, and both batches of
// TestNodeSimSeedsFastPathsOff printed one -run (which, unanchored, also
// selected TestNodeSimSeedsFastPathsOff when it meant TestNodeSimSeeds).
func TestReplayCommandSelectsTheRunsConfig(t *testing.T) {
	batches := allBatches()
	require.Len(t, batches, 4*len(variants))
	for _, b := range batches {
		for _, o := range []runOpts{{}, {noFast: true}} {
			for _, seed := range []uint64{7, 367} {
				cmd := replayCommand(b.name, seed, o)
				pattern, gotSeed, gotOpts := parseReplay(t, cmd)
				var selected []string
				for _, other := range batches {
					if runSelects(t, pattern, other.name) {
						selected = append(selected, other.name)
					}
				}
				require.Equal(t, []string{b.name}, selected, "%s", cmd)
				require.Equal(t, b.cfg(seed, o), b.cfg(gotSeed, gotOpts), "%s", cmd)
			}
		}
	}
	// The fast-path flag is part of the command exactly when it was set.
	require.Contains(t, replayCommand("TestNodeSimSeeds/N3", 5, runOpts{noFast: true}), " -nodesim.nofast")
	require.NotContains(t, replayCommand("TestNodeSimSeeds/N3", 5, runOpts{}), "nofast")
}

// parseReplay reads a replay command's -run pattern, seed and run options
// with a flag set shaped like go test's (the flags this package defines,
// plus -run and -v).
func parseReplay(t *testing.T, cmd string) (string, uint64, runOpts) {
	t.Helper()
	const prefix = "go test ./nodesim "
	require.True(t, strings.HasPrefix(cmd, prefix), cmd)
	var args []string
	for _, f := range strings.Fields(strings.TrimPrefix(cmd, prefix)) {
		args = append(args, strings.Trim(f, "'"))
	}
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	run := fs.String("run", "", "")
	seed := fs.Uint64("nodesim.seed", 0, "")
	nofast := fs.Bool("nodesim.nofast", false, "")
	fs.Bool("v", false, "")
	require.NoError(t, fs.Parse(args), cmd)
	require.Empty(t, fs.Args(), "%s: arguments no flag reads", cmd)
	require.NotZero(t, *seed, "%s: no seed", cmd)
	return *run, *seed, runOpts{noFast: *nofast}
}

// runSelects reports whether go test -run pattern runs the (sub)test name:
// the pattern's slash-separated elements match the name's levels one by
// one (unanchored, as go test matches), and levels past the pattern's
// last element all run.
func runSelects(t *testing.T, pattern, name string) bool {
	t.Helper()
	elems, levels := strings.Split(pattern, "/"), strings.Split(name, "/")
	for i, e := range elems {
		if i >= len(levels) {
			break
		}
		ok, err := regexp.MatchString(e, levels[i])
		require.NoError(t, err, pattern)
		if !ok {
			return false
		}
	}
	return true
}
