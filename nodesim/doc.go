// Package nodesim is one deterministic simulator of whole zkfle nodes: each
// node is the production election machine (fle.Machine), the production
// connection-manager core (cnx.Manager and cnx.RecvQueue), the production
// Zab discovery sessions (zab.LeaderSession and zab.LearnerSession) and the
// production in-memory epoch storage (zab.MemoryEpochs, with the file
// store's invariants and FailWrites), all driven by one seeded scheduler in
// virtual time: a priority queue of events, no goroutines, no real clock.
//
// # What runs production rules, and what is glue
//
// Production code (unchanged, called as the actors call it):
//   - fle.Machine: Start (after SetCandidate), Step, Tick,
//     UpdateElectionVote, Stop, PeerUnreachable, PeerReachable.
//   - cnx.Manager: Send (send queue of one, newest wins), ConnectAll,
//     Dialed (with cnx.InitiatorKeeps deciding DialConnected or
//     DialHungUp), Accepted (tie-break, redial limit), RedialDue, Closed,
//     HaveDelivered (fed to fle's Tick), the re-send of the last message on
//     every adopted connection; cnx.Sender on each end of each election
//     connection (the SendWorker: one frame in flight, newest waiting
//     message wins, the first message once per connection); the
//     acceptor's cnx.HandshakeLimits (Admit/Release around the header;
//     members never reach their allowance here: no non-member flood is
//     modelled); cnx.RecvQueue for everything read.
//   - zab.LeaderSession / zab.LearnerSession (observers included): every
//     input and output, carried out in the order actors/session_driver.go
//     uses: epoch writes first (a failed write is answered with
//     PersistFailed and nothing after it in that Output is carried out),
//     then the dial, sends, closes, timers, Established, Ended.
//   - zab.MemoryEpochs: one per node, kept across crashes (the disk).
//   - quorum.Majority or quorum.Hierarchical (seeded weighted groups, one
//     voter of weight 0 in some runs), with observers or without.
//   - quorumpeer.Peer, the QuorumPeer loop (one per node; a crash makes a
//     fresh one over the surviving MemoryEpochs): LOOKING -> session ->
//     LOOKING, the session back-off (jittered from the world's seeded rng,
//     capped at quorumpeer.BackoffCapFor(initLimit, tickTime) = 500 ms, as
//     the actors set it), the disk-fault rule and the newer-round rule.
//     Its outputs are carried out in quorumpeer.Output's order, as
//     actors/quorumpeer_session.go does (quorumpeer.go): StartLooking is
//     SetCandidate then Start, PauseElection is the machine's Stop (its
//     pending timers stay armed, as the actors leave them), a
//     Decision starts a LeaderSession or LearnerSession from the stored
//     epochs and last zxid, Established feeds the loop (which reports the
//     role and gives the election the new epoch), a session's end feeds
//     SessionEnded. Every epoch write's outcome reaches the loop before the
//     session's next step (DiskWritten; DiskFailed for a disk error, not a
//     refused value), as actors/session_driver.go sends it.
//
// The election's fast paths (fle/fastpath.go) run as in production, on by
// default (Config.DisableFastPaths turns them off): the connection
// manager's events feed the machine as actors/cnxmanager*.go feed the
// Election: a failed dial as PeerUnreachable, and the close of a live link
// when cnx.Manager.Closed's verdict says the peer is gone (not when our
// own call to a larger sid explains it: ZooKeeper's tie-break ends that
// sid's link to us while it dials back, cnx/liveness.go; Dialed and
// Closed take the virtual now); every adopted link as PeerReachable.
// Result.Paths counts decisions by fle.DecisionPath.
//
// The driver's part (quorumpeer.go), the simulator's stand-in for actor
// plumbing: the back-off and probe timers are the node's virtual timers
// (n.after: a pause holds them; the node's skew applies); a probe is
// MemoryEpochs.Probe, an epoch-store write attempt that fails while the
// node's disk is failed, reported 1 ms later; a boot probes first, as
// Node.Start does, so a node whose disk is failed starts disk-faulted;
// the election's NewerRoundLookingSids are fed to
// VoterLookingInNewerRound as the Election actor sends them, but that rule
// ends only a session that follows a ZooKeeper leader election-only, which
// no simulated node does (nodesim has no Java servers), so it never fires
// here; AskStatus (a restarted QuorumPeer actor) never arises either,
// since a crash restarts the whole node.
//
// Simulated, not production (log.go): a transaction log per node, so that
// last zxids differ. Nodes start from seeded disks (disks.go: epochs one
// apart, some acceptedEpoch one ahead of currentEpoch, small zxid
// counters); an established leader logs a transaction every 100-500 ms
// and sends it to its synced learners; NEWLEADER makes a learner's log the
// leader's; a log write is durable 2 ms later and a crash loses it before.
//
// Faults (run.go, faults.go), drawn by the seed during the chaos window:
// message loss (a loss on a quorum connection resets it, as TCP does),
// duplication, delay and reorder, slow socket writes (the Sender's
// newest-wins), connection resets, symmetric and one-way partitions,
// crash and restart, a crash during the next epoch or log write (the
// write lands or not, by the seed; nothing after it is done), a crash
// during a currentEpoch write (a leader between its epoch proposal and
// NEWLEADER), disk write failures, pauses of 0.35-2.4 s (SIGSTOP: every
// input of the node queues until it resumes; syncLimit is 0.5 s; a
// smaller sid's call that reached it is still read on resume, though the
// caller has hung up, as the header sits in the socket buffer before the
// FIN), and per-node timer skew 0.8-1.25x. Clean runs (Config.Clean) have none, and
// every node starts at the same instant (oracle (c)'s premise).
//
// Not modelled yet: reconfiguration, election-only sessions with
// ZooKeeper leaders (so the newer-round rule is fed but never fires),
// non-member connections.
//
// # Oracles
//
// oracle.go judges a History (what the simulator observed) with plain
// counting and shares no code with fle, zab, quorum or cnx: (a) one leader
// per epoch; (b) each node's established epochs strictly increase and
// every establishment is backed by a quorum of NEWLEADER acks seen on the
// simulated wire (a plain majority of voters, or the weighted-group count
// for hierarchical; observers never count); (c) in clean runs the first
// leader is the voter that is up with the greatest (currentEpoch, zxid,
// sid), compared field by field; (d) one leader with every voter
// following and every observer observing it at the end; (e) an ensemble
// settles within Bound of the last heal; (p) Zab phase 1: a leader's
// proposed epoch is above every acceptedEpoch that reached it.
//
// # Scripts
//
// control.go drives a World by hand instead of by seed (RunFor, RunUntil,
// Settle, Crash, Restart, Partition, Cut, Heal, FailDisk, SetFaultRates,
// Status), and trace.go renders what happened as whole-node facts without
// timestamps (elections decided, epoch writes, roles established and left,
// sessions ended and why). script_test.go runs testdata/scripts/*.txt with
// datadriven against golden traces; each script says in prose what it
// shows and which lines prove it. start takes n= voters, observers= and
// hier=true (weighted groups drawn by the seed=), and config prints the
// ensemble the oracles count with (voters, groups and weights, observers).
// No output carries a duration: a settle line says who leads which epoch
// with whom, so a golden changes only when an outcome does, never with
// timing alone (a different draw of the seeded latencies moved a settle
// by 6 ms and "killed" a mutation that changed nothing else). A script
// that claims speed states it as a bound its settle checks (within=D).
package nodesim
