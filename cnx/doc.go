// Package cnx is the rule book of ZooKeeper's QuorumCnxManager as pure
// values, in the style of etcd's raft package and of fle.Machine: inputs go
// in one at a time, a batch of outputs comes back, and the driver (the
// connection-manager actor, or a simulator) carries them out. The package
// starts no goroutines, opens no sockets and reads no clock: time is an
// input (Manager.Accepted takes now) and timers are outputs the driver arms
// and reports back (Manager.RedialDue).
//
// Three values make up one server's connection layer:
//
//   - Manager: the connection manager (QuorumCnxManager proper). The send
//     queue of one per peer while it is disconnected (newest wins,
//     SEND_CAPACITY = 1), the last message handed to each peer
//     (lastMessageSent) re-sent first on every new connection
//     (ZOOKEEPER-481), haveDelivered, connectAll/connectOne with one
//     attempt in flight per sid (inprogressConnections), and the
//     tie-break: only a connection opened by the larger sid survives, so
//     an inbound one from a smaller sid is closed and answered by a dial
//     back, and a dial to a larger sid is only a request to be called.
//   - Sender: one connection's SendWorker: one frame in flight at a time,
//     and while it is being written a newer message replaces the waiting
//     one (newest wins); the connection's first message goes out once.
//   - RecvQueue: the receive queue (recvQueue, RECV_CAPACITY = 100 in
//     ZooKeeper): a bounded FIFO that drops its oldest element when full.
//
// HandshakeLimits is the Listener's admission rule for connections whose
// initial message has not arrived yet (a zkfle addition, below).
//
// A driver composes them: Manager.Send's Forward outputs and the First
// message of an Adopt go to that connection's Sender; everything a
// connection reads goes into the one RecvQueue; a connection that ends is
// reported with Manager.Closed.
//
// # Where zkfle deliberately differs from ZooKeeper
//
// These are the differences listed in docs/ARCHITECTURE.md that are rules
// of this package (the others live in the actors, the election machine or
// the bridge):
//
//   - haveDelivered is ZooKeeper's, bug for bug (true as soon as any send
//     queue is empty: ZOOKEEPER-3637/4605 were never merged), except with
//     no send queue at all: ZooKeeper answers false, zkfle true, because a
//     notification can die with a crashing actor before it reaches the
//     manager and only a re-send recovers it (Manager.HaveDelivered).
//   - A connection from our own sid is closed (Java leaks it); a smaller
//     sid that is in neither the committed nor the last-seen view is
//     refused instead of dialled back at the address it advertised; a
//     member sid whose header advertises none of that member's election
//     ports is refused as an impostor. A larger unknown sid is served as a
//     non-voter, as in Java.
//   - A smaller sid's call tears down our live connection to it only once
//     that connection has stood for Config.RedialInterval; a call within
//     the interval only loses its own connection, and when the interval
//     ends the sid is called back if its link died meanwhile. ZooKeeper
//     tears down on every call, which a repeating peer turns into a
//     redial storm, and which makes two links per pair when both ends
//     start together (the smaller's call crosses the larger's dial).
//   - Of two inbound connections from one sid, the one accepted earlier is
//     stale and never replaces the later one (handshakes are read
//     concurrently here, so they can be reported out of order).
//   - State about sids outside the configuration is bounded: at most
//     Config.NonMemberLimit of them, least recently used forgotten first,
//     idle ones before connected ones (Java keeps a queue per sid forever).
//   - Pending handshakes are capped per source address and in total, with
//     members' addresses outside the total (HandshakeLimits); ZooKeeper
//     reads handshakes one at a time on the listener thread instead.
//   - Closed says whether a live link's close means the peer is gone, the
//     input of the election's reachable fast path (ZooKeeper's election
//     never asks): not when our own recent call to a larger sid explains
//     it (the tie-break ends that sid's link to us while it dials back),
//     nor while a dial to the sid is in flight (liveness.go).
package cnx
