// Package actors is zkfle's node as a tree of supervised protoactor-go
// actors: the election (FastLeaderElection), the connection manager
// (QuorumCnxManager), the epoch agreement on the quorum port, and the
// sockets, timers and files they need (docs/ARCHITECTURE.md maps the
// tree).
//
// This is the advanced path, for programs that already run protoactor-go.
// Plain Go programs import package zkfle (the module root) instead: the
// same node behind Start(ctx, cfg), plain Go types and contexts, and a
// Changes channel that is closed when the node stops or fails.
//
// What this package adds for actor programs:
//
//   - WithActorSystem spawns the node's actors into the caller's
//     ActorSystem, under the top-level actor "zkfle-<sid>" (several nodes
//     with different sids can share one system). Without it, every node
//     of the process runs on one shared system, under "zkfle-<sid>.<n>":
//     an actor system is costly to make (protoactor's registry alone is
//     some 33,000 small allocations) and holds no goroutine, so a node
//     needs no system of its own.
//   - SubscribePID and WithWatcher send every state change, as a
//     *messages.StateChanged, to one of the caller's actors.
//   - ElectionStatus and CnxStatus answer with the actors' own protobuf
//     status messages; Supervision and SubscribeSupervision report
//     failures and restarts per actor kind.
//   - Config carries every knob (multi-address servers, hierarchical
//     quorums, a newer proposed configuration, the election trace). The
//     four-letter-word port is package clientport, a client of Node.
//
// A node that cannot go on (its election port cannot be bound, an actor
// failed too often) closes Failed and reports why through Fatal; it then
// still has to be stopped with Stop. Test hooks (fault injection, actor
// paths, the system) are not part of this API: tests reach them through
// package actors/actorstest.
package actors
