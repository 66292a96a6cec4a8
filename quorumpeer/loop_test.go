package quorumpeer

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/zk"
)

func TestNewRejectsBadConfig(t *testing.T) {
	_, err := New(Config{ID: 1})
	require.ErrorIs(t, err, ErrInvalidConfig)
	assert.Contains(t, err.Error(), "Epochs")
	_, err = New(Config{ID: 1, Epochs: &epochs{}, ProbeInterval: -time.Second})
	require.ErrorIs(t, err, ErrInvalidConfig)
	assert.Contains(t, err.Error(), "ProbeInterval")
}

// The first start looks from our last zxid and currentEpoch, standing for
// leader; the vote is the initial one.
func TestFirstStartLooks(t *testing.T) {
	p, err := New(Config{ID: 3, Epochs: &epochs{current: 6}})
	require.NoError(t, err)
	out := p.Start(0)
	assert.Equal(t, &StartLooking{Reason: Startup, LastZxid: 6 << 32, CurrentEpoch: 6, Candidate: true}, out.StartLooking)
	assert.False(t, out.AskStatus)
	assert.Nil(t, out.Report)
	assert.Equal(t, zk.Looking, p.State())
	assert.Equal(t, fle.Vote{Leader: 3, Zxid: 6 << 32, ElectionEpoch: -1, PeerEpoch: 6}, p.Vote())
}

// With the embedding program's last zxid, rounds start from it and a role
// reports the decided leader's zxid; without, both are the first zxid of
// the epoch.
func TestZxidsWithAndWithoutLastZxid(t *testing.T) {
	p, _ := newPeer(t, func(c *Config) { c.LastZxid = func() int64 { return 0x4_0000_0009 } })
	out := p.SessionEnded("x", "y", 0) // no session: ignored
	assert.Equal(t, Output{}, out)
	d := fle.Decision{Leader: 2, Zxid: 0x4_0000_0011, ElectionEpoch: 2, PeerEpoch: 4, State: zk.Following}
	out = establish(t, p, d, 5, false, 0)
	assert.Equal(t, zk.Zxid(0x4_0000_0011), out.Report.Zxid, "the decided leader's zxid")
	out = p.SessionEnded("LEADER_LOST", "", StableAfter)
	assert.Equal(t, zk.Zxid(0x4_0000_0009), out.Report.Zxid, "our last zxid when looking")
	assert.Equal(t, zk.Zxid(0x4_0000_0009), out.StartLooking.LastZxid)

	p, e := newPeer(t)
	out = establish(t, p, d, 5, false, 0)
	assert.Equal(t, zk.Zxid(5)<<32, out.Report.Zxid, "the first zxid of the established epoch")
	e.current = 5
	out = p.SessionEnded("LEADER_LOST", "", StableAfter)
	assert.Equal(t, zk.Zxid(5)<<32, out.Report.Zxid)
	assert.Equal(t, &StartLooking{Reason: LeaderLost, LastZxid: 5 << 32, CurrentEpoch: 5, Candidate: true}, out.StartLooking)
}

// A decision starts its session; the reported state stays LOOKING until
// the session is established, which makes the role visible and gives the
// election's vote the epoch.
func TestRoleVisibleOnlyAtEstablishment(t *testing.T) {
	p, _ := newPeer(t)
	out := p.Decided(follow)
	assert.Equal(t, Output{StartSession: &follow}, out, "a session, no report")
	assert.Equal(t, zk.Looking, p.State())
	_, ok := p.Session()
	assert.True(t, ok)

	out = p.Established(zk.Following, 2, 9, false, time.Second)
	require.NotNil(t, out.Report)
	assert.Equal(t, RoleChange{Old: zk.Looking, New: zk.Following, Leader: 2, Zxid: 9 << 32,
		ElectionEpoch: 5, PeerEpoch: 9, Why: "session established"}, *out.Report)
	require.NotNil(t, out.UpdateVote)
	assert.Equal(t, int64(9), *out.UpdateVote)
	assert.Equal(t, zk.Following, p.State())
	assert.Equal(t, fle.Vote{Leader: 2, Zxid: 7, ElectionEpoch: 5, PeerEpoch: 9, State: zk.Following}, p.Vote())
	epoch, electionOnly, ok := p.EstablishedEpoch()
	assert.Equal(t, int64(9), epoch)
	assert.False(t, electionOnly)
	assert.True(t, ok)
}

