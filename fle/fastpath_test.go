package fle

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/zk"
)

// startFast starts machine id (zxid 10, epoch 1) with the fast paths on
// and feeds its own vote back.
func startFast(t *testing.T, id int64, m *Machine) {
	t.Helper()
	require.Equal(t, id, m.ID())
	loopback(m, m.Start(10, 1))
}

// vote3 is a LOOKING round-1 vote for 3 (zxid 10, epoch 1) from sid.
func vote3(from int64) Notification { return note(from, zk.Looking, 3, 10, 1, 1) }

// When the last voter's vote for our proposal arrives, the window (opened
// by the quorum) gives way to an immediate decision: nothing better can
// exist in the round.
func TestUnanimityDecidesAtOnce(t *testing.T) {
	m := newFastMachine(t, 3, majority(t, []int64{1, 2, 3}))
	startFast(t, 3, m)

	out := m.Step(vote3(1))
	require.Nil(t, out.Decision, "a quorum, not every voter: the window opens")
	fin := armed(t, out, FinalizeTimer)
	assert.True(t, m.finalizing)

	out = m.Step(vote3(2))
	require.NotNil(t, out.Decision, "every voter voted for 3")
	assert.Equal(t, Decision{Leader: 3, Zxid: 10, ElectionEpoch: 1, PeerEpoch: 1, State: zk.Leading, Path: PathUnanimity}, *out.Decision)
	assert.True(t, cancelled(out, FinalizeTimer))
	assert.Equal(t, Output{}, m.Tick(FinalizeTimer, fin.Seq, true), "the window's timer is stale")
}

// A follower decides at once too when the votes arrive before its own
// quorum forms: the quorum and unanimity come with the same vote.
func TestUnanimityFollowerDecidesOnLastVote(t *testing.T) {
	m := newFastMachine(t, 1, majority(t, []int64{1, 2, 3}))
	loopback(m, m.Start(5, 1))
	out := m.Step(vote3(3))
	loopbackOut := loopback(m, out)
	require.Len(t, loopbackOut, 1)
	assert.Nil(t, loopbackOut[0].Decision, "our own vote for 3 and 3's: a quorum, but 2 may hold a better vote")
	out = m.Step(vote3(2))
	require.NotNil(t, out.Decision)
	assert.Equal(t, Decision{Leader: 3, Zxid: 10, ElectionEpoch: 1, PeerEpoch: 1, State: zk.Following, Path: PathUnanimity}, *out.Decision)
}

// A quorum is not unanimity: with two of five voters unheard (and not
// known unreachable) the window opens and decides only when it closes.
func TestUnanimityNeedsEveryVoterNotAQuorum(t *testing.T) {
	m := newFastMachine(t, 3, majority(t, []int64{1, 2, 3, 4, 5}))
	startFast(t, 3, m)
	m.Step(vote3(1))
	out := m.Step(vote3(2))
	require.Nil(t, out.Decision)
	fin := armed(t, out, FinalizeTimer)
	out = m.Step(vote3(4))
	assert.Nil(t, out.Decision, "voter 5 is silent, not unreachable")
	out = m.Tick(FinalizeTimer, fin.Seq, true)
	require.NotNil(t, out.Decision)
	assert.Equal(t, PathFinalizeWindow, out.Decision.Path)
}

// A voter that votes for someone else is not part of the unanimity, even
// when its vote is worse: it must come round first.
func TestUnanimityNotWhileAVoterVotesForAnother(t *testing.T) {
	m := newFastMachine(t, 3, majority(t, []int64{1, 2, 3}))
	startFast(t, 3, m)
	m.Step(vote3(1))
	out := m.Step(note(2, zk.Looking, 2, 10, 1, 1))
	assert.Nil(t, out.Decision)
	assert.True(t, m.finalizing)
	assert.Equal(t, []string{DropNotBetter}, reasons(out), "the window drops a worse vote")
	out = m.Step(vote3(2))
	require.NotNil(t, out.Decision, "2 came round to 3")
	assert.Equal(t, PathUnanimity, out.Decision.Path)
}

