package tests

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Failover of cmd/node processes (issue 6, item 5): the leader is killed
// with SIGKILL or paused with SIGSTOP, and the ensemble, seen only through
// srvr, re-elects in a higher epoch. A sampler records every server's
// role throughout; at no time may two servers lead in the same epoch.
//
// Timing: tickTime 200 ms, syncLimit 5 (1 s of silence ends a session),
// initLimit 10.

// failoverBound is the generous bound on detection plus re-election:
// ten times syncLimit × tickTime, so a loaded machine does not flake.
const failoverBound = 10 * failoverSyncTime

// A killed leader's followers see its connections close at once; the
// survivors establish a new leader in a higher epoch, which their epoch
// files hold. The restarted old leader follows it in that same epoch: a
// late learner joins the established epoch, it does not start a new one.
func TestFailoverKillLeader(t *testing.T) {
	for _, n := range []int{3, 5} {
		t.Run(fmt.Sprintf("N=%d", n), func(t *testing.T) {
			e := newFailoverEnsemble(t, n)
			e.start()
			before := e.waitSettled(sidsUpTo(n)...)
			require.Positive(t, before.epoch, "an established epoch starts at 1")
			e.sample()

			killedAt := time.Now()
			e.kill9(before.leader)
			survivors := e.others(before.leader)
			after := e.waitSettled(survivors...)
			failover := time.Since(killedAt)
			assert.NotEqual(t, before.leader, after.leader)
			assert.Greater(t, after.epoch, before.epoch, "the new leader's epoch is higher")
			assert.Lessf(t, failover, failoverBound, "failover after kill -9 took %v", failover)
			for _, sid := range survivors {
				assert.Equalf(t, after.epoch, e.diskEpoch(sid, "currentEpoch"), "server %d currentEpoch", sid)
				assert.Equalf(t, after.epoch, e.diskEpoch(sid, "acceptedEpoch"), "server %d acceptedEpoch", sid)
			}
			detected, ok := firstSample(e.rec.snapshot(), killedAt, survivors, looking)
			require.True(t, ok, "no survivor was ever seen leaving the dead leader")
			t.Logf("N=%d kill -9 of leader %d (epoch %d): first survivor looking after %v, leader %d established in epoch %d after %v",
				n, before.leader, before.epoch, detected.Sub(killedAt), after.leader, after.epoch, failover)

			e.start(before.leader)
			rejoined := e.waitSettled(sidsUpTo(n)...)
			assert.Equal(t, after, rejoined, "the restarted server follows the current leader in its epoch")
			assert.Equal(t, after.epoch, e.diskEpoch(before.leader, "currentEpoch"),
				"the rejoined server took the epoch in discovery")

			e.rec.stop()
			requireOneLeaderPerEpoch(t, e.rec.snapshot())
		})
	}
}

// A paused leader neither pings nor closes its connections: its learners
// notice only after syncLimit × tickTime of silence, then re-elect in a
// higher epoch. Resumed, the old leader finds its session dead (no quorum
// within syncLimit × tickTime, closed sockets) and follows the new leader.
func TestFailoverPausedLeader(t *testing.T) {
	for _, n := range []int{3, 5} {
		t.Run(fmt.Sprintf("N=%d", n), func(t *testing.T) {
			e := newFailoverEnsemble(t, n)
			e.start()
			before := e.waitSettled(sidsUpTo(n)...)
			e.sample()

			pausedAt := time.Now()
			e.pause(before.leader)
			survivors := e.others(before.leader)
			after := e.waitSettled(survivors...)
			failover := time.Since(pausedAt)
			assert.NotEqual(t, before.leader, after.leader)
			assert.Greater(t, after.epoch, before.epoch, "the new leader's epoch is higher")
			assert.Lessf(t, failover, failoverBound, "failover after SIGSTOP took %v", failover)

			samples := e.rec.snapshot()
			detected, ok := firstSample(samples, pausedAt, survivors, looking)
			require.True(t, ok, "no survivor was ever seen leaving the paused leader")
			// A pause is noticed by silence, not by a closed socket: no
			// learner gives up before syncLimit × tickTime less the ping
			// interval (tickTime/2). Half of syncLimit × tickTime leaves
			// room for pings delayed by a loaded machine.
			assert.GreaterOrEqualf(t, detected.Sub(pausedAt), failoverSyncTime/2,
				"a learner left a leader that was silent for less than syncLimit × tickTime")
			t.Logf("N=%d SIGSTOP of leader %d (epoch %d): first survivor looking after %v, leader %d established in epoch %d after %v",
				n, before.leader, before.epoch, detected.Sub(pausedAt), after.leader, after.epoch, failover)

			resumedAt := time.Now()
			e.resume(before.leader)
			final := e.waitSettled(sidsUpTo(n)...)
			assert.Equal(t, after, final, "the old leader follows the new leader in its epoch")
			assert.Equal(t, after.epoch, e.diskEpoch(before.leader, "currentEpoch"))
			// Resumed, the old leader may still report its old epoch until
			// its next tick finds no quorum; never the new one.
			stale, lastStale := 0, resumedAt
			for _, s := range e.rec.snapshot() {
				if s.sid == before.leader && s.at.After(resumedAt) && s.role.mode == "leader" {
					assert.Equal(t, before.epoch, s.role.epoch, "the old leader led only in its old epoch")
					stale++
					if s.at.After(lastStale) {
						lastStale = s.at
					}
				}
			}
			assert.Lessf(t, lastStale.Sub(resumedAt), failoverBound, "the old leader did not step down")
			t.Logf("N=%d old leader %d followed %d after %v (still leading epoch %d for %v after SIGCONT, %d samples)",
				n, before.leader, after.leader, time.Since(resumedAt), before.epoch, lastStale.Sub(resumedAt), stale)

			e.rec.stop()
			requireOneLeaderPerEpoch(t, e.rec.snapshot())
		})
	}
}

