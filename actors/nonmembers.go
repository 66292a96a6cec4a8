package actors

import (
	"container/list"
	"log/slog"
	"net"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/messages"
)

// nonMemberTableSize bounds how many sids outside the configuration the
// connection manager keeps state for (send queue, last message, counters,
// live link). ZooKeeper keeps a send queue per sid that ever connected,
// forever: a spray of distinct sids then grows memory and, here, the
// metrics without bound. Election probes and observers missing from the
// configuration are few; 64 leaves room for them.
const nonMemberTableSize = 64

// sidTable is a least-recently-used set of sids with a fixed capacity.
type sidTable struct {
	max   int
	order *list.List // of int64, oldest at the front
	at    map[int64]*list.Element
}

func newSidTable(max int) *sidTable {
	return &sidTable{max: max, order: list.New(), at: map[int64]*list.Element{}}
}

// touch records a use of sid, inserting it if new. It reports whether sid
// is new and the table now holds more than max sids: the caller then
// prunes (see oldest) until it does not.
func (t *sidTable) touch(sid int64) (over bool) {
	if e, ok := t.at[sid]; ok {
		t.order.MoveToBack(e)
		return false
	}
	t.at[sid] = t.order.PushBack(sid)
	return t.order.Len() > t.max
}

// oldest returns the least recently used sid other than keep for which
// prefer holds, or else the least recently used one other than keep.
func (t *sidTable) oldest(keep int64, prefer func(int64) bool) (int64, bool) {
	var fallback *list.Element
	for e := t.order.Front(); e != nil; e = e.Next() {
		sid := e.Value.(int64)
		if sid == keep {
			continue
		}
		if fallback == nil {
			fallback = e
		}
		if prefer(sid) {
			return sid, true
		}
	}
	if fallback == nil {
		return 0, false
	}
	return fallback.Value.(int64), true
}

func (t *sidTable) remove(sid int64) {
	if e, ok := t.at[sid]; ok {
		t.order.Remove(e)
		delete(t.at, sid)
	}
}

func (t *sidTable) len() int { return t.order.Len() }

// isMember reports whether sid is in the committed or last-seen
// configuration (voter or observer), or is ourselves.
func (c *cnxManager) isMember(sid int64) bool {
	if sid == c.rt.cfg.ID {
		return true
	}
	_, ok := c.server(sid)
	return ok
}

// remember makes room for state about sid. A member always has room; a
// non-member takes a slot in the bounded table, and when the table is full
// the least recently used non-member is forgotten, preferring one without
// a live connection.
func (c *cnxManager) remember(ctx actor.Context, sid int64) {
	if c.isMember(sid) {
		return
	}
	for c.st.others.touch(sid) {
		old, ok := c.st.others.oldest(sid, func(s int64) bool { _, up := c.links[s]; return !up })
		if !ok {
			return
		}
		c.forget(ctx, old)
	}
}

// forget drops everything kept about a non-member sid, closing its
// connection if it has one. Its counters are added to the pruned totals so
// that the sum over non-members never goes backwards.
func (c *cnxManager) forget(ctx actor.Context, sid int64) {
	c.st.others.remove(sid)
	if st, ok := c.st.stats[sid]; ok {
		c.st.pruned.add(st)
	}
	delete(c.st.stats, sid)
	delete(c.st.pending, sid)
	delete(c.st.lastSent, sid)
	delete(c.st.known, sid)
	delete(c.ended, sid)
	if l, ok := c.links[sid]; ok {
		delete(c.links, sid)
		ctx.Stop(l.pid)
		c.rt.warnings().Warn("closing the oldest connection from a sid not in the configuration: table full",
			sourceIP(l.remote), "non-member-table-full", "peer", sid, "size", nonMemberTableSize)
		c.pushDelivered(ctx, c.haveDelivered())
	}
}

// add folds one peer's counters into a running total.
func (p *peerStats) add(o *peerStats) {
	p.sent += o.sent
	p.sendDropped += o.sendDropped
	p.connectAttempts += o.connectAttempts
	p.connectFailures += o.connectFailures
	p.received.Add(o.received.Load())
}

// logConn logs a connection event. Members' events are logged at INFO
// every time, as ZooKeeper does; a stranger's are rate-limited per source
// address, so that a spray of connections costs a few lines.
func (c *cnxManager) logConn(sid int64, remote, msg, reason string, args ...any) {
	if c.isMember(sid) {
		c.rt.log.Info(msg, append([]any{"peer", sid, "remote", remote}, args...)...)
		return
	}
	c.rt.warnings().Log(slog.LevelInfo, msg, sourceIP(remote), reason, append([]any{"peer", sid, "remote", remote}, args...)...)
}

// malformedClose reports whether a connection ended because the peer sent
// something that is not a valid frame or notification. The Peer logs
// those, rate-limited per source; the connection manager does not repeat
// them.
func malformedClose(r messages.CloseReason) bool {
	return r == messages.CloseReason_MALFORMED_NOTIFICATION || r == messages.CloseReason_BAD_FRAME_LENGTH
}

// sourceIP is the host part of a host:port address (the address itself if
// it has no port): rate-limited logs are keyed by the source's IP, not by
// its ephemeral port.
func sourceIP(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}
