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
//     every adopted connection; cnx.RecvQueue for everything read.
//   - zab.LeaderSession / zab.LearnerSession: every input and output,
//     carried out in the order actors/session_driver.go uses: epoch writes
//     first (a failed write is answered with PersistFailed and nothing
//     after it in that Output is carried out), then the dial, sends,
//     closes, timers, Established, Ended.
//   - zab.MemoryEpochs: one per node, kept across crashes (the disk).
//
// Glue re-implemented here (the minimum of actors/quorumpeer*.go):
//   - a Decision starts a LeaderSession (LEADING) or a LearnerSession
//     (FOLLOWING) from the node's stored epochs;
//   - Established calls UpdateElectionVote with the new epoch;
//   - Ended (or a failed dial budget) stops the session and starts looking
//     again: at once when the session had been established for 10 s, else
//     after a seeded back-off of 100 ms doubling to 3 s, with the election
//     stopped meanwhile (actors/session_backoff.go);
//   - a restart makes a new fle.Machine and cnx.Manager over the same
//     MemoryEpochs and starts looking with lastZxid = currentEpoch<<32.
//
// Not modelled yet: cnx.Sender (every Forward is one frame), handshake
// limits, observers, hierarchical quorums, reconfiguration, the disk-fault
// and newer-round rules of the QuorumPeer, a crash that loses the last
// unsynced write, pauses (SIGSTOP) longer than syncLimit.
//
// # Oracles
//
// oracle.go judges a History (what the simulator observed) with plain
// counting and shares no code with fle, zab, quorum or cnx: (a) one leader
// per epoch, (b) each node's established epochs strictly increase and every
// establishment is backed by a majority of NEWLEADER acks seen on the
// simulated wire, (d) one leader with everyone following it at the end,
// (e) an ensemble settles within Bound of the last heal.
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
