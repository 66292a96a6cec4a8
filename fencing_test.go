package zkfle

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/actors/actorstest"
)

// TestFailedNodeHandsOutNoFencingToken: a node that has failed holds no
// role from the moment it fails, although its actor tree, not yet
// stopped, still publishes the last role it reached. A resource that
// asks for a token in that moment must be refused; otherwise a leader
// whose node is going down could still write under its epoch.
//
// The node fails as in production when a pillar of its tree (here the
// Messenger) fails more often than the root's restart limit allows; the
// test holds the node in the moment between that failure and the tree's
// stop (testHooks.failed).
func TestFailedNodeHandsOutNoFencingToken(t *testing.T) {
	defer goleak.VerifyNone(t, leakOpts...)
	reached, release := make(chan struct{}), make(chan struct{})
	var releaseOnce sync.Once
	free := func() { releaseOnce.Do(func() { close(release) }) }
	// A failed check must not leave the node's goroutine held (goleak
	// would then report it instead of the failure).
	t.Cleanup(free)
	n, err := start(context.Background(), ensemble(t, 1)[0], &testHooks{
		actors: func(c *actors.Config) { c.FaultInjection = true },
		failed: func() { close(reached); <-release },
	})
	require.NoError(t, err)
	waitFor(t, n.Changes(), Status.IsLeader)
	epoch, ok := n.FencingToken()
	require.True(t, ok)
	require.NoError(t, n.CheckFencingToken(epoch))

	path, ok := actorstest.ActorPath(n.inner, actors.KindMessenger)
	require.True(t, ok)
	// One failure more than the root restarts in its window (the actors'
	// rootMaxRestarts, 10): the root stops the Messenger and reports the
	// node failed.
	for range 11 {
		require.NoError(t, actorstest.InjectFault(n.inner, path, "fencing test"))
	}
	select {
	case <-reached:
	case <-time.After(20 * time.Second):
		t.Fatal("the node did not fail within 20s")
	}

	inner, innerOK := n.inner.FencingToken()
	require.True(t, innerOK, "precondition: the tree still publishes its role")
	require.Equal(t, epoch, inner)
	_, ok = n.FencingToken()
	require.False(t, ok, "a failed node hands out no token")
	require.ErrorIs(t, n.CheckFencingToken(epoch), ErrNotEstablished)
	require.Equal(t, Looking, n.Status().State, "a failed node holds no role")
	require.Error(t, n.Err(), "Err says why the node failed")

	free()
	select {
	case <-n.Done():
	case <-time.After(20 * time.Second):
		t.Fatal("the node did not end within 20s")
	}
	require.NoError(t, n.Stop(context.Background()), "stopping a failed node returns nil")
}
