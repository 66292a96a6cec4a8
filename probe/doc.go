// Package probe reads a running ensemble's election state through the
// election port alone, without joining the ensemble: the "node probe"
// subcommand. It works against Apache ZooKeeper 3.8 and against zkfle.
//
// For each address the probe connects as a sid that is not in the
// ensemble, sends the version-1 connection header and ONE notification,
// and reads what the server answers. ZooKeeper's WorkerReceiver (and
// zkfle's, which copies it) answers a notification from a non-voter at
// once with the server's real state, its current vote (leader, zxid,
// peerEpoch), its logical clock and its config string, and does nothing
// else with it: a non-voter's vote is never counted, so probing cannot
// change an election.
//
// Why the probe's sid must be LARGER than every member's: ZooKeeper keeps
// an election connection only when the larger sid opened it. A server
// whose sid is larger than the probe's closes the connection and dials the
// probe back at the address in its header (nobody listens there), so it
// never answers; zkfle closes such a connection outright ("unknown-sid").
// DefaultSID is therefore the largest sid that is not ZooKeeper's
// OBSERVER_ID (Long.MAX_VALUE, which a Java acceptor replaces by a
// negative sid that always loses the tie-break).
//
// What is sent, and why nobody counts it:
//
//   - state LOOKING, leader = the probe's own sid, zxid and peerEpoch =
//     math.MinInt64 (what a non-participant puts in its initial vote),
//     round 0;
//   - version 2 with the config "version=0": an empty member list at
//     version 0, which parses on both sides and is never newer than the
//     server's own config, so no server restarts its election over it
//     (ZooKeeper does when a LOOKING server sees a newer config that
//     differs from its own).
//
// Side effects on the server, all harmless: ZooKeeper logs "Connection
// broken for id <sid>" when the probe hangs up, keeps an (empty) send
// queue for the sid, and, should it later time out while LOOKING, logs an
// "Invalid server id" warning when it tries to reconnect to it. A server
// re-sends its last message to a sid on a new connection (ZOOKEEPER-481),
// so a second probe may first receive the answer to the previous one: the
// probe therefore keeps reading for Options.Settle after the first answer
// and reports the last one.
package probe
