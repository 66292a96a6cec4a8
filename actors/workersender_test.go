package actors

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/messages"
)

// The WorkerSender completes each notification with version 2 and our
// printed config; one addressed to ourselves comes back through the
// WorkerReceiver (ZooKeeper's loopback) and never reaches the connection
// manager.
func TestWorkerSenderCompletesAndRoutes(t *testing.T) {
	h := newHarness(t, 1, testMajority(t, []int64{1, 2, 3}), withElectionProbe())
	config := []byte(h.rt.cfg.Verifier.String())
	vote := &messages.Notification{State: messages.ServerState_LOOKING, Leader: 1, Zxid: 0x100000002,
		ElectionEpoch: 3, PeerEpoch: 1}

	h.rt.sendNotification(h.system.Root, &messages.SendNotification{Sid: 2, Notification: vote})
	h.rt.sendNotification(h.system.Root, &messages.SendNotification{Sid: 1, Notification: vote})

	sent := eventually(t, h.cnx, "SendNotification", func(*messages.SendNotification) bool { return true })
	assert.Equal(t, int64(2), sent.GetSid())
	loop := eventually(t, h.election, "loopback", func(*messages.NotificationReceived) bool { return true })
	assert.Equal(t, int64(1), loop.GetSid())

	for _, n := range []*messages.Notification{sent.GetNotification(), loop.GetNotification()} {
		assert.Equal(t, vote.GetState(), n.GetState())
		assert.Equal(t, vote.GetLeader(), n.GetLeader())
		assert.Equal(t, vote.GetZxid(), n.GetZxid())
		assert.Equal(t, vote.GetElectionEpoch(), n.GetElectionEpoch())
		assert.Equal(t, vote.GetPeerEpoch(), n.GetPeerEpoch())
		assert.Equal(t, int32(2), n.GetVersion())
		assert.Equal(t, config, n.GetConfig())
	}
	assert.Zero(t, vote.GetVersion(), "the request itself is left as it was")
	assert.Len(t, recorded[*messages.SendNotification](h.cnx), 1, "the loopback never reaches the connection manager")
}

// A send request without a notification is dropped, not sent as zeros,
// and sends nothing.
func TestWorkerSenderDropsEmptyRequest(t *testing.T) {
	h := newHarness(t, 1, testMajority(t, []int64{1, 2, 3}), withElectionProbe())
	h.rt.sendNotification(h.system.Root, &messages.SendNotification{Sid: 2})
	h.rt.sendNotification(h.system.Root, &messages.SendNotification{Sid: 3, Notification: looking(1, 0, 1, 0)})

	sent := eventually(t, h.cnx, "SendNotification", func(*messages.SendNotification) bool { return true })
	assert.Equal(t, int64(3), sent.GetSid(), "requests are handled in order, so the empty one was dropped")
	require.Len(t, h.logs.Find("send request without a notification dropped"), 1)
	failures, _ := h.rt.sup.counts()
	assert.Empty(t, failures)
}
