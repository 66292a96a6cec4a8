package fle

import "github.com/zkfle/zkfle/zk"

// answerWorse answers a LOOKING vote of our round that is worse than (or
// merely different from) our proposal with our proposal, once per voter
// and round, when the fast paths are on and the voter told us FOLLOWING
// or LEADING since our Start: it was not looking when our round's first
// vote reached it, so it answered instead of keeping it, and it has
// missed our vote. zkfle's own; ZooKeeper answers only votes of an older
// round, and a same-round voter that missed our vote learns it at our
// next notification timeout (200 ms at least). Voters that were looking
// all along have our vote (it went to every voter at Start and at each
// change), so a cold start sends nothing more.
//
// Why it is needed: the fast paths decide as soon as the votes are in,
// so the election's length is how long votes take to travel. After a
// leader dies, its followers start looking a few milliseconds apart; the
// first one's vote reaches the second while that one still follows,
// which answers it with its old FOLLOWING vote (as ZooKeeper's
// WorkerReceiver does) and does not keep it. The second then votes for
// itself in the same round, the first (with the better vote) receives a
// worse vote of its round and, in ZooKeeper, says nothing: neither
// learns the other's vote until the first one's notification timeout,
// and the failover takes 200 ms more than its messages need (seen in
// zkbench -mode failover: survivors deciding by the reachable path
// 200 ms after the kill).
//
// Why it is safe: it sends our current proposal, which the round's
// notifications and every notification timeout send anyway; a message
// may always be repeated. It changes no vote and decides nothing here.
// Once per voter and round bounds it: two servers that judge each
// other's votes worse (different configurations) cannot ping-pong.
func (m *Machine) answerWorse(out *Output, n Notification) {
	if !m.fast || n.From == m.id || n.State != zk.Looking || n.ElectionEpoch != m.logicalClock {
		return
	}
	if _, ok := m.notLooking[n.From]; !ok || !m.validVoter(n.From) {
		return
	}
	p := m.proposal
	if n.Leader == p.Leader && n.Zxid == p.Zxid && n.PeerEpoch == p.PeerEpoch {
		return
	}
	if _, ok := m.answered[n.From]; ok {
		return
	}
	m.answered[n.From] = struct{}{}
	reply(out, n.From, zk.Looking, p, m.logicalClock)
}
