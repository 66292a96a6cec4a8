package fle

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/zk"
)

// A worse vote of our round is answered with our proposal, once per voter
// and round (with the fast paths on): the voter that missed our vote
// (it still followed when it arrived) learns it now, not at our next
// notification timeout. A kill -9 failover then ends when its messages
// do.
func TestWorseVoteOfOurRoundIsAnsweredOnce(t *testing.T) {
	m := newFastMachine(t, 3, majority(t, []int64{1, 2, 3}))
	startFast(t, 3, m)
	// 2 was looking all along: it has our vote, no answer.
	out := m.Step(note(2, zk.Looking, 2, 10, 1, 1))
	assert.Empty(t, messagesTo(out, 2), "a voter that never followed since Start has our vote")
	// 1 and 2 still followed the old leader when our vote reached them:
	// they answered with their FOLLOWING votes.
	m.Step(note(1, zk.Following, 7, 10, 0, 1))
	m.Step(note(2, zk.Following, 7, 10, 0, 1))

	out = m.Step(note(1, zk.Looking, 1, 10, 1, 1))
	got := messagesTo(out, 1)
	require.Len(t, got, 1, "the worse vote is answered")
	assert.Equal(t, Message{To: 1, State: zk.Looking, Leader: 3, Zxid: 10, ElectionEpoch: 1, PeerEpoch: 1}, got[0])

	out = m.Step(note(1, zk.Looking, 1, 10, 1, 1))
	assert.Empty(t, messagesTo(out, 1), "once per voter and round")
	out = m.Step(note(2, zk.Looking, 2, 10, 1, 1))
	assert.Len(t, messagesTo(out, 2), 1, "each voter once")
	out = m.Step(vote3(1))
	assert.Empty(t, messagesTo(out, 1), "a vote equal to ours needs no answer")

	// A new election forgets who followed.
	loopback(m, m.Start(10, 1))
	out = m.Step(note(1, zk.Looking, 1, 10, 2, 1))
	assert.Empty(t, messagesTo(out, 1))
}

// While the finalize window is open, a worse vote is still answered (it
// is dropped as not better, as in ZooKeeper, but its sender learns our
// vote).
func TestWorseVoteAnsweredDuringTheWindow(t *testing.T) {
	m := newFastMachine(t, 3, majority(t, []int64{1, 2, 3, 4, 5}))
	startFast(t, 3, m)
	m.Step(vote3(1))
	m.Step(vote3(2))
	require.True(t, m.finalizing)
	m.Step(note(4, zk.Following, 7, 10, 0, 1))
	out := m.Step(note(4, zk.Looking, 1, 10, 1, 1))
	assert.Len(t, messagesTo(out, 4), 1)
}

// With the fast paths off the machine answers exactly as ZooKeeper: not
// at all.
func TestWorseVoteNotAnsweredWithoutFastPaths(t *testing.T) {
	m, err := New(Config{ID: 3, Verifier: majority(t, []int64{1, 2, 3}), DisableFastPaths: true})
	require.NoError(t, err)
	loopback(m, m.Start(10, 1))
	m.Step(note(1, zk.Following, 7, 10, 0, 1))
	out := m.Step(note(1, zk.Looking, 1, 10, 1, 1))
	assert.Empty(t, messagesTo(out, 1))
}
