package nodesim

import (
	"container/heap"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The control API drives one World by hand, for scripts and tests that tell
// a story ("kill the leader; partition {1,2} | {3,4,5}; heal") instead of
// drawing faults from a seed. Every fault set here lasts until it is undone
// (Heal, Restart, FailDisk(id, false)); nothing heals on a timer.

// ErrControl is wrapped by every refusal of the control API (a node that
// does not exist, a crash of a node that is down, a partition that names a
// node twice).
var ErrControl = errors.New("nodesim: control")

func controlErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrControl, fmt.Sprintf(format, args...))
}

// Now is the world's virtual time.
func (w *World) Now() time.Duration { return w.s.now }

// History is what the oracles judge, as observed so far.
func (w *World) History() History { return w.hist }

// Nodes lists the node ids in order.
func (w *World) Nodes() []int64 { return append([]int64(nil), w.ids...) }

// stepBudget bounds the events one control call may run, and queueBudget
// the events pending at once: a rule broken so that nodes answer each
// other for ever at the same instant, or multiply their messages, would
// otherwise hang the caller with the clock standing still. The scripts
// need at most a few thousand events per call and a queue of about a
// hundred.
const (
	stepBudget  = 1_000_000
	queueBudget = 100_000
)

// Err reports a driver failure: a production constructor refused the
// driver's input, or a control call ran out of its event budget (a runaway).
// After one, the world stops running events.
func (w *World) Err() error {
	if w.failed == "" {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrControl, w.failed)
}

// step runs the next event if it is due by end and reports whether it ran
// one. The clock moves to the event's time.
func (w *World) step(end time.Duration) bool {
	if w.failed != "" || w.s.q.Len() == 0 || w.s.q[0].at > end {
		return false
	}
	w.steps++
	if w.steps > stepBudget || w.s.q.Len() > queueBudget {
		w.fail("runaway: %d events run in one control call, %d pending", w.steps, w.s.q.Len())
		return false
	}
	e := heap.Pop(&w.s.q).(*event)
	w.s.now = e.at
	e.fn()
	return true
}

// RunFor runs every event of the next d of virtual time; the clock ends at
// now+d.
func (w *World) RunFor(d time.Duration) {
	w.steps = 0
	end := w.s.now + d
	for w.step(end) {
	}
	w.s.now = end
}

// RunUntil runs events until cond holds (it is checked before the first
// event and after every one) or limit of virtual time has passed, and
// reports whether cond held. On success the clock stays at the event that
// made cond true.
func (w *World) RunUntil(cond func() bool, limit time.Duration) bool {
	w.steps = 0
	end := w.s.now + limit
	for {
		if cond() {
			return true
		}
		if !w.step(end) {
			w.s.now = end
			return false
		}
	}
}

// Settlement is an ensemble at rest: one leader established in Epoch and
// every other node judged following it (observing it, for an observer) in
// that epoch.
type Settlement struct {
	// Leader is the leading node.
	Leader int64
	// Epoch is its established epoch.
	Epoch int64
	// Followers are the voters following it, in order.
	Followers []int64
	// Observers are the observers observing it, in order.
	Observers []int64
	// At is when the nodes first stood like this (the start of the quiet
	// period that Settle waited out).
	At time.Duration
}

// observer reports whether id is an observer (Config.Observers are the
// sids after the N voters).
func (w *World) observer(id int64) bool { return id > int64(w.cfg.N) }

// established returns a node's established role, its leader and epoch
// (Looking when it is up without an established session, Down when down;
// an observer's learner session is Observing).
func (w *World) established(id int64) (Role, int64, int64) {
	n := w.nodes[id]
	switch {
	case !n.up:
		return Down, 0, 0
	case n.sess == nil || !n.sess.est || n.sess.ended:
		return Looking, 0, 0
	case n.sess.leading:
		// An established session has both epoch files at its epoch.
		return Leading, id, n.epochs.Current()
	case w.observer(id):
		return Observing, n.sess.leader, n.epochs.Current()
	}
	return Following, n.sess.leader, n.epochs.Current()
}

