package actors

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/messages"
)

// receivedFrom returns the senders of the notifications that reached the
// Election probe, in order, alone or in batches.
func receivedFrom(h *harness) []int64 {
	var out []int64
	for _, hand := range handOvers(h) {
		out = append(out, hand...)
	}
	return out
}

// handOvers returns the senders of each hand-over to the Election probe:
// one notification, or a notificationBatch.
func handOvers(h *harness) [][]int64 {
	var out [][]int64
	for _, m := range h.election.all() {
		switch m := m.(type) {
		case *messages.NotificationReceived:
			out = append(out, []int64{m.GetSid()})
		case *notificationBatch:
			var sids []int64
			for _, n := range m.items {
				sids = append(sids, n.GetSid())
			}
			out = append(out, sids)
		}
	}
	return out
}

// Beyond its capacity the receive queue drops its oldest notification, as
// ZooKeeper's CircularBlockingQueue does, and only one hand-over at a
// time is with the Election: the next goes when its credit returns, and
// takes everything that waited in one batch.
func TestWorkerReceiverDropsOldestBeyondCapacity(t *testing.T) {
	h := newHarness(t, 1, testMajority(t, []int64{1, 2, 3}), withElectionProbe(),
		withConfig(func(c *Config) { c.RecvQueueCapacity = 3 }))

	for sid := int64(10); sid < 15; sid++ {
		h.fromPeer(sid, looking(sid, 0, 1, 0))
	}
	require.Eventually(t, func() bool { return h.receiverStatus().GetReceived() == 5 }, waitFor, poll)
	// The handed-over notification reaches the probe asynchronously.
	require.Eventually(t, func() bool { return len(receivedFrom(h)) > 0 }, waitFor, poll)
	st := h.receiverStatus()
	assert.Equal(t, []int64{10}, receivedFrom(h), "one in flight, the rest wait for its credit")
	assert.True(t, st.GetInFlight())
	assert.Equal(t, int32(3), st.GetQueued())
	assert.Equal(t, int32(3), st.GetCapacity())
	assert.Equal(t, uint64(1), st.GetQueueDropped(), "11 was the oldest waiting when 14 arrived")
	require.Len(t, h.logs.Find("receive queue full, oldest notifications dropped"), 1)

	h.system.Root.Send(h.rt.dir.workerReceiver.get(), &messages.NotificationProcessed{})
	require.Eventually(t, func() bool { return len(receivedFrom(h)) == 4 }, waitFor, poll)
	assert.Equal(t, [][]int64{{10}, {12, 13, 14}}, handOvers(h), "one credit, one batch of all that waited, oldest first")
	assert.True(t, h.receiverStatus().GetInFlight(), "the batch's credit is outstanding")
	h.fromPeer(15, looking(15, 0, 1, 0))
	require.Eventually(t, func() bool { return h.receiverStatus().GetQueued() == 1 }, waitFor, poll)
	assert.Len(t, receivedFrom(h), 4, "nothing more until the batch's credit")

	h.system.Root.Send(h.rt.dir.workerReceiver.get(), &messages.NotificationProcessed{})
	require.Eventually(t, func() bool { return len(receivedFrom(h)) == 5 }, waitFor, poll)
	h.system.Root.Send(h.rt.dir.workerReceiver.get(), &messages.NotificationProcessed{})
	require.Eventually(t, func() bool { return !h.receiverStatus().GetInFlight() }, waitFor, poll)
	st = h.receiverStatus()
	assert.Zero(t, st.GetQueued())
	assert.Equal(t, uint64(5), st.GetDelivered())
	assert.Equal(t, [][]int64{{10}, {12, 13, 14}, {15}}, handOvers(h), "a lone notification travels as itself")

	// With nothing in flight, the next notification goes straight through.
	h.fromPeer(20, looking(20, 0, 1, 0))
	require.Eventually(t, func() bool { return len(receivedFrom(h)) == 6 }, waitFor, poll)
}

// Bodies the RecvWorkers could not decode are counted per reason; a
// notification message without a notification is counted and dropped.
func TestWorkerReceiverCountsMalformedInput(t *testing.T) {
	h := newHarness(t, 1, testMajority(t, []int64{1, 2, 3}), withElectionProbe())

	for _, r := range []messages.DropReason{messages.DropReason_SHORT_BODY, messages.DropReason_SHORT_BODY,
		messages.DropReason_BAD_CONFIG_LENGTH} {
		h.system.Root.Send(h.rt.dir.workerReceiver.get(), &messages.NotificationDropped{Sid: 2, Reason: r, BodySize: 12})
	}
	h.system.Root.Send(h.rt.dir.workerReceiver.get(), &messages.NotificationReceived{Sid: 3})

	require.Eventually(t, func() bool { return h.receiverStatus().GetEmpty() == 1 }, waitFor, poll)
	st := h.receiverStatus()
	assert.Equal(t, map[string]uint64{"SHORT_BODY": 2, "BAD_CONFIG_LENGTH": 1}, st.GetMalformed())
	assert.Zero(t, st.GetDelivered())
	assert.False(t, st.GetInFlight())
	assert.Empty(t, receivedFrom(h))
}

