package history_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/history"
	"github.com/zkfle/zkfle/history/testensemble"
	"go.uber.org/goleak"
)

// A watcher attached to a live node records its first election once a
// quorum forms, with the rounds and notifications it took, and leaves no
// goroutine behind.
func TestWatchRecordsALiveElection(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(),
		goleak.IgnoreAnyFunction(testensemble.LeakOptions()[0]))
	ens := testensemble.New(t, 3)
	start := time.Now()
	n1 := ens.Start(1)[0]
	rec, err := history.New(4)
	require.NoError(t, err)
	w := history.Watch(n1, rec, start)
	defer w.Stop()

	cur, ok := rec.Current(history.SampleNode(n1))
	require.True(t, ok, "a lone node of three is electing")
	assert.Equal(t, "startup", cur.Trigger)
	assert.Empty(t, rec.Finished())

	ens.Start(2, 3)
	require.True(t, testensemble.WaitFor(20*time.Second, func() bool { return rec.Total() == 1 }),
		"the election finished")
	e := rec.Finished()[0]
	assert.Contains(t, []string{"LEADING", "FOLLOWING"}, e.State)
	assert.Equal(t, int64(3), e.Leader, "the highest sid wins among equals")
	assert.GreaterOrEqual(t, e.Rounds, int64(1))
	assert.Positive(t, e.NotificationsSent)
	assert.Positive(t, e.NotificationsReceived)
	assert.Positive(t, e.Duration)
	assert.False(t, e.Ended.Before(e.Started))

	rs, err := history.ReceiverStatus(n1, time.Second)
	require.NoError(t, err)
	assert.Positive(t, rs.GetReceived())

	w.Stop()
	w.Stop() // idempotent
	ens.StopAll()
}

// A watcher attached late to a node in its first election still counts
// the notifications the node sent before it was attached: they belong to
// that election. (The node that wins often sends nothing after its first
// broadcast: /commands/elections said notifications_sent 0 for it.)
func TestWatchCountsTheFirstElectionFromTheStart(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(),
		goleak.IgnoreAnyFunction(testensemble.LeakOptions()[0]))
	ens := testensemble.New(t, 5)
	start := time.Now()
	nodes := ens.Start(5, 4) // two of five: no quorum, they only talk
	n5 := nodes[0]
	require.True(t, testensemble.WaitFor(20*time.Second, func() bool {
		s := history.SampleNode(n5)
		return s.Sent > 0 && s.Received > 0
	}), "servers 4 and 5 exchanged notifications")
	before := history.SampleNode(n5)
	rec, err := history.New(4)
	require.NoError(t, err)
	w := history.Watch(n5, rec, start)
	defer w.Stop()
	cur, ok := rec.Current(history.SampleNode(n5))
	require.True(t, ok)
	assert.GreaterOrEqual(t, cur.NotificationsSent, before.Sent, "counted from the node's start")
	assert.GreaterOrEqual(t, cur.NotificationsReceived, before.Received)

	ens.Start(3)
	require.True(t, testensemble.WaitFor(20*time.Second, func() bool { return rec.Total() == 1 }))
	e := rec.Finished()[0]
	assert.Equal(t, "LEADING", e.State)
	assert.GreaterOrEqual(t, e.NotificationsSent, before.Sent)
	w.Stop()
	ens.StopAll()
}
