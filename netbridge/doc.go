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
package netbridge
