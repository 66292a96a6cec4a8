package actors

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/internal/freeport"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/quorum"
	"go.uber.org/goleak"
)

func oneVoter(t testing.TB) (Config, net.Listener) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	v, err := quorum.NewMajority([]quorum.Server{{ID: 7, Addrs: []quorum.AddrPair{
		{Host: "127.0.0.1", QuorumPort: freeQuorumPort(t), ElectionPort: port}}}}, 0)
	require.NoError(t, err)
	cfg := DefaultConfig()
	cfg.ID, cfg.Verifier = 7, v
	cfg.Election.FinalizeWait = 20 * time.Millisecond
	return cfg, ln
}

// Every way of watching a node works, and Stop ends all of them and
// leaves no goroutine behind.
func TestNodeSubscriptionsAndStop(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(),
		goleak.IgnoreAnyFunction("github.com/asynkron/protoactor-go/actor.NewDeadLetter.NewThrottle.func4.1"))
	cfg, ln := oneVoter(t)
	// The subscriptions start after Start and must see LOOKING -> LEADING:
	// with the fast paths a lone voter decides at once (unanimity), so
	// keep the finalize window in front of the decision, as before.
	cfg.DisableElectionFastPaths = true
	system := actor.NewActorSystem(actor.WithLoggerFactory(quietProtoactorLogger(cfg.logger())))
	got := make(chan *messages.StateChanged, 4)
	watcher := system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		if sc, ok := ctx.Message().(*messages.StateChanged); ok {
			got <- sc
		}
	}))
	node, err := Start(cfg, WithActorSystem(system), WithListeners(ln), WithWatcher(watcher))
	require.NoError(t, err)
	sub := node.Subscribe()
	changes, cancelChanges := node.Changes()
	defer cancelChanges()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sc, err := sub.Next(ctx)
	require.NoError(t, err)
	assert.Equal(t, messages.ServerState_LEADING, sc.GetNewState())
	assert.Equal(t, messages.ServerState_LOOKING, sc.GetOldState())
	select {
	case pidSc := <-got:
		assert.Equal(t, int64(7), pidSc.GetLeader())
	case <-ctx.Done():
		t.Fatal("watcher PID heard nothing")
	}
	latest := <-changes
	assert.Equal(t, messages.ServerState_LEADING, latest.GetNewState())
	st := node.Status()
	assert.True(t, st.IsLeader())
	assert.Equal(t, int64(7), st.Leader)

	require.NoError(t, node.Stop())
	_, err = sub.Next(ctx)
	assert.ErrorIs(t, err, ErrStopped)
	_, open := <-changes
	assert.False(t, open, "Changes channel closed on Stop")
	_, err = node.ElectionStatus(time.Second)
	assert.ErrorIs(t, err, ErrStopped)
	require.NoError(t, node.Stop(), "Stop is idempotent")
	require.NoError(t, system.Root.StopFuture(watcher).Wait())
}

// Validate names the field and the bad value.
func TestValidateNamesTheBadValue(t *testing.T) {
	cfg, ln := oneVoter(t)
	ln.Close()
	cfg.TickTime = -time.Second
	err := cfg.Validate()
	require.ErrorIs(t, err, ErrInvalidConfig)
	assert.Contains(t, err.Error(), "TickTime=-1s")
	cfg, ln = oneVoter(t)
	ln.Close()
	cfg.ID = 99
	err = cfg.Validate()
	assert.Contains(t, err.Error(), "ID=99")
	assert.Contains(t, err.Error(), "no server.99")
}

// freeQuorumPort returns a loopback port nothing listened on a moment ago:
// a leader binds its quorum port once elected, and a guessed port (the
// election port + 1) may belong to someone else.
func freeQuorumPort(t testing.TB) int {
	t.Helper()
	// Below the ephemeral range: a port the kernel handed out and we
	// closed can be taken by any outgoing connection's source port before
	// the leader binds it (a CI failure: "bind: address already in use").
	p, err := freeport.Port()
	require.NoError(t, err)
	return p
}
