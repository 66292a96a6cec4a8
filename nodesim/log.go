package nodesim

import (
	"time"

	"github.com/zkfle/zkfle/zk"
)

// The transaction log model. zkfle replicates no data, but a ZooKeeper
// server votes with its last logged zxid and reports it in ACKEPOCH, and
// the leader refuses a learner ahead of it; per-node zxids that differ are
// what make the election's (peerEpoch, zxid, sid) order matter. The model
// is the cheapest one that keeps ZooKeeper's shape:
//
//   - an established leader proposes a transaction every 100-500 ms of its
//     own (skewed) clock: zxid (epoch<<32)+n, above everything it logged;
//     it logs it and sends it (a TXN, a simulator-only packet that the zab
//     sessions never see) on every quorum connection it has synced;
//   - a learner logs a TXN that reaches its running session;
//   - a logged zxid becomes durable syncDelay later (the log's group
//     commit); a crash before that loses it: the last unsynced write (the
//     crash-in-write fault aims a crash at exactly that moment);
//   - synchronisation: the NEWLEADER a learner receives carries the
//     leader's log as it was when the leader sent DIFF and NEWLEADER (one
//     Output); on receipt the learner's log becomes exactly that (DIFF or
//     TRUNC in syncWithLeader), durable at once (TRUNC truncates on disk,
//     and the diff is logged before NEWLEADER is acknowledged).
//
// Nothing here is judged for data (there is none); the zxids feed the
// production election and sessions, and oracle (c).
const syncDelay = 2 * time.Millisecond

// logZxid appends z to the log; it is durable syncDelay later unless the
// node crashes or truncates its log first.
func (n *node) logZxid(z int64) {
	n.zxid = z
	if n.crashWrite == 1 {
		// An armed crash-during-write fault (faults.go) hits the log
		// write before its sync: the entry is lost.
		n.w.tracef("crash n%d before its log write %v is synced", n.id, zk.Zxid(z))
		n.w.counts["crash-in-write-fired"]++
		n.crashFor(n.crashDown)
		return
	}
	gen, lg := n.gen, n.logGen
	n.w.s.after(syncDelay, func() {
		if n.gen == gen && n.logGen == lg && z > n.durable {
			n.durable = z
		}
	})
}

// truncateTo makes the log end at z, durably (a learner's sync).
func (n *node) truncateTo(z int64) {
	n.logGen++
	n.zxid, n.durable = z, z
}

// loseUnsynced is the crash's effect on the log.
func (n *node) loseUnsynced() {
	if n.zxid != n.durable {
		n.w.tracef("n%d loses unsynced zxid %v (durable %v)", n.id, zk.Zxid(n.zxid), zk.Zxid(n.durable))
		n.w.counts["lost-unsynced-zxid"]++
	}
	n.zxid = n.durable
}

// scheduleTxn arms the established leader session s's next transaction.
func (n *node) scheduleTxn(s *session) {
	w := n.w
	n.after(n.skewed(time.Duration(100+w.rng.IntN(400))*time.Millisecond), func() {
		if n.sess != s || s.ended || !n.up {
			return
		}
		z := max(n.zxid, s.epoch<<32) + 1
		n.logZxid(z)
		for _, id := range sortedConns(w) {
			if c, ok := w.zconns[zabID(id)]; ok && c.lds == s && c.synced {
				w.sendTxn(c, z)
			}
		}
		n.scheduleTxn(s)
	})
}
