package actors

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/messages"
)

// notificationVersion is the format version every notification we send
// carries (Notification.CURRENTVERSION in ZooKeeper 3.5+): the 44+N byte
// body with our config.
const notificationVersion = 2

// workerSender is FastLeaderElection.Messenger.WorkerSender: it completes
// each notification the Election asks to send with the version and our
// config, and hands it to the connection manager, or straight back to the
// WorkerReceiver when it is addressed to ourselves (QuorumCnxManager.toSend
// puts self-messages into its receive queue without touching a socket).
type workerSender struct {
	rt     *runtime
	config []byte
}

func newWorkerSenderProps(rt *runtime, config []byte) *actor.Props {
	return rt.props(KindWorkerSender, func() actor.Actor {
		return &workerSender{rt: rt, config: config}
	})
}

// Receive handles one message.
func (w *workerSender) Receive(ctx actor.Context) {
	m, ok := ctx.Message().(*messages.SendNotification)
	if !ok {
		return
	}
	n := m.GetNotification()
	if n == nil {
		w.rt.log.Warn("send request without a notification dropped", "peer", m.GetSid())
		return
	}
	// A fresh message: the Election may not reuse it, but nothing here
	// should rely on that.
	out := &messages.Notification{
		State:         n.GetState(),
		Leader:        n.GetLeader(),
		Zxid:          n.GetZxid(),
		ElectionEpoch: n.GetElectionEpoch(),
		PeerEpoch:     n.GetPeerEpoch(),
		Version:       notificationVersion,
		Config:        w.config,
	}
	if m.GetSid() == w.rt.cfg.ID {
		ctx.Send(w.rt.dir.workerReceiver.get(), &messages.NotificationReceived{Sid: w.rt.cfg.ID, Notification: out})
		return
	}
	ctx.Send(w.rt.dir.cnxManager.get(), &messages.SendNotification{Sid: m.GetSid(), Notification: out})
}
