package actors

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/messages"
	"go.uber.org/goleak"
)

// Nodes started without WithActorSystem share the process's actor system,
// under root names that never collide, even for one sid; stopping one
// leaves the others running, and nothing is left behind.
func TestNodesWithoutASystemShareOne(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(),
		goleak.IgnoreAnyFunction("github.com/asynkron/protoactor-go/actor.NewDeadLetter.NewThrottle.func4.1"))
	nodes := make([]*Node, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range nodes {
		cfg, ln := oneVoter(t) // both are sid 7, each with its own port
		wg.Add(1)
		go func() {
			defer wg.Done()
			nodes[i], errs[i] = Start(cfg, WithListeners(ln))
		}()
	}
	wg.Wait()
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	a, b := nodes[0], nodes[1]
	defer func() { _ = b.Stop() }()
	defer func() { _ = a.Stop() }()

	assert.Same(t, a.system, b.system, "one actor system for both")
	assert.Same(t, sharedSystem(), a.system)
	ra, rb := a.rt.dir.root.GetId(), b.rt.dir.root.GetId()
	assert.NotEqual(t, ra, rb)
	assert.True(t, strings.HasPrefix(ra, "zkfle-7."), ra)
	assert.True(t, strings.HasPrefix(rb, "zkfle-7."), rb)

	leading := func(n *Node) func() bool {
		return func() bool {
			st := n.State()
			return st != nil && st.GetNewState() == messages.ServerState_LEADING
		}
	}
	require.Eventually(t, leading(a), 10*time.Second, 5*time.Millisecond)
	require.Eventually(t, leading(b), 10*time.Second, 5*time.Millisecond)

	require.NoError(t, a.Stop())
	st, err := b.ElectionStatus(5 * time.Second)
	require.NoError(t, err, "the other node still runs on the shared system")
	assert.Equal(t, int64(7), st.GetSid())
	assert.False(t, b.system.IsStopped())
	require.NoError(t, b.Stop())
	assert.False(t, sharedSystem().IsStopped(), "the shared system outlives its nodes")
}

// protoactor's own records on the shared system go to slog.Default as it
// is when they are logged, from Warn up, marked lib=protoactor.
func TestSharedSystemLogsToTheDefaultLogger(t *testing.T) {
	prev := slog.Default()
	defer slog.SetDefault(prev)
	var buf bytes.Buffer
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))

	log := sharedSystem().Logger().With("k", "v")
	log.Info("quiet")
	log.Error("loud", "x", 1)
	out := buf.String()
	assert.NotContains(t, out, "quiet")
	assert.Contains(t, out, "msg=loud")
	assert.Contains(t, out, "lib=protoactor")
	assert.Contains(t, out, "k=v")
	assert.Contains(t, out, "x=1")
}
