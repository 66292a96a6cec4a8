package sim

import (
	"math/rand/v2"
	"time"

	"github.com/zkfle/zkfle/fle"
)

// Options describe one simulator run. Everything random in the run (the
// members' zxids and epochs, fault times, delays, losses) is drawn from a
// source seeded with Seed, so equal Options give equal runs.
type Options struct {
	// Seed seeds every random choice of the run.
	Seed uint64
	// N is the number of servers, observers included: 3..51.
	N int
	// Observers is how many of the N are observers; at least 3 voters
	// must remain.
	Observers int
	// Hierarchical gives voters random groups and weights, zero weights
	// included (never so many that the eligible voters lose their quorum).
	Hierarchical bool
	// Untrusted is how many voters have zxid -1 (an untrusted empty
	// database), at most as many as leave a quorum of trusted voters.
	Untrusted int
	// SameData gives every voter zxid 0 and epoch 0, so the sid alone
	// decides; otherwise epochs and zxids are drawn at random.
	SameData bool
	// StartSpread spreads the nodes' first Start over [0, StartSpread);
	// 0 starts them all together at time 0.
	StartSpread time.Duration
	// Faults is what goes wrong during the fault window.
	Faults Faults
	// Timing is handed to every machine; zero fields are ZooKeeper's
	// defaults.
	Timing fle.Timing
	// DetectorTimeout is the failure detector's D; 0 means
	// DefaultDetectorTimeout.
	DetectorTimeout time.Duration
	// MaxEvents bounds the run; 0 means DefaultMaxEvents.
	MaxEvents int
	// Trace records every event in Result.Trace.
	Trace bool
	// FastPaths turns on the machines' fast paths and the reachability
	// reports they use (Config.FastPaths).
	FastPaths bool

	// newMachine replaces fle.New, for tests of the checks themselves.
	newMachine func(fle.Config) (Machine, error)
}

// Faults are what the network and the nodes suffer during the fault
// window [0, Window). From Window on (the heal time) every partition is
// healed, every crashed node has restarted, and the network delivers
// every message once, after 1 ms to FinalizeWait/2. With Window 0 the
// delay and duplicate settings hold for the whole run (then losses and
// delays of FinalizeWait or more are not allowed).
type Faults struct {
	// MinDelay and MaxDelay bound each message's delay during the window
	// (and, without a window, for the whole run). MaxDelay 0 means
	// FinalizeWait/2.
	MinDelay, MaxDelay time.Duration
	// Drop and Duplicate are per-message probabilities during the window.
	// A drop loses the message but leaves its connection up, which TCP
	// never does: it is an adversarial fault, recovered from only by the
	// notification timeout's re-sends.
	Drop, Duplicate float64
	// Reorder lets messages on one link direction overtake each other
	// during the window (something TCP never does); otherwise each link
	// delivers in order and only different links interleave.
	Reorder bool
	// Partitions, Crashes and LeaderCrashes count fault episodes during
	// the window: a partition that heals, a random node that crashes and
	// restarts, the current leader (or a random node when there is none)
	// that crashes and restarts.
	Partitions, Crashes, LeaderCrashes int
	// Window is the fault window's length; it must be positive when any
	// episode is asked for.
	Window time.Duration
}

// DefaultMaxEvents bounds a run's events when Options.MaxEvents is 0.
const DefaultMaxEvents = 3_000_000

// MinN and MaxN bound Options.N.
const (
	MinN = 3
	MaxN = 51
)

// Clean reports whether the run meets the conditions under which
// ZooKeeper's election must agree and pick the best voter: every node
// starts looking together, no message is lost, no node crashes, no
// partition, and every delay is shorter than FinalizeWait.
func (o Options) Clean() bool {
	f := o.Faults
	return o.StartSpread == 0 && f.Drop == 0 && f.Partitions == 0 && f.Crashes == 0 &&
		f.LeaderCrashes == 0 && o.maxDelay() < o.finalizeWait()
}

func (o Options) finalizeWait() time.Duration {
	if o.Timing.FinalizeWait > 0 {
		return o.Timing.FinalizeWait
	}
	return fle.DefaultTiming().FinalizeWait
}

func (o Options) maxNotification() time.Duration {
	if o.Timing.MaxNotificationInterval > 0 {
		return o.Timing.MaxNotificationInterval
	}
	return fle.DefaultTiming().MaxNotificationInterval
}

func (o Options) detector() time.Duration {
	if o.DetectorTimeout > 0 {
		return o.DetectorTimeout
	}
	return DefaultDetectorTimeout
}

func (o Options) maxDelay() time.Duration {
	if o.Faults.MaxDelay > 0 {
		return o.Faults.MaxDelay
	}
	return o.finalizeWait() / 2
}

// healAt is when every fault is over: the end of the fault window.
func (o Options) healAt() time.Duration { return o.Faults.Window }

