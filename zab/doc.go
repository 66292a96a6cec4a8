// Package zab is the pure layer of what follows a ZooKeeper 3.8 election on
// the QUORUM port (the first port of server.N): Zab's discovery phase, an
// empty synchronisation, and the heartbeats that notice a dead leader or a
// leader that lost its quorum. zkfle replicates no data, but it speaks
// ZooKeeper's framing and packet types (netbridge/quorumwire) so that the
// handshake is ZooKeeper's.
//
// Two parts, each in its own files (the packets themselves, jute's
// QuorumPacket and the discovery payloads, are package
// netbridge/quorumwire's, a pure leaf this package uses):
//
//   - The epoch storage: EpochStorage is where a server keeps
//     acceptedEpoch and currentEpoch, with its rules (AcceptedRule,
//     CurrentRule) and errors; MemoryEpochs keeps them in memory. The
//     files in <dataDir>/version-2/ are package zab/epochfile's, which
//     implements EpochStorage: package zab does no file I/O.
//
//   - The session state machines: LeaderSession and LearnerSession, in the
//     style of etcd's raft package and of this project's fle package. They
//     start no goroutines, read no clock and do no I/O: each input returns an
//     Output (packets to send, connections to close, epochs to persist,
//     timers to arm, "established", "ended") for the driver to carry out.
//
// # Driving a session
//
// The driver (the Leader/Follower actors) owns the sockets, the timers and
// the EpochStorage:
//
//   - After the election decides, build a LeaderSession or LearnerSession
//     from the EpochStorage's Accepted/Current, the committed verifier and
//     the last zxid (0 for zkfle), and call Start.
//   - Leader: listen on the quorum port only while the session runs; give
//     every accepted socket a fresh ConnID and call Connected. Learner: dial
//     the leader's quorum address when Output.Dial says so (retrying is the
//     session's business), then call Connected or DialFailed.
//   - Read each socket with a quorumwire.PacketReader and call Received
//     for each packet; call Disconnected when a read fails or the peer closes. Set
//     no read deadline of your own: the session's ReadTimer is ZooKeeper's
//     socket timeout, and it knows when the handler is not reading.
//   - Carry out every Output in the order Output documents: epochs first
//     (EpochStorage.Apply; on error call PersistFailed and do nothing else
//     of that Output), then sends (AppendEncode, one write per packet or
//     batched per connection, in order), closes, timers.
//   - Keep one pending timer per (Kind, Conn); hand its firing back with
//     Tick, to the session that armed it only.
//   - Report the role only on Output.Established (its Epoch is the fencing
//     token) and go back to LOOKING on Output.Ended; the session has
//     already asked to close its connections and cancel its timers.
//   - Stop the session when the server leaves the role for another reason.
package zab
