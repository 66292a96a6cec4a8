package probe

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/internal/zkjava"
	"github.com/zkfle/zkfle/zk"
)

// javaEnsemble starts real ZooKeeper servers with the given sids and
// waits until they serve.
func javaEnsemble(t *testing.T, sids ...int64) *zkjava.Ensemble {
	t.Helper()
	inst := zkjava.RequireInstalled(t)
	var members []zkjava.Member
	for _, sid := range sids {
		members = append(members, zkjava.Member{SID: sid, QuorumPort: freePort(t), ElectionPort: freePort(t),
			ClientPort: freePort(t), Java: true})
	}
	e, err := zkjava.New(inst, zkjava.Spec{Dir: t.TempDir(), Members: members})
	require.NoError(t, err)
	t.Cleanup(func() {
		require.NoError(t, e.Stop())
		if t.Failed() {
			t.Logf("%s", e.Logs())
		}
	})
	require.NoError(t, e.Start())
	_, err = e.WaitServing(90 * time.Second)
	require.NoError(t, err)
	return e
}

// Against real ZooKeeper 3.8: every server answers with its role and
// vote, and probing changes nothing (same modes and zxids, no new
// election in any log); the servers only log the probe's hang-up.
func TestProbeRealZooKeeper(t *testing.T) {
	checkLeaks(t)
	e := javaEnsemble(t, 1, 2, 3)
	before := map[int64]zkjava.SrvrInfo{}
	elections := map[int64]int{}
	for _, sid := range e.SIDs() {
		info, err := e.Srvr(sid)
		require.NoError(t, err)
		before[sid] = info
		elections[sid] = strings.Count(e.Server(sid).Log(), "LEADER ELECTION TOOK")
	}
	// Who leads is Java's to decide: with three JVMs started one after
	// another on a loaded machine, 1 and 2 may elect 2 before 3 votes.
	// The probe must report whoever srvr says leads.
	leader := int64(0)
	for sid, info := range before {
		if info.Mode == "leader" {
			require.Zero(t, leader, "two leaders: %v", before)
			leader = sid
		} else {
			require.Equal(t, "follower", info.Mode, "server %d", sid)
		}
	}
	require.NotZero(t, leader, "no leader: %v", before)

	addrs := []string{e.Server(1).ElectionAddr(), e.Server(2).ElectionAddr(), e.Server(3).ElectionAddr()}
	for run := 0; run < 2; run++ { // the second run meets ZooKeeper's re-sent last message
		results, err := Probe(context.Background(), addrs, Options{Timeout: 10 * time.Second})
		require.NoError(t, err)
		for i, res := range results {
			sid := int64(i + 1)
			require.NoErrorf(t, res.Err, "server %d", sid)
			r := res.Reply
			assert.Equal(t, sid, r.ServerID)
			want := zk.Following
			if sid == leader {
				want = zk.Leading
			}
			assert.Equalf(t, want.String(), r.State.String(), "server %d", sid)
			assert.Equal(t, leader, r.Leader)
			assert.Equal(t, int64(1), r.ElectionEpoch, "a fresh ensemble decides in round 1")
			assert.Equal(t, int32(2), r.Version)
			assert.Equal(t, int64(0), r.ConfigVersion)
			assert.Contains(t, r.Config, fmt.Sprintf("server.%d=%s:", sid, "127.0.0.1"))
			assert.True(t, strings.HasSuffix(r.Config, "\nversion=0"), r.Config)
			if run == 1 {
				assert.LessOrEqual(t, r.Frames, 2)
			}
		}
	}

	// The servers notice the hang-up; wait for that, then compare.
	require.Eventually(t, func() bool {
		for _, sid := range e.SIDs() {
			if !strings.Contains(e.Server(sid).Log(), fmt.Sprintf("Connection broken for id %d", DefaultSID)) {
				return false
			}
		}
		return true
	}, 30*time.Second, 50*time.Millisecond, "every server logs the probe's hang-up")
	for _, sid := range e.SIDs() {
		info, err := e.Srvr(sid)
		require.NoError(t, err)
		assert.Equalf(t, before[sid].Mode, info.Mode, "server %d mode", sid)
		assert.Equalf(t, before[sid].Zxid, info.Zxid, "server %d zxid", sid)
		log := e.Server(sid).Log()
		assert.Equalf(t, elections[sid], strings.Count(log, "LEADER ELECTION TOOK"), "server %d held no new election", sid)
		assert.NotContains(t, log, "Something went wrong while processing config", "our config string parses")
	}
}

// ZooKeeper closes a connection from a smaller sid (and dials back the
// address in its header, where nobody listens): the probe reports it.
func TestProbeSmallerSIDGetsNoAnswerFromZooKeeper(t *testing.T) {
	checkLeaks(t)
	e := javaEnsemble(t, 2, 3, 4)
	_, err := One(context.Background(), e.Server(2).ElectionAddr(), Options{SID: 1, Timeout: 10 * time.Second})
	assert.ErrorIs(t, err, ErrClosed)
	var ae *AddrError
	require.ErrorAs(t, err, &ae)
	_, _, splitErr := net.SplitHostPort(ae.Addr)
	assert.NoError(t, splitErr)
}