// Observers are not voters: they never vote, and unanimity does not wait
// for them.
func TestUnanimityIgnoresObservers(t *testing.T) {
	m := newFastMachine(t, 3, majority(t, []int64{1, 2, 3}, 9))
	startFast(t, 3, m)
	m.Step(vote3(1))
	out := m.Step(vote3(2))
	require.NotNil(t, out.Decision)
	assert.Equal(t, PathUnanimity, out.Decision.Path)
}

// During a reconfiguration every voter of the proposed configuration must
// vote too: a quorum of both is not enough while the new voter is unheard.
func TestUnanimityNeedsTheProposedConfigsVoters(t *testing.T) {
	m, err := New(Config{ID: 3, Verifier: majorityV(t, 1, []int64{1, 2, 3}), LastSeen: majorityV(t, 2, []int64{1, 2, 3, 4})})
	require.NoError(t, err)
	startFast(t, 3, m)
	m.Step(vote3(1))
	out := m.Step(vote3(2))
	assert.Nil(t, out.Decision, "4 votes in the proposed configuration and is unheard")
	assert.True(t, m.finalizing, "a quorum of both configurations opens the window")
	out = m.Step(vote3(4))
	require.NotNil(t, out.Decision)
	assert.Equal(t, PathUnanimity, out.Decision.Path)
}

// A zero-weight voter can never win here, so unanimity does not wait for
// it.
func TestUnanimitySkipsZeroWeightVoters(t *testing.T) {
	v := hierarchical(t, map[int64][]int64{1: {1, 2, 3, 4}}, map[int64]int64{1: 1, 2: 1, 3: 1, 4: 0})
	m, err := New(Config{ID: 3, Verifier: v})
	require.NoError(t, err)
	startFast(t, 3, m)
	m.Step(vote3(1))
	out := m.Step(vote3(2))
	require.NotNil(t, out.Decision, "4 weighs nothing: 1, 2 and 3 are every voter that counts")
	assert.Equal(t, PathUnanimity, out.Decision.Path)
}

// With the fast paths disabled, a unanimous round waits out the window as
// ZooKeeper's does.
func TestFastPathsDisabledWaitsOutTheWindow(t *testing.T) {
	m := newMachine(t, 3, majority(t, []int64{1, 2, 3}))
	assert.False(t, m.FastPaths())
	loopback(m, m.Start(10, 1))
	m.Step(vote3(1))
	out := m.Step(vote3(2))
	assert.Nil(t, out.Decision)
	assert.Nil(t, m.PeerUnreachable(2).Decision, "with 2 unreachable the reachable path would hold")
	assert.True(t, m.finalizing)
}

// The failover path: a quorum votes for our proposal and every other
// voter's connection broke or its dial failed during this election.
func TestReachableDecidesWhenTheRestAreUnreachable(t *testing.T) {
	m := newFastMachine(t, 3, majority(t, []int64{1, 2, 3, 4, 5}))
	startFast(t, 3, m)
	assert.Nil(t, m.PeerUnreachable(4).Decision)
	assert.Nil(t, m.PeerUnreachable(5).Decision)
	assert.Equal(t, []int64{4, 5}, m.Unreachable())
	out := m.Step(vote3(1))
	assert.Nil(t, out.Decision, "no quorum yet")
	out = m.Step(vote3(2))
	require.NotNil(t, out.Decision)
	assert.Equal(t, Decision{Leader: 3, Zxid: 10, ElectionEpoch: 1, PeerEpoch: 1, State: zk.Leading, Path: PathReachable}, *out.Decision)
}

// The fact that completes the failover rule may come while the window is
// open: the last unheard voter becoming unreachable decides at once.
func TestReachableDecidesWhenTheLastSilentVoterBecomesUnreachable(t *testing.T) {
	m := newFastMachine(t, 3, majority(t, []int64{1, 2, 3, 4, 5}))
	startFast(t, 3, m)
	m.Step(vote3(1))
	fin := armed(t, m.Step(vote3(2)), FinalizeTimer)
	assert.Nil(t, m.PeerUnreachable(4).Decision, "5 is still silent")
	out := m.PeerUnreachable(5)
	require.NotNil(t, out.Decision)
	assert.Equal(t, PathReachable, out.Decision.Path)
	assert.True(t, cancelled(out, FinalizeTimer))
	assert.Equal(t, Output{}, m.Tick(FinalizeTimer, fin.Seq, true))
}