// SettledAmong reports whether, right now, exactly one of ids leads and
// all the others follow it in its epoch, the observers among them
// observing it (nil ids: every node that is up).
func (w *World) SettledAmong(ids []int64) (Settlement, bool) {
	if ids == nil {
		for _, id := range w.ids {
			if w.nodes[id].up {
				ids = append(ids, id)
			}
		}
	}
	var st Settlement
	leaders := 0
	for _, id := range ids {
		if r, _, e := w.established(id); r == Leading {
			leaders++
			st.Leader, st.Epoch = id, e
		}
	}
	if leaders != 1 {
		return Settlement{}, false
	}
	for _, id := range ids {
		if id == st.Leader {
			continue
		}
		want := Following
		if w.observer(id) {
			want = Observing
		}
		r, l, e := w.established(id)
		if r != want || l != st.Leader || e != st.Epoch {
			return Settlement{}, false
		}
		if want == Observing {
			st.Observers = append(st.Observers, id)
		} else {
			st.Followers = append(st.Followers, id)
		}
	}
	return st, true
}

// Settle runs until ids (nil: every node that is up) are settled and have
// stayed settled, with no change of leader or epoch, for quiet; it gives
// up after limit. The clock ends at the end of the quiet period (or at
// limit).
func (w *World) Settle(ids []int64, quiet, limit time.Duration) (Settlement, bool) {
	w.steps = 0
	for _, id := range ids {
		if w.nodes[id] == nil {
			return Settlement{}, false
		}
	}
	end := w.s.now + limit
	var cur Settlement
	held := false
	for {
		st, ok := w.SettledAmong(ids)
		switch {
		case !ok:
			held = false
		case !held || st.Leader != cur.Leader || st.Epoch != cur.Epoch ||
			len(st.Followers) != len(cur.Followers) || len(st.Observers) != len(cur.Observers):
			held, cur = true, st
			cur.At = w.s.now
		}
		if held {
			done := cur.At + quiet
			if done <= end && (w.s.q.Len() == 0 || w.s.q[0].at > done) {
				w.s.now = done
				return cur, true
			}
		}
		if !w.step(end) {
			w.s.now = end
			return Settlement{}, false
		}
	}
}

// Leader returns the node established LEADING in the highest epoch among
// the nodes that are up (a leader cut off in a minority may still hold an
// older epoch until it notices).
func (w *World) Leader() (int64, bool) {
	best, bestEpoch := int64(0), int64(-1)
	for _, id := range w.ids {
		if r, _, e := w.established(id); r == Leading && e > bestEpoch {
			best, bestEpoch = id, e
		}
	}
	return best, bestEpoch >= 0
}

func (w *World) node(id int64) (*node, error) {
	n := w.nodes[id]
	if n == nil {
		return nil, controlErr("no node %d", id)
	}
	return n, nil
}

// Crash stops node id: it loses everything but its epoch files; its peers
// see its connections close.
func (w *World) Crash(id int64) error {
	n, err := w.node(id)
	if err != nil {
		return err
	}
	if !n.up {
		return controlErr("node %d is down", id)
	}
	n.crash()
	return nil
}

// Restart boots a crashed node over its surviving epoch files.
func (w *World) Restart(id int64) error {
	n, err := w.node(id)
	if err != nil {
		return err
	}
	if n.up {
		return controlErr("node %d is up", id)
	}
	n.boot()
	return nil
}

// Partition cuts every link between nodes of different sides, both ways,
// until Heal. Every node must be on exactly one side.
func (w *World) Partition(sides ...[]int64) error {
	side := map[int64]int{}
	for i, s := range sides {
		for _, id := range s {
			if _, err := w.node(id); err != nil {
				return err
			}
			if _, dup := side[id]; dup {
				return controlErr("node %d is on two sides", id)
			}
			side[id] = i
		}
	}
	if len(side) != len(w.ids) {
		return controlErr("a partition must place all %d nodes", len(w.ids))
	}
	var text []string
	for _, s := range sides {
		text = append(text, sids(s))
	}
	w.emit(Event{Kind: EventControl, Detail: "partition " + strings.Join(text, " | ")})
	for _, a := range w.ids {
		for _, b := range w.ids {
			if side[a] != side[b] {
				w.cutLink(a, b)
			}
		}
	}
	return nil
}

