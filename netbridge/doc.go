// Package netbridge is the layer that turns ZooKeeper's raw TCP framing into
// the typed messages the actors exchange: one bridge actor per connection,
// owning its net.Conn, with a reader and a writer goroutine.
//
// The bytes themselves have one home each, in pure subpackages that know
// nothing of actors or sockets:
//
//   - netbridge/electionwire: the election port (connection header, frames,
//     notification bodies);
//   - netbridge/quorumwire: the quorum port (jute QuorumPackets and the
//     discovery payloads).
//
// The two bridges have one shape: NewBridgeProps (election port) and
// NewQuorumBridgeProps (quorum port) take the connection, the id their
// reports carry, and BridgeOptions (WithWriteTimeout, WithLogger and
// WithRecipient mean the same to both); each reports its end exactly once,
// as a typed messages.CloseReason with a human-readable detail, to its
// recipient (its parent by default), and each should be supervised with
// Stop, since a restart cannot reopen a socket.
//
// netbridge does not import package zab: the Zab sessions are pure state
// machines that the actors drive, and a bridge only moves packets.
package netbridge
