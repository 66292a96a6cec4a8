package fle

import "github.com/zkfle/zkfle/zk"

// sendNotifications is FastLeaderElection.sendNotifications: our proposal
// and round, as LOOKING, to every valid voter, ourselves included when we
// vote (the driver loops that one back through Step).
func (m *Machine) sendNotifications(out *Output) {
	for _, sid := range m.voters() {
		out.Messages = append(out.Messages, Message{
			To:            sid,
			State:         zk.Looking,
			Leader:        m.proposal.Leader,
			Zxid:          m.proposal.Zxid,
			ElectionEpoch: m.logicalClock,
			PeerEpoch:     m.proposal.PeerEpoch,
		})
	}
}

// reply appends one notification to sid carrying v's leader, zxid and peer
// epoch with the given state and round.
func reply(out *Output, to int64, state zk.ServerState, v Vote, round int64) {
	out.Messages = append(out.Messages, Message{
		To:            to,
		State:         state,
		Leader:        v.Leader,
		Zxid:          v.Zxid,
		ElectionEpoch: round,
		PeerEpoch:     v.PeerEpoch,
	})
}
