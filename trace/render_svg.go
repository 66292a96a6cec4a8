package trace

import (
	"fmt"
	"strings"
)

// The sequence diagram as inline SVG. Every drawn thing is a group with a
// class naming what it is (lifeline, msg, mark <kind>, break) and a
// <title>, which browsers show on hover, with every field.

// arrowHeads are the arrowhead markers, one per arrow colour (SVG 1.1
// markers cannot take the line's colour).
var arrowHeads = []struct{ id, color string }{
	{"ah-looking", "#2563eb"}, {"ah-decided", "#0d9488"}, {"ah-dropped", "#dc2626"},
	{"ah-unsent", "#d97706"}, {"ah-lost", "#9ca3af"},
}

func writeSVG(p *pen, d *diagram) {
	width := d.width
	p.printf("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n",
		width, d.height, width, d.height)
	p.printf("<defs>\n")
	for _, h := range arrowHeads {
		p.printf("<marker id=\"%s\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"%s\"/></marker>\n",
			h.id, h.color)
	}
	p.printf("</defs>\n")
	writeLegend(p, d)
	writeLifelines(p, d)
	for _, b := range d.breaks {
		p.printf("<g class=\"break\"><title>%s not drawn to scale</title><line x1=\"0\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\"/><text x=\"4\" y=\"%.1f\">+%s</text></g>\n",
			esc(fmtMS(b.missed)), b.y, width, b.y, b.y-3, esc(fmtMS(b.missed)))
	}
	for _, e := range d.events {
		p.printf("<text class=\"offset\" x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%.3f</text>\n", gutterPX-6, e.row+3, ms(e.at))
	}
	for _, a := range d.arrows {
		writeArrow(p, d, a)
	}
	for _, e := range d.events {
		if !isMessage(e.Kind) || e.Kind == KindDrop {
			writeMark(p, d, e)
		}
	}
	p.printf("</svg>\n")
}

// legendItems are drawn in the legend band, two rows.
var legendItems = []struct{ class, text string }{
	{"msg matched", "vote while LOOKING"}, {"msg matched leading", "vote once decided"},
	{"msg dropped", "dropped by election"}, {"msg unsent", "send not in trace"},
	{"msg lost", "never received"},
	{"timer", "timer armed"}, {"fire", "timer fired"}, {"round", "new round"},
	{"decide", "decision"}, {"role", "role change"}, {"drop", "drop"},
}

func writeLegend(p *pen, d *diagram) {
	p.printf("<g class=\"legend\">\n")
	perRow := (len(legendItems) + legendRows(d.width) - 1) / legendRows(d.width)
	for i, it := range legendItems {
		x, y := 10+float64(i%perRow)*legendItemPX, 18+float64(i/perRow)*legendRowPX
		p.printf("<g class=\"%s\">", it.class)
		if strings.HasPrefix(it.class, "msg") {
			p.printf("<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" marker-end=\"url(#%s)\"/>", x, y, x+30, y, headOf(it.class))
		} else {
			glyph(p, it.class, x+15, y)
		}
		p.printf("</g><text x=\"%.0f\" y=\"%.0f\">%s</text>\n", x+38, y+3, esc(it.text))
	}
	p.printf("</g>\n")
}

// headOf picks the arrowhead for an arrow's classes.
func headOf(class string) string {
	switch {
	case strings.Contains(class, "dropped"):
		return "ah-dropped"
	case strings.Contains(class, "unsent"):
		return "ah-unsent"
	case strings.Contains(class, "lost"):
		return "ah-lost"
	case strings.Contains(class, "leading"), strings.Contains(class, "following"), strings.Contains(class, "observing"):
		return "ah-decided"
	}
	return "ah-looking"
}

func writeLifelines(p *pen, d *diagram) {
	for _, sid := range d.sids {
		x := d.col[sid]
		p.printf("<g class=\"head\"><rect x=\"%.0f\" y=\"%.0f\" width=\"90\" height=\"%.0f\" rx=\"4\" fill=\"#eef2ff\" stroke=\"#6366f1\"/><text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">server %d</text></g>\n",
			x-45, d.top, headPX-6, x, d.top+headPX/2+1, sid)
		p.printf("<line class=\"lifeline\" data-sid=\"%d\" x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\"/>\n",
			sid, x, d.top+headPX-6, x, d.height-bottomPX/2)
	}
}

// writeArrow draws one notification. A send and its receive join; a
// receive whose send is not in the trace comes straight across at the
// receive time; a send never received stops short with a cross.
func writeArrow(p *pen, d *diagram, a arrow) {
	x1, x2 := d.col[a.from], d.col[a.to]
	ev := a.first().Event
	class := "msg matched " + strings.ToLower(ev.State)
	switch {
	case a.send == nil:
		class = "msg unsent"
	case a.recv == nil:
		class = "msg lost"
	}
	if a.dropped != nil {
		class += " dropped"
	}
	p.printf("<g class=\"%s\" data-from=\"%d\" data-to=\"%d\"><title>%s</title>", class, a.from, a.to, esc(arrowTitle(a)))
	head := headOf(class)
	switch {
	case a.send != nil && a.recv != nil:
		y1, y2 := a.send.row, a.recv.row
		if a.from == a.to {
			p.printf("<path d=\"M%.0f,%.1f C%.0f,%.1f %.0f,%.1f %.0f,%.1f\" marker-end=\"url(#%s)\"/>",
				x1, y1, x1+selfLoopPX, y1, x1+selfLoopPX, y2, x1+2, y2, head)
		} else {
			p.printf("<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" marker-end=\"url(#%s)\"/>", x1, y1, x2, y2, head)
		}
		label(p, x1, x2, y1, vote(ev))
	case a.send == nil:
		y := a.recv.row
		if a.from == a.to {
			p.printf("<path d=\"M%.0f,%.1f C%.0f,%.1f %.0f,%.1f %.0f,%.1f\" marker-end=\"url(#%s)\"/>",
				x1, y-10, x1+selfLoopPX, y-10, x1+selfLoopPX, y, x1+2, y, head)
		} else {
			p.printf("<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" marker-end=\"url(#%s)\"/>", x1, y, x2, y, head)
		}
		p.printf("<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>", (x1+x2)/2+selfIf(a, selfLoopPX), y-3, esc(vote(ev)+" (no send)"))
	default:
		y := a.send.row
		end := x1 + (x2-x1)*0.35
		if a.from == a.to {
			end = x1 + selfLoopPX
		}
		p.printf("<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\"/>", x1, y, end, y+6)
		p.printf("<path d=\"M%.0f,%.1f l8,8 m0,-8 l-8,8\"/>", end-4, y+2)
		label(p, x1, x2, y, vote(ev)+" (lost)")
	}
	p.printf("</g>\n")
}