// Without a running session, a report of establishment or end is stale.
func TestReportsWithoutSessionIgnored(t *testing.T) {
	p, _ := newPeer(t)
	assert.Equal(t, Output{}, p.Established(zk.Leading, 1, 5, false, 0))
	assert.Equal(t, Output{}, p.SessionEnded("LEADER_LOST", "", 0))
	assert.Equal(t, zk.Looking, p.State())
}

// An established session's end reports LOOKING with our own vote's data
// (leader = us, our zxid and current epoch, the session's round).
func TestEndOfEstablishedSessionReportsLooking(t *testing.T) {
	p, e := newPeer(t)
	establish(t, p, lead, 5, false, 0)
	e.current = 5
	out := p.SessionEnded("QUORUM_LOST", "ticks", time.Second)
	assert.Equal(t, &Ended{State: zk.Leading, Reason: "QUORUM_LOST", Detail: "ticks"}, out.Ended)
	assert.True(t, out.StopSession)
	assert.Equal(t, &RoleChange{Old: zk.Leading, New: zk.Looking, Leader: 1, Zxid: 5 << 32,
		ElectionEpoch: 3, PeerEpoch: 5, Why: "QUORUM_LOST"}, out.Report)
	assert.Equal(t, zk.Looking, p.State())
	_, _, ok := p.EstablishedEpoch()
	assert.False(t, ok)
	_, ok = p.Session()
	assert.False(t, ok)
}

// A session that never established ends without a report: the server
// never left LOOKING.
func TestEndOfUnestablishedSessionReportsNothing(t *testing.T) {
	p, _ := newPeer(t)
	p.Decided(follow)
	out := p.SessionEnded("EPOCH_BEHIND", "refused", StableAfter*3)
	assert.Nil(t, out.Report)
	assert.True(t, out.StopSession)
	assert.Equal(t, &Ended{State: zk.Looking, Reason: "EPOCH_BEHIND", Detail: "refused"}, out.Ended)
	assert.NotNil(t, out.Backoff, "never established: a failure, however long it ran")
	assert.Nil(t, out.StartLooking)
}

// The stable threshold: a session established for StableAfter or more
// ends with a new round at once; a shorter one backs off.
func TestStableThreshold(t *testing.T) {
	for _, tc := range []struct {
		name   string
		lasted time.Duration
		stable bool
	}{
		{"no time", 0, false},
		{"just under", StableAfter - time.Nanosecond, false},
		{"exactly", StableAfter, true},
		{"longer", 3 * StableAfter, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := newPeer(t)
			const at = 100 * time.Second
			establish(t, p, lead, 5, false, at)
			out := p.SessionEnded("LEADER_LOST", "", at+tc.lasted)
			assert.Equal(t, tc.stable, out.Ended.Stable)
			if tc.stable {
				assert.Equal(t, &StartLooking{Reason: LeaderLost, LastZxid: 4 << 32, CurrentEpoch: 4, Candidate: true}, out.StartLooking)
				assert.Nil(t, out.Backoff)
				assert.False(t, out.PauseElection)
				assert.Equal(t, 0, p.Failures())
				return
			}
			assert.Nil(t, out.StartLooking)
			assert.True(t, out.PauseElection, "the election pauses while backing off")
			assert.Equal(t, &Backoff{Delay: BackoffBase, Gen: 1, Failures: 1}, out.Backoff)
			assert.True(t, p.BackingOff())
		})
	}
}

