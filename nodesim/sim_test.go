package nodesim

import (
	"flag"
	"fmt"
	"regexp"
	"sort"
	"strings"
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

// runOpts are the flags that shape a run's Config beyond its seed; a
// replay command must carry every one of them (replayCommand).
type runOpts struct {
	noFast bool // -nodesim.nofast
}

// flagOpts are the options this test binary was started with.
func flagOpts() runOpts { return runOpts{noFast: *noFast} }

func runConfig(v variant, seed uint64, o runOpts) Config {
	return Config{N: v.n, Observers: v.observers, Hierarchical: v.hier, Seed: seed,
		Chaos: time.Duration(2+seed%9) * time.Second, Bound: 20 * time.Second, Settle: 5 * time.Second,
		DisableFastPaths: o.noFast}
}

// batch is one seeded configuration a (sub)test runs: its full test name
// (t.Name(), which the replay command selects) and its Config for a seed
// under the flags. The seeded tests run only batches from allBatches, so
// TestReplayCommandSelectsTheRunsConfig can check every replay command
// against the configuration that produced the failure.
type batch struct {
	name string
	cfg  func(seed uint64, o runOpts) Config
}

func seedsBatch(v variant) batch {
	return batch{name: "TestNodeSimSeeds/" + v.name, cfg: func(seed uint64, o runOpts) Config { return runConfig(v, seed, o) }}
}

func cleanBatch(v variant) batch {
	return batch{name: "TestNodeSimCleanRunsElectTheBest/" + v.name, cfg: func(seed uint64, o runOpts) Config {
		cfg := runConfig(v, seed, o)
		cfg.Clean = true
		return cfg
	}}
}

// fastOffBatch is one of TestNodeSimSeedsFastPathsOff's two batches per
// variant, each its own subtest (chaos, clean) so that a replay runs
// the failing batch's config and not the other's.
func fastOffBatch(v variant, clean bool) batch {
	sub := "chaos"
	if clean {
		sub = "clean"
	}
	return batch{name: "TestNodeSimSeedsFastPathsOff/" + v.name + "/" + sub, cfg: func(seed uint64, o runOpts) Config {
		cfg := runConfig(v, seed, o)
		cfg.DisableFastPaths, cfg.Clean = true, clean
		return cfg
	}}
}

// allBatches is every batch the seeded tests run.
func allBatches() []batch {
	var out []batch
	for _, v := range variants {
		out = append(out, seedsBatch(v), cleanBatch(v), fastOffBatch(v, false), fastOffBatch(v, true))
	}
	return out
}

// replayCommand is the command that reruns one seed of a batch exactly:
// a -run pattern anchored at every level (so it selects that batch and
// no other: TestNodeSimSeeds alone would also match
// TestNodeSimSeedsFastPathsOff), the seed, and every flag in runOpts.
func replayCommand(name string, seed uint64, o runOpts) string {
	var elems []string
	for _, e := range strings.Split(name, "/") {
		elems = append(elems, "^"+regexp.QuoteMeta(e)+"$")
	}
	cmd := fmt.Sprintf("go test ./nodesim -run '%s' -nodesim.seed=%d", strings.Join(elems, "/"), seed)
	if o.noFast {
		cmd += " -nodesim.nofast"
	}
	return cmd + " -v"
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

// runSeeds runs b's Config for the seed range under this binary's flags,
// reporting the first three failures with their replay command and trace
// tail. t must be b's own (sub)test: the replay command names it.
func runSeeds(t *testing.T, b batch, first uint64, seeds int) tally {
	require.Equal(t, b.name, t.Name(), "a batch runs in the subtest its replay command selects")
	o := flagOpts()
	ty := tally{perOracle: map[string]int{}, faults: map[string]int{}, paths: map[string]int{}}
	for seed := first; seed < first+uint64(seeds); seed++ {
		cfg := b.cfg(seed, o)
		r, err := Run(cfg)
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
		if r.Best != int64(cfg.N) {
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
			t.Errorf("%v\nreplay: %s\ntrace tail:\n%s", r, replayCommand(b.name, seed, o), r.TraceTail(60))
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
// go test ./nodesim -run '^TestNodeSimSeeds$' -nodesim.seeds=N -nodesim.first=F
// (unanchored, the pattern would also run TestNodeSimSeedsFastPathsOff).
func TestNodeSimSeeds(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			first, seeds := seedRange(v.seeds)
			start := time.Now()
			ty := runSeeds(t, seedsBatch(v), first, seeds)
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
			ty := runSeeds(t, cleanBatch(v), first, seeds)
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
			cfg := runConfig(v, seed, runOpts{})
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
		cfg := cleanBatch(variants[0]).cfg(seed, runOpts{})
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
// waits out the finalize window), on a smaller sample, each batch in its
// own subtest (chaos, clean): the same oracles hold, and no decision takes
// a fast path.
func TestNodeSimSeedsFastPathsOff(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			first, seeds := seedRange(v.seeds / 4)
			t.Run("chaos", func(t *testing.T) {
				ty := runSeeds(t, fastOffBatch(v, false), first, seeds)
				t.Logf("%s fastpaths=false seeds=%d failed=%d violations=%v settle p50=%v p99=%v max=%v decisions=%v",
					v.name, seeds, ty.failed, ty.perOracle, ty.pct(50), ty.pct(99), ty.pct(100), ty.paths)
				checkPaths(t, ty, false, seeds)
			})
			t.Run("clean", func(t *testing.T) {
				clean := runSeeds(t, fastOffBatch(v, true), first, max(seeds/2, 1))
				t.Logf("%s clean fastpaths=false seeds=%d failed=%d violations=%v decisions=%v",
					v.name, clean.runs, clean.failed, clean.perOracle, clean.paths)
				checkPaths(t, clean, false, seeds)
			})
		})
	}
}
