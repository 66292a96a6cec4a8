package zkfle

import (
	"context"
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/zkfle/zkfle/internal/freeport"
)

// protoactor's dead-letter throttle outlives an actor system by design.
var leakOpts = []goleak.Option{goleak.IgnoreCurrent(),
	goleak.IgnoreAnyFunction("github.com/asynkron/protoactor-go/actor.NewDeadLetter.NewThrottle.func4.1")}

func freeLoopbackPort(t *testing.T) int {
	t.Helper()
	// Below the ephemeral range: a port the kernel handed out and a test
	// closed can be taken by an outgoing connection before a node binds it.
	p, err := freeport.Port()
	require.NoError(t, err)
	return p
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// ensemble returns the configs of n servers on loopback.
func ensemble(t *testing.T, n int) []Config {
	t.Helper()
	servers := make([]Server, n)
	for i := range servers {
		servers[i] = Server{ID: int64(i + 1), Host: "127.0.0.1",
			QuorumPort: freeLoopbackPort(t), ElectionPort: freeLoopbackPort(t)}
	}
	cfgs := make([]Config, n)
	for i := range cfgs {
		cfgs[i] = DefaultConfig()
		cfgs[i].ID, cfgs[i].Servers, cfgs[i].Logger = int64(i+1), servers, quiet()
	}
	return cfgs
}

// waitFor reads ch until a status satisfies cond, and returns it; it fails
// the test if ch closes first or 20 s pass.
func waitFor(t *testing.T, ch <-chan Status, cond func(Status) bool) Status {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case st, ok := <-ch:
			require.True(t, ok, "Changes closed before the status arrived")
			if cond(st) {
				return st
			}
		case <-deadline:
			t.Fatal("no such status within 20s")
		}
	}
}

// Three nodes elect one leader; the two others follow it in the same
// epoch, as Status and Changes say.
func TestEnsembleElectsOneLeader(t *testing.T) {
	defer goleak.VerifyNone(t, leakOpts...)
	ctx := context.Background()
	var nodes []*Node
	for _, cfg := range ensemble(t, 3) {
		n, err := Start(ctx, cfg)
		require.NoError(t, err)
		defer n.Stop(ctx)
		nodes = append(nodes, n)
	}
	var got []Status
	for _, n := range nodes {
		got = append(got, waitFor(t, n.Changes(), func(s Status) bool { return s.State != Looking }))
	}
	leaders := 0
	for i, st := range got {
		require.Equal(t, nodes[i].ID(), st.ID)
		require.Equal(t, got[0].Epoch, st.Epoch, "every node in one epoch")
		require.Positive(t, st.Epoch)
		if st.IsLeader() {
			leaders++
			require.Equal(t, st.ID, st.Leader)
			continue
		}
		require.Equal(t, Following, st.State)
	}
	require.Equal(t, 1, leaders)
	for _, st := range got {
		require.Equal(t, got[0].Leader, st.Leader, "every node names the same leader")
	}
	for _, n := range nodes {
		tok, ok := n.FencingToken()
		require.True(t, ok)
		require.NoError(t, n.CheckFencingToken(tok))
		require.ErrorIs(t, n.CheckFencingToken(tok+1), ErrNotEstablished)
	}
}

// Stop may be called from many goroutines at once and again later: every
// call returns nil once the node has ended, and nothing is left running.
func TestStopIsSafeConcurrentlyAndTwice(t *testing.T) {
	defer goleak.VerifyNone(t, leakOpts...)
	ctx := context.Background()
	n, err := Start(ctx, ensemble(t, 1)[0])
	require.NoError(t, err)
	changes := n.Changes()
	sub := n.Subscribe()
	waitFor(t, changes, Status.IsLeader)

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- n.Stop(ctx)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.NoError(t, n.Stop(ctx))
	<-n.Done()
	require.NoError(t, n.Err(), "a node ended by Stop did not fail")
	for range changes { // closed by the stop
	}
	_, ok := <-n.Changes()
	require.False(t, ok, "Changes after the end is closed at once")
	for {
		if _, err := sub.Next(ctx); err != nil {
			require.ErrorIs(t, err, ErrStopped)
			break
		}
	}
	st := n.Status()
	require.Equal(t, Looking, st.State, "a stopped node holds no role")
	require.Equal(t, int64(-1), st.Leader)
	_, ok = n.FencingToken()
	require.False(t, ok)
}

