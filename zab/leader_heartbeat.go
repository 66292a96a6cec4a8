package zab

import "github.com/zkfle/zkfle/netbridge/quorumwire"

// heartbeat is one turn of Leader.lead's ping loop, every half tick. Every
// other turn is a tick: the leader counts itself and every learner heard
// from within syncLimit ticks (LearnerHandler.synced) and steps down
// without a quorum. Every turn pings each learner whose sender runs, with
// the last proposed zxid (makeZxid(epoch, 0): zkfle proposes nothing).
func (l *LeaderSession) heartbeat(out *Output) {
	if !l.tickSkip {
		l.tick++
		synced := map[int64]struct{}{l.id: {}}
		for _, lc := range l.conns {
			if lc.known && l.tick <= lc.deadline {
				synced[lc.sid] = struct{}{}
			}
		}
		if !l.joint.HasAllQuorums(synced) {
			l.end(out, ReasonQuorumLost, "Not sufficient followers synced, only synced with sids: [ "+sidList(synced)+" ]")
			return
		}
	}
	l.tickSkip = !l.tickSkip
	ping := quorumwire.NewPingPacket(firstZxid(l.epoch))
	for _, c := range sortedConns(l.conns) {
		if l.conns[c].pinging {
			out.Send = append(out.Send, Send{Conn: c, Packet: ping})
		}
	}
	l.timers.arm(out, HeartbeatTimer, 0, l.timing.pingInterval())
}
