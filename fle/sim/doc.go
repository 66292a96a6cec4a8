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
// Production rules it runs: each node's election is a package fle
// Machine (or a stand-in given in Config.NewMachine), and each node
// process has its own connection manager from package cnx, the rule book
// the connection-manager actor runs, driven here as nodesim drives it:
//
//   - cnx.Manager[fle.Message], made fresh at every Start (production
//     makes one per process): Send for every notification to a peer,
//     ConnectAll when the machine asks for it, Dialed, Accepted, Closed
//     and RedialDue for the connections' lives, and its Output carried
//     out (Closes, Ends, Adopts, Forwards, Dials, Timers). So the send
//     queue of one (newest wins), the re-send of the last message on a
//     new connection (ZOOKEEPER-481), connectAll/connectOne, the redial
//     limit and the tie-break are production's: a dial keeps its
//     connection only if the dialler has the larger sid
//     (cnx.InitiatorKeeps), otherwise the dialler hangs up after its
//     header and the acceptor calls back (traced as "call" and
//     "connected").
//   - haveDelivered is the manager's (cnx.Manager.HaveDelivered), passed
//     to Machine.Tick as the election actor does: true as soon as any send
//     queue is empty, and also with no queue at all (zkfle's one
//     deliberate difference from ZooKeeper, which says false there).
//   - The reachable fast path's inputs are the manager's too: a new live
//     link is PeerReachable; a failed dial, or a live link's close that
//     Manager.Closed says means the peer is gone, is PeerUnreachable
//     (reachability.go).
//   - Each connection end writes through a cnx.Sender and each node reads
//     through a cnx.RecvQueue (capacity 100). The model has no
//     socket-write time, so a Sender never holds a message behind the one
//     in flight, and notifications are handed to the machine as they
//     arrive, so the receive queue never fills: their newest-wins and
//     drop-oldest rules are exercised by cnx's own tests, not here.
//
// What remains a model (simulator code, not production's):
//
//   - The network: which nodes can reach each other (partitions), and
//     each message's fate from the Policy (loss, delay, reorder,
//     duplication). Links are TCP streams: each direction delivers in
//     order unless the Policy lets a message overtake (Fate.Reorder).
//     Setting a connection up takes no time (a dial to a reachable node
//     connects, or is answered by the call back, within the input that
//     asked for it, once that input is done), nor does a close: both
//     ends hear of it at once. A message already in flight is not lost
//     when its connection closes, only by a crash or a partition.
//     Connections are only (re)established by a send, ConnectAll or a
//     redial timer, as in ZooKeeper: a healed partition does not
//     reconnect by itself.
//   - Loopback: a message a node sends to itself is delivered through Step
//     at the same instant, after the current input, and is never lost.
//   - Crash: the machine and connection manager are gone; messages in
//     flight to it are lost, its connections close (its peers' managers
//     hear Closed), and its send queues and last messages are forgotten
//     (a new process). Restart: a fresh fle.Machine (logical clock 0)
//     started with the same zxid and epoch, and a fresh cnx.Manager.
//   - Partition: connections across the cut close (both ends' managers
//     hear Closed) and messages in flight across it are lost. Heal makes
//     the nodes reachable again; links reconnect on the next send or
//     ConnectAll.
//   - A failure detector standing in for the post-election session (see
//     detector.go): a node Following, Observing or Leading a leader that
//     it cannot reach goes back to Looking with Start after
//     DetectorTimeout (D); one whose leader is reachable but not leading
//     gives up after the shorter DetectorGrace (G); a leader without a
//     quorum of followers gives up after D.
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
// Not modelled: connection set-up and socket-write time (above), epoch
// establishment after an election (zxids and epochs never change), and
// reconfiguration (every node shares one quorum verifier).
package sim
