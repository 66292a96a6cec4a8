package nodesim

import (
	"flag"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var (
	seedFlag  = flag.Uint64("nodesim.seed", 0, "run only this seed (replay)")
	seedsFlag = flag.Int("nodesim.seeds", 0, "seeds per ensemble size (default 1000 each for N=3 and N=5; -short 250)")
	firstFlag = flag.Uint64("nodesim.first", 1, "first seed")
)

func runConfig(n int, seed uint64) Config {
	return Config{N: n, Seed: seed, Chaos: time.Duration(2+seed%9) * time.Second, Bound: 20 * time.Second, Settle: 5 * time.Second}
}

// TestNodeSimSeeds runs whole nodes (fle + cnx + zab sessions + epoch
// storage) under seeded chaos and judges every run with the independent
// oracles. A failing seed prints its replay command and the trace tail.
func TestNodeSimSeeds(t *testing.T) {
	seeds := 1000
	if testing.Short() {
		seeds = 250
	}
	if *seedsFlag > 0 {
		seeds = *seedsFlag
	}
	first := *firstFlag
	if *seedFlag != 0 {
		first, seeds = *seedFlag, 1
	}
	for _, n := range []int{3, 5} {
		t.Run(fmt.Sprintf("N%d", n), func(t *testing.T) {
			perOracle := map[string]int{}
			var settles []time.Duration
			failed, excused := 0, 0
			faults := map[string]int{}
			for seed := first; seed < first+uint64(seeds); seed++ {
				r, err := Run(runConfig(n, seed))
				require.NoError(t, err)
				for k, v := range r.Faults {
					faults[k] += v
				}
				if len(r.Excused) > 0 {
					excused++
				}
				if r.Settle >= 0 {
					settles = append(settles, r.Settle)
				}
				if len(r.Violations) == 0 && r.Err == "" {
					continue
				}
				failed++
				for _, v := range r.Violations {
					perOracle[v.Oracle]++
				}
				if failed <= 3 {
					t.Errorf("%v\nreplay: go test ./nodesim -run 'TestNodeSimSeeds/N%d' -nodesim.seed=%d -v\ntrace tail:\n%s",
						r, n, seed, r.TraceTail(40))
				}
			}
			sort.Slice(settles, func(i, j int) bool { return settles[i] < settles[j] })
			pct := func(p int) time.Duration {
				if len(settles) == 0 {
					return -1
				}
				return settles[min(len(settles)-1, len(settles)*p/100)]
			}
			t.Logf("N=%d seeds=%d failed=%d excused-runs=%d violations=%v settle p50=%v p90=%v p99=%v max=%v faults=%v",
				n, seeds, failed, excused, perOracle, pct(50), pct(90), pct(99), pct(100), faults)
		})
	}
}

// TestNodeSimCleanRunsElectTheBest runs clean whole-node runs (no faults,
// start within 50 ms, 1-5 ms latencies) from seeded disks whose epochs and
// zxids differ, and judges them with every oracle, (c) included: the first
// leader is the best voter by (currentEpoch, zxid, sid). It also checks
// that the seeded disks make the order matter: the best voter is often
// not the largest sid, and is often decided by the zxid.
func TestNodeSimCleanRunsElectTheBest(t *testing.T) {
	seeds := 500
	if testing.Short() {
		seeds = 100
	}
	if *seedsFlag > 0 {
		seeds = *seedsFlag
	}
	first := *firstFlag
	if *seedFlag != 0 {
		first, seeds = *seedFlag, 1
	}
	for _, n := range []int{3, 5} {
		t.Run(fmt.Sprintf("N%d", n), func(t *testing.T) {
			failed, notMaxSID, byZxid := 0, 0, 0
			for seed := first; seed < first+uint64(seeds); seed++ {
				cfg := runConfig(n, seed)
				cfg.Clean = true
				r, err := Run(cfg)
				require.NoError(t, err)
				if best := r.Best; best != int64(n) {
					notMaxSID++
				}
				if r.ZxidDecided {
					byZxid++
				}
				if len(r.Violations) == 0 && r.Err == "" {
					continue
				}
				failed++
				if failed <= 3 {
					t.Errorf("%v\nreplay: go test ./nodesim -run 'TestNodeSimCleanRunsElectTheBest/N%d' -nodesim.seed=%d -v\ntrace tail:\n%s",
						r, n, seed, r.TraceTail(40))
				}
			}
			t.Logf("N=%d clean seeds=%d failed=%d best-not-largest-sid=%d decided-by-zxid=%d", n, seeds, failed, notMaxSID, byZxid)
			if seeds >= 100 {
				require.Greater(t, notMaxSID, seeds/10, "the seeded disks must make the epoch and zxid decide often")
				require.Greater(t, byZxid, seeds/20, "the zxid must decide often")
			}
		})
	}
}
