package actors

import (
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/messages"
)

// recvWorker is ZooKeeper's RecvWorker for one connection. The bridge
// already reads and decodes the frames; the RecvWorker hands each
// notification, tagged with the connection's sid, to the WorkerReceiver's
// receive queue, and passes on bodies that did not decode so they are
// counted. The bridge closes the connection after such a body, and the
// Peer logs it once, rate-limited: no log line here.
type recvWorker struct {
	rt       *runtime
	sid      int64
	received *atomic.Uint64
}

func newRecvWorkerProps(rt *runtime, sid int64, received *atomic.Uint64) *actor.Props {
	return rt.props(KindRecvWorker, func() actor.Actor {
		return &recvWorker{rt: rt, sid: sid, received: received}
	})
}

func (w *recvWorker) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *messages.NotificationReceived:
		w.received.Add(1)
		m.Sid = w.sid // the sender is whoever is on this connection
		ctx.Send(w.rt.dir.workerReceiver.get(), m)
	case *messages.NotificationDropped:
		m.Sid = w.sid
		ctx.Send(w.rt.dir.workerReceiver.get(), m)
	}
}
