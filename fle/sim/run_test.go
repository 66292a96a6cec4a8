package sim

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/zk"
)

func TestRunIsDeterministic(t *testing.T) {
	for _, seed := range []uint64{3, 27, 146, 439} {
		o := RandomOptions(seed, sizeForSeed(seed))
		o.Trace = true
		a, b := Run(o), Run(o)
		require.Equal(t, a.Trace.String(), b.Trace.String(), "seed %d", seed)
		require.Equal(t, a.String(), b.String())
		require.Positive(t, a.Trace.Len())
	}
	o1, o2 := RandomOptions(1, 5), RandomOptions(2, 5)
	o1.Trace, o2.Trace = true, true
	assert.NotEqual(t, Run(o1).Trace.String(), Run(o2).Trace.String(), "different seeds, different runs")
}

func TestRandomOptionsAreValidAndReproducible(t *testing.T) {
	clean := 0
	for seed := uint64(0); seed < 1000; seed++ {
		n := sizeForSeed(seed)
		require.GreaterOrEqual(t, n, MinN)
		require.LessOrEqual(t, n, MaxN)
		o := RandomOptions(seed, n)
		require.NoError(t, o.Validate(), "seed %d", seed)
		require.Equal(t, o, RandomOptions(seed, n))
		if o.Observers > 0 {
			require.Zero(t, o.Faults.Duplicate, "no duplicates with observers (seed %d)", seed)
		}
		if o.Clean() {
			clean++
			require.Less(t, o.maxDelay(), o.finalizeWait())
		}
	}
	assert.Greater(t, clean, 250, "about 40% of the mix is clean")
}

func TestValidateRejectsBadOptions(t *testing.T) {
	cases := map[string]Options{
		"N too small":        {N: 2},
		"N too large":        {N: 52},
		"too many observers": {N: 4, Observers: 2},
		"negative untrusted": {N: 3, Untrusted: -1},
		"drop of 1":          {N: 3, Faults: Faults{Drop: 1, Window: time.Second}},
		"drop, no window":    {N: 3, Faults: Faults{Drop: 0.1}},
		"slow, no window":    {N: 3, Faults: Faults{MaxDelay: time.Second}},
		"crash, no window":   {N: 3, Faults: Faults{Crashes: 1}},
		"min above max":      {N: 3, Faults: Faults{MinDelay: time.Second, MaxDelay: 10 * time.Millisecond}},
		"negative spread":    {N: 3, StartSpread: -1},
	}
	for name, o := range cases {
		t.Run(name, func(t *testing.T) {
			err := o.Validate()
			require.ErrorIs(t, err, ErrBadConfig)
			var ce *ConfigError
			require.True(t, errors.As(err, &ce))
			res := Run(o)
			require.True(t, res.Failed())
			assert.Equal(t, "options", res.Violations[0].Check)
		})
	}
}

func TestRandomMembersKeepAnEligibleQuorum(t *testing.T) {
	for seed := uint64(0); seed < 300; seed++ {
		o := Options{Seed: seed, N: 3 + int(seed%20), Hierarchical: seed%2 == 0, Untrusted: int(seed % 7)}
		if o.Untrusted > o.N-1 {
			o.Untrusted = o.N - 1
		}
		r := newRand(seed)
		ms := randomMembers(r, o)
		require.True(t, eligibleQuorum(ms, o.Hierarchical), "seed %d: %v", seed, ms)
	}
}

func TestBestVoterSkipsWhoCannotLead(t *testing.T) {
	ms := []Member{
		{ID: 1, Zxid: 5, Epoch: 1, Group: 1, Weight: 1},
		{ID: 2, Zxid: 9, Epoch: 1, Group: 1, Weight: 0},  // best data, weight 0
		{ID: 3, Zxid: -1, Epoch: 3, Group: 1, Weight: 1}, // best epoch, untrusted
		{ID: 4, Zxid: 5, Epoch: 1, Group: 1, Weight: 1},  // ties with 1, greater sid
		{ID: 5, Zxid: 99, Epoch: 9, Observer: true},
	}
	best, ok := bestVoter(ms, true)
	require.True(t, ok)
	assert.Equal(t, int64(4), best)
}

// selfish decides to lead itself as soon as it starts.
func selfish(m *fakeMachine) fle.Output {
	m.state = zk.Leading
	return fle.Output{Decision: &fle.Decision{Leader: m.id, ElectionEpoch: 1, State: zk.Leading}}
}

