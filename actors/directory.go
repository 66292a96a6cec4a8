package actors

import (
	"fmt"

	"github.com/asynkron/protoactor-go/actor"
)

// directory names every long-lived actor of one node. Ids are fixed paths
// under the node's root actor, and a restarted actor keeps its PID, so
// siblings address each other by these PIDs without a registry lookup and
// without caring whether the other side has restarted.
type directory struct {
	root           *actor.PID
	quorumPeer     *actor.PID
	election       *actor.PID
	messenger      *actor.PID
	workerSender   *actor.PID
	workerReceiver *actor.PID
	cnxManager     *actor.PID
	listener       *actor.PID
	clientPort     *actor.PID
}

// Child names, relative to their parent.
const (
	nameQuorumPeer     = "quorumpeer"
	nameElection       = "election"
	nameMessenger      = "messenger"
	nameWorkerSender   = "workersender"
	nameWorkerReceiver = "workerreceiver"
	nameCnxManager     = "cnxmanager"
	nameListener       = "listener"
	nameSendWorker     = "sendworker"
	nameRecvWorker     = "recvworker"
	nameBridge         = "bridge"
	nameClientPort     = "clientport"
)

// rootName is the node's top-level actor name in its actor system. Two
// nodes with the same sid cannot share one system.
func rootName(sid int64) string { return fmt.Sprintf("zkfle-%d", sid) }

// peerName names the Peer actor for one connection. The generation keeps
// a new connection's Peer from colliding with a previous one that is still
// stopping.
func peerName(sid int64, gen uint64) string { return fmt.Sprintf("peer-%d-%d", sid, gen) }

func newDirectory(address string, sid int64) directory {
	r := rootName(sid)
	pid := func(path string) *actor.PID { return actor.NewPID(address, r+path) }
	return directory{
		root:           actor.NewPID(address, r),
		quorumPeer:     pid("/" + nameQuorumPeer),
		election:       pid("/" + nameQuorumPeer + "/" + nameElection),
		messenger:      pid("/" + nameMessenger),
		workerSender:   pid("/" + nameMessenger + "/" + nameWorkerSender),
		workerReceiver: pid("/" + nameMessenger + "/" + nameWorkerReceiver),
		cnxManager:     pid("/" + nameCnxManager),
		listener:       pid("/" + nameCnxManager + "/" + nameListener),
		clientPort:     pid("/" + nameClientPort),
	}
}
