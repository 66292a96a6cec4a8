package fle

import "github.com/zkfle/zkfle/zk"

// Step hands the machine one received notification. It first applies
// WorkerReceiver's rules (FastLeaderElection.Messenger.WorkerReceiver), which may answer the sender at once,
// and then, if we are LOOKING, lookForLeader's handling of it.
//
// WorkerReceiver's rules, in order:
//   - before Start or after Stop: dropped (no messenger is running);
//   - while LOOKING, a config with a greater version that differs from ours:
//     dropped (see DropNewerConfig; Java would restart its election here);
//   - a sender that is not a voter: answered with our state, CurrentVote()
//     and our round, and otherwise ignored;
//   - a voter's unknown state code: dropped;
//   - we are LOOKING: the notification goes to the election, and a LOOKING
//     sender in an older round is answered with our proposal and round;
//   - we are not LOOKING and the sender is: answered with CurrentVote() in
//     the round it was decided in and our real state; if we lead, a sender
//     that voted in our election is reported in Output.LookingSids; if we
//     follow or observe, a sender in a round after our leader's is
//     reported in Output.NewerRoundLookingSids, once per voter and round;
//   - neither is LOOKING: dropped.
func (m *Machine) Step(n Notification) Output {
	var out Output
	if len(m.unreachable) > 0 || len(m.linkDown) > 0 {
		// A notification from sid shows it reachable (fastpath.go), even
		// one that arrives while the election is paused.
		delete(m.unreachable, n.From)
		delete(m.linkDown, n.From)
	}
	if !m.running {
		out.drop(n.From, DropNotStarted)
		return out
	}
	if m.state == zk.Looking && m.newerConfig(n) {
		out.drop(n.From, DropNewerConfig)
		return out
	}
	if !m.validVoter(n.From) {
		reply(&out, n.From, m.state, m.currentVote, m.logicalClock)
		out.drop(n.From, DropNonVoterSender)
		return out
	}
	if n.State < zk.Looking || n.State > zk.Observing {
		out.drop(n.From, DropUnknownState)
		return out
	}
	if m.state == zk.Looking {
		if n.State == zk.Looking && n.ElectionEpoch < m.logicalClock {
			reply(&out, n.From, zk.Looking, m.proposal, m.logicalClock)
		}
		m.receive(&out, n)
		return out
	}
	if n.State != zk.Looking {
		out.drop(n.From, DropNotLooking)
		return out
	}
	if m.state == zk.Leading && m.leadingTracker != nil && m.leadingTracker.HasSid(n.From) {
		out.LookingSids = append(out.LookingSids, n.From)
	}
	if m.state != zk.Leading && n.ElectionEpoch > max(m.currentVote.ElectionEpoch, m.reportedRound[n.From]) {
		out.NewerRoundLookingSids = append(out.NewerRoundLookingSids, n.From)
		if m.reportedRound == nil {
			m.reportedRound = map[int64]int64{}
		}
		m.reportedRound[n.From] = n.ElectionEpoch // voters only: bounded
	}
	reply(&out, n.From, m.state, m.currentVote, m.currentVote.ElectionEpoch)
	return out
}

// newerConfig reports whether n carries a configuration with a greater
// version than our committed one that is not equal to it: the case in
// which Java's WorkerReceiver restarts the election.
func (m *Machine) newerConfig(n Notification) bool {
	return n.Config != nil && n.Config.Version() > m.committed.Version() && !n.Config.Equal(m.committed)
}
