package actors

import (
	"sync"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/messages"
)

// notificationVersion is the format version every notification we send
// carries (Notification.CURRENTVERSION in ZooKeeper 3.5+): the 44+N byte
// body with our config.
const notificationVersion = 2

// workerSender holds what FastLeaderElection.Messenger.WorkerSender
// needs: our committed config, printed once (the verifier is immutable)
// since every notification we send carries it. The zero value is ready.
type workerSender struct {
	once   sync.Once
	config []byte
}

// sendNotification is FastLeaderElection.Messenger.WorkerSender, run by
// the Election for each notification it sends: it completes the
// notification with the version and our config and hands it to the
// connection manager, or straight to the WorkerReceiver when it is
// addressed to ourselves (QuorumCnxManager.toSend puts self-messages into
// its receive queue without touching a socket).
//
// It used to be an actor between the Election and the connection manager
// that did only this: one actor message per notification sent, for a
// hand-off that was already asynchronous (issue 14). The order of the
// Election's sends is kept: they leave its goroutine in order, to one
// mailbox per destination.
func (rt *runtime) sendNotification(ctx actor.SenderContext, m *messages.SendNotification) {
	n := m.GetNotification()
	if n == nil {
		rt.log.Warn("send request without a notification dropped", "peer", m.GetSid())
		return
	}
	rt.sender.once.Do(func() { rt.sender.config = []byte(rt.cfg.Verifier.String()) })
	// A fresh message: the caller may not reuse it, but nothing here
	// should rely on that.
	out := &messages.Notification{
		State:         n.GetState(),
		Leader:        n.GetLeader(),
		Zxid:          n.GetZxid(),
		ElectionEpoch: n.GetElectionEpoch(),
		PeerEpoch:     n.GetPeerEpoch(),
		Version:       notificationVersion,
		Config:        rt.sender.config,
	}
	if m.GetSid() == rt.cfg.ID {
		ctx.Send(rt.dir.workerReceiver.get(), &messages.NotificationReceived{Sid: rt.cfg.ID, Notification: out})
		return
	}
	ctx.Send(rt.dir.cnxManager.get(), &messages.SendNotification{Sid: m.GetSid(), Notification: out})
}