// A silent voter is not an unreachable one: with 4 unreachable and 5
// connected but silent, the round waits out the window.
func TestReachableNotWithASilentVoter(t *testing.T) {
	m := newFastMachine(t, 3, majority(t, []int64{1, 2, 3, 4, 5}))
	startFast(t, 3, m)
	m.PeerUnreachable(4)
	m.Step(vote3(1))
	out := m.Step(vote3(2))
	require.Nil(t, out.Decision)
	fin := armed(t, out, FinalizeTimer)
	out = m.Tick(FinalizeTimer, fin.Seq, true)
	require.NotNil(t, out.Decision)
	assert.Equal(t, PathFinalizeWindow, out.Decision.Path)
}

// A voter that votes for another leader is not waited for only if it is
// unreachable; a reachable one that votes otherwise blocks the fast path.
func TestReachableNotWhileAReachableVoterVotesForAnother(t *testing.T) {
	m := newFastMachine(t, 3, majority(t, []int64{1, 2, 3, 4, 5}))
	startFast(t, 3, m)
	m.PeerUnreachable(5)
	m.Step(note(4, zk.Looking, 2, 10, 1, 1))
	m.Step(vote3(1))
	out := m.Step(vote3(2))
	assert.Nil(t, out.Decision, "4 votes for 2 and is reachable")
	assert.True(t, m.finalizing)
}

// Reachability facts end when the peer shows it is reachable: a new
// connection (PeerReachable) or a notification from it.
func TestReachableFactsEndWhenThePeerShowsUp(t *testing.T) {
	m := newFastMachine(t, 3, majority(t, []int64{1, 2, 3, 4, 5}))
	startFast(t, 3, m)
	m.PeerUnreachable(4)
	m.PeerUnreachable(5)
	m.PeerReachable(4)
	m.Step(note(5, zk.Looking, 5, 1, 0, 1)) // an old round's vote: ignored, but 5 is alive
	assert.Empty(t, m.Unreachable())
	m.Step(vote3(1))
	out := m.Step(vote3(2))
	assert.Nil(t, out.Decision)
	assert.True(t, m.finalizing)
}

// leadAlone starts machine 3 of {1, 2, 3} and decides LEADING by
// unanimity; the role then stands until the next Start.
func leadAlone(t *testing.T, m *Machine) {
	t.Helper()
	startFast(t, 3, m)
	m.Step(vote3(1))
	out := m.Step(vote3(2))
	require.NotNil(t, out.Decision)
	require.Equal(t, zk.Leading, m.State())
}

// A link reported down while the role stands counts at the next Start:
// the report that ends a role (a dead leader's connection closing)
// arrives just before the new election starts, and the quorum that
// remains decides at once instead of waiting for a redial to be refused.
func TestReachableLinkDownCountsAtTheNextStart(t *testing.T) {
	m := newFastMachine(t, 3, majority(t, []int64{1, 2, 3}))
	leadAlone(t, m)
	armed(t, m.PeerUnreachable(2), LinkDownTimer)

	loopback(m, m.Start(10, 1))
	assert.Equal(t, []int64{2}, m.Unreachable(), "2's link is still down")
	out := m.Step(note(1, zk.Looking, 3, 10, 2, 1))
	require.NotNil(t, out.Decision)
	assert.Equal(t, PathReachable, out.Decision.Path)
}

