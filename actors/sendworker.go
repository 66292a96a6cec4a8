package actors

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/cnx"
	"github.com/zkfle/zkfle/messages"
)

// sendWorker is ZooKeeper's SendWorker for one connection: it drives the
// connection's cnx.Sender (a send queue of one in front of the bridge:
// one frame in flight, newest wins while it is written, the first message
// once per connection) and carries out what it says. The first message is
// what the connection manager handed the Peer: the notification that
// waited for the connection, or else a re-send of the last one sent
// (ZOOKEEPER-481: it may have died with the previous connection).
type sendWorker struct {
	rt     *runtime
	sid    int64
	bridge *actor.PID
	sh     *sendShell
}

// sendShell is shared by a SendWorker's incarnations: the Sender's first
// message goes out once per connection, not once per restart (Start).
// Incarnations never run together, so it needs no lock.
type sendShell struct {
	sender *cnx.Sender[*messages.Notification]
}

func newSendWorkerProps(rt *runtime, sid int64, bridge *actor.PID, first *messages.Notification) *actor.Props {
	sh := &sendShell{sender: cnx.NewSender(first, first != nil)}
	return rt.props(KindSendWorker, func() actor.Actor {
		return &sendWorker{rt: rt, sid: sid, bridge: bridge, sh: sh}
	})
}

func (w *sendWorker) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		w.send(ctx)(w.sh.sender.Start())
	case *messages.SendNotification:
		w.send(ctx)(w.sh.sender.Send(m.GetNotification()))
	case *messages.FrameWritten:
		w.send(ctx)(w.sh.sender.Written())
	}
}

// send returns the function that hands what the Sender says to write (if
// anything) to the bridge as a request, so the bridge answers
// FrameWritten when it is on the wire.
func (w *sendWorker) send(ctx actor.Context) func(*messages.Notification, bool) {
	return func(n *messages.Notification, ok bool) {
		if ok {
			ctx.Request(w.bridge, &messages.SendNotification{Sid: w.sid, Notification: n})
		}
	}
}
