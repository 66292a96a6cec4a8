package sim

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/zk"
)

// NodeStatus is a snapshot of one node.
type NodeStatus struct {
	// Sid is the node.
	Sid int64
	// Up is false for a node that crashed or was never started.
	Up bool
	// Observer is true for a non-voting member.
	Observer bool
	// State, Round (logical clock) and Proposal come from the machine.
	State    zk.ServerState
	Round    int64
	Proposal fle.Vote
	// Decision is the node's standing decision, nil while Looking.
	Decision *fle.Decision
	// Finalizing is true while the finalize window is open.
	Finalizing bool
}

// Status returns a snapshot of one node.
func (c *Cluster) Status(sid int64) (NodeStatus, error) {
	n, err := c.get("status", sid)
	if err != nil {
		return NodeStatus{}, err
	}
	s := NodeStatus{Sid: sid, Up: n.up, Observer: n.Observer}
	if !n.up {
		return s, nil
	}
	s.State = n.m.State()
	s.Round = n.m.LogicalClock()
	s.Proposal = n.m.Proposal()
	if n.decision != nil {
		d := *n.decision
		s.Decision = &d
	}
	s.Finalizing = n.timers[fle.FinalizeTimer].armed
	return s, nil
}

// String renders the status on one line.
func (s NodeStatus) String() string {
	if !s.Up {
		return fmt.Sprintf("%d: down", s.Sid)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d: %s round=%d proposal=%s", s.Sid, s.State, s.Round, FormatVote(s.Proposal))
	if s.Finalizing {
		b.WriteString(" finalizing")
	}
	if s.Decision != nil {
		fmt.Fprintf(&b, " decision=(%s)", FormatDecision(*s.Decision))
	}
	return b.String()
}

// StatusAll renders every node's status, one line each.
func (c *Cluster) StatusAll() string {
	var b strings.Builder
	for _, n := range c.nodes {
		s, _ := c.Status(n.sid)
		b.WriteString(s.String())
		b.WriteByte('\n')
	}
	return b.String()
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// formatSides renders partition sides as "1 2 / 3".
func formatSides(sides [][]int64) string {
	parts := make([]string, len(sides))
	for i, s := range sides {
		ids := make([]string, len(s))
		for j, sid := range s {
			ids[j] = itoa(sid)
		}
		parts[i] = strings.Join(ids, " ")
	}
	return strings.Join(parts, " / ")
}