// Failures in a row double the delay up to the cap; a stable session
// resets the count, so the next failure waits the base delay again.
func TestBackoffDoublesCapsAndResets(t *testing.T) {
	p, _ := newPeer(t)
	var got []time.Duration
	now := time.Duration(0)
	for i := 1; i <= 9; i++ {
		p.Decided(follow)
		out := p.SessionEnded("EPOCH_BEHIND", "", now)
		require.NotNil(t, out.Backoff)
		assert.Equal(t, i, out.Backoff.Failures)
		assert.Equal(t, uint64(i), out.Backoff.Gen)
		got = append(got, out.Backoff.Delay)
		require.NotNil(t, p.BackoffFired(out.Backoff.Gen).StartLooking)
		now += time.Second
	}
	ms := time.Millisecond
	assert.Equal(t, []time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, 1600 * ms, 3000 * ms, 3000 * ms, 3000 * ms, 3000 * ms}, got)

	establish(t, p, lead, 5, false, now)
	out := p.SessionEnded("LEADER_LOST", "", now+StableAfter)
	require.NotNil(t, out.StartLooking, "a stable session: at once")
	assert.Equal(t, 0, p.Failures())
	p.Decided(follow)
	out = p.SessionEnded("EPOCH_BEHIND", "", now+StableAfter)
	assert.Equal(t, BackoffBase, out.Backoff.Delay, "the count started again")
	assert.Equal(t, 1, out.Backoff.Failures)
}

// The jitter spreads each delay uniformly over [d/2, d].
func TestBackoffDelayRange(t *testing.T) {
	for failures := 1; failures <= 40; failures++ {
		d := min(BackoffCap, BackoffBase<<min(failures-1, 15))
		assert.Equal(t, d, BackoffDelay(failures, 0, maxJitter), "failures %d: upper bound", failures)
		assert.Equal(t, d/2, BackoffDelay(failures, 0, minJitter), "failures %d: lower bound", failures)
		var asked int64
		BackoffDelay(failures, 0, func(n int64) int64 { asked = n; return 0 })
		assert.Equal(t, int64(d-d/2)+1, asked, "failures %d: the whole closed range", failures)
	}
	assert.Equal(t, 50*time.Millisecond, BackoffDelay(1, 0, minJitter))
	assert.Equal(t, 100*time.Millisecond, BackoffDelay(1, 0, maxJitter))
}

// The default jitter source stays within the range too.
func TestBackoffDefaultRand(t *testing.T) {
	p, err := New(Config{ID: 1, Epochs: &epochs{}})
	require.NoError(t, err)
	p.Start(0)
	for i := 1; i <= 8; i++ {
		p.Decided(follow)
		out := p.SessionEnded("EPOCH_BEHIND", "", 0)
		d := min(BackoffCap, BackoffBase<<(i-1))
		assert.GreaterOrEqual(t, out.Backoff.Delay, d/2)
		assert.LessOrEqual(t, out.Backoff.Delay, d)
	}
}

// Only the latest back-off arming starts a round, once, and not while a
// session runs.
func TestBackoffFiredIgnoresStaleTimers(t *testing.T) {
	p, _ := newPeer(t)
	p.Decided(follow)
	first := p.SessionEnded("EPOCH_BEHIND", "", 0).Backoff
	assert.Equal(t, Output{}, p.BackoffFired(first.Gen+1), "a generation never armed")
	out := p.BackoffFired(first.Gen)
	assert.Equal(t, &StartLooking{Reason: LeaderLost, LastZxid: 4 << 32, CurrentEpoch: 4, Candidate: true}, out.StartLooking)
	assert.False(t, p.BackingOff())
	assert.Equal(t, Output{}, p.BackoffFired(first.Gen), "fired twice")

	p.Decided(follow)
	second := p.SessionEnded("EPOCH_BEHIND", "", 0).Backoff
	assert.Equal(t, Output{}, p.BackoffFired(first.Gen), "an older arming")
	p.Decided(follow) // a decision that was in flight when the election paused
	assert.Equal(t, Output{}, p.BackoffFired(second.Gen), "a session runs")
}

