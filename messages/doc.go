// Package messages holds the typed protobuf messages zkfle's actors
// exchange, one .proto file per subject:
//
//   - vote.proto: the election's data, as ZooKeeper defines it: ServerState
//     (the wire's state codes), Vote and Notification.
//   - connection.proto: election-port connections: notifications and raw
//     frames to and from one peer, drops, the connection's lifecycle and
//     why it closed, between the bridge and connection-manager actors.
//   - election.proto: driving the election and its outcome: StartLooking,
//     timer firings, Decision and StateChanged (what embedders subscribe to).
//   - session.proto: the quorum port after an election: jute's QuorumPacket
//     to and from a quorum bridge, and the session's end or establishment
//     (SessionEstablished, SessionEnded) reported to the QuorumPeer.
//   - node.proto: private to a node's actor tree: flow-control credits
//     between stages (FrameWritten, NotificationProcessed), what the leader
//     learns from the election, status queries and the election's and
//     connection manager's status answers.
//   - receiver.proto: the WorkerReceiver's status (its receive queue and
//     hand-over to the election).
//
// The .proto files are the source of truth; the *.pb.go files are generated
// and committed. After editing a .proto, run `go generate ./messages/` (or
// messages/generate.sh) and commit the result; messages/check-generated.sh
// fails CI when the committed code is stale.
//
// Actors send these as pointers (*messages.Notification, ...): generated
// messages hold an internal mutex-like state that must not be copied.
package messages

//go:generate ./generate.sh
