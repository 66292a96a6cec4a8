package actors

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/quorumpeer"
)

// virtualDelays is the back-off seam: it records each delay asked for and
// fires at once while the virtual time spent stays under a horizon.
type virtualDelays struct {
	mu      sync.Mutex
	delays  []time.Duration
	total   time.Duration
	horizon time.Duration
	hold    []func()
}

func (v *virtualDelays) after(d time.Duration, fire func()) {
	v.mu.Lock()
	v.delays = append(v.delays, d)
	v.total += d
	past := v.total >= v.horizon
	if past {
		v.hold = append(v.hold, fire)
	}
	v.mu.Unlock()
	if !past {
		fire()
	}
}

func (v *virtualDelays) spent() time.Duration {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.total
}

func (v *virtualDelays) asked() []time.Duration {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]time.Duration(nil), v.delays...)
}

// failingSessionProps stands in for a session that fails as soon as it
// starts (a follower whose epoch is behind the leader's), counting starts.
func failingSessionProps(starts *atomic.Int64) func(*messages.Decision) *actor.Props {
	return func(*messages.Decision) *actor.Props {
		return actor.PropsFromFunc(func(ctx actor.Context) {
			if _, ok := ctx.Message().(*actor.Started); ok {
				starts.Add(1)
				ctx.Request(ctx.Parent(), &messages.SessionEnded{Reason: "EPOCH_BEHIND", Detail: "test"})
			}
		})
	}
}

// Sessions that always fail at once are retried a handful of times in two
// seconds, not thousands: each failure waits an exponentially growing,
// jittered delay with the election paused.
func TestQuorumPeerBacksOffFailingSessions(t *testing.T) {
	var starts atomic.Int64
	clock := &virtualDelays{horizon: 2 * time.Second}
	h := newHarness(t, 1, testMajority(t, []int64{1}), withRuntime(func(rt *runtime) {
		rt.sessionProps = failingSessionProps(&starts)
		rt.retryAfter = clock.after
	}))
	require.Eventually(t, func() bool { return clock.spent() >= 2*time.Second }, waitFor, poll,
		"the failing sessions never waited 2 s in all: %v", clock.asked())
	n := starts.Load()
	assert.LessOrEqual(t, n, int64(8), "session attempts in 2 s of back-off")
	assert.GreaterOrEqual(t, n, int64(3), "it keeps trying")
	delays := clock.asked()
	for i := 1; i < len(delays); i++ {
		assert.Greater(t, delays[i], delays[i-1]/2, "grows: %v", delays)
	}
	assert.LessOrEqual(t, delays[0], quorumpeer.BackoffBase)
	assert.Equal(t, n, int64(len(delays)), "one delay per failed session")
	assert.Len(t, h.logs.Find("start looking"), int(n), "one round per attempt")
}

// The back-off is capped at half the leader's epoch wait
// (quorumpeer.BackoffCapFor): with tickTime 100 ms and initLimit 10 no
// delay exceeds 500 ms, however many sessions fail (the default cap, 3 s,
// would be reached from the fifth failure on).
func TestQuorumPeerBackoffCappedByInitLimit(t *testing.T) {
	var starts atomic.Int64
	clock := &virtualDelays{horizon: 4 * time.Second}
	newHarness(t, 1, testMajority(t, []int64{1}), withConfig(func(c *Config) {
		c.TickTime, c.InitLimit = 100*time.Millisecond, 10
	}), withRuntime(func(rt *runtime) {
		rt.sessionProps = failingSessionProps(&starts)
		rt.retryAfter = clock.after
	}))
	require.Eventually(t, func() bool { return clock.spent() >= 4*time.Second }, waitFor, poll,
		"the failing sessions never waited 4 s in all: %v", clock.asked())
	delays := clock.asked()
	require.GreaterOrEqual(t, len(delays), 8, "enough failures to reach the cap: %v", delays)
	for _, d := range delays {
		assert.LessOrEqual(t, d, 500*time.Millisecond, "capped: %v", delays)
	}
}

// endableSessionProps stands in for a session that is established at
// once and ends when told to.
type endSession struct{}

func endableSessionProps(starts *atomic.Int64) func(*messages.Decision) *actor.Props {
	return func(d *messages.Decision) *actor.Props {
		return actor.PropsFromFunc(func(ctx actor.Context) {
			switch ctx.Message().(type) {
			case *actor.Started:
				starts.Add(1)
				ctx.Request(ctx.Parent(), &messages.SessionEstablished{Role: d.GetState(), Epoch: d.GetPeerEpoch(), Leader: d.GetLeader()})
			case *endSession:
				ctx.Request(ctx.Parent(), &messages.SessionEnded{Reason: "LEADER_LOST", Detail: "test"})
			}
		})
	}
}

// A session that stayed established for a while resets the back-off: the
// next round starts at once; short ones back off, longer each time.
func TestQuorumPeerBackoffResetsAfterStableSession(t *testing.T) {
	var starts atomic.Int64
	var mu sync.Mutex
	now := time.Unix(1000, 0)
	var delays []time.Duration
	var pending func()
	h := newHarness(t, 1, testMajority(t, []int64{1}), withRuntime(func(rt *runtime) {
		rt.sessionProps = endableSessionProps(&starts)
		rt.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		rt.retryAfter = func(d time.Duration, fire func()) {
			mu.Lock()
			defer mu.Unlock()
			delays, pending = append(delays, d), fire
		}
	}))
	established := func(n int64) {
		t.Helper()
		require.Eventually(t, func() bool {
			leading := 0
			for _, sc := range recorded[*messages.StateChanged](h.root) {
				if sc.GetNewState() == messages.ServerState_LEADING {
					leading++
				}
			}
			return starts.Load() == n && leading == int(n)
		}, waitFor, poll, "session %d not established", n)
	}
	end := func() { h.system.Root.Send(h.rt.dir.session.get(), &endSession{}) }
	asked := func() int { mu.Lock(); defer mu.Unlock(); return len(delays) }

	established(1)
	mu.Lock()
	now = now.Add(quorumpeer.StableAfter)
	mu.Unlock()
	end()
	established(2) // at once: no delay asked for
	assert.Equal(t, 0, asked())

	end() // established for no time at all
	require.Eventually(t, func() bool { return asked() == 1 }, waitFor, poll)
	assert.Equal(t, int64(2), starts.Load(), "no new session before the delay")
	mu.Lock()
	first := delays[0]
	fire := pending
	mu.Unlock()
	assert.LessOrEqual(t, first, quorumpeer.BackoffBase)
	fire()
	established(3)
	end()
	require.Eventually(t, func() bool { return asked() == 2 }, waitFor, poll)
	mu.Lock()
	second := delays[1]
	mu.Unlock()
	assert.GreaterOrEqual(t, second, quorumpeer.BackoffBase, "the second failure waits longer")
}
