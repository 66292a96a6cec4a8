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
//   - fle.Machine: Start, Step, Tick, UpdateElectionVote, Stop.
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
//
// Glue re-implemented here (glue.go, the minimum of actors/quorumpeer*.go,
// kept in one file so that it can be replaced by the production rules):
//   - startLooking starts the election with the node's last logged zxid
//     and currentEpoch;
//   - a Decision starts a LeaderSession (LEADING) or a LearnerSession
//     (FOLLOWING, OBSERVING) from the node's stored epochs and last zxid;
//   - Established calls UpdateElectionVote with the new epoch;
//   - Ended (or a failed dial budget) stops the session and starts looking
//     again: at once when the session had been established for 10 s, else
//     after a seeded back-off of 100 ms doubling to 3 s, with the election
//     stopped meanwhile (actors/session_backoff.go);
//   - a restart makes a new fle.Machine and cnx.Manager over the same
//     MemoryEpochs and transaction log and starts looking.
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
// input of the node queues until it resumes; syncLimit is 0.5 s), and
// per-node timer skew 0.8-1.25x. Clean runs (Config.Clean) have none.
//
// Not modelled yet: reconfiguration, the disk-fault and newer-round rules
// of the QuorumPeer, non-member connections.
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
// shows and which lines prove it.
package nodesim
