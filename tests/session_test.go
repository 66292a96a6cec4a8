package tests

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/messages"
)

// The session after the election (issue 6), in-process over loopback.
// The ensemble harness uses tickTime 200 ms: syncLimit (5) × tickTime is
// 1 s, initLimit (10) × tickTime 2 s.

// The roles appear only once established, in a fresh epoch above every
// voter's, which the dataDir's epoch files then hold, and which is the
// fencing token.
func TestSessionEstablishesEpochAndPersistsIt(t *testing.T) {
	checkLeaks(t)
	base := t.TempDir()
	e := newEnsemble(t, participants(3), func(c *actors.Config) {
		c.DataDir = filepath.Join(base, strconv.FormatInt(c.ID, 10))
		c.CurrentEpoch = 0
	})
	e.start()
	leader := e.waitAgreed(agreeTimeout)
	for _, sid := range e.sids() {
		st, _ := e.decided(sid)
		assert.Equal(t, int64(1), st.GetPeerEpoch(), "server %d: epoch 0 on disk, so the first established epoch is 1", sid)
		assert.Equal(t, int64(1)<<32, st.GetZxid(), "server %d reports the epoch's first zxid", sid)
		for _, f := range []string{"acceptedEpoch", "currentEpoch"} {
			b, err := os.ReadFile(filepath.Join(base, strconv.FormatInt(sid, 10), "version-2", f))
			require.NoError(t, err)
			assert.Equal(t, "1", strings.TrimSpace(string(b)), "server %d %s", sid, f)
		}
		tok, ok := e.node(sid).FencingToken()
		assert.True(t, ok)
		assert.Equal(t, int64(1), tok)
		assert.NoError(t, e.node(sid).CheckFencingToken(1))
		assert.ErrorIs(t, e.node(sid).CheckFencingToken(0), actors.ErrNotEstablished)
	}

	// A restarted follower votes with the epoch on its disk and rejoins;
	// the established leader keeps its epoch.
	follower := int64(1)
	if leader == 1 {
		follower = 2
	}
	e.stop(follower)
	e.start(follower)
	assert.Equal(t, leader, e.waitAgreed(agreeTimeout))
	es, err := e.node(follower).ElectionStatus(time.Second)
	require.NoError(t, err)
	assert.Equal(t, int64(1), es.GetCurrentVote().GetPeerEpoch())
}

// A leader that loses its quorum steps down within syncLimit × tickTime
// (plus a tick of slack) and keeps looking: it never reports LEADING
// again without a quorum.
func TestLeaderCutOffFromQuorumStepsDown(t *testing.T) {
	checkLeaks(t)
	e := newEnsemble(t, participants(3), nil)
	e.start()
	leader := e.waitAgreed(agreeTimeout)
	changes := e.node(leader).Subscribe()
	defer changes.Close()
	tok, ok := e.node(leader).FencingToken()
	require.True(t, ok)
	for _, sid := range e.sids() {
		if sid != leader {
			e.stop(sid)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), agreeTimeout)
	defer cancel()
	sc, err := changes.Next(ctx)
	require.NoError(t, err, "the cut-off leader never stepped down")
	assert.Equal(t, messages.ServerState_LOOKING, sc.GetNewState())
	assert.ErrorIs(t, e.node(leader).CheckFencingToken(tok), actors.ErrNotEstablished,
		"the old epoch's token is no longer good")
	// Alone, it cannot be established again.
	short, cancelShort := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancelShort()
	if sc, err := changes.Next(short); err == nil {
		assert.NotEqual(t, messages.ServerState_LEADING, sc.GetNewState(), "a leader without a quorum was established")
	}
}

// Killing the leader (in-process: stopping it closes every socket) sends
// its followers back to LOOKING at once; the survivors establish a new
// leader in a higher epoch, and the old leader rejoins as a follower.
func TestLeaderLossReelectsInHigherEpoch(t *testing.T) {
	checkLeaks(t)
	e := newEnsemble(t, participants(5), nil)
	e.start()
	leader := e.waitAgreed(agreeTimeout)
	st, _ := e.decided(leader)
	epoch := st.GetPeerEpoch()

	e.stop(leader)
	// Until they notice, the survivors still report the old leader.
	require.True(t, waitFor(agreeTimeout, func() bool {
		for _, sid := range e.running() {
			if s, ok := e.decided(sid); !ok || s.GetLeader() == leader {
				return false
			}
		}
		return true
	}), "the survivors never left the lost leader")
	next := e.waitAgreed(agreeTimeout)
	assert.NotEqual(t, leader, next)
	st, _ = e.decided(next)
	assert.Greater(t, st.GetPeerEpoch(), epoch, "the new leader's epoch is higher")
	for _, sid := range e.running() {
		s, _ := e.decided(sid)
		assert.Equal(t, st.GetPeerEpoch(), s.GetPeerEpoch(), "server %d", sid)
	}

	e.start(leader)
	assert.Equal(t, next, e.waitAgreed(agreeTimeout))
	old, _ := e.decided(leader)
	assert.Equal(t, messages.ServerState_FOLLOWING, old.GetNewState())
}
