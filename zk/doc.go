// Package zk is ZooKeeper's vocabulary that every layer of zkfle shares: a
// server's state (ServerState, at the ordinals of Java's
// QuorumPeer.ServerState, which are also the election port's i32 state
// codes) and the zxid (Zxid: an epoch in the high 32 bits, a counter in
// the low 32, printed in ZooKeeper's hex).
//
// It is a leaf: it imports nothing of zkfle, so the pure cores (fle, zab,
// quorumpeer), the wire codecs, the actors and the public API can all
// speak it without importing one another. The protobuf enum
// messages.ServerState stays the actor messages' wire type; its
// converters to and from ServerState live beside it in messages.
package zk
