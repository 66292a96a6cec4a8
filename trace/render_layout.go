package trace

import (
	"slices"
	"sort"
	"time"
)

// Layout: which events go where on the diagram, and which send each
// receive answers. Pure computation, no drawing (render_svg.go draws).

// Geometry of the diagram, in SVG pixels.
const (
	gutterPX     = 78.0  // left margin for the ms offsets
	columnPX     = 250.0 // one lifeline's width
	legendRowPX  = 22.0  // one row of the legend band at the top
	legendItemPX = 165.0 // one legend item's width
	rightPX      = 130.0 // room for the last lifeline's labels
	headPX       = 30.0  // a lifeline's name box
	rowPX        = 16.0  // the least distance between two events
	gapMaxPX     = 90.0  // a longer gap is cut and labelled (a break)
	targetPX     = 700.0 // the election's span, when the scale is automatic
	minScale     = 0.05  // px per ms
	maxScale     = 40.0  // px per ms
	bottomPX     = 24.0
	selfLoopPX   = 28.0 // how far a notification to oneself loops out
)

// placed is one event with its merged time and its place on the diagram.
type placed struct {
	Event
	at  time.Duration // since the first event
	row float64       // y
	idx int           // index in diagram.events
}

// gapBreak is a cut in the time axis: more time passed than is drawn.
type gapBreak struct {
	y      float64 // where the cut is drawn
	missed time.Duration
}

// arrow is one notification: a send, its receive, or both.
type arrow struct {
	send, recv *placed // either may be nil, not both
	from, to   int64
	dropped    *placed // the election's drop of this notification, if any
}

// diagram is a laid-out trace.
type diagram struct {
	events []*placed // in merged time order
	sids   []int64   // ascending: one lifeline each
	col    map[int64]float64
	breaks []gapBreak
	arrows []arrow
	t0     time.Time
	scale  float64 // px per ms
	width  float64
	top    float64 // where the lifelines' name boxes start, below the legend
	height float64
}

// mergedTimes returns each event's time on a common axis: a trace's wall
// clock anchors it, its monotonic clock spaces its events exactly (wall
// time can step). A segment restarts when mono_ns goes back (a new Writer
// for the same sid, say after a process restart).
func mergedTimes(events []Event) []time.Time {
	out := make([]time.Time, len(events))
	type anchor struct {
		wall time.Time
		mono int64
		last int64
	}
	anchors := map[int64]*anchor{}
	for i, ev := range events {
		a := anchors[ev.Sid]
		if a == nil || ev.MonoNS < a.last {
			a = &anchor{wall: ev.Time, mono: ev.MonoNS}
			anchors[ev.Sid] = a
		}
		a.last = ev.MonoNS
		out[i] = a.wall.Add(time.Duration(ev.MonoNS - a.mono))
	}
	return out
}

// layout orders the events, assigns rows and lifelines, and pairs sends
// with receives. events must be Checked and not empty.
func layout(events []Event, pxPerMS float64) *diagram {
	times := mergedTimes(events)
	order := make([]int, len(events))
	for i := range order {
		order[i] = i
	}
	// Stable: events at one instant keep their trace order.
	sort.SliceStable(order, func(a, b int) bool { return times[order[a]].Before(times[order[b]]) })

	d := &diagram{col: map[int64]float64{}, t0: times[order[0]]}
	for _, i := range order {
		d.events = append(d.events, &placed{Event: events[i], at: times[i].Sub(d.t0), idx: len(d.events)})
		if !slices.Contains(d.sids, events[i].Sid) {
			d.sids = append(d.sids, events[i].Sid)
		}
		if p := events[i].Peer; p > 0 && !slices.Contains(d.sids, p) && isMessage(events[i].Kind) {
			d.sids = append(d.sids, p) // a peer that left no trace still gets a lifeline
		}
	}
	slices.Sort(d.sids)
	for i, sid := range d.sids {
		d.col[sid] = gutterPX + columnPX*(float64(i)+0.5)
	}
	d.width = gutterPX + columnPX*float64(len(d.sids)) + rightPX
	d.top = 16 + legendRowPX*float64(legendRows(d.width))
	d.scale = pxPerMS
	if d.scale <= 0 {
		d.scale = autoScale(electionSpan(d.events))
	}
	y := d.top + headPX + rowPX
	for i, p := range d.events {
		if i > 0 {
			gap := ms(p.at-d.events[i-1].at) * d.scale
			if gap > gapMaxPX {
				d.breaks = append(d.breaks, gapBreak{y: y + rowPX/2 + gapMaxPX/2, missed: p.at - d.events[i-1].at})
				gap = gapMaxPX
			}
			y += rowPX + gap
		}
		p.row = y
	}
	d.height = y + bottomPX
	d.arrows = match(d.events)
	return d
}

