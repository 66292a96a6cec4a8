package quorumpeer

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A failed epoch write stops candidacy from the next round on and arms
// the probe when the loop next backs off; probes run only for the latest
// timer; a failed probe probes again later; a good one stands again at
// once, in a new round, with the back-off reset.
func TestDiskFaultStopsCandidacyUntilProbeSucceeds(t *testing.T) {
	p, _ := newPeer(t, func(c *Config) { c.ProbeInterval = 50 * time.Millisecond })
	assert.True(t, p.Candidate())
	p.Decided(lead)
	out := p.DiskFailed()
	require.NotNil(t, out.Disk)
	assert.True(t, *out.Disk, "faulted")
	assert.Nil(t, out.ArmProbe, "armed when the loop moves on")
	assert.False(t, p.Candidate())
	assert.Equal(t, Output{}, p.DiskFailed(), "already faulted")

	out = p.SessionEnded("PERSIST_FAILED", "read-only", 0)
	require.NotNil(t, out.Backoff)
	assert.Equal(t, &ProbeTimer{After: 50 * time.Millisecond, Gen: 1}, out.ArmProbe)
	out = p.BackoffFired(out.Backoff.Gen)
	assert.False(t, out.StartLooking.Candidate, "the round does not stand")
	assert.Nil(t, out.ArmProbe, "one probe timer at a time")

	assert.Equal(t, Output{}, p.ProbeDue(7), "a stale timer")
	assert.Equal(t, Output{RunProbe: true}, p.ProbeDue(1))

	out = p.Probed(false)
	assert.Equal(t, Output{ArmProbe: &ProbeTimer{After: 50 * time.Millisecond, Gen: 2}}, out, "probe again later")
	assert.False(t, p.Candidate())

	p.Decided(lead)
	p.SessionEnded("PERSIST_FAILED", "", 0)
	p.Decided(lead)
	p.SessionEnded("PERSIST_FAILED", "", 0)
	require.Equal(t, 3, p.Failures())
	assert.Equal(t, Output{RunProbe: true}, p.ProbeDue(2))
	out = p.Probed(true)
	require.NotNil(t, out.Disk)
	assert.False(t, *out.Disk, "standing again")
	assert.Equal(t, &StartLooking{Reason: LeaderLost, LastZxid: 4 << 32, CurrentEpoch: 4, Candidate: true}, out.StartLooking)
	assert.True(t, p.Candidate())
	assert.Equal(t, 0, p.Failures(), "the back-off starts again")
	assert.Equal(t, Output{}, p.Probed(true), "not faulted: nothing to do")
}

// A good probe while a session runs clears the fault but starts no round:
// the session goes on.
func TestGoodProbeDuringSessionStartsNoRound(t *testing.T) {
	p, _ := newPeer(t)
	p.DiskFailed()
	p.Decided(follow)
	out := p.Probed(true)
	require.NotNil(t, out.Disk)
	assert.False(t, *out.Disk)
	assert.Nil(t, out.StartLooking)
	assert.True(t, p.Candidate())
}

// A successful epoch write ends the fault too, without a new round and
// without resetting the back-off; a probe timer still pending then does
// nothing.
func TestEpochWriteEndsFault(t *testing.T) {
	p, _ := newPeer(t)
	p.Decided(follow)
	p.DiskFailed()
	b := p.SessionEnded("PERSIST_FAILED", "", 0)
	require.NotNil(t, b.ArmProbe)
	p.BackoffFired(b.Backoff.Gen)
	p.Decided(follow)
	out := p.DiskWritten()
	require.NotNil(t, out.Disk)
	assert.False(t, *out.Disk)
	assert.Nil(t, out.StartLooking)
	assert.Equal(t, 1, p.Failures())
	assert.True(t, p.Candidate())
	assert.Equal(t, Output{}, p.ProbeDue(b.ArmProbe.Gen), "healthy: no probe")
	assert.Equal(t, Output{}, p.DiskWritten(), "healthy already")
}

// The probe at start (DiskFailed before Start) makes the first round a
// non-candidate one and arms the probe with it; a restart re-arms it (the
// timer may have died with the driver).
func TestFaultAtStart(t *testing.T) {
	p, err := New(Config{ID: 1, Epochs: &epochs{}, Rand: maxJitter})
	require.NoError(t, err)
	p.DiskFailed()
	out := p.Start(0)
	assert.False(t, out.StartLooking.Candidate)
	assert.Equal(t, &ProbeTimer{After: DefaultProbeInterval, Gen: 1}, out.ArmProbe)
	out = p.Start(0)
	assert.Equal(t, &ProbeTimer{After: DefaultProbeInterval, Gen: 2}, out.ArmProbe, "re-armed after a restart")
	assert.Equal(t, Output{}, p.ProbeDue(1), "the old incarnation's timer")
	assert.True(t, p.ProbeDue(2).RunProbe)
}
