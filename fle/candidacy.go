package fle

import "github.com/zkfle/zkfle/zk"

// Candidacy: a server that cannot serve as leader (zkfle: one that cannot
// persist its epoch files) still votes, but must not keep winning
// elections it would only lose again. ZooKeeper has no such switch; zkfle
// reuses the vote ZooKeeper's own non-participants (observers) send, so
// the wire format does not change and Java peers handle it as they
// already do.
//
// A non-candidate:
//   - starts each round (Start, or joining a newer round) from the
//     non-participant vote: leader, zxid and peer epoch all MinValue
//     (Long.MIN_VALUE). Receivers, Java or zkfle, drop it in
//     lookForLeader because the leader is not a voter (Java logs "Ignoring
//     notification for non-cluster member sid"); WorkerReceiver still
//     answers it, so the sender learns the others' votes and the leader;
//   - adopts any better vote except one naming itself, and then sends it
//     like any voter, so its vote counts for the best healthy server;
//   - never decides to lead (neither by the finalize window nor by
//     FOLLOWING/LEADING notifications naming it); it can decide to follow.

// SetCandidate sets whether this server stands for leader (true by
// default). It takes effect for the initial vote at the next Start (or
// the next newer round joined); the refusal to lead takes effect at once.
// A driver that withdraws candidacy mid-round should call Start again so
// that its vote for itself is replaced at once.
func (m *Machine) SetCandidate(ok bool) { m.nonCandidate = !ok }

// Candidate reports whether this server stands for leader.
func (m *Machine) Candidate() bool { return !m.nonCandidate }

// nonParticipantVote is the vote of a server that proposes nobody.
func nonParticipantVote() Vote {
	return Vote{Leader: MinValue, Zxid: zk.Zxid(MinValue), ElectionEpoch: -1, PeerEpoch: MinValue, State: zk.Looking}
}

// mayAdopt reports whether n's vote may become our proposal: anything but
// a vote for ourselves while we do not stand for leader.
func (m *Machine) mayAdopt(n Notification) bool {
	return !m.nonCandidate || n.Leader != m.id
}