// Validate rejects options Run cannot honour, with a *ConfigError that
// wraps ErrBadConfig.
func (o Options) Validate() error {
	switch {
	case o.N < MinN || o.N > MaxN:
		return &ConfigError{Field: "N", Value: o.N, Reason: "must be in 3..51"}
	case o.Observers < 0 || o.N-o.Observers < 3:
		return &ConfigError{Field: "Observers", Value: o.Observers, Reason: "must leave at least 3 voters"}
	case o.Untrusted < 0:
		return &ConfigError{Field: "Untrusted", Value: o.Untrusted, Reason: "must not be negative"}
	case o.StartSpread < 0:
		return &ConfigError{Field: "StartSpread", Value: o.StartSpread, Reason: "must not be negative"}
	case o.Faults.Drop < 0 || o.Faults.Drop >= 1:
		return &ConfigError{Field: "Faults.Drop", Value: o.Faults.Drop, Reason: "must be in [0, 1)"}
	case o.Faults.Duplicate < 0 || o.Faults.Duplicate > 1:
		return &ConfigError{Field: "Faults.Duplicate", Value: o.Faults.Duplicate, Reason: "must be in [0, 1]"}
	case o.Faults.MinDelay < 0 || o.Faults.MinDelay > o.maxDelay():
		return &ConfigError{Field: "Faults.MinDelay", Value: o.Faults.MinDelay, Reason: "must be in [0, MaxDelay]"}
	case o.Faults.Window < 0:
		return &ConfigError{Field: "Faults.Window", Value: o.Faults.Window, Reason: "must not be negative"}
	case o.Faults.Window == 0 && o.Faults.Partitions+o.Faults.Crashes+o.Faults.LeaderCrashes > 0:
		return &ConfigError{Field: "Faults.Window", Value: o.Faults.Window, Reason: "must be positive with fault episodes"}
	case o.Faults.Window == 0 && (o.Faults.Drop > 0 || o.maxDelay() >= o.finalizeWait()):
		// Liveness is only promised once the network is healthy again.
		return &ConfigError{Field: "Faults.Window", Value: o.Faults.Window, Reason: "must be positive with losses or delays >= FinalizeWait"}
	}
	return nil
}

// RandomOptions derives a whole scenario from a seed and a size: the mix
// TestSimulatorSeeds and the soak run. The same (seed, n) always gives the
// same Options, which is what makes a failing seed replayable.
func RandomOptions(seed uint64, n int) Options {
	r := rand.New(rand.NewPCG(seed, 0x5eed0b7))
	o := Options{Seed: seed, N: n}
	if n >= 4 && r.IntN(10) < 3 {
		o.Observers = 1 + r.IntN(max(1, (n-3)/3))
	}
	voters := n - o.Observers
	o.Hierarchical = r.IntN(4) == 0
	if r.IntN(7) == 0 {
		o.Untrusted = 1 + r.IntN(max(1, (voters-1)/2))
	}
	o.SameData = r.IntN(3) == 0
	fw := o.finalizeWait()
	f := &o.Faults
	f.MinDelay = time.Millisecond
	f.MaxDelay = time.Duration(2+r.IntN(int(fw/time.Millisecond)-3)) * time.Millisecond
	switch profile := r.IntN(10); profile {
	case 0, 1, 2, 3:
		// The clean case of check (a): together, nothing lost. Messages
		// may be duplicated or overtake each other during the first
		// seconds.
		if r.IntN(4) == 0 {
			f.Window = 2 * time.Second
			f.Duplicate = 0.05 * float64(r.IntN(2))
			f.Reorder = r.IntN(2) == 0
		}
	case 4:
		o.StartSpread = time.Duration(1+r.IntN(3000)) * time.Millisecond
	case 5:
		// Slow links: a better vote can arrive after a finalize window.
		f.MaxDelay = time.Duration(200+r.IntN(1000)) * time.Millisecond
		f.Window = 20 * time.Second
	case 6:
		f.Drop = 0.05 + 0.25*r.Float64()
		f.Duplicate = 0.1 * r.Float64()
		f.Reorder = r.IntN(2) == 0
		f.Window = time.Duration(5+r.IntN(30)) * time.Second
	case 7:
		f.Partitions = 1 + r.IntN(3)
		f.Window = time.Duration(10+r.IntN(60)) * time.Second
	case 8:
		f.Crashes = r.IntN(3)
		f.LeaderCrashes = 1 + r.IntN(2)
		f.Window = time.Duration(10+r.IntN(60)) * time.Second
	default:
		o.StartSpread = time.Duration(r.IntN(2000)) * time.Millisecond
		f.MaxDelay = time.Duration(50+r.IntN(500)) * time.Millisecond
		f.Drop = 0.1 * r.Float64()
		f.Duplicate = 0.1 * r.Float64()
		f.Reorder = r.IntN(2) == 0
		f.Partitions = r.IntN(3)
		f.Crashes = r.IntN(2)
		f.LeaderCrashes = r.IntN(2)
		f.Window = time.Duration(10+r.IntN(60)) * time.Second
	}
	if o.Observers > 0 {
		// No duplicates with observers: a LOOKING voter and a decided
		// observer answer each other's every notification (ZooKeeper's
		// WorkerReceiver always answers a non-voter, and a decided server
		// always answers a LOOKING voter), so each duplicate starts one
		// more endless exchange and their number grows exponentially.
		// TCP never duplicates, so a real ensemble has one exchange at a
		// time (see testdata/observer_pingpong.txt).
		f.Duplicate = 0
	}
	return o
}
