package fle

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/zk"
)

// The finalize-window stall (issue 11): in a 3-voter ensemble whose
// proposal already has a quorum, one sid keeps sending votes that are not
// better than the proposal, one every FinalizeWait/4, for ten FinalizeWaits
// of virtual time. Java's poll(finalizeWait) restarts on each of them and
// never decides while the stream lasts; the machine decides within
// FinalizeWait of the window opening all the same.
func TestFinalizeWindowStallAttack(t *testing.T) {
	wait := DefaultTiming().FinalizeWait
	for name, forged := range map[string]Notification{
		// the sid's own, worse, vote, as a lagging peer would send it
		"worse vote": note(1, zk.Looking, 1, 5, 1, 1),
		// the very vote that made the quorum, replayed
		"repeated vote": note(1, zk.Looking, 3, 10, 1, 1),
		// a worse vote from a newer round, which the window drops too
		"worse vote, newer round": note(1, zk.Looking, 1, 5, 7, 1),
	} {
		t.Run(name, func(t *testing.T) {
			m := newMachine(t, 3, majority(t, []int64{1, 2, 3}))
			c := newVirtualClock(t, m)
			c.apply(m.Start(10, 1))
			c.advance(wait / 8)
			c.step(note(1, zk.Looking, 3, 10, 1, 1)) // {1, 3} of 3 agree on 3
			require.True(t, m.finalizing, "the proposal has a quorum")
			require.Len(t, c.opened, 1)
			opened := c.opened[0]

			fed := 0
			for at := opened + wait/4; at <= opened+10*wait; at += wait / 4 {
				c.advance(at)
				c.step(forged)
				fed++
			}
			require.Equal(t, 40, fed)
			require.NotNil(t, c.decision, "the stream held the window open for %v", 10*wait)
			assert.LessOrEqual(t, c.decidedAt-opened, wait, "decided within FinalizeWait of the window opening")
			assert.Equal(t, Decision{Leader: 3, Zxid: 10, ElectionEpoch: 1, PeerEpoch: 1, State: zk.Leading, Path: PathFinalizeWindow}, *c.decision)
			assert.Equal(t, zk.Leading, m.State(), "the forged stream after the decision changes nothing")
			assert.Equal(t, []time.Duration{opened}, c.opened)
		})
	}
}
