// Package zab is the pure layer of what follows a ZooKeeper 3.8 election on
// the QUORUM port (the first port of server.N): Zab's discovery phase, an
// empty synchronisation, and the heartbeats that notice a dead leader or a
// leader that lost its quorum. zkfle replicates no data, but it speaks
// ZooKeeper's framing and packet types so that the handshake is ZooKeeper's.
//
// Three parts, each in its own files:
//
//   - The codec: Packet is jute's QuorumPacket (type int, zxid long, data
//     buffer, authinfo vector<Id>), written with AppendEncode and read from
//     a byte stream with PacketReader. There is no outer length prefix on
//     this port: a packet ends where its last field ends. LearnerInfo,
//     EpochProposal (LEADERINFO) and EpochAck (ACKEPOCH) are the payloads
//     discovery needs.
//
//   - The epoch store: EpochStore keeps acceptedEpoch and currentEpoch in
//     <dataDir>/version-2/, as decimal text, written atomically (temp file,
//     fsync, rename, fsync of the directory).
//
//   - The session state machines: LeaderSession and LearnerSession, in the
//     style of etcd's raft package and of this project's fle package. They
//     start no goroutines, read no clock and do no I/O: each input returns an
//     Output (packets to send, connections to close, epochs to persist,
//     timers to arm, "established", "ended") for the driver to carry out.
//
// The driver (the Leader/Follower actors) owns the sockets, the timers and
// the EpochStore. Its duties are written on Output.
package zab
