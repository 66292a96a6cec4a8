package nodesim

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestOneWayPartitionCutsTwoNodes: every one-way partition the chaos plan
// counts cuts one node from another node, never from itself (a self-cut
// did nothing, yet Result.Faults counted it as a fault injected). It runs
// the chaos window of many seeds event by event and counts the cuts that
// happened against the faults counted.
func TestOneWayPartitionCutsTwoNodes(t *testing.T) {
	drawn, cut := 0, 0
	for _, v := range variants {
		for seed := uint64(1); seed <= 60; seed++ {
			cfg := runConfig(v, seed, runOpts{})
			w, err := NewWorld(cfg)
			require.NoError(t, err)
			faults := map[string]int{}
			w.planChaos(faults)
			for w.step(cfg.Chaos) {
				for _, l := range w.trace {
					if strings.HasPrefix(l.format, "one-way partition") {
						cut++
						require.NotEqual(t, l.args[0], l.args[1], "%s seed %d: a node cut from itself", v.name, seed)
					}
				}
				w.trace = w.trace[:0]
			}
			drawn += faults["partition-oneway"]
		}
	}
	require.Positive(t, drawn, "the plans drew no one-way partition")
	require.Equal(t, drawn, cut, "one-way partitions counted vs carried out")
}