// Three times: kill the leader, wait for a new one, restart the killed
// server and wait for it to follow. Every epoch has one leader, and the
// leaders' epochs strictly increase in the order they appear.
func TestFailoverRepeatedLeaderKills(t *testing.T) {
	const n = 5
	e := newFailoverEnsemble(t, n)
	e.start()
	cur := e.waitSettled(sidsUpTo(n)...)
	e.sample()
	established := []settled{cur}
	for i := 1; i <= 3; i++ {
		killedAt := time.Now()
		e.kill9(cur.leader)
		next := e.waitSettled(e.others(cur.leader)...)
		failover := time.Since(killedAt)
		require.NotEqual(t, cur.leader, next.leader, "kill %d", i)
		require.Greater(t, next.epoch, cur.epoch, "kill %d: the epoch must grow", i)
		t.Logf("kill %d: leader %d (epoch %d) -> leader %d (epoch %d) in %v", i, cur.leader, cur.epoch, next.leader, next.epoch, failover)

		e.start(cur.leader)
		require.Equal(t, next, e.waitSettled(sidsUpTo(n)...), "kill %d: the restarted server follows", i)
		cur = next
		established = append(established, cur)
	}
	e.rec.stop()
	samples := e.rec.snapshot()
	requireOneLeaderPerEpoch(t, samples)

	leaders := leadersByEpoch(samples)
	for _, s := range established {
		assert.Equalf(t, []int64{s.leader}, leaders[s.epoch], "epoch %d", s.epoch)
	}
	assert.Len(t, leaders, len(established), "every epoch with a leader was one the test saw established")
	order := leaderEpochsInOrder(samples)
	assert.True(t, sort.SliceIsSorted(order, func(i, j int) bool { return order[i] < order[j] }),
		"leaders' epochs in order of appearance: %v", order)
}

// looking matches a srvr answer without a role: the server is electing.
func looking(r role) bool { return r.answered && r.mode == "" }

// leaderEpochsInOrder lists the epochs in which some server reported
// LEADING, ordered by the first sample that showed each.
func leaderEpochsInOrder(samples []sample) []int64 {
	first := map[int64]time.Time{}
	for _, s := range samples {
		if s.role.mode != "leader" {
			continue
		}
		if t, ok := first[s.role.epoch]; !ok || s.at.Before(t) {
			first[s.role.epoch] = s.at
		}
	}
	var out []int64
	for epoch := range first {
		out = append(out, epoch)
	}
	sort.Slice(out, func(i, j int) bool { return first[out[i]].Before(first[out[j]]) })
	return out
}

// The safety check itself: two servers seen leading one epoch, even at
// different moments, is a violation; leaders in different epochs are not.
func TestFailoverCheckerFlagsTwoLeadersInOneEpoch(t *testing.T) {
	t0 := time.Now()
	lead := func(at time.Duration, sid, epoch int64) sample {
		return sample{at: t0.Add(at), sid: sid, role: role{mode: "leader", epoch: epoch, answered: true}}
	}
	follow := sample{at: t0, sid: 1, role: role{mode: "follower", epoch: 2, answered: true}}

	ok := []sample{lead(0, 3, 1), follow, lead(time.Second, 2, 2), lead(2*time.Second, 3, 1)}
	assert.Equal(t, map[int64][]int64{1: {3}, 2: {2}}, leadersByEpoch(ok))
	assert.Equal(t, []int64{1, 2}, leaderEpochsInOrder(ok))

	bad := []sample{lead(0, 3, 2), follow, lead(5*time.Second, 2, 2)}
	assert.Equal(t, map[int64][]int64{2: {2, 3}}, leadersByEpoch(bad))

	first, found := firstSample(ok, t0.Add(500*time.Millisecond), []int64{2, 3}, func(r role) bool { return r.mode == "leader" })
	require.True(t, found)
	assert.Equal(t, t0.Add(time.Second), first)
}