// A Stop whose context ends first returns the context's error; the node
// still finishes stopping.
func TestStopContextEndsFirst(t *testing.T) {
	defer goleak.VerifyNone(t, leakOpts...)
	n, err := Start(context.Background(), ensemble(t, 1)[0])
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := n.Stop(ctx); err != nil {
		require.ErrorIs(t, err, context.Canceled)
	}
	select {
	case <-n.Done():
	case <-time.After(20 * time.Second):
		t.Fatal("the node did not finish stopping")
	}
	require.NoError(t, n.Err())
}

// A node that cannot bind its election port fails on its own: Changes is
// closed (a range loop over it ends), Done is closed, Err says why,
// subscriptions end, and it holds no role.
func TestFailureEndsTheNode(t *testing.T) {
	defer goleak.VerifyNone(t, leakOpts...)
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()
	cfg := ensemble(t, 1)[0]
	cfg.Servers[0].ElectionPort = taken.Addr().(*net.TCPAddr).Port
	cfg.ElectionPortBindRetry, cfg.BindRetryInterval = 2, 10*time.Millisecond
	n, err := Start(context.Background(), cfg)
	require.NoError(t, err)
	sub := n.Subscribe()
	ended := make(chan error, 1)
	go func() {
		for range n.Changes() {
		}
		ended <- n.Err() // already set when the loop ends, Done or not
	}()
	select {
	case err := <-ended:
		require.ErrorIs(t, err, ErrBindFailed, "Err as the Changes loop ends")
	case <-time.After(20 * time.Second):
		t.Fatal("Changes was not closed when the node failed")
	}
	<-n.Done()
	require.ErrorIs(t, n.Err(), ErrBindFailed)
	require.Contains(t, n.Err().Error(), taken.Addr().String())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		if _, err := sub.Next(ctx); err != nil {
			require.ErrorIs(t, err, ErrStopped)
			break
		}
	}
	require.NoError(t, n.Stop(ctx))
	require.Equal(t, Looking, n.Status().State)
}

func TestStartWithEndedContext(t *testing.T) {
	defer goleak.VerifyNone(t, leakOpts...)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n, err := Start(ctx, ensemble(t, 1)[0])
	require.ErrorIs(t, err, context.Canceled)
	require.Nil(t, n)
}

func TestStartRejectsInvalidConfig(t *testing.T) {
	cfg := ensemble(t, 1)[0]
	cfg.SyncLimit = -1
	n, err := Start(context.Background(), cfg)
	require.ErrorIs(t, err, ErrInvalidConfig)
	require.ErrorContains(t, err, "SyncLimit=-1")
	require.Nil(t, n)
}