// Cut loses all traffic from one node to others (one way) until Heal. TCP
// cannot carry on with one direction lost: election connections between
// them reset, new ones cannot be made, and an open quorum connection
// stays up with the cut direction silent.
func (w *World) Cut(from int64, to ...int64) error {
	if _, err := w.node(from); err != nil {
		return err
	}
	for _, id := range to {
		if _, err := w.node(id); err != nil {
			return err
		}
		if id == from {
			return controlErr("cannot cut node %d from itself", id)
		}
	}
	w.emit(Event{Kind: EventControl, Detail: fmt.Sprintf("cut n%d -> %s", from, sids(to))})
	for _, id := range to {
		w.cutLink(from, id)
	}
	return nil
}

// cutLink loses traffic a -> b and resets the election connections
// between them.
func (w *World) cutLink(a, b int64) {
	w.blocked[[2]int64{a, b}] = true
	for _, id := range sortedConns(w) {
		if c, ok := w.econns[id]; ok && ((c.a == a && c.b == b) || (c.a == b && c.b == a)) {
			w.closeElec(id, -1, "partition")
		}
	}
}

// Heal restores every link (disks and crashed nodes are left as they are).
func (w *World) Heal() {
	w.emit(Event{Kind: EventControl, Detail: "heal"})
	w.blocked = map[[2]int64]bool{}
}

// FailDisk makes every epoch write of node id fail (fail) or succeed again.
func (w *World) FailDisk(id int64, fail bool) error {
	n, err := w.node(id)
	if err != nil {
		return err
	}
	if fail {
		w.emit(Event{Kind: EventControl, Detail: fmt.Sprintf("disk of n%d fails", id)})
		n.epochs.FailWrites(errDisk)
		return nil
	}
	w.emit(Event{Kind: EventControl, Detail: fmt.Sprintf("disk of n%d works", id)})
	n.epochs.FailWrites(nil)
	return nil
}

// SetFaultRates sets the share of election frames lost and duplicated and
// of messages delayed by 50-450 ms (reordering them), for every link; a
// lost quorum packet resets its connection (drop/4). Zero turns a fault
// off.
func (w *World) SetFaultRates(drop, dup, delay float64) error {
	for _, r := range []float64{drop, dup, delay} {
		if r < 0 || r > 1 {
			return controlErr("fault rate %v is not in [0, 1]", r)
		}
	}
	w.emit(Event{Kind: EventControl, Detail: fmt.Sprintf("faults: drop %v, dup %v, delay %v", drop, dup, delay)})
	w.drop, w.dup, w.delay = drop, dup, delay
	return nil
}

// NodeStatus is one node's state as a status command shows it.
type NodeStatus struct {
	// ID is the node's sid.
	ID int64
	// Role is its established role (Looking while electing or in
	// discovery, Down when crashed).
	Role Role
	// Leader and Epoch are set for Leading, Following and Observing.
	Leader, Epoch int64
	// Discovery, when not 0, is the leader of a session that has not
	// established yet.
	Discovery int64
	// Round is the election's logical clock (up nodes).
	Round int64
	// Accepted and Current are the epoch files.
	Accepted, Current int64
}

// Status lists every node's state, in id order.
func (w *World) Status() []NodeStatus {
	var out []NodeStatus
	for _, id := range w.ids {
		n := w.nodes[id]
		r, l, e := w.established(id)
		st := NodeStatus{ID: id, Role: r, Leader: l, Epoch: e, Accepted: n.epochs.Accepted(), Current: n.epochs.Current()}
		if n.up {
			st.Round = n.m.LogicalClock()
			if r == Looking && n.sess != nil && !n.sess.ended {
				st.Discovery = n.sess.leader
			}
		}
		out = append(out, st)
	}
	return out
}

func (s NodeStatus) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "n%d ", s.ID)
	switch s.Role {
	case Leading:
		fmt.Fprintf(&b, "LEADING epoch %d", s.Epoch)
	case Following, Observing:
		fmt.Fprintf(&b, "%v n%d epoch %d", s.Role, s.Leader, s.Epoch)
	case Looking:
		b.WriteString("LOOKING")
		if s.Discovery != 0 {
			fmt.Fprintf(&b, " (in discovery with n%d)", s.Discovery)
		}
	default:
		b.WriteString(s.Role.String())
	}
	if s.Role != Down {
		fmt.Fprintf(&b, ", round %d", s.Round)
	}
	fmt.Fprintf(&b, "; disk accepted %d, current %d", s.Accepted, s.Current)
	return b.String()
}
