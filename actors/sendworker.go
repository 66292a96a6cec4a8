package actors

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/messages"
)

// write is ZooKeeper's SendWorker for the Peer's connection: it returns
// the function that carries out what the connection's cnx.Sender says (a
// send queue of one in front of the bridge: one frame in flight, newest
// wins while it is written, the first message once per connection) by
// handing the frame to write, if any, to the bridge as a request, so that
// the bridge's writer answers this Peer with FrameWritten once it is on
// the wire. The first message is what the connection manager handed the
// Peer: the notification that waited for the connection, or else a
// re-send of the last one sent (ZOOKEEPER-481: it may have died with the
// previous connection).
func (p *peerActor) write(ctx actor.Context) func(*messages.Notification, bool) {
	return func(n *messages.Notification, ok bool) {
		if ok && !p.closed {
			ctx.Request(p.bridge, &messages.SendNotification{Sid: p.sid, Notification: n})
		}
	}
}