func TestValidateNamesTheBadValue(t *testing.T) {
	good := func() Config {
		cfg := DefaultConfig()
		cfg.ID = 1
		cfg.Servers = []Server{
			{ID: 1, Host: "127.0.0.1", QuorumPort: 2888, ElectionPort: 3888},
			{ID: 2, Host: "127.0.0.2", QuorumPort: 2888, ElectionPort: 3888},
		}
		return cfg
	}
	require.NoError(t, good().Validate())
	for _, tc := range []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"no servers", func(c *Config) { c.Servers = nil }, "Servers=[]"},
		{"duplicate id", func(c *Config) { c.Servers[1].ID = 1 }, "Servers[1].ID=1: also the ID of Servers[0]"},
		{"no host", func(c *Config) { c.Servers[1].Host = "" }, `Servers[1].Host=""`},
		{"bad host", func(c *Config) { c.Servers[1].Host = "a b" }, "Servers=2"},
		{"quorum port", func(c *Config) { c.Servers[0].QuorumPort = 70000 }, "Servers[0].QuorumPort=70000"},
		{"election port", func(c *Config) { c.Servers[1].ElectionPort = -1 }, "Servers[1].ElectionPort=-1"},
		{"same ports", func(c *Config) { c.Servers[1].ElectionPort = 2888 }, "Servers[1].ElectionPort=2888: must differ"},
		{"not a member", func(c *Config) { c.ID = 9 }, "ID=9"},
		{"tick", func(c *Config) { c.TickTime = 0 }, "TickTime=0s"},
		{"finalize", func(c *Config) { c.FinalizeWait = -time.Second }, "Election.FinalizeWait=-1s"},
		{"epoch with datadir", func(c *Config) { c.DataDir, c.CurrentEpoch = t.TempDir(), 3 }, "CurrentEpoch=3"},
		{"tls", func(c *Config) { c.TLS = &QuorumTLS{} }, "TLS=incomplete"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good()
			tc.change(&cfg)
			err := cfg.Validate()
			require.ErrorIs(t, err, ErrInvalidConfig)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

// The observer flag and every knob reach the actor tree's configuration.
func TestConfigMapsOntoTheActorTree(t *testing.T) {
	cfg := DefaultConfig()
	cfg.ID = 2
	cfg.Servers = []Server{
		{ID: 1, Host: "127.0.0.1", QuorumPort: 2888, ElectionPort: 3888},
		{ID: 2, Host: "127.0.0.2", QuorumPort: 2888, ElectionPort: 3888, Observer: true},
	}
	cfg.TickTime, cfg.InitLimit, cfg.SyncLimit = time.Second, 7, 3
	cfg.MinNotificationInterval = 50 * time.Millisecond
	cfg.ConnectTimeout, cfg.WriteTimeout = 2*time.Second, time.Second
	cfg.ListenOnAllIPs, cfg.SkipPeerAddressCheck = true, true
	cfg.DisableFastPaths = true
	cfg.LastZxid = func() int64 { return 42 }
	cfg.CurrentEpoch = 5
	a, err := cfg.actorsConfig()
	require.NoError(t, err)
	require.Equal(t, []int64{1}, a.Verifier.VotingMembers())
	require.Equal(t, []int64{2}, a.Verifier.ObservingMembers())
	require.Equal(t, time.Second, a.TickTime)
	require.Equal(t, 7, a.InitLimit)
	require.Equal(t, 3, a.SyncLimit)
	require.Equal(t, 50*time.Millisecond, a.Election.MinNotificationInterval)
	require.Equal(t, 2*time.Second, a.ConnectTimeout)
	require.Equal(t, time.Second, a.WriteTimeout)
	require.True(t, a.ListenOnAllIPs)
	require.True(t, a.SkipPeerAddressCheck)
	require.True(t, a.DisableElectionFastPaths)
	require.Equal(t, int64(42), a.LastZxid())
	require.Equal(t, int64(5), a.CurrentEpoch)
}

func TestParseServersRejects(t *testing.T) {
	for _, in := range []string{"", "1", "x=h:1:2", "1=h:2", "1=h:x:2", "1=h:1:y", "1=h:1:2,"} {
		_, err := ParseServers(in)
		require.Error(t, err, in)
	}
	got, err := ParseServers(" 1=a:1:2 , 2=b:3:4:participant")
	require.NoError(t, err)
	require.Equal(t, []Server{{ID: 1, Host: "a", QuorumPort: 1, ElectionPort: 2},
		{ID: 2, Host: "b", QuorumPort: 3, ElectionPort: 4}}, got)
	_, err = ParseServers("1=a:1:2,2=b:x:4")
	require.ErrorContains(t, err, `servers entry 2 "2=b:x:4"`)
}

func TestStatusString(t *testing.T) {
	require.Equal(t, "LOOKING", Status{State: Looking, Leader: -1}.String())
	require.Equal(t, "LEADING epoch 3", Status{State: Leading, Leader: 1, Epoch: 3}.String())
	require.Equal(t, "FOLLOWING leader 1 epoch 3", Status{State: Following, Leader: 1, Epoch: 3}.String())
	require.Equal(t, "OBSERVING leader 2 epoch 4", Status{State: Observing, Leader: 2, Epoch: 4}.String())
	require.Equal(t, "ServerState(9)", State(9).String(), "zk.ServerState's name for a code Java does not define")
}