// The memory of a link reported down is short (Timing.LinkDownMemory,
// LinkDownTimer): a link that nobody has tried since says nothing about
// the peer (ZooKeeper redials only to send, so a link cut by a healed
// partition stays down between two followers). A fact lives until the end
// of the period after the one of its report: it survives the first firing
// (it may be only a moment old), and once the second has fired the next
// Start waits for that voter.
func TestReachableLinkDownForgottenAfterItsMemory(t *testing.T) {
	for _, firings := range []int{1, 2} {
		m := newFastMachine(t, 3, majority(t, []int64{1, 2, 3}))
		leadAlone(t, m)
		tm := armed(t, m.PeerUnreachable(2), LinkDownTimer)
		assert.Equal(t, DefaultTiming().LinkDownMemory, tm.After)
		for i := range firings {
			out := m.Tick(LinkDownTimer, tm.Seq, true)
			if i == 0 {
				tm = armed(t, out, LinkDownTimer) // the fact is left: the memory runs on
			} else {
				assert.Equal(t, Output{}, out, "nothing left to remember")
			}
		}

		loopback(m, m.Start(10, 1))
		out := m.Step(note(1, zk.Looking, 3, 10, 2, 1))
		if firings == 1 {
			assert.Equal(t, []int64{2}, m.Unreachable(), "one period old")
			require.NotNil(t, out.Decision)
			continue
		}
		assert.Empty(t, m.Unreachable())
		assert.Nil(t, out.Decision, "2's report is too old to count")
		assert.True(t, m.finalizing)
	}
}

// Each fact ages on its own: a new report about one peer renews that
// peer's fact only, never an old one about another (one timer for the
// machine, a period stamp per fact).
func TestReachableLinkDownFactsAgeSeparately(t *testing.T) {
	m := newFastMachine(t, 3, majority(t, []int64{1, 2, 3, 4, 5}))
	startFast(t, 3, m)
	m.Step(vote3(1))
	m.Step(vote3(2))
	m.Step(vote3(4))
	out := m.Step(vote3(5))
	require.NotNil(t, out.Decision)

	tm := armed(t, m.PeerUnreachable(2), LinkDownTimer)
	assert.Empty(t, m.PeerUnreachable(4).Timers, "one timer runs for every fact")
	tm = armed(t, m.Tick(LinkDownTimer, tm.Seq, true), LinkDownTimer)
	m.PeerUnreachable(4) // renews 4 only
	m.PeerUnreachable(5)
	tm = armed(t, m.Tick(LinkDownTimer, tm.Seq, true), LinkDownTimer)

	loopback(m, m.Start(10, 1))
	assert.Equal(t, []int64{4, 5}, m.Unreachable(), "2's fact is two periods old; 4's and 5's are one")
	m.Stop()
	assert.Equal(t, Output{}, m.Tick(LinkDownTimer, tm.Seq, true), "4 and 5 forgotten too: nothing left")
	loopback(m, m.Start(10, 1))
	assert.Empty(t, m.Unreachable())
}

// The memory runs on through a paused election (Stop: the QuorumPeer
// backs off after the session the report ended): a fact counts at the
// Start after the pause while it is recent, and not once it has aged.
func TestReachableLinkDownMemoryRunsThroughAPause(t *testing.T) {
	m := newFastMachine(t, 3, majority(t, []int64{1, 2, 3}))
	leadAlone(t, m)
	m.PeerUnreachable(2)
	m.Stop()
	loopback(m, m.Start(10, 1))
	assert.Equal(t, []int64{2}, m.Unreachable(), "reported just before the pause")

	m = newFastMachine(t, 3, majority(t, []int64{1, 2, 3}))
	leadAlone(t, m)
	tm := armed(t, m.PeerUnreachable(2), LinkDownTimer)
	m.Stop()
	tm = armed(t, m.Tick(LinkDownTimer, tm.Seq, true), LinkDownTimer)
	assert.Equal(t, Output{}, m.Tick(LinkDownTimer, tm.Seq, true))
	loopback(m, m.Start(10, 1))
	assert.Empty(t, m.Unreachable(), "aged out during the pause")
}

// A notification shows its sender alive even while the election is
// paused: its link-down fact ends.
func TestReachableNotificationWhilePausedEndsTheFact(t *testing.T) {
	m := newFastMachine(t, 3, majority(t, []int64{1, 2, 3}))
	leadAlone(t, m)
	m.PeerUnreachable(2)
	m.Stop()
	m.Step(note(2, zk.Looking, 2, 1, 0, 1))
	loopback(m, m.Start(10, 1))
	assert.Empty(t, m.Unreachable())
}

