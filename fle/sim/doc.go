// Package sim drives package fle's state machines in simulated time: a
// cluster harness for scripted interaction tests (testdata/*.txt, run with
// github.com/cockroachdb/datadriven) and a seeded, deterministic simulator
// that checks agreement, the choice of leader and liveness over thousands
// of schedules.
//
// Everything here is single-threaded and deterministic: simulated time is
// an event queue ordered by (time, sequence number), and every random
// choice comes from a math/rand/v2 source seeded explicitly by the caller.
// The same Options (or the same script) always yield the same trace.
//
// What the harness models of ZooKeeper around the election (QuorumCnxManager and the rest of FastLeaderElection):
//
//   - Connections (QuorumCnxManager): one per pair of live, reachable
//     nodes. A send on a connected pair goes on the wire and becomes the
//     pair's "last message sent"; a send on an unconnected pair waits in a
//     send queue of capacity one (newest wins) and tries to connect. When a
//     connection is established, each side sends its queued message or, if
//     none, re-sends its last message sent (ZOOKEEPER-481). Connections are
//     only (re)established by a send or by ConnectAll, as in ZooKeeper: a
//     healed partition does not reconnect by itself.
//   - haveDelivered is ZooKeeper's real one: true as soon as any send queue
//     the node ever created is empty (QuorumCnxManager.haveDelivered).
//   - Loopback: a message a node sends to itself is delivered through Step
//     at the same instant, after the current input, and is never lost.
//   - Crash: the machine is gone; messages in flight to it are lost, its
//     connections close, and its send queues and last messages are
//     forgotten (a new process). Restart: a fresh fle.Machine (logical
//     clock 0) started with the same zxid and epoch.
//   - Partition: links across the cut close and messages in flight across
//     it are lost. Heal makes the nodes reachable again; links reconnect on
//     the next send or ConnectAll.
//   - A failure detector standing in for the post-election session (see
//     detector.go): a node Following, Observing or Leading a leader that
//     it cannot reach goes back to Looking with Start after
//     DetectorTimeout (D); one whose leader is reachable but not leading
//     gives up after the shorter DetectorGrace (G); a leader without a
//     quorum of followers gives up after D.
//   - Links are TCP streams: each direction delivers in order unless the
//     Policy lets a message overtake (Fate.Reorder).
//
// The checks are oracles that share no code with what they judge: the
// best leader is found with their own (peerEpoch, zxid, sid) comparison
// and quorums are counted plainly from the members' fields (oracle.go),
// never with fle.TotalOrderPredicate or a quorum.Verifier.
//
// Scripts (testdata/*.txt) drive a Cluster command by command; see
// script_test.go for the commands. The simulator (Run, Options,
// RandomOptions) draws a whole scenario from a seed and checks it; see
// run.go for the checks and LivenessBound for the liveness bound.
//
// Not modelled: the receive queue's capacity of 100 (no test here comes
// near it), connection set-up time (connecting is instantaneous), epoch
// establishment after an election (zxids and epochs never change), and
// reconfiguration (every node shares one quorum verifier).
package sim