// legendRows is how many rows the legend needs in width.
func legendRows(width float64) int {
	perRow := max(1, int((width-10)/legendItemPX))
	return (len(legendItems) + perRow - 1) / perRow
}

func isMessage(kind string) bool { return kind == KindSend || kind == KindRecv || kind == KindDrop }

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// autoScale fits span into about targetPX, within sane bounds.
func autoScale(span time.Duration) float64 {
	if span <= 0 {
		return maxScale
	}
	return min(max(targetPX/ms(span), minScale), maxScale)
}

// electionSpan is from the first event to the last decision or role
// change (to the last event when there is none).
func electionSpan(events []*placed) time.Duration {
	end := events[len(events)-1].at
	for i := len(events) - 1; i >= 0; i-- {
		if k := events[i].Kind; k == KindDecide || k == KindRole {
			return events[i].at
		}
	}
	return end
}

// sameVote reports whether a send and a receive carry the same notification.
func sameVote(s, r Event) bool {
	return s.State == r.State && s.Leader == r.Leader && s.Zxid == r.Zxid && s.Round == r.Round && s.Epoch == r.Epoch
}

// match pairs every receive with the nearest earlier unpaired send from
// its sender to its receiver carrying the same vote (the connection
// manager drops the oldest queued notification, so the newest is the
// likeliest to arrive). A receive with no such send and a send never
// received become arrows with one end. A drop marks the latest receive
// from its peer at its node: the election discards what it just got.
func match(events []*placed) []arrow {
	type link struct{ from, to int64 }
	pending := map[link][]*placed{} // unpaired sends, oldest first
	var arrows []arrow
	lastRecv := map[link]int{} // index in arrows of the latest receive
	for _, p := range events {
		switch p.Kind {
		case KindSend:
			l := link{p.Sid, p.Peer}
			pending[l] = append(pending[l], p)
		case KindRecv:
			l := link{p.Peer, p.Sid}
			a := arrow{recv: p, from: p.Peer, to: p.Sid}
			q := pending[l]
			for j := len(q) - 1; j >= 0; j-- {
				if sameVote(q[j].Event, p.Event) {
					a.send = q[j]
					pending[l] = slices.Delete(q, j, j+1)
					break
				}
			}
			lastRecv[l] = len(arrows)
			arrows = append(arrows, a)
		case KindDrop:
			if j, ok := lastRecv[link{p.Peer, p.Sid}]; ok && arrows[j].dropped == nil {
				arrows[j].dropped = p
			}
		}
	}
	for _, q := range pending {
		for _, s := range q {
			arrows = append(arrows, arrow{send: s, from: s.Sid, to: s.Peer})
		}
	}
	// Draw in time order of the arrow's first end, for a stable output.
	slices.SortStableFunc(arrows, func(a, b arrow) int { return a.first().idx - b.first().idx })
	return arrows
}

// first is the arrow's earlier end.
func (a arrow) first() *placed {
	if a.send != nil {
		return a.send
	}
	return a.recv
}
