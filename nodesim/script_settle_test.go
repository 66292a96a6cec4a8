package nodesim

import (
	"testing"

	"github.com/cockroachdb/datadriven"
	"github.com/stretchr/testify/require"
)

// TestSettleStatesItsBound: a script's settle prints no duration, only a
// bound it states: within=D prints "(within D)" when the nodes first stood
// settled within D of the command, and says they did not when they took
// longer (a cold start of three takes tens of milliseconds: 1ms is too
// short, 10s ample). Without within= the line carries no time at all.
func TestSettleStatesItsBound(t *testing.T) {
	settle := func(args ...datadriven.CmdArg) string {
		e := &scriptEnv{}
		require.NoError(t, e.start(t, &datadriven.TestData{Pos: "start", Cmd: "start",
			CmdArgs: []datadriven.CmdArg{{Key: "n", Vals: []string{"3"}}}}))
		return e.settle(t, &datadriven.TestData{Pos: "settle", Cmd: "settle", CmdArgs: args})
	}
	within := func(d string) datadriven.CmdArg { return datadriven.CmdArg{Key: "within", Vals: []string{d}} }
	require.Equal(t, "settled: n3 leads epoch 1, followed by n1 n2\n", settle())
	require.Equal(t, "settled: n3 leads epoch 1, followed by n1 n2 (within 10s)\n", settle(within("10s")))
	require.Equal(t, "settled: n3 leads epoch 1, followed by n1 n2, but not settled within 1ms\n", settle(within("1ms")))
}
