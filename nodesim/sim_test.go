package nodesim

import (
	"flag"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var (
	seedFlag  = flag.Uint64("nodesim.seed", 0, "run only this seed (replay)")
	seedsFlag = flag.Int("nodesim.seeds", 0, "seeds per configuration (default: see each test; -short fewer)")
	firstFlag = flag.Uint64("nodesim.first", 1, "first seed")
	noFast    = flag.Bool("nodesim.nofast", false, "run TestNodeSimSeeds and the clean runs with the election fast paths off (ZooKeeper's timing)")
)

// variant is one ensemble shape the seeded tests run.
type variant struct {
	name      string
	n         int
	observers int
	hier      bool
	seeds     int // default seed count in TestNodeSimSeeds
}

// variants: plain majorities of 3 and 5, observers beside a majority,
// and hierarchical (weighted groups) with and without an observer.
var variants = []variant{
	{name: "N3", n: 3, seeds: 600},
	{name: "N5", n: 5, seeds: 600},
	{name: "N3obs2", n: 3, observers: 2, seeds: 300},
	{name: "N5hier", n: 5, hier: true, seeds: 400},
	{name: "N5hierobs1", n: 5, observers: 1, hier: true, seeds: 300},
}

func runConfig(v variant, seed uint64) Config {
	return Config{N: v.n, Observers: v.observers, Hierarchical: v.hier, Seed: seed,
		Chaos: time.Duration(2+seed%9) * time.Second, Bound: 20 * time.Second, Settle: 5 * time.Second,
		DisableFastPaths: *noFast}
}

// seedRange is the seeds a test runs for a variant: the flags, or def.
func seedRange(def int) (uint64, int) {
	seeds := def
	if testing.Short() {
		seeds = max(def/4, 1)
	}
	if *seedsFlag > 0 {
		seeds = *seedsFlag
	}
	if *seedFlag != 0 {
		return *seedFlag, 1
	}
	return *firstFlag, seeds
}

// tally is what a batch of runs adds up to.
type tally struct {
	runs, failed, excused, best, byZxid int
	perOracle, faults                   map[string]int
	// paths counts decisions by fle.DecisionPath name (Result.Paths).
	paths   map[string]int
	settles []time.Duration
}

// runSeeds runs cfgOf(seed) for the seed range, reporting the first three
// failures with their replay command and trace tail.
func runSeeds(t *testing.T, test string, first uint64, seeds int, cfgOf func(uint64) Config) tally {
	ty := tally{perOracle: map[string]int{}, faults: map[string]int{}, paths: map[string]int{}}
	for seed := first; seed < first+uint64(seeds); seed++ {
		r, err := Run(cfgOf(seed))
		require.NoError(t, err)
		ty.runs++
		for k, v := range r.Faults {
			ty.faults[k] += v
		}
		for k, v := range r.Paths {
			ty.paths[k] += v
		}
		if len(r.Excused) > 0 {
			ty.excused++
		}
		if r.Settle >= 0 {
			ty.settles = append(ty.settles, r.Settle)
		}
		if r.Best != int64(cfgOf(seed).N) {
			ty.best++
		}
		if r.ZxidDecided {
			ty.byZxid++
		}
		if len(r.Violations) == 0 && r.Err == "" {
			continue
		}
		ty.failed++
		for _, v := range r.Violations {
			ty.perOracle[v.Oracle]++
		}
		if ty.failed <= 3 {
			t.Errorf("%v\nreplay: go test ./nodesim -run '%s' -nodesim.seed=%d -v\ntrace tail:\n%s",
				r, test, seed, r.TraceTail(60))
		}
	}
	return ty
}

func (ty tally) pct(p int) time.Duration {
	s := ty.settles
	if len(s) == 0 {
		return -1
	}
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, len(s)*p/100)]
}

// TestNodeSimSeeds runs whole nodes (fle + cnx + zab sessions + epoch
// storage + the transaction log model) under seeded chaos, for every
// variant in parallel, and judges every run with the independent oracles.
// A failing seed prints its replay command and the trace tail. Soak:
// go test ./nodesim -run TestNodeSimSeeds -nodesim.seeds=N -nodesim.first=F.
func TestNodeSimSeeds(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			first, seeds := seedRange(v.seeds)
			start := time.Now()
			ty := runSeeds(t, "TestNodeSimSeeds/"+v.name+"$", first, seeds, func(seed uint64) Config { return runConfig(v, seed) })
			t.Logf("%s fastpaths=%v seeds=%d..%d failed=%d excused-runs=%d violations=%v settle p50=%v p90=%v p99=%v max=%v runs/s=%.0f decisions=%v faults=%v",
				v.name, !*noFast, first, first+uint64(seeds)-1, ty.failed, ty.excused, ty.perOracle, ty.pct(50), ty.pct(90), ty.pct(99), ty.pct(100),
				float64(ty.runs)/time.Since(start).Seconds(), ty.paths, ty.faults)
			checkPaths(t, ty, !*noFast, seeds)
		})
	}
}

