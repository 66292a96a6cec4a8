package actors

import (
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/messages"
)

// recvWorkerSink is ZooKeeper's RecvWorker for one connection, run on the
// bridge's reader goroutine (netbridge.WithInbound): the bridge reads and
// decodes each frame, tags it with the connection's sid (the sender is
// whoever is on this connection, never what the body claims), and this
// counts it and puts it into the WorkerReceiver's receive queue.
//
// It used to be an actor between the Peer and the WorkerReceiver that did
// nothing but this forward: four actor messages per inbound notification
// (reader -> bridge -> Peer -> RecvWorker -> WorkerReceiver), now one
// (issue 14). Nothing is lost by it: the receive queue's bound and the
// one-at-a-time credit to the Election live in the WorkerReceiver; the
// order of one connection's notifications is the reader's; and the
// WorkerReceiver's PID is read at each send, so a re-spawned
// WorkerReceiver (Messenger restart) gets the next one (a send to the old
// one is a dead letter, as it was from the actor).
func recvWorkerSink(rt *runtime, system *actor.ActorSystem, received *atomic.Uint64) func(*messages.NotificationReceived) {
	return func(m *messages.NotificationReceived) {
		received.Add(1)
		system.Root.Send(rt.dir.workerReceiver.get(), m)
	}
}
