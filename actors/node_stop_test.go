package actors

import (
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// Stop may be called from many goroutines at once: one stops the node,
// every call returns once it has stopped, and a stopped node holds no
// fencing token.
func TestStopIsSafeConcurrently(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(),
		goleak.IgnoreAnyFunction("github.com/asynkron/protoactor-go/actor.NewDeadLetter.NewThrottle.func4.1"))
	cfg, ln := oneVoter(t)
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	n, err := Start(cfg, WithListeners(ln))
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		_, ok := n.FencingToken()
		return ok
	}, 10*time.Second, 10*time.Millisecond)
	rs, err := n.ReceiverStatus(5 * time.Second)
	require.NoError(t, err)
	require.Positive(t, rs.GetCapacity())

	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			require.NoError(t, n.Stop())
			select { // every caller returns only once the node has stopped
			case <-n.stopped:
			default:
				t.Error("Stop returned before the node stopped")
			}
		}()
	}
	wg.Wait()
	require.NoError(t, n.Stop())
	_, ok := n.FencingToken()
	require.False(t, ok, "a stopped node holds no role")
	require.ErrorIs(t, n.CheckFencingToken(1), ErrNotEstablished)
	_, err = n.ReceiverStatus(time.Second)
	require.ErrorIs(t, err, ErrStopped)
}
