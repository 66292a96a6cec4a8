package probe

import (
	"context"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/internal/freeport"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/quorum"
	"github.com/zkfle/zkfle/zk"
	"go.uber.org/goleak"
)

// checkLeaks verifies, after the test's cleanups have stopped every node,
// that no goroutine it started is left. Call it first: cleanups run
// last-registered first.
func checkLeaks(t *testing.T) {
	opts := []goleak.Option{goleak.IgnoreCurrent(),
		// protoactor's dead-letter throttle sleeps out its interval.
		goleak.IgnoreAnyFunction("github.com/asynkron/protoactor-go/actor.NewDeadLetter.NewThrottle.func4.1")}
	t.Cleanup(func() { goleak.VerifyNone(t, opts...) })
}

// freePort returns a loopback port nothing listens on.
func freePort(t *testing.T) int {
	t.Helper()
	return freeport.MustPort()
}

// zkfleEnsemble starts in-process zkfle nodes with the given sids on
// loopback and returns them with their election addresses.
func zkfleEnsemble(t *testing.T, sids ...int64) (map[int64]*actors.Node, map[int64]string) {
	t.Helper()
	lns := map[int64]net.Listener{}
	var servers []quorum.Server
	for _, sid := range sids {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		lns[sid] = ln
		servers = append(servers, quorum.Server{ID: sid, Addrs: []quorum.AddrPair{{Host: "127.0.0.1",
			QuorumPort: freePort(t), ElectionPort: ln.Addr().(*net.TCPAddr).Port}}})
	}
	v, err := quorum.NewMajority(servers, 0)
	require.NoError(t, err)
	nodes := map[int64]*actors.Node{}
	addrs := map[int64]string{}
	for _, sid := range sids {
		cfg := actors.DefaultConfig()
		cfg.ID, cfg.Verifier = sid, v
		cfg.TickTime = 200 * time.Millisecond
		cfg.ConnectTimeout = time.Second
		// These tests expect ZooKeeper's order: the highest sid among equal
		// votes leads when every node starts. With the fast paths the votes'
		// unanimity decides as soon as the last node has voted; the long
		// window only keeps a node that a loaded machine starts late from
		// being decided without (with the default 200 ms it was, now and
		// then, in CI).
		cfg.Election.FinalizeWait = 2 * time.Second
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		n, err := actors.Start(cfg, actors.WithListeners(lns[sid]))
		require.NoError(t, err)
		nodes[sid] = n
		addrs[sid] = lns[sid].Addr().String()
		t.Cleanup(func() { require.NoError(t, n.Stop()) })
	}
	return nodes, addrs
}

// waitLeader waits until every node has decided on one leader.
func waitLeader(t *testing.T, nodes map[int64]*actors.Node) int64 {
	t.Helper()
	var leader int64
	require.Eventually(t, func() bool {
		leader = -1
		for _, n := range nodes {
			st := n.Status()
			if st.State == messages.ServerState_LOOKING || (leader != -1 && st.Leader != leader) {
				return false
			}
			leader = st.Leader
		}
		return true
	}, 30*time.Second, 10*time.Millisecond)
	return leader
}

// Against zkfle: every server answers with its real state and vote, the
// config names it, and the ensemble's leader, round and published state
// are exactly what they were before the probe.
func TestProbeZkfleEnsemble(t *testing.T) {
	checkLeaks(t)
	nodes, addrs := zkfleEnsemble(t, 1, 2, 3)
	require.Equal(t, int64(3), waitLeader(t, nodes))

	before := map[int64]*messages.StateChanged{}
	rounds := map[int64]int64{}
	votes := map[int64]*messages.Vote{}
	for sid, n := range nodes {
		before[sid] = n.State()
		es, err := n.ElectionStatus(5 * time.Second)
		require.NoError(t, err)
		rounds[sid] = es.GetLogicalClock()
		votes[sid] = es.GetCurrentVote()
	}

	list := []string{addrs[1], addrs[2], addrs[3]}
	for probeRun := 0; probeRun < 2; probeRun++ { // the second run meets the re-sent answer
		results, err := Probe(context.Background(), list, Options{Timeout: 10 * time.Second})
		require.NoError(t, err)
		for i, res := range results {
			sid := int64(i + 1)
			require.NoErrorf(t, res.Err, "server %d", sid)
			r := res.Reply
			assert.Equal(t, sid, r.ServerID)
			want := zk.Following
			if sid == 3 {
				want = zk.Leading
			}
			assert.Equalf(t, want.String(), r.State.String(), "server %d", sid)
			assert.Equal(t, int64(3), r.Leader)
			assert.Equal(t, before[sid].GetElectionEpoch(), r.ElectionEpoch)
			// Replies carry the election's current vote: the leader's
			// zxid as elected, and the established epoch
			// (updateElectionVote), as ZooKeeper's do.
			assert.Equal(t, votes[sid].GetPeerEpoch(), r.PeerEpoch)
			assert.Equal(t, before[sid].GetPeerEpoch(), r.PeerEpoch)
			assert.Equal(t, votes[sid].GetZxid(), r.Zxid)
			assert.Equal(t, int32(2), r.Version)
			assert.Contains(t, r.Config, "server.3=127.0.0.1:")
			assert.Equal(t, int64(0), r.ConfigVersion)
		}
	}

	for sid, n := range nodes {
		assert.Samef(t, before[sid], n.State(), "server %d published no new state", sid)
		es, err := n.ElectionStatus(5 * time.Second)
		require.NoError(t, err)
		assert.Equalf(t, rounds[sid], es.GetLogicalClock(), "server %d round", sid)
	}
}

// A probe whose sid is smaller than a zkfle member's (and unknown to it)
// is refused: the member closes the connection, so nothing is learned.
func TestProbeSmallerSIDIsRefusedByZkfle(t *testing.T) {
	checkLeaks(t)
	nodes, addrs := zkfleEnsemble(t, 10, 11, 12)
	waitLeader(t, nodes)
	_, err := One(context.Background(), addrs[10], Options{SID: 5, Timeout: 10 * time.Second})
	assert.ErrorIs(t, err, ErrClosed)
}