// TestNodeSimCleanRunsElectTheBest runs clean whole-node runs (no faults,
// simultaneous start, 1-5 ms latencies) from seeded disks whose epochs and
// zxids differ, and judges them with every oracle, (c) included: the first
// leader is the best voter by (currentEpoch, zxid, sid). It also checks
// that the seeded disks make the order matter: the best voter is often
// not the largest sid, and is often decided by the zxid.
func TestNodeSimCleanRunsElectTheBest(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			first, seeds := seedRange(v.seeds / 4)
			ty := runSeeds(t, "TestNodeSimCleanRunsElectTheBest/"+v.name+"$", first, seeds, func(seed uint64) Config {
				cfg := runConfig(v, seed)
				cfg.Clean = true
				return cfg
			})
			t.Logf("%s clean fastpaths=%v seeds=%d failed=%d violations=%v best-not-largest-sid=%d decided-by-zxid=%d decisions=%v",
				v.name, !*noFast, seeds, ty.failed, ty.perOracle, ty.best, ty.byZxid, ty.paths)
			if seeds >= 50 {
				require.Greater(t, ty.best, seeds/10, "the seeded disks must make the epoch and zxid decide often")
				require.Greater(t, ty.byZxid, seeds/20, "the zxid must decide often")
			}
		})
	}
}

// TestNodeSimReplaysExactly: a seed is its whole run (the replay command
// a failure prints must reproduce it): the same seed gives the same trace,
// faults and settle time, and another seed a different trace.
func TestNodeSimReplaysExactly(t *testing.T) {
	for _, v := range variants {
		for _, seed := range []uint64{7, 367} {
			cfg := runConfig(v, seed)
			cfg.KeepTrace = true
			a, err := Run(cfg)
			require.NoError(t, err)
			b, err := Run(cfg)
			require.NoError(t, err)
			require.Equal(t, a.Trace, b.Trace, "%s seed %d", v.name, seed)
			require.Equal(t, a.Faults, b.Faults)
			require.Equal(t, a.Settle, b.Settle)
			require.NotEmpty(t, a.Trace)
			cfg.Seed++
			c, err := Run(cfg)
			require.NoError(t, err)
			require.NotEqual(t, a.Trace, c.Trace)
		}
	}
}

// TestNodeSimStopsAfterItsQuietPeriod: a run that settles stops once it
// has stayed settled for Settle (what keeps a seed cheap), not before.
func TestNodeSimStopsAfterItsQuietPeriod(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		cfg := runConfig(variants[0], seed)
		cfg.Clean = true
		r, err := Run(cfg)
		require.NoError(t, err)
		require.Empty(t, r.Violations)
		require.GreaterOrEqual(t, r.End, r.Settle+cfg.Settle, "seed %d", seed)
		require.Less(t, r.End, r.Settle+cfg.Settle+time.Second, "seed %d: the run went on after its quiet period", seed)
	}
}

// checkPaths asserts which rules decided a batch: with the fast paths off
// never a fast one; with them on, over a batch large enough, both fast
// paths (what the seeded runs exist to exercise) besides the window.
func checkPaths(t *testing.T, ty tally, fast bool, seeds int) {
	t.Helper()
	if !fast {
		require.Zero(t, ty.paths["unanimity"]+ty.paths["reachable"], "fast paths off, yet a fast decision: %v", ty.paths)
		return
	}
	if seeds >= 50 {
		require.Positive(t, ty.paths["unanimity"], "no unanimity decision in %d runs: %v", seeds, ty.paths)
		require.Positive(t, ty.paths["reachable"], "no reachable decision in %d runs: %v", seeds, ty.paths)
	}
}

// TestNodeSimSeedsFastPathsOff is TestNodeSimSeeds and the clean runs with
// the election fast paths off (ZooKeeper's timing: every LOOKING round
// waits out the finalize window), on a smaller sample: the same oracles
// hold, and no decision takes a fast path.
func TestNodeSimSeedsFastPathsOff(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			first, seeds := seedRange(v.seeds / 4)
			ty := runSeeds(t, "TestNodeSimSeedsFastPathsOff/"+v.name+"$", first, seeds, func(seed uint64) Config {
				cfg := runConfig(v, seed)
				cfg.DisableFastPaths = true
				return cfg
			})
			clean := runSeeds(t, "TestNodeSimSeedsFastPathsOff/"+v.name+"$", first, max(seeds/2, 1), func(seed uint64) Config {
				cfg := runConfig(v, seed)
				cfg.DisableFastPaths, cfg.Clean = true, true
				return cfg
			})
			t.Logf("%s fastpaths=false seeds=%d failed=%d clean=%d clean-failed=%d violations=%v settle p50=%v p99=%v max=%v decisions=%v",
				v.name, seeds, ty.failed, clean.runs, clean.failed, ty.perOracle, ty.pct(50), ty.pct(99), ty.pct(100), ty.paths)
			checkPaths(t, ty, false, seeds)
			checkPaths(t, clean, false, seeds)
		})
	}
}
