package sim

import (
	crand "crypto/rand"
	"encoding/binary"
	"flag"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/fle"
)

var (
	flagSeed  = flag.Uint64("sim.seed", 0, "TestSimulatorReplay: the seed to replay")
	flagN     = flag.Int("sim.n", 0, "TestSimulatorReplay: the cluster size to replay")
	flagSeeds = flag.Int("sim.seeds", 2000, "TestSimulatorSeeds: how many seeds to run")
	flagBase  = flag.Uint64("sim.base", 1, "TestSimulatorSeeds: the first seed")
	flagSoak  = flag.Duration("sim.soak", 0, "TestSimulatorSoak: run random seeds for this long (e.g. 10m)")
	flagFast  = flag.String("sim.fast", "both", "TestSimulatorSeeds/Soak: fast paths on, off, or both (each seed twice)")
	flagRFast = flag.Bool("sim.replayfast", false, "TestSimulatorReplay: replay with the fast paths on")
)

// fastModes is the fast-path settings -sim.fast asks each seed to run
// with.
func fastModes(t *testing.T) []bool {
	switch *flagFast {
	case "on":
		return []bool{true}
	case "off":
		return []bool{false}
	case "both":
		return []bool{false, true}
	}
	t.Fatalf("-sim.fast=%q: want on, off or both", *flagFast)
	return nil
}

// sizeForSeed picks a run's cluster size from its seed: mostly small
// clusters (where schedules are most varied per event), some up to 51.
func sizeForSeed(seed uint64) int {
	r := rand.New(rand.NewPCG(seed, 0x517e))
	switch x := r.IntN(100); {
	case x < 60:
		return 3 + r.IntN(5)
	case x < 92:
		return 8 + r.IntN(8)
	default:
		return 16 + r.IntN(MaxN-15)
	}
}

// summary aggregates many runs.
type summary struct {
	mu                             sync.Mutex
	runs, clean, splitRuns, splits int
	exempted                       int
	failures                       []string
	maxSettle                      time.Duration
	maxSettleSeed                  uint64
	maxSettleN                     int
	maxRound                       int64
	messages                       int
	settleShare                    float64
	byPath                         [5]int
}

func (s *summary) add(res Result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.runs++
	if res.Clean {
		s.clean++
	}
	s.exempted += res.ExemptObserverDecisions
	if len(res.Splits) > 0 {
		s.splitRuns++
		s.splits += len(res.Splits)
	}
	if res.Failed() {
		s.failures = append(s.failures, res.String()+"\n    replay: "+res.ReplayCommand())
	}
	if res.Settled {
		if d := res.SettledAt - res.LiveFrom; d > s.maxSettle {
			s.maxSettle, s.maxSettleSeed, s.maxSettleN = d, res.Options.Seed, res.Options.N
			s.settleShare = float64(d) / float64(res.Bound)
		}
	}
	s.maxRound = max(s.maxRound, res.Stats.MaxRound)
	s.messages += res.Stats.Messages
	for i, k := range res.Stats.ByPath {
		s.byPath[i] += k
	}
}

func (s *summary) report(t *testing.T, took time.Duration) {
	t.Logf("%d runs in %s: %d clean, %d with splits (%d splits, not failures outside clean runs), %d exempt observer decisions, %d failed",
		s.runs, took.Round(time.Millisecond), s.clean, s.splitRuns, s.splits, s.exempted, len(s.failures))
	t.Logf("slowest to settle after the faults healed: %s (%.0f%% of the bound) seed=%d n=%d; highest round %d; %d messages",
		s.maxSettle, 100*s.settleShare, s.maxSettleSeed, s.maxSettleN, s.maxRound, s.messages)
	t.Logf("decisions by path: finalize-window %d, unanimity %d, reachable %d, leader-notification %d",
		s.byPath[fle.PathFinalizeWindow], s.byPath[fle.PathUnanimity], s.byPath[fle.PathReachable], s.byPath[fle.PathLeaderNotification])
	for _, f := range s.failures {
		t.Errorf("FAILED %s", f)
	}
}

// runSeeds runs seeds from next() on every CPU until next reports false,
// each once per fast-path setting in modes.
func runSeeds(modes []bool, next func() (uint64, bool)) *summary {
	s := &summary{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				seed, ok := next()
				mu.Unlock()
				if !ok {
					return
				}
				for _, fast := range modes {
					o := RandomOptions(seed, sizeForSeed(seed))
					o.FastPaths = fast
					s.add(Run(o))
				}
			}
		}()
	}
	wg.Wait()
	return s
}

// TestSimulatorSeeds runs -sim.seeds seeded runs (a mix of sizes, data,
// observers, hierarchical quorums and faults; see RandomOptions) and
// checks every one: agreement and the best leader for clean runs,
// liveness after the faults heal for all. A failing seed prints the
// command that replays it with a trace.
func TestSimulatorSeeds(t *testing.T) {
	start := time.Now()
	seed, last := *flagBase, *flagBase+uint64(*flagSeeds)
	modes := fastModes(t)
	s := runSeeds(modes, func() (uint64, bool) {
		if seed >= last {
			return 0, false
		}
		seed++
		return seed - 1, true
	})
	s.report(t, time.Since(start))
	require.Equal(t, *flagSeeds*len(modes), s.runs)
	require.Positive(t, s.clean, "the mix must include clean runs")
}

// TestSimulatorSoak runs random seeds for -sim.soak (skipped without it).
func TestSimulatorSoak(t *testing.T) {
	if *flagSoak <= 0 {
		t.Skip("set -sim.soak=10m to soak")
	}
	var b [8]byte
	_, err := crand.Read(b[:])
	require.NoError(t, err)
	seed := binary.LittleEndian.Uint64(b[:])
	t.Logf("soak from seed %d for %s", seed, *flagSoak)
	start := time.Now()
	deadline := start.Add(*flagSoak)
	s := runSeeds(fastModes(t), func() (uint64, bool) {
		if time.Now().After(deadline) {
			return 0, false
		}
		seed++
		return seed, true
	})
	s.report(t, time.Since(start))
}

// TestSimulatorReplay replays one seeded run and prints its trace:
// go test ./fle/sim -run TestSimulatorReplay -sim.seed=S -sim.n=N -v
func TestSimulatorReplay(t *testing.T) {
	if *flagN == 0 {
		t.Skip("set -sim.seed and -sim.n to replay a run")
	}
	o := RandomOptions(*flagSeed, *flagN)
	o.FastPaths = *flagRFast
	o.Trace = true
	res := Run(o)
	t.Logf("options: %+v", o)
	t.Logf("members: %s", fmt.Sprint(res.Members))
	t.Logf("trace:\n%s", res.Trace.String())
	t.Logf("result: %s", res.String())
	require.Empty(t, res.Violations, "replayed run failed")
}
