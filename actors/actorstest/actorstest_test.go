package actorstest_test

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/actors/actorstest"
	"github.com/zkfle/zkfle/internal/freeport"
	"github.com/zkfle/zkfle/quorum"
)

func freePort(t *testing.T) int {
	t.Helper()
	return freeport.MustPort()
}

// A fault injected through the hooks restarts the actor it names, the
// way a real panic would; the other hooks answer for a running node.
func TestHooksReachARunningNode(t *testing.T) {
	v, err := quorum.NewMajority([]quorum.Server{{ID: 1, Addrs: []quorum.AddrPair{
		{Host: "127.0.0.1", QuorumPort: freePort(t), ElectionPort: freePort(t)}}}}, 0)
	require.NoError(t, err)
	cfg := actors.DefaultConfig()
	cfg.ID, cfg.Verifier, cfg.FaultInjection = 1, v, true
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	n, err := actors.Start(cfg)
	require.NoError(t, err)
	defer n.Stop()
	require.Eventually(t, func() bool { return n.Status().IsLeader() }, 10*time.Second, 10*time.Millisecond)

	require.NotNil(t, actorstest.System(n))
	require.Positive(t, actorstest.MessagesProcessed(n))
	paths, err := actorstest.PeerPaths(n, 5*time.Second)
	require.NoError(t, err)
	require.Empty(t, paths, "a lone voter has no peer")

	path, ok := actorstest.ActorPath(n, actors.KindElection)
	require.True(t, ok)
	require.NotEmpty(t, path)
	require.NoError(t, actorstest.InjectFault(n, path, "actorstest"))
	require.Eventually(t, func() bool {
		_, restarts := n.Supervision()
		return restarts[actors.KindElection] == 1
	}, 10*time.Second, 10*time.Millisecond, "the injected fault restarts the election")

	require.ErrorIs(t, actorstest.InjectFault(n, "no/such/actor", "x"), actors.ErrNoSuchActor)
	_, ok = actorstest.ActorPath(n, actors.Kind("nonsense"))
	require.False(t, ok)
}
