// Package quorumwire is ZooKeeper 3.8's QUORUM-port bytes (the first port
// of server.N), byte-compatible with Java peers. It is pure: no actors, no
// sockets, only io.Reader and byte slices, and it imports nothing of zkfle.
// The rules of the sessions that exchange these packets are package zab's;
// the actor that owns a quorum connection is package netbridge's.
//
// Packet is jute's QuorumPacket (type int, zxid long, data buffer,
// authinfo vector<Id>), written with AppendEncode and read from a byte
// stream with PacketReader. There is no outer length prefix on this port: a
// packet ends where its last field ends. Jute tells a null buffer or vector
// (length -1) from an empty one, and so does Packet, with Go's nil.
//
// The payloads of discovery and synchronisation are built and read here
// too, with the field values ZooKeeper 3.8 puts in them: LearnerInfo
// (FOLLOWERINFO, OBSERVERINFO), EpochProposal (LEADERINFO), EpochAck
// (ACKEPOCH), and the constructors of DIFF, NEWLEADER, ACK, UPTODATE and
// PING. ZkfleMark, which zkfle peers append after the fields ZooKeeper
// reads, is a layout detail and lives here; what a session does with it
// is zab's.
//
// Every length is checked against the field limit (DefaultMaxField, after
// jute.maxbuffer) before a buffer grows for it. Nothing in this package
// panics on input: every error wraps one of the sentinel errors
// (ErrLength, ErrAuthInfoCount, ErrPacketTooLarge, ErrTruncated,
// ErrShortPayload, ErrWrongType) and names the bad value.
package quorumwire
