package trace

import (
	"fmt"
	"html"
	"io"
	"strings"
	"time"
)

// RenderOptions tune Render. The zero value is fine.
type RenderOptions struct {
	// Title heads the page ("zkfle election trace" when empty).
	Title string
	// PxPerMS is the vertical scale in pixels per millisecond; 0 fits the
	// election (first event to last decision or role change) in about
	// 700 pixels. Gaps longer than 90 pixels are cut, and the cut says
	// how much time it hides.
	PxPerMS float64
}

// Render writes one self-contained HTML page (inline CSS and SVG, no
// script, no external asset) with a sequence diagram of events, which may
// come from the traces of several nodes: one lifeline per sid, time
// flowing down, each notification an arrow from its send to its receive,
// and markers for timers, rounds, decisions, role changes and drops.
// events must not be empty and every event must pass Check; the error
// wraps ErrBadTrace and names the event.
func Render(w io.Writer, events []Event, opts RenderOptions) error {
	if len(events) == 0 {
		return fmt.Errorf("%w: no events to render", ErrBadTrace)
	}
	for i, ev := range events {
		if p := problem(ev); p != "" {
			return fmt.Errorf("%w: event %d: %s", ErrBadTrace, i, p)
		}
	}
	if opts.PxPerMS < 0 {
		return fmt.Errorf("%w: PxPerMS %v is negative", ErrBadTrace, opts.PxPerMS)
	}
	if opts.Title == "" {
		opts.Title = "zkfle election trace"
	}
	d := layout(events, opts.PxPerMS)
	p := &pen{w: w}
	writePage(p, d, summarize(d), opts.Title)
	return p.err
}

// pen writes formatted output and keeps the first error, so drawing code
// need not check each write.
type pen struct {
	w   io.Writer
	err error
}

func (p *pen) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

// esc escapes text for HTML and SVG, in content and in quoted attributes.
func esc(s string) string { return html.EscapeString(s) }

// pageStyle is the page's CSS; the diagram's classes are styled here.
const pageStyle = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; margin: 0 0 .3em; }
table { border-collapse: collapse; margin: .6em 0 1em; }
th, td { border: 1px solid #ccc; padding: 2px 8px; text-align: right; }
th { background: #f3f3f3; }
td.l, th.l { text-align: left; }
.note { color: #555; font-size: .9em; }
svg text { font: 10px ui-monospace, monospace; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
svg .head text { font-weight: bold; font-size: 12px; stroke: none; }
.lifeline { stroke: #999; stroke-dasharray: 4 3; }
.offset { fill: #666; }
.msg line, .msg path { fill: none; stroke-width: 1.3; }
.msg.matched line, .msg.matched path { stroke: #2563eb; }
.msg.matched.leading line, .msg.matched.leading path, .msg.matched.following line, .msg.matched.following path { stroke: #0d9488; }
.msg.unsent line { stroke: #d97706; stroke-dasharray: 6 3; }
.msg.lost line { stroke: #9ca3af; stroke-dasharray: 3 3; }
.msg.dropped line, .msg.dropped path { stroke: #dc2626; stroke-dasharray: 2 2; }
.msg text { fill: #1e3a8a; }
.mark text { fill: #333; }
.timer circle { fill: #fff; stroke: #6b7280; }
.fire circle { fill: #f59e0b; stroke: #b45309; }
.round path { fill: #a855f7; stroke: #6b21a8; }
.decide rect { fill: #16a34a; stroke: #14532d; }
.role path { fill: #0f766e; stroke: #134e4a; }
.drop path { stroke: #dc2626; stroke-width: 2; }
.lost path { stroke: #6b7280; stroke-width: 1.5; }
.break line { stroke: #bbb; stroke-dasharray: 1 4; }
.break text { fill: #888; }
`

func writePage(p *pen, d *diagram, s summary, title string) {
	p.printf("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>%s</title>\n<style>%s</style>\n</head>\n<body>\n",
		esc(title), pageStyle)
	p.printf("<h1>%s</h1>\n", esc(title))
	writeHeader(p, d, s)
	writeSVG(p, d)
	p.printf("</body>\n</html>\n")
}

func writeHeader(p *pen, d *diagram, s summary) {
	what := "first event to last decision or role change"
	if !s.decided {
		what = "first to last event: nothing was decided"
	}
	p.printf("<p>Election: <b>%s</b> (%s), starting %s. %d notifications delivered, %d sent and never received, %d received without a recorded send.</p>\n",
		esc(fmtMS(s.duration)), esc(what), esc(d.t0.UTC().Format("2006-01-02 15:04:05.000000 MST")), s.matched, s.lost, s.odd)
	p.printf("<table>\n<tr><th>server</th><th>sent</th><th>received</th><th>dropped</th><th>rounds</th><th>timers fired</th><th class=\"l\">decisions</th><th class=\"l\">last role</th></tr>\n")
	for _, n := range s.nodes {
		var dec []string
		for _, e := range n.decisions {
			dec = append(dec, fmt.Sprintf("%s at %s", vote(e.Event), fmtMS(e.at)))
		}
		role := "-"
		if r := n.lastRole; r != nil {
			role = fmt.Sprintf("%s epoch %d at %s", r.State, r.Epoch, fmtMS(r.at))
		}
		p.printf("<tr><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td class=\"l\">%s</td><td class=\"l\">%s</td></tr>\n",
			n.sid, n.sent, n.received, n.dropped, n.rounds, n.fired, esc(orDash(strings.Join(dec, "; "))), esc(role))
	}
	p.printf("</table>\n<p class=\"note\">Times are milliseconds since the first event; traces merge on wall-clock time, each spaced by its monotonic clock. " +
		"Votes read state→leader, round, peer epoch, zxid (when not 0): L LOOKING, F FOLLOWING, LD LEADING, O OBSERVING. " +
		"Hover an arrow or a marker for every field.</p>\n")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func fmtMS(d time.Duration) string { return fmt.Sprintf("%.3f ms", ms(d)) }

// stateAbbrev shortens a server state for labels.
func stateAbbrev(state string) string {
	switch state {
	case "LOOKING":
		return "L"
	case "FOLLOWING":
		return "F"
	case "LEADING":
		return "LD"
	case "OBSERVING":
		return "O"
	}
	return state
}

// vote is an event's vote, compact: "L→3 r1 e0", with the zxid when set.
func vote(ev Event) string {
	s := fmt.Sprintf("%s→%d r%d e%d", stateAbbrev(ev.State), ev.Leader, ev.Round, ev.Epoch)
	if ev.Zxid != 0 {
		s += " z" + ev.Zxid.String()
	}
	return s
}
