package actors

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/trace"
)

// A traced election records, in order: the new round, our vote sent and
// received back (a single voter talks to itself), the finalize timer, the
// decision, and the role once established.
func TestTraceRecordsTheElection(t *testing.T) {
	cfg, ln := oneVoter(t)
	var buf bytes.Buffer
	tw := trace.NewWriter(&buf)
	cfg.Trace = tw
	node, err := Start(cfg, WithListeners(ln))
	require.NoError(t, err)
	// A lone voter decides at once (the unanimity fast path), possibly
	// before a subscription made now would exist: wait on its status.
	require.Eventually(t, func() bool { return node.Status().State == messages.ServerState_LEADING },
		10*time.Second, 5*time.Millisecond)
	require.NoError(t, node.Stop())
	require.NoError(t, tw.Flush())

	events, err := trace.Read(&buf)
	require.NoError(t, err)
	var kinds []string
	for _, ev := range events {
		assert.Equal(t, int64(7), ev.Sid)
		kinds = append(kinds, ev.Kind)
	}
	want := []string{trace.KindRound, trace.KindSend, trace.KindRecv, trace.KindDecide, trace.KindRole}
	i := 0
	for _, k := range kinds {
		if i < len(want) && k == want[i] {
			i++
		}
	}
	assert.Equal(t, len(want), i, "events out of order or missing: %v", kinds)
	last := events[len(events)-1]
	assert.Equal(t, trace.KindRole, last.Kind)
	assert.Equal(t, "LEADING", last.State)
	assert.Equal(t, int64(1), last.Epoch)
	for i := 1; i < len(events); i++ {
		assert.GreaterOrEqual(t, events[i].MonoNS, events[i-1].MonoNS, "monotonic timestamps")
	}
}
