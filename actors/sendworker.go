package actors

import (
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/messages"
)

// sendWorker is ZooKeeper's SendWorker for one connection: a send queue of
// one in front of the bridge. While a frame is being written, a newer
// notification replaces the waiting one (SEND_CAPACITY = 1: a stale vote
// is worthless once a newer one exists). When the connection comes up it
// first sends what the connection manager handed it: the notification
// that waited for the connection, or else a re-send of the last one sent
// (ZOOKEEPER-481: it may have died with the previous connection).
type sendWorker struct {
	rt       *runtime
	sid      int64
	bridge   *actor.PID
	sh       *sendShell
	inflight bool
	waiting  *messages.Notification
}

// sendShell is shared by a SendWorker's incarnations: the first message
// goes out once per connection, not once per restart.
type sendShell struct {
	first     *messages.Notification
	firstSent atomic.Bool
}

func newSendWorkerProps(rt *runtime, sid int64, bridge *actor.PID, first *messages.Notification) *actor.Props {
	sh := &sendShell{first: first}
	return rt.props(KindSendWorker, func() actor.Actor {
		return &sendWorker{rt: rt, sid: sid, bridge: bridge, sh: sh}
	})
}

func (w *sendWorker) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		if w.sh.first != nil && !w.sh.firstSent.Swap(true) {
			w.send(ctx, w.sh.first)
		}
	case *messages.SendNotification:
		if w.inflight {
			w.waiting = m.GetNotification() // newest wins
			return
		}
		w.send(ctx, m.GetNotification())
	case *messages.FrameWritten:
		w.inflight = false
		if w.waiting != nil {
			n := w.waiting
			w.waiting = nil
			w.send(ctx, n)
		}
	}
}

// send hands one notification to the bridge as a request, so the bridge
// answers FrameWritten when it is on the wire.
func (w *sendWorker) send(ctx actor.Context, n *messages.Notification) {
	w.inflight = true
	ctx.Request(w.bridge, &messages.SendNotification{Sid: w.sid, Notification: n})
}