func TestChecksCatchABrokenElection(t *testing.T) {
	f := &fakes{latest: map[int64]*fakeMachine{}, onStart: selfish}
	o := Options{Seed: 1, N: 5, Observers: 1, SameData: true, newMachine: f.newMachine}
	require.True(t, o.Clean())
	res := Run(o)
	require.True(t, res.Failed())
	checks := map[string]bool{}
	for _, v := range res.Violations {
		checks[v.Check] = true
	}
	assert.True(t, checks["agreement"], "everybody leads itself: a split")
	assert.True(t, checks["best-leader"], "only one of them is the best voter")
	assert.True(t, checks["invariant"], "the observer leads")
	assert.True(t, checks["liveness"], "leaders without followers never settle")
	assert.NotEmpty(t, res.Splits)
	assert.Contains(t, res.ReplayCommand(), "-sim.seed=1 -sim.n=5")
}

func TestChecksCatchAnElectionThatNeverEnds(t *testing.T) {
	f := &fakes{latest: map[int64]*fakeMachine{}}
	o := Options{Seed: 7, N: 3, newMachine: f.newMachine}
	res := Run(o)
	require.False(t, res.Settled)
	require.True(t, res.Failed())
	var found bool
	for _, v := range res.Violations {
		found = found || v.Check == "liveness"
	}
	assert.True(t, found, "%v", res.Violations)
}

func TestObserversMayDisagreeWhenOneVoterIsAQuorum(t *testing.T) {
	// Found by the soak: a clean run in which observer 3 decided on voter
	// 2's initial vote, {2} being a quorum by itself (2 weighs 2 of its
	// group's 3; the other group weighs 0).
	// (That was seed 13696033673470242503 until the poll stopped
	// restarting on votes that change nothing; seed 8154 has an exempt
	// observer decision and a split in a clean run too.)
	res := Run(RandomOptions(8154, 4))
	require.True(t, res.Clean)
	require.False(t, res.Failed(), "%s", res.String())
	assert.Positive(t, res.ExemptObserverDecisions)
	assert.NotEmpty(t, res.Splits, "the split is still recorded")
	assert.Equal(t, res.Expected, res.Leader, "and the run settles on the best voter")
}

func TestCleanRunsElectTheBestVoter(t *testing.T) {
	for seed := uint64(0); seed < 50; seed++ {
		o := Options{Seed: seed, N: 3 + int(seed%9), Hierarchical: seed%3 == 0, Untrusted: int(seed % 2), Trace: seed == 0}
		res := Run(o)
		require.True(t, res.Clean)
		require.False(t, res.Failed(), "%s", res.String())
		assert.Equal(t, res.Expected, res.Leader)
		assert.Empty(t, res.Splits)
	}
}

func TestSoakFindingsStayExplained(t *testing.T) {
	// A clean run whose best voter (38) was elected in round 1 but, while
	// every worse vote restarted the finalize window (Java's poll loop),
	// kept it open so long (16 zxid -1 nodes kept sending) that its
	// followers gave up on it; the round they started elected 24, same
	// data, lower sid, settling 11.7 s after the nodes went live. With the
	// window bounded from its opening (lookforleader.go, receive), 38
	// decides in round 1 and stays the leader (8.4 s).
	res := Run(RandomOptions(15220832457720393508, 43))
	require.True(t, res.Clean)
	require.False(t, res.Failed(), "%s", res.String())
	assert.Equal(t, int64(38), res.Expected)
	assert.Equal(t, int64(38), res.Leader)
	assert.Equal(t, int64(1), res.Stats.MaxRound)

	// An untrusted node restarting just before the heal kept restarting
	// two voters' notification timeouts with votes they ignore, so they
	// stayed unconnected for 96 s after the heal; it then waited out its
	// own backed-off timeout: 156 s in all. Since a vote that changes
	// nothing no longer restarts the poll (lookforleader.go, receive),
	// their own timeouts reconnect them: 44 s.
	res = Run(RandomOptions(15220832457720378651, 3))
	require.False(t, res.Failed(), "%s", res.String())
	settle := res.SettledAt - res.LiveFrom
	assert.Less(t, settle, 2*res.Options.maxNotification())
}
