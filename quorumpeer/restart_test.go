package quorumpeer

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/zkfle/zkfle/zk"
)

// A restart with a session running ends it (the session died with the
// driver): LOOKING is reported if its role was visible, and the loop looks
// again (here at once: the session was stable).
func TestRestartWithSessionEndsIt(t *testing.T) {
	p, _ := newPeer(t)
	establish(t, p, lead, 5, false, 0)
	out := p.Start(StableAfter)
	assert.Equal(t, &Ended{State: zk.Leading, Reason: "quorum peer restarted",
		Detail: "the session ended with the failed QuorumPeer", Stable: true}, out.Ended)
	assert.True(t, out.StopSession)
	assert.Equal(t, zk.Looking, out.Report.New)
	assert.Equal(t, LeaderLost, out.StartLooking.Reason)
	assert.False(t, out.AskStatus)

	// One that never established backs off instead.
	p.Decided(follow)
	out = p.Start(StableAfter)
	assert.Nil(t, out.Report)
	assert.NotNil(t, out.Backoff)
	assert.Nil(t, out.StartLooking)
}

// A restart without a session asks the election where it stands, and the
// answer decides: a machine that never ran starts its first round, one
// that decided while no session runs looks again, one that is looking is
// left alone.
func TestRestartAsksElectionStatus(t *testing.T) {
	for _, tc := range []struct {
		name  string
		clock int64
		state zk.ServerState
		want  *Reason
	}{
		{"never ran", 0, zk.Looking, ptr(Startup)},
		{"decided, no session", 4, zk.Following, ptr(LeaderLost)},
		{"decided to lead, no session", 4, zk.Leading, ptr(LeaderLost)},
		{"looking", 4, zk.Looking, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := newPeer(t)
			out := p.Start(time.Second)
			assert.Equal(t, Output{AskStatus: true}, out, "a restart while looking only asks")
			out = p.ElectionStatus(tc.clock, tc.state)
			if tc.want == nil {
				assert.Equal(t, Output{}, out)
				return
			}
			if assert.NotNil(t, out.StartLooking) {
				assert.Equal(t, *tc.want, out.StartLooking.Reason)
			}
			assert.Equal(t, Output{}, p.ElectionStatus(tc.clock, tc.state), "answered once")
		})
	}
}

// A decision that arrives before the status answer makes it stale; so
// does an answer nobody asked for.
func TestElectionStatusStaleAfterDecision(t *testing.T) {
	p, _ := newPeer(t)
	assert.Equal(t, Output{}, p.ElectionStatus(0, zk.Looking), "not asked")
	p.Start(0)
	p.Decided(follow)
	assert.Equal(t, Output{}, p.ElectionStatus(0, zk.Looking), "a decision moved the loop on")
	_, ok := p.Session()
	assert.True(t, ok)
}

// A restart forgets the question of the incarnation before it, and asks
// again.
func TestRestartAsksAgain(t *testing.T) {
	p, _ := newPeer(t)
	assert.True(t, p.Start(0).AskStatus)
	assert.True(t, p.Start(0).AskStatus)
	assert.NotNil(t, p.ElectionStatus(0, zk.Looking).StartLooking)
}

// A restart during a back-off keeps it: the pending timer still starts
// the next round.
func TestRestartDuringBackoffKeepsIt(t *testing.T) {
	p, _ := newPeer(t)
	p.Decided(follow)
	b := p.SessionEnded("EPOCH_BEHIND", "", 0).Backoff
	out := p.Start(0)
	assert.True(t, out.AskStatus)
	assert.Equal(t, Output{}, p.ElectionStatus(3, zk.Looking), "paused: still looking")
	assert.NotNil(t, p.BackoffFired(b.Gen).StartLooking)
}

func ptr[T any](v T) *T { return &v }
