package actors

import (
	"fmt"
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
)

// directory names every long-lived actor of one node. Ids are fixed paths
// under the node's root actor, and a restarted actor keeps its PID, so
// siblings address each other by these PIDs without a registry lookup and
// without caring whether the other side has restarted.
//
// The actors that are re-spawned while others may still send to them (the
// root's children when the root restarts, the Election when its
// QuorumPeer restarts, the WorkerReceiver when the Messenger restarts) are
// the exception: each spawn gets a new name and its parent publishes the
// PID once the spawn has returned (livePID).
// protoactor registers a PID before it wires the mailbox, and a send that
// races a spawn under a reused name can leave that mailbox stuck for good;
// a send to the previous, stopped name is only a dead letter.
type directory struct {
	root           *actor.PID
	quorumPeer     *livePID
	election       *livePID
	messenger      *livePID
	workerReceiver *livePID
	cnxManager     *livePID
	// session is the QuorumPeer's Leader or Follower child, one per
	// decision.
	session *livePID
}

// Child names, relative to their parent.
const (
	nameQuorumPeer     = "quorumpeer"
	nameElection       = "election"
	nameMessenger      = "messenger"
	nameWorkerReceiver = "workerreceiver"
	nameCnxManager     = "cnxmanager"
	nameListener       = "listener"
	nameBridge         = "bridge"
	nameSession        = "session"
)

// rootName is the node's top-level actor name in a caller's actor system
// (WithActorSystem). Two nodes with the same sid cannot share one; on the
// process's shared system the name has a unique suffix (sharedRootName).
func rootName(sid int64) string { return fmt.Sprintf("zkfle-%d", sid) }

// peerName names the Peer actor for one connection. The generation keeps
// a new connection's Peer from colliding with a previous one that is still
// stopping.
func peerName(sid int64, gen uint64) string { return fmt.Sprintf("peer-%d-%d", sid, gen) }

// newDirectory names the actors of the node whose root actor is r
// (rootName, or sharedRootName on the shared system).
func newDirectory(address, r string) directory {
	pid := func(path string) *actor.PID { return actor.NewPID(address, r+path) }
	return directory{
		root:           actor.NewPID(address, r),
		quorumPeer:     newLivePID(pid("/" + nameQuorumPeer)),
		election:       newLivePID(pid("/" + nameQuorumPeer + "/" + nameElection)),
		messenger:      newLivePID(pid("/" + nameMessenger)),
		workerReceiver: newLivePID(pid("/" + nameMessenger + "/" + nameWorkerReceiver)),
		cnxManager:     newLivePID(pid("/" + nameCnxManager)),
		session:        newLivePID(pid("/" + nameQuorumPeer + "/" + nameSession)),
	}
}

// livePID is the current PID of an actor that is re-spawned under a new
// name each time. Readers on any goroutine see either the previous PID
// (a dead letter once it stopped) or the new one, fully started.
type livePID struct {
	cur atomic.Pointer[actor.PID]
	gen atomic.Uint64
}

func newLivePID(base *actor.PID) *livePID {
	l := &livePID{}
	l.cur.Store(actor.NewPID(base.GetAddress(), base.GetId()+"-unborn"))
	return l
}

// get returns the current PID.
func (l *livePID) get() *actor.PID { return l.cur.Load() }

// nextName returns the child name for the next spawn.
func (l *livePID) nextName(name string) string {
	return fmt.Sprintf("%s-%d", name, l.gen.Add(1))
}

// set publishes a spawned PID.
func (l *livePID) set(pid *actor.PID) { l.cur.Store(pid) }
