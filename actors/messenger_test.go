package actors

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/zkfle/zkfle/messages"
)

// Restart limits are per worker and a worker that restarts is not lost:
// a crashed WorkerSender still carries the next notification.
func TestMessengerRestartsWorkerSender(t *testing.T) {
	h := newHarness(t, 1, testMajority(t, []int64{1, 2, 3}), withElectionProbe())
	h.system.Root.Send(h.rt.dir.workerSender.get(), &Crash{Reason: "test"})
	h.waitRestarts(KindWorkerSender, 1)
	h.system.Root.Send(h.rt.dir.workerSender.get(), &messages.SendNotification{Sid: 2, Notification: looking(1, 0, 1, 0)})
	eventually(t, h.cnx, "SendNotification", func(s *messages.SendNotification) bool { return s.GetSid() == 2 })
	failures, _ := h.rt.sup.counts()
	assert.Zero(t, failures[KindMessenger])
}
