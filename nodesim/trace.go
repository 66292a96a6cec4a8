package nodesim

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// EventKind names one kind of whole-node fact.
type EventKind int

const (
	// EventRole: a role change the oracles see (booted, established,
	// left a role, crashed): Role, Epoch, Leader.
	EventRole EventKind = iota + 1
	// EventDecided: the election machine decided: State, Leader, Round,
	// and Detail the fle.DecisionPath that decided.
	EventDecided
	// EventWrite: an epoch write reached the disk: File, Epoch.
	EventWrite
	// EventWriteFailed: an epoch write failed: File, Epoch, Detail.
	EventWriteFailed
	// EventEnded: a session ended: Leader (the session's leader), Reason,
	// Detail.
	EventEnded
	// EventControl: something a script or test did to the world (a
	// partition, a heal, a disk fault): Detail.
	EventControl
	// EventDisk: the QuorumPeer's disk-fault state changed (the rule of
	// quorumpeer/disk.go): Detail is "faulted" (the node stops standing
	// for leader) or "writable" (it stands again).
	EventDisk
)

// Event is one whole-node fact: what a reader of a run needs to follow it,
// without the notifications and packets underneath.
type Event struct {
	At     time.Duration
	Kind   EventKind
	Node   int64
	Role   Role
	State  string
	Epoch  int64
	Leader int64
	Round  int64
	File   string
	Reason string
	Detail string
}

// emit hands a fact to the observer, if any.
func (w *World) emit(e Event) {
	if w.observe == nil {
		return
	}
	e.At = w.s.now
	w.observe(e)
}

// Observe installs f to hear every whole-node fact from now on (nil stops
// it). One observer at a time.
func (w *World) Observe(f func(Event)) { w.observe = f }

// Trace renders a world's facts as lines a person can read and a golden
// file can hold: no timestamps (they move whenever election timing moves;
// the order of the facts is what the scripts assert), one line per fact.
type Trace struct {
	w     *World
	lines []string
	// last is each node's last role change, to say what a node left.
	last map[int64]Event
	// watch, when set, is told every line as it is written.
	watch func(string)
}

// NewTrace starts recording w's facts (it installs w's observer).
func NewTrace(w *World) *Trace {
	t := &Trace{w: w, last: map[int64]Event{}}
	w.Observe(t.add)
	return t
}

// Len is how many lines the trace holds (a mark for Since).
func (t *Trace) Len() int { return len(t.lines) }

// Since renders the lines after mark, one per line.
func (t *Trace) Since(mark int) string {
	if mark >= len(t.lines) {
		return ""
	}
	return strings.Join(t.lines[mark:], "\n") + "\n"
}

func (t *Trace) add(e Event) {
	line := t.describe(e)
	if line == "" {
		return
	}
	t.lines = append(t.lines, line)
	if t.watch != nil {
		t.watch(line)
	}
}

func (t *Trace) describe(e Event) string {
	w := t.w
	n := fmt.Sprintf("n%d", e.Node)
	switch e.Kind {
	case EventRole:
		prev, seen := t.last[e.Node]
		t.last[e.Node] = e
		switch e.Role {
		case Looking:
			if !seen || prev.Role == Down {
				st := w.nodes[e.Node].epochs
				verb := "starts"
				if seen {
					verb = "restarts"
				}
				return fmt.Sprintf("%s %s (disk: accepted %d, current %d)", n, verb, st.Accepted(), st.Current())
			}
			return fmt.Sprintf("%s LOOKING (left %s)", n, roleText(prev))
		case Leading:
			return fmt.Sprintf("%s LEADING epoch %d (quorum %s)", n, e.Epoch, sids(t.quorum(e.Node, e.Epoch)))
		case Following, Observing:
			return fmt.Sprintf("%s %v n%d epoch %d", n, e.Role, e.Leader, e.Epoch)
		case Down:
			if !seen {
				return n + " DOWN"
			}
			return fmt.Sprintf("%s DOWN (was %s)", n, roleText(prev))
		}
		return fmt.Sprintf("%s %v", n, e.Role)
	case EventDecided:
		// The path (Detail) says which rule decided: a fast path
		// (unanimity, reachable), the finalize window, or a leader's
		// notifications.
		if e.Leader == e.Node {
			return fmt.Sprintf("%s decides %s (round %d, %s)", n, e.State, e.Round, e.Detail)
		}
		return fmt.Sprintf("%s decides %s n%d (round %d, %s)", n, e.State, e.Leader, e.Round, e.Detail)
	case EventWrite:
		return fmt.Sprintf("%s writes %s %d", n, e.File, e.Epoch)
	case EventWriteFailed:
		return fmt.Sprintf("%s fails to write %s %d", n, e.File, e.Epoch)
	case EventEnded:
		kind := "learner"
		if e.Leader == e.Node {
			kind = "leader"
		}
		line := fmt.Sprintf("%s %s session ends: %s", n, kind, e.Reason)
		// The learner's refusal of a lower leader epoch is the one
		// detail a reader needs (which epochs); the others repeat the
		// reason or list timing-dependent sids.
		if e.Reason == "epoch behind" {
			line += " (" + e.Detail + ")"
		}
		return line
	case EventControl:
		return e.Detail
	case EventDisk:
		if e.Detail == "faulted" {
			return n + " cannot persist epochs: stops standing for leader"
		}
		return n + " can persist epochs again: stands for leader"
	}
	return fmt.Sprintf("%s event %d", n, e.Kind)
}

// quorum is the leader plus the learners whose NEWLEADER ack for epoch
// reached it so far: who the leader established with.
func (t *Trace) quorum(leader, epoch int64) []int64 {
	in := map[int64]bool{leader: true}
	for _, a := range t.w.hist.Acks {
		if a.Leader == leader && a.Epoch == epoch {
			in[a.Learner] = true
		}
	}
	var out []int64
	for id := range in {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func roleText(e Event) string {
	switch e.Role {
	case Leading:
		return fmt.Sprintf("LEADING epoch %d", e.Epoch)
	case Following, Observing:
		return fmt.Sprintf("%v n%d epoch %d", e.Role, e.Leader, e.Epoch)
	}
	return e.Role.String()
}

func sids(ids []int64) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "n%d", id)
	}
	return b.String()
}