// selfIf is v for a notification to oneself, else 0.
func selfIf(a arrow, v float64) float64 {
	if a.from == a.to {
		return v
	}
	return 0
}

// label writes an arrow's vote beside its sending end, on the side it
// leaves towards.
func label(p *pen, x1, x2, y float64, text string) {
	switch {
	case x2 > x1:
		p.printf("<text x=\"%.0f\" y=\"%.1f\">%s</text>", x1+6, y-3, esc(text))
	case x2 < x1:
		p.printf("<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%s</text>", x1-6, y-3, esc(text))
	default:
		p.printf("<text x=\"%.0f\" y=\"%.1f\">%s</text>", x1+selfLoopPX+4, y-3, esc(text))
	}
}

func arrowTitle(a arrow) string {
	ev := a.first().Event
	s := fmt.Sprintf("%d → %d: %s, leader %d, zxid %s, round %d, peer epoch %d", a.from, a.to, ev.State,
		ev.Leader, ev.Zxid, ev.Round, ev.Epoch)
	switch {
	case a.send != nil && a.recv != nil:
		s += fmt.Sprintf("; sent at %s, received at %s (%s later)", fmtMS(a.send.at), fmtMS(a.recv.at), fmtMS(a.recv.at-a.send.at))
	case a.send != nil:
		s += fmt.Sprintf("; sent at %s, never received", fmtMS(a.send.at))
	default:
		s += fmt.Sprintf("; received at %s, its send is not in the trace", fmtMS(a.recv.at))
	}
	if a.dropped != nil {
		s += "; dropped: " + a.dropped.Detail
	}
	return s
}

// writeMark draws a timer, fire, round, decide, role or drop marker on
// its node's lifeline, with a short label to the right.
func writeMark(p *pen, d *diagram, e *placed) {
	x := d.col[e.Sid]
	text, title := markText(e.Event)
	p.printf("<g class=\"mark %s\" data-sid=\"%d\"><title>server %d at %s: %s</title>", e.Kind, e.Sid, e.Sid, esc(fmtMS(e.at)), esc(title))
	glyph(p, e.Kind, x, e.row)
	p.printf("<text x=\"%.0f\" y=\"%.1f\">%s</text></g>\n", x+9, e.row+3, esc(text))
}

// markText is a marker's label and its full description.
func markText(ev Event) (label, title string) {
	full := fmt.Sprintf("%s, leader %d, zxid %s, round %d, peer epoch %d", ev.State, ev.Leader, ev.Zxid, ev.Round, ev.Epoch)
	switch ev.Kind {
	case KindTimer:
		return fmt.Sprintf("%s %g ms", ev.Timer, ev.AfterMS), fmt.Sprintf("armed the %s timer for %g ms", ev.Timer, ev.AfterMS)
	case KindFire:
		return "fired " + ev.Timer, "the " + ev.Timer + " timer fired"
	case KindRound:
		return "round " + vote(ev), "new round: " + full
	case KindDecide:
		return "decide " + vote(ev), "decided: " + full
	case KindRole:
		return fmt.Sprintf("%s e%d %s", ev.State, ev.Epoch, ev.Detail), "role: " + full + " (" + ev.Detail + ")"
	case KindDrop:
		return fmt.Sprintf("drop from %d: %s", ev.Peer, ev.Detail), fmt.Sprintf("dropped a notification from %d: %s", ev.Peer, ev.Detail)
	}
	return ev.Kind, ev.Kind
}

// glyph draws a marker's shape centred at x, y.
func glyph(p *pen, kind string, x, y float64) {
	switch kind {
	case KindTimer:
		p.printf("<circle cx=\"%.0f\" cy=\"%.1f\" r=\"4\"/>", x, y)
	case KindFire:
		p.printf("<circle cx=\"%.0f\" cy=\"%.1f\" r=\"4.5\"/>", x, y)
	case KindRound:
		p.printf("<path d=\"M%.0f,%.1f l6,6 l-6,6 l-6,-6 z\"/>", x, y-6)
	case KindDecide:
		p.printf("<rect x=\"%.0f\" y=\"%.1f\" width=\"10\" height=\"10\"/>", x-5, y-5)
	case KindRole:
		p.printf("<path d=\"M%.0f,%.1f l0,12 m0,-12 l9,3 l-9,3 z\"/>", x, y-6)
	case KindDrop:
		p.printf("<path d=\"M%.0f,%.1f l8,8 m0,-8 l-8,8\"/>", x-4, y-4)
	}
}
