package cnx

import (
	"container/list"

	"github.com/zkfle/zkfle/quorum"
)

// remember makes room for state about sid. A member always has room; a
// non-member takes a slot in the bounded table, and when the table is full
// the least recently used non-member is forgotten, preferring one without
// a live connection.
func (m *Manager[M]) remember(sid int64, out *Output[M]) {
	if m.IsMember(sid) {
		return
	}
	for m.others.touch(sid) {
		old, ok := m.others.oldest(sid, func(s int64) bool { _, up := m.links[s]; return !up })
		if !ok {
			return
		}
		m.forget(old, out)
	}
}

// forget drops everything kept about a non-member sid, ending its link if
// it has one.
func (m *Manager[M]) forget(sid int64, out *Output[M]) {
	m.others.remove(sid)
	delete(m.pending, sid)
	delete(m.lastSent, sid)
	delete(m.known, sid)
	out.Forgotten = append(out.Forgotten, sid)
	if l, ok := m.links[sid]; ok {
		delete(m.links, sid)
		out.Ends = append(out.Ends, End{Conn: l.conn, SID: sid, Reason: ReasonTableFull})
		m.noteDelivered(out)
	}
}

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

// electionPorts lists a server's election ports.
func electionPorts(s quorum.Server) []int {
	out := make([]int, 0, len(s.Addrs))
	for _, a := range s.Addrs {
		out = append(out, a.ElectionPort)
	}
	return out
}
