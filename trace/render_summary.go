package trace

import "time"

// The page header's figures: how long the election took and what each
// node exchanged.

// nodeCounts is one node's line in the header.
type nodeCounts struct {
	sid                                    int64
	sent, received, dropped, rounds, fired int
	decisions                              []*placed
	lastRole                               *placed
}

// summary is the header.
type summary struct {
	duration           time.Duration // first event to last decision or role change
	decided            bool          // whether any decision or role change is in the trace
	nodes              []nodeCounts
	matched, lost, odd int // arrows with both ends; sends never received; receives without a send
}

func summarize(d *diagram) summary {
	s := summary{duration: electionSpan(d.events)}
	idx := map[int64]int{}
	for i, sid := range d.sids {
		idx[sid] = i
		s.nodes = append(s.nodes, nodeCounts{sid: sid})
	}
	for _, p := range d.events {
		n := &s.nodes[idx[p.Sid]]
		switch p.Kind {
		case KindSend:
			n.sent++
		case KindRecv:
			n.received++
		case KindDrop:
			n.dropped++
		case KindRound:
			n.rounds++
		case KindFire:
			n.fired++
		case KindDecide:
			n.decisions = append(n.decisions, p)
			s.decided = true
		case KindRole:
			n.lastRole = p
			s.decided = true
		}
	}
	for _, a := range d.arrows {
		switch {
		case a.send != nil && a.recv != nil:
			s.matched++
		case a.send != nil:
			s.lost++
		default:
			s.odd++
		}
	}
	return s
}