// A voter looking in a newer round ends only a session that follows a
// ZooKeeper leader election-only.
func TestNewerRoundEndsOnlyElectionOnlySessions(t *testing.T) {
	p, _ := newPeer(t)
	assert.Equal(t, Output{}, p.VoterLookingInNewerRound(3, 0), "looking")
	p.Decided(follow)
	assert.Equal(t, Output{}, p.VoterLookingInNewerRound(3, 0), "not established")
	p.Established(zk.Following, 2, 5, false, 0)
	assert.Equal(t, Output{}, p.VoterLookingInNewerRound(3, 0), "a zkfle leader: the quorum port watches it")
	p.SessionEnded("LEADER_LOST", "", StableAfter)

	establish(t, p, follow, 5, true, StableAfter)
	_, electionOnly, _ := p.EstablishedEpoch()
	assert.True(t, electionOnly)
	out := p.VoterLookingInNewerRound(3, StableAfter+time.Second)
	assert.Equal(t, &Ended{State: zk.Following, Reason: "a voter is looking in a newer round", Detail: "server 3"}, out.Ended)
	assert.True(t, out.StopSession)
	assert.Equal(t, zk.Looking, out.Report.New)
	assert.NotNil(t, out.Backoff, "established for a second only")
	assert.Equal(t, Output{}, p.VoterLookingInNewerRound(3, StableAfter+time.Second), "already left")
}

// A second decision while a session runs replaces it: the old one is
// stopped and its role ends, with no back-off.
func TestDecisionReplacesRunningSession(t *testing.T) {
	p, _ := newPeer(t)
	establish(t, p, lead, 5, false, 0)
	out := p.Decided(follow)
	assert.True(t, out.StopSession)
	assert.Equal(t, &RoleChange{Old: zk.Leading, New: zk.Looking, Leader: 1, Zxid: 4 << 32,
		ElectionEpoch: 3, PeerEpoch: 4, Why: "a new decision replaced the session"}, out.Report)
	assert.Equal(t, &follow, out.StartSession)
	assert.Nil(t, out.Backoff)
	assert.Nil(t, out.Ended)
	d, ok := p.Session()
	assert.True(t, ok)
	assert.Equal(t, follow, d)
}

// Config.BackoffCap bounds the delay instead of the default cap (the
// actors set it from initLimit × tickTime, which a leader's epoch wait
// lasts); below the base it bounds even the first delay.
func TestBackoffConfiguredCap(t *testing.T) {
	ms := time.Millisecond
	p, _ := newPeer(t, func(c *Config) { c.BackoffCap = 500 * ms })
	var got []time.Duration
	for range 7 {
		p.Decided(follow)
		out := p.SessionEnded("EPOCH_BEHIND", "", 0)
		require.NotNil(t, out.Backoff)
		got = append(got, out.Backoff.Delay)
		require.NotNil(t, p.BackoffFired(out.Backoff.Gen).StartLooking)
	}
	assert.Equal(t, []time.Duration{100 * ms, 200 * ms, 400 * ms, 500 * ms, 500 * ms, 500 * ms, 500 * ms}, got)

	for failures := 1; failures <= 40; failures++ {
		assert.LessOrEqual(t, BackoffDelay(failures, 500*ms, maxJitter), 500*ms)
		assert.GreaterOrEqual(t, BackoffDelay(failures, 500*ms, minJitter), min(500*ms, BackoffBase<<min(failures-1, 15))/2)
	}
	assert.Equal(t, 40*ms, BackoffDelay(1, 40*ms, maxJitter), "a cap below the base")
	assert.Equal(t, BackoffCap, BackoffDelay(30, 0, maxJitter), "0: the default cap")

	_, err := New(Config{ID: 1, Epochs: &epochs{}, BackoffCap: -ms})
	require.ErrorIs(t, err, ErrInvalidConfig)
}

// The cap a driver sets is half the leader's epoch wait when that is under
// BackoffCap (tickTime 100 ms, initLimit 10: 500 ms), else BackoffCap
// (ZooKeeper's sample zoo.cfg: tickTime 2 s, initLimit 10).
func TestBackoffCapFor(t *testing.T) {
	assert.Equal(t, 500*time.Millisecond, BackoffCapFor(10, 100*time.Millisecond))
	assert.Equal(t, BackoffCap, BackoffCapFor(10, 2*time.Second))
	assert.Equal(t, 2500*time.Millisecond, BackoffCapFor(5, time.Second), "exactly half of a 5 s wait")
}
