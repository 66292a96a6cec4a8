package actors

import (
	"bytes"
	"context"
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
	sub := node.Subscribe()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sc, err := sub.Next(ctx)
	require.NoError(t, err)
	require.Equal(t, messages.ServerState_LEADING, sc.GetNewState())
	sub.Close()
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
