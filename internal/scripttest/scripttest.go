// Package scripttest is what the datadriven script runners of the two
// simulators (fle/sim's TestScripts and nodesim's) share: reading sids,
// partitions and durations from a command's arguments, and printing a
// command's result. Each runner keeps its own commands; only the syntax
// the scripts have in common lives here, so it reads the same in both.
package scripttest

import (
	"strconv"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
	"github.com/stretchr/testify/require"
)

// Sid parses a sid written as a bare argument ("crash 3").
func Sid(t testing.TB, s string) int64 {
	t.Helper()
	v, err := strconv.ParseInt(s, 10, 64)
	require.NoError(t, err, "sid %q", s)
	return v
}

// EachSid applies f to every sid given as a bare argument, in order, and
// stops at the first error.
func EachSid(t testing.TB, td *datadriven.TestData, f func(int64) error) error {
	t.Helper()
	for _, arg := range td.CmdArgs {
		if err := f(Sid(t, arg.Key)); err != nil {
			return err
		}
	}
	return nil
}

// Sides reads a partition's sides, separated by a bare "/":
// "partition 1 2 / 3 4 5" is [[1 2] [3 4 5]].
func Sides(t testing.TB, td *datadriven.TestData) [][]int64 {
	t.Helper()
	var out [][]int64
	var cur []int64
	for _, arg := range td.CmdArgs {
		if arg.Key == "/" {
			out = append(out, cur)
			cur = nil
			continue
		}
		cur = append(cur, Sid(t, arg.Key))
	}
	return append(out, cur)
}

// Duration reads key=<time.Duration>, or returns def when the argument is
// absent; a def of 0 makes the argument required.
func Duration(t testing.TB, td *datadriven.TestData, key string, def time.Duration) time.Duration {
	t.Helper()
	if !td.HasArg(key) {
		if def == 0 {
			td.Fatalf(t, "%s needs %s=", td.Cmd, key)
		}
		return def
	}
	var s string
	td.ScanArgs(t, key, &s)
	d, err := time.ParseDuration(s)
	require.NoError(t, err, key)
	return d
}

// Result is what a command prints: "error: ..." when it failed, else what
// it caused, else "ok" (a golden file never holds an empty output, which
// datadriven could not tell from a missing one).
func Result(caused string, err error) string {
	if err != nil {
		return "error: " + err.Error() + "\n"
	}
	if caused == "" {
		return "ok\n"
	}
	return caused
}
