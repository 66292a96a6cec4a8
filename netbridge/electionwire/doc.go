// Package electionwire is ZooKeeper 3.8's election-port bytes: the
// connection header, the frames, and the notification bodies of
// QuorumCnxManager and FastLeaderElection, byte-compatible with Java peers.
// It is pure: no actors, no sockets, only io.Reader and io.Writer and byte
// slices. The bridge actor that owns an election connection and uses these
// codecs is package netbridge's.
//
// # Connection header
//
// An initiator sends one header right after connecting; the acceptor never
// answers it. A pre-3.5 initiator sends only its sid (an i64 >= 0). 3.5+
// sends a negative protocol version, its sid, and its own election address:
//
//	i64 ProtocolV1 (-65536) or ProtocolV2 (-65535)
//	i64 sid
//	i32 n (1..MaxAddrLen)
//	n bytes of UTF-8 "host:port", or "[v6]:port"; V2: several, joined by '|'
//
// See InitialMessage and ReadInitialMessage. Things worth knowing:
//
//   - The header must leave in ONE write (InitialMessage.Encode gives one
//     buffer): the Java receiver reads the address with a single read() and
//     gives up on a short one (ZOOKEEPER-2189).
//   - A bare sid must be >= 0: the receiver takes any negative first i64 for
//     a protocol version and rejects all but the two above.
//   - V1 and V2 are parsed the same way; a V1 header with '|' is accepted.
//     Java 3.6+ sends V2 only with multiAddress.enabled=true, because 3.5
//     rejects it (ZOOKEEPER-3720).
//   - Wildcard addresses (0.0.0.0, ::) are dropped on receipt
//     (ZOOKEEPER-2164), so the acceptor dials back via its own config. Java
//     resolves each host to find out; this package recognises literal
//     wildcards only and never does DNS (see IsWildcardHost).
//   - ObserverID (Long.MAX_VALUE) is the sid of pre-3.5 observers. Java
//     swaps it for a fresh negative sid per connection; ReadInitialMessage
//     returns it as is.
//
// # Frames
//
// Both directions then carry frames, an i32 length (1..MaxFrameLen, else
// Java drops the connection) and that many bytes of body. Java writes the
// length and the body separately, so they usually arrive as two TCP
// segments; FrameReader copes with any split and with many frames per read.
//
// # Notification bodies
//
// A frame body is a notification (see Notification for the layout). The
// 3.8 receiver picks the format by the body's length, with two surprises:
//
//   - A 40-byte body (3.4.6+) carries version 0x1 at offset 36, but the 3.8
//     receiver never reads it: the notification counts as version 0, which
//     matters to Vote.equals.
//   - The 36-byte body of 3.4.0-3.4.5 (no version) cannot be read by 3.5+:
//     the receiver expects a version at offset 36, hits the end of the
//     buffer and drops the message. DecodeNotification reports it as
//     ErrUnsupportedNotification.
//
// Bodies shorter than 28 bytes, or whose config length is negative, larger
// than the body, or longer than what follows, are dropped by Java without
// closing the connection (ZOOKEEPER-3769); here they are typed errors. An
// unknown state code is not a decoding error (see Notification.State).
//
// Nothing in this package panics on input. Every error wraps one of the
// sentinel errors (ErrUnknownProtocolVersion, ErrAddrLength, ...) and names
// the bad value.
package electionwire