// Facts of the election that decided are not carried past it (its
// LinkDownTimer is cancelled): the next Start counts only links reported
// down since the role began.
func TestReachableElectionFactsNotCarriedPastItsDecision(t *testing.T) {
	m := newFastMachine(t, 3, majority(t, []int64{1, 2, 3}))
	startFast(t, 3, m)
	tm := armed(t, m.PeerUnreachable(2), LinkDownTimer)
	out := m.Step(vote3(1))
	require.NotNil(t, out.Decision)
	assert.Contains(t, out.Timers, Timer{Kind: LinkDownTimer, Seq: tm.Seq, Cancel: true})

	loopback(m, m.Start(10, 1))
	assert.Empty(t, m.Unreachable())
	out = m.Step(note(1, zk.Looking, 3, 10, 2, 1))
	assert.Nil(t, out.Decision)
	assert.True(t, m.finalizing)
}

// Every other reachability fact belongs to one election: a voter that
// showed itself since its link went down (a new connection, or a
// notification) is waited for in the next election even if it is silent
// in this one.
func TestReachableFactsResetAtStartOnceThePeerShowedUp(t *testing.T) {
	for name, showUp := range map[string]func(*Machine){
		"connection":   func(m *Machine) { m.PeerReachable(2) },
		"notification": func(m *Machine) { m.Step(note(2, zk.Looking, 2, 1, 0, 1)) },
	} {
		t.Run(name, func(t *testing.T) {
			m := newFastMachine(t, 3, majority(t, []int64{1, 2, 3}))
			leadAlone(t, m)
			m.PeerUnreachable(2)
			showUp(m)

			loopback(m, m.Start(10, 1))
			assert.Empty(t, m.Unreachable())
			out := m.Step(note(1, zk.Looking, 3, 10, 2, 1))
			assert.Nil(t, out.Decision, "2 showed itself since its link went down")
			assert.True(t, m.finalizing)
		})
	}
}

// With the fast paths off no reachability fact is carried into the next
// election (nothing reads them).
func TestReachableLinkDownNotKeptWithFastPathsOff(t *testing.T) {
	m, err := New(Config{ID: 3, Verifier: majority(t, []int64{1, 2, 3}), DisableFastPaths: true})
	require.NoError(t, err)
	m.Start(10, 1)
	m.Stop()
	out := m.PeerUnreachable(2)
	assert.Empty(t, out.Timers, "no memory to end")
	m.Start(10, 1)
	assert.Empty(t, m.Unreachable())
}

// Reports about ourselves, observers and strangers are ignored.
func TestReachableIgnoresNonVoters(t *testing.T) {
	m := newFastMachine(t, 3, majority(t, []int64{1, 2, 3}, 9))
	startFast(t, 3, m)
	m.PeerUnreachable(3)
	m.PeerUnreachable(9)
	m.PeerUnreachable(77)
	assert.Empty(t, m.Unreachable())
}

// A server that does not stand for leader never decides to lead by a fast
// path either.
func TestFastPathsRespectCandidacy(t *testing.T) {
	m := newFastMachine(t, 3, majority(t, []int64{1, 2, 3}))
	startFast(t, 3, m)
	m.SetCandidate(false)
	m.Step(vote3(1))
	out := m.Step(vote3(2))
	assert.Nil(t, out.Decision)
	assert.Equal(t, zk.Looking, m.State())
}

// The path names are stable tokens for metrics.
func TestDecisionPathString(t *testing.T) {
	assert.Equal(t, "finalize-window", PathFinalizeWindow.String())
	assert.Equal(t, "unanimity", PathUnanimity.String())
	assert.Equal(t, "reachable", PathReachable.String())
	assert.Equal(t, "leader-notification", PathLeaderNotification.String())
	assert.Equal(t, "path(0)", DecisionPath(0).String())
	assert.True(t, PathReachable.Fast())
	assert.False(t, PathFinalizeWindow.Fast())
}
