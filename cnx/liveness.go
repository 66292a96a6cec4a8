package cnx

import "time"

// DefaultCallWindow is Config.CallWindow when it is zero: ZooKeeper's
// connection-header read timeout (quorumCnxnTimeoutMs) for the sample
// zoo.cfg, tickTime 2000 ms × syncLimit 5.
const DefaultCallWindow = 10 * time.Second

// Which closes say that a peer is gone (Closed's verdict), the input of
// the election's reachable fast path (fle/fastpath.go), a zkfle rule:
// ZooKeeper's election never asks.
//
// A failed dial says so (the driver reports that itself). The close of a
// live link usually does too, but not when our own call explains it.
// ZooKeeper's tie-break keeps only a connection opened by the larger sid:
// our dial to a larger sid L sends our header and hangs up (DialHungUp),
// and L, reading it, ends its live link to us if it has one and dials us
// back (Accepted on L's side; QuorumCnxManager.handleConnection). So at a
// simultaneous start the link L opened first closes a moment after our
// call, while L is alive and calling back. Taking that close as "L is
// unreachable" let a quorum without L decide at once for a worse leader.
//
// The rule: the close of sid's live link is no verdict when
//   - a call of ours to sid hung up less than CallWindow before it and
//     has not explained a close yet: one call ends at most one link, so
//     the call is spent (a second close is a verdict again). The order
//     of our hang-up and of the link's adoption says nothing: at a
//     simultaneous start L usually adopts its own dial before our header
//     reaches it while we hang up before its header reaches us, so the
//     link we adopt after our call is the one the call ends;
//   - or a dial to sid is in flight: its end is the verdict (a failure is
//     reported as one; a hang-up or a connection shows sid alive), and that
//     dial's call is spent by this close.
//
// CallWindow bounds how long a call may take to have its effect: L reads
// our header within its header read timeout or drops it. A call that ends
// no link (L had none, or its redial limit kept it) stays unspent for that
// long; if L dies meanwhile its close is no verdict, and L counts as
// unreachable only once a dial to it fails: the reachable fast path is
// slower then (at worst ZooKeeper's finalize window), never misled. Only
// links from larger sids can be explained this way: we call only larger
// sids.

// called records that our dial to sid hung up at now (a request to be
// called back), unless a close already spent this dial's call while it
// was in flight.
func (m *Manager[M]) called(sid int64, now time.Time) {
	if m.spent[sid] {
		return
	}
	m.calls[sid] = now
}

// closeSaysGone is the verdict on the close of sid's live link at now,
// per the rule above: true unless an unspent call within CallWindow or a
// dial in flight explains it (and is spent by it).
func (m *Manager[M]) closeSaysGone(sid int64, now time.Time) bool {
	if at, ok := m.calls[sid]; ok {
		delete(m.calls, sid)
		if now.Sub(at) < m.cfg.CallWindow {
			return false
		}
	}
	if m.dialing[sid] {
		m.spent[sid] = true
		return false
	}
	return true
}
