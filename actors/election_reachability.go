package actors

import (
	"slices"

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
		delete(e.st.down, m.sid)
		e.st.machine.PeerReachable(m.sid)
		return
	}
	e.st.down[m.sid] = struct{}{}
	before := e.st.machine.LogicalClock()
	out := e.st.machine.PeerUnreachable(m.sid)
	if out.Decision != nil {
		e.rt.log.Debug("peer unreachable completes the reachable fast path", "peer", m.sid)
	}
	e.apply(ctx, before, out)
}

// reportDown re-reports, right after the machine's Start, every peer whose
// link is down now: its last report said unreachable and no connection
// has become its live link since. The machine forgets its facts at each
// Start (they must come from this election), but the report that ends a
// role usually arrives just before it: a kill -9 leader's connection
// closes, the Follower's session ends on the same close, and the close's
// report reaches the Election before the StartLooking does, so the
// reachable fast path then waited for the next redial to be refused
// (200 ms and more). That the link is down at Start is a fact of this
// election. A peer that comes back is dialled by the round's first
// notifications and reported reachable by the connection manager (or
// shows itself by a notification), which ends the fact as usual; if that
// happens only after a quorum decided, the outcome is one ZooKeeper has
// when its vote arrives after the window, which fle/fastpath.go argues
// safe.
func (e *election) reportDown(ctx actor.Context) {
	if len(e.st.down) == 0 || !e.st.machine.FastPaths() {
		return
	}
	sids := make([]int64, 0, len(e.st.down))
	for sid := range e.st.down {
		sids = append(sids, sid)
	}
	slices.Sort(sids)
	for _, sid := range sids {
		before := e.st.machine.LogicalClock()
		e.apply(ctx, before, e.st.machine.PeerUnreachable(sid))
	}
}