// The WorkerReceiver's queue, credit and counters live in recvState: a
// restart loses none of them.
func TestWorkerReceiverRestartKeepsQueue(t *testing.T) {
	h := newHarness(t, 1, testMajority(t, []int64{1, 2, 3}), withElectionProbe())
	for sid := int64(10); sid < 13; sid++ {
		h.fromPeer(sid, looking(sid, 0, 1, 0))
	}
	require.Eventually(t, func() bool { return h.receiverStatus().GetReceived() == 3 }, waitFor, poll)

	h.system.Root.Send(h.rt.dir.workerReceiver.get(), &Crash{Reason: "test"})
	h.waitRestarts(KindWorkerReceiver, 1)

	st := h.receiverStatus()
	assert.Equal(t, uint64(3), st.GetReceived())
	assert.Equal(t, int32(2), st.GetQueued())
	assert.True(t, st.GetInFlight())
	h.system.Root.Send(h.rt.dir.workerReceiver.get(), &messages.NotificationProcessed{})
	require.Eventually(t, func() bool { return len(receivedFrom(h)) == 3 }, waitFor, poll)
	assert.Equal(t, []int64{10, 11, 12}, receivedFrom(h))
}

// While no Election runs (before the first one starts, and after one
// stopped for good) nothing is sent to its PID: delivery resumes with the
// next Election's first credit.
func TestWorkerReceiverHoldsWhileNoElection(t *testing.T) {
	h := newHarness(t, 1, testMajority(t, []int64{1, 2, 3}), withElectionProbe())
	h.system.Root.Send(h.rt.dir.workerReceiver.get(), &electionStopped{})
	h.fromPeer(10, looking(10, 0, 1, 0))
	require.Eventually(t, func() bool { return h.receiverStatus().GetQueued() == 1 }, waitFor, poll)
	assert.Empty(t, receivedFrom(h))

	h.system.Root.Send(h.rt.dir.workerReceiver.get(), &messages.NotificationProcessed{})
	require.Eventually(t, func() bool { return len(receivedFrom(h)) == 1 }, waitFor, poll)
}

func TestNewRecvStateRejectsNonPositiveCapacity(t *testing.T) {
	for _, c := range []int{0, -1} {
		_, err := newRecvState(c)
		require.ErrorIs(t, err, ErrInvalidConfig)
		assert.Contains(t, err.Error(), "RecvQueueCapacity")
	}
	st, err := newRecvState(1)
	require.NoError(t, err)
	assert.True(t, st.inFlight, "the first credit comes from the Election's Started")
}

// The Election steps every notification of a batch, in order, and hands
// back one credit for the lot.
func TestElectionStepsEveryNotificationOfABatch(t *testing.T) {
	h := newHarness(t, 1, testMajority(t, []int64{1, 2, 3, 4, 5}), withConfig(func(c *Config) {
		c.Election.FinalizeWait = time.Minute // keep the round open
	}))
	require.Eventually(t, func() bool {
		return h.electionStatus().GetLogicalClock() == 1 && !h.receiverStatus().GetInFlight()
	}, waitFor, poll)
	// The WorkerReceiver waits for a credit: 5's vote stays queued until
	// the batch's credit comes back.
	h.system.Root.Send(h.rt.dir.workerReceiver.get(), &electionStopped{})
	h.fromPeer(5, looking(5, 0, 1, 0))
	require.Eventually(t, func() bool { return h.receiverStatus().GetQueued() == 1 }, waitFor, poll)

	h.system.Root.Send(h.rt.dir.election.get(), &notificationBatch{items: []*messages.NotificationReceived{
		{Sid: 2, Notification: looking(5, 0, 1, 0)},
		{Sid: 3, Notification: looking(4, 0, 1, 0)},
		{Sid: 4, Notification: looking(4, 0, 1, 0)},
	}})
	require.Eventually(t, func() bool {
		votes := h.electionStatus().GetReceivedVotes()
		return votes[2] != nil && votes[3] != nil && votes[4] != nil && votes[5] != nil
	}, waitFor, poll, "every notification of the batch counted, then the credit let 5's through")
	st := h.electionStatus()
	assert.EqualValues(t, 5, st.GetProposal().GetLeader(), "the best vote of the batch adopted")
	assert.EqualValues(t, 4, st.GetReceivedVotes()[4].GetLeader())
	assert.Zero(t, h.receiverStatus().GetQueued())
}
