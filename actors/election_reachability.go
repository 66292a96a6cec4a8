package actors

import (
	"github.com/asynkron/protoactor-go/actor"
)

// peerReachability is the connection manager's report to the Election
// that a peer became unreachable (our dial to it failed, or its live
// connection closed) or reachable (a connection to it became its live
// link). The Election feeds it to fle.Machine.PeerUnreachable and
// PeerReachable, the input of the reachable fast path (fle/fastpath.go).
// A dial the peer hung up on (the tie-break: it calls us back) and a link
// replaced by a newer connection are not reported: the peer is alive.
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
