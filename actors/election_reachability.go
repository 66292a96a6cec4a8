package actors

import (
	"github.com/asynkron/protoactor-go/actor"
)

// peerReachability is the connection manager's report to the Election
// that a peer became unreachable or reachable (a connection to it became
// its live link). The Election feeds it to fle.Machine.PeerUnreachable and
// PeerReachable, the input of the reachable fast path (fle/fastpath.go).
//
// Unreachable is reported for a dial that failed (refused, timed out,
// handshake error) and for the close of the peer's live link when the
// core's verdict says the peer is gone (cnx.Manager.Closed; the rule is
// cnx/liveness.go's). Not reported, because the peer is alive: a dial we
// hung up ourselves (our call: we have the smaller sid and asked to be
// called back), a link replaced by a newer connection, and the close of
// a live link that our call explains: ZooKeeper's tie-break makes the
// larger sid end its link to us and dial back, which at a simultaneous
// start closes the link it opened first a moment after our call. Taking
// that close as unreachable let a quorum without that sid decide at once
// for a worse leader. A close while our dial to the peer is in flight is
// judged by that dial's end.
type peerReachability struct {
	sid       int64
	reachable bool
}

// reportReachability tells the Election about sid. Reports about
// non-members cost the Election one map lookup; they are not filtered
// here so that the machine's view of who votes stays the only one.
func (c *cnxManager) reportReachability(ctx actor.Context, sid int64, reachable bool) {
	if sid == c.rt.cfg.ID {
		return
	}
	ctx.Send(c.rt.dir.election.get(), &peerReachability{sid: sid, reachable: reachable})
}

// reachability handles a peerReachability report.
func (e *election) reachability(ctx actor.Context, m *peerReachability) {
	if m.reachable {
		e.st.machine.PeerReachable(m.sid)
		return
	}
	before := e.st.machine.LogicalClock()
	out := e.st.machine.PeerUnreachable(m.sid)
	if out.Decision != nil {
		e.rt.log.Debug("peer unreachable completes the reachable fast path", "peer", m.sid)
	}
	e.apply(ctx, before, out)
}
