// Package quorumpeer is ZooKeeper's QuorumPeer main loop (QuorumPeer.run)
// as a state machine, in the style of fle.Machine, cnx.Manager and the zab
// sessions: inputs go in one at a time, each returns an Output batch, and
// the driver (the QuorumPeer actor in package actors, or a simulator)
// carries it out. The package starts no goroutines, does no I/O and reads
// no clock: time is an input (now, a duration since any fixed origin the
// driver chooses) and so is the randomness of the back-off jitter
// (Config.Rand). It imports fle for the election's types only.
//
// The loop:
//
//	LOOKING (the election runs)
//	  -> Decided: start a Leader or Follower session; still LOOKING
//	  -> Established: the role becomes visible (ReportRole), the election's
//	     vote takes the established epoch (UpdateVote)
//	  -> SessionEnded (or a restart with a session running, or a voter
//	     looking in a newer round while following a ZooKeeper leader
//	     election-only): stop the session, report LOOKING if a role was
//	     visible, and look again: at once if the session had been
//	     established for StableAfter, else after a jittered exponential
//	     back-off with the election paused (Backoff).
//
// The reported state changes only at establishment and at the end of an
// established session: a decision whose session never establishes leaves
// the server LOOKING throughout.
//
// # Where zkfle deliberately differs from ZooKeeper
//
// These rules are zkfle's (docs/ARCHITECTURE.md lists them):
//
//   - Failed sessions back off. ZooKeeper re-elects at once after lead()
//     or followLeader() returns, which let a refused follower loop
//     thousands of times a second. Here a session that ends before it has
//     been established for StableAfter waits min(BackoffCap,
//     BackoffBase*2^(failures-1)), jittered into [d/2, d], with the
//     election paused; a stable session resets the count.
//   - A server that cannot write its epoch files does not stand for
//     leader. After a failed epoch write (DiskFailed) or a failed probe
//     (Probed(false)) every round starts with Candidate false
//     (fle.Machine.SetCandidate), and the driver probes the epoch
//     directory every ProbeInterval until a probe or an epoch write
//     succeeds; a good probe resets the back-off and starts a new round
//     at once (unless a session runs), in which the server stands again.
//   - A server following a ZooKeeper leader election-only (zkfle cannot
//     watch a Java leader's quorum port) leaves the session when a voter
//     is seen looking in a newer round (VoterLookingInNewerRound): the
//     leader is gone for that voter; if it is fine, the others answer
//     with it and the server rejoins at once.
//   - A restarted driver (the actor's QuorumPeer is supervised) calls
//     Start again: a session that was running died with it and ends here;
//     otherwise the loop asks the election where it stands (AskStatus)
//     and starts looking if the machine never ran, or if it decided while
//     no session runs (the Decision died with the old incarnation).
package quorumpeer
