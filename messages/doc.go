// Package messages holds the typed protobuf messages zkfle's actors
// exchange: notifications and votes (vote.proto), per-connection traffic and
// lifecycle (connection.proto), and election control and outcomes
// (election.proto).
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
