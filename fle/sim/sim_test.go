package sim

import (
	"flag"
	"testing"

	"github.com/stretchr/testify/require"
)

var (
	flagSeed = flag.Uint64("sim.seed", 0, "TestSimulatorReplay: the seed to replay")
	flagN    = flag.Int("sim.n", 0, "TestSimulatorReplay: the cluster size to replay")
)

// TestSimulatorReplay replays one seeded run and prints its trace:
// go test ./fle/sim -run TestSimulatorReplay -sim.seed=S -sim.n=N -v
func TestSimulatorReplay(t *testing.T) {
	if *flagN == 0 {
		t.Skip("set -sim.seed and -sim.n to replay a run")
	}
	o := RandomOptions(*flagSeed, *flagN)
	o.Trace = true
	res := Run(o)
	t.Logf("options: %+v", o)
	t.Logf("members: %+v", res.Members)
	t.Logf("trace:\n%s", res.Trace.String())
	t.Logf("result: %s", res.String())
	require.Empty(t, res.Violations, "replayed run failed")
}
