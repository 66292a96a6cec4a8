package trace

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// element is one start tag of the rendered page.
type element struct {
	name  string
	attrs map[string]string
}

func (e element) classes() []string { return strings.Fields(e.attrs["class"]) }

func (e element) hasClass(c string) bool {
	for _, x := range e.classes() {
		if x == c {
			return true
		}
	}
	return false
}

// parsePage checks the page is well-formed XML (strict: every tag closed,
// every entity known) and returns its start tags in order.
func parsePage(t *testing.T, page []byte) []element {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(page))
	dec.Strict = true
	var out []element
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "the page is well-formed")
		if se, ok := tok.(xml.StartElement); ok {
			e := element{name: se.Name.Local, attrs: map[string]string{}}
			for _, a := range se.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			out = append(out, e)
		}
	}
	return out
}

// arrowsOf returns the diagram's notification arrows (not the legend's
// samples, which carry no data-from).
func arrowsOf(els []element) []element {
	var out []element
	for _, e := range els {
		if e.name == "g" && e.hasClass("msg") && e.attrs["data-from"] != "" {
			out = append(out, e)
		}
	}
	return out
}

func countClass(els []element, class string) int {
	n := 0
	for _, e := range els {
		if e.hasClass(class) {
			n++
		}
	}
	return n
}

func readDemoTrace(t *testing.T) []Event {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "demo-3", "trace-*.jsonl"))
	require.NoError(t, err)
	require.Len(t, paths, 3)
	var all []Event
	for _, p := range paths {
		f, err := os.Open(p)
		require.NoError(t, err)
		events, err := ReadChecked(f)
		require.NoError(t, f.Close())
		require.NoError(t, err, p)
		all = append(all, events...)
	}
	return all
}

// The recorded trace of `node demo -n 3 -once -failover 500ms --trace`
// (three nodes elect 3, 3 is killed, 1 and 2 elect 2, 3 rejoins) renders
// to a well-formed page with a lifeline per server, an arrow per delivered
// notification, a marker per decision and role change, and the header's
// duration and counts.
func TestRenderRecordedDemoTrace(t *testing.T) {
	events := readDemoTrace(t)
	var buf bytes.Buffer
	require.NoError(t, Render(&buf, events, RenderOptions{Title: "demo <3 nodes>"}))
	els := parsePage(t, buf.Bytes())

	var lifelines []string
	for _, e := range els {
		if e.hasClass("lifeline") {
			lifelines = append(lifelines, e.attrs["data-sid"])
		}
	}
	assert.Equal(t, []string{"1", "2", "3"}, lifelines)

	count := map[string]int{}
	sentBy, recvBy := map[string]int{}, map[string]int{}
	var start, end time.Time
	for _, ev := range events {
		count[ev.Kind]++
		sid := strconv.FormatInt(ev.Sid, 10)
		switch ev.Kind {
		case KindSend:
			sentBy[sid]++
		case KindRecv:
			recvBy[sid]++
		case KindDecide, KindRole:
			if ev.Time.After(end) {
				end = ev.Time
			}
		}
		if start.IsZero() || ev.Time.Before(start) {
			start = ev.Time
		}
	}
	require.Positive(t, count[KindRecv])
	arrows := arrowsOf(els)
	delivered, lost := 0, 0
	for _, a := range arrows {
		switch {
		case a.hasClass("matched"):
			delivered++
		case a.hasClass("lost"):
			lost++
		}
		assert.False(t, a.hasClass("unsent"), "one machine, every send is in the trace: %v", a.attrs)
	}
	assert.Equal(t, count[KindRecv], delivered, "every receive joins its send")
	assert.Equal(t, count[KindSend]-count[KindRecv], lost, "the rest were sent and never received")
	assert.Equal(t, count[KindDrop], countClass(arrows, "dropped"), "each drop marks the notification it dropped")

	marks := map[string]int{}
	for _, e := range els {
		if e.name == "g" && e.hasClass("mark") {
			marks[e.classes()[1]]++
		}
	}
	for _, kind := range []string{KindDecide, KindRole, KindRound, KindTimer, KindFire, KindDrop} {
		assert.Equal(t, count[kind], marks[kind], "%s markers", kind)
	}
	assert.Equal(t, 6, marks[KindDecide], "two elections, three deciders each")

	page := buf.String()
	assert.Contains(t, page, "<title>demo &lt;3 nodes&gt;</title>")
	m := regexp.MustCompile(`Election: <b>([0-9.]+) ms</b>`).FindStringSubmatch(page)
	require.NotNil(t, m, "the header gives the election's duration")
	got, err := strconv.ParseFloat(m[1], 64)
	require.NoError(t, err)
	assert.InDelta(t, float64(end.Sub(start).Microseconds())/1000, got, 1.0, "first event to last decision or role")
	for sid := range sentBy {
		row := regexp.MustCompile(`<tr><td>` + sid + `</td><td>(\d+)</td><td>(\d+)</td>`).FindStringSubmatch(page)
		require.NotNil(t, row, "a header row for server %s", sid)
		assert.Equal(t, strconv.Itoa(sentBy[sid]), row[1], "sent by %s", sid)
		assert.Equal(t, strconv.Itoa(recvBy[sid]), row[2], "received by %s", sid)
	}
	assert.NotContains(t, page, "<script", "no script needed")
	assert.NotRegexp(t, `(src|href)="http`, page, "no external asset")
}

// at builds an event at ms milliseconds after a fixed instant, with the
// monotonic clock agreeing.
func at(ms float64, ev Event) Event {
	base := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	d := time.Duration(ms * float64(time.Millisecond))
	ev.Time, ev.MonoNS = base.Add(d), int64(d)
	return ev
}

// A receive joins the nearest earlier unpaired send of the same vote on
// the same link; a receive with no such send is drawn on its own, as is a
// send nobody received; a drop marks the receive it discarded.
func TestMatchPairsReceivesWithSends(t *testing.T) {
	vote3 := Event{State: "LOOKING", Leader: 3, Round: 1}
	with := func(ev Event, sid, peer int64, kind string) Event {
		ev.Sid, ev.Peer, ev.Kind = sid, peer, kind
		return ev
	}
	other := vote3
	other.Leader = 2
	events := []Event{
		at(0, with(vote3, 1, 2, KindSend)), // older duplicate: never received
		at(1, with(vote3, 1, 2, KindSend)), // the one received at 2
		at(2, with(vote3, 2, 1, KindRecv)),
		at(3, with(other, 2, 1, KindRecv)), // no send of this vote: unsent
		at(4, with(vote3, 1, 1, KindSend)), // to oneself
		at(5, with(vote3, 1, 1, KindRecv)),
		at(6, with(vote3, 3, 2, KindRecv)), // its send comes later: not joined
		at(7, with(vote3, 2, 3, KindSend)),
		at(8, Event{Sid: 2, Kind: KindDrop, Peer: 1, Detail: "not better during finalize"}),
	}
	d := layout(events, 0)
	require.Len(t, d.arrows, 6)
	type shape struct {
		from, to        int64
		sendMS, recvMS  float64 // -1: no such end
		dropped, unsent bool
	}
	end := func(p *placed) float64 {
		if p == nil {
			return -1
		}
		return ms(p.at)
	}
	var got []shape
	for _, a := range d.arrows {
		got = append(got, shape{a.from, a.to, end(a.send), end(a.recv), a.dropped != nil, a.send == nil})
	}
	assert.Equal(t, []shape{
		{1, 2, 0, -1, false, false},
		{1, 2, 1, 2, false, false},
		{1, 2, -1, 3, true, true},
		{1, 1, 4, 5, false, false},
		{2, 3, -1, 6, false, true},
		{2, 3, 7, -1, false, false},
	}, got)
	assert.Equal(t, []int64{1, 2, 3}, d.sids)

	var buf bytes.Buffer
	require.NoError(t, Render(&buf, events, RenderOptions{}))
	arrows := arrowsOf(parsePage(t, buf.Bytes()))
	assert.Len(t, arrows, 6)
	assert.Equal(t, 2, countClass(arrows, "matched"))
	assert.Equal(t, 2, countClass(arrows, "unsent"))
	assert.Equal(t, 2, countClass(arrows, "lost"))
	assert.Contains(t, buf.String(), "L→3 r1 e0", "compact vote label")
}

// Traces merge on wall time but space their events by the monotonic
// clock, which does not step; a trace whose mono_ns goes back started a
// new Writer and is anchored afresh.
func TestMergedTimesFollowTheMonotonicClock(t *testing.T) {
	base := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	events := []Event{
		{Sid: 1, Kind: KindRound, Time: base, MonoNS: 100},
		{Sid: 1, Kind: KindFire, Time: base.Add(-time.Second), MonoNS: 100 + int64(time.Millisecond)}, // wall stepped back
		{Sid: 1, Kind: KindRound, Time: base.Add(time.Minute), MonoNS: 5},                             // a new Writer
		{Sid: 2, Kind: KindRound, Time: base.Add(time.Millisecond / 2), MonoNS: 7},
	}
	got := mergedTimes(events)
	assert.Equal(t, []time.Time{base, base.Add(time.Millisecond), base.Add(time.Minute), base.Add(time.Millisecond / 2)}, got)

	d := layout(events, 0)
	var kinds []string
	for _, p := range d.events {
		kinds = append(kinds, strconv.FormatInt(p.Sid, 10)+p.Kind)
	}
	assert.Equal(t, []string{"1round", "2round", "1fire", "1round"}, kinds)
	require.Len(t, d.breaks, 1, "the minute is cut")
	assert.Equal(t, time.Minute-time.Millisecond, d.breaks[0].missed)
	for i := 1; i < len(d.events); i++ {
		assert.Greater(t, d.events[i].row, d.events[i-1].row, "time flows down")
	}
}

// Every text from the trace is escaped: the page stays well-formed and
// carries no markup from its input.
func TestRenderEscapesText(t *testing.T) {
	events := []Event{
		at(0, Event{Sid: 1, Kind: KindRound, State: `LOOKING"><script>alert(1)</script>`, Leader: 1}),
		at(1, Event{Sid: 1, Kind: KindRole, State: "LEADING", Detail: `a & b <i>"quoted"</i>`}),
		at(2, Event{Sid: 1, Kind: KindDrop, Peer: 2, Detail: "</svg>&amp;"}),
	}
	var buf bytes.Buffer
	require.NoError(t, Render(&buf, events, RenderOptions{Title: "<b>t</b>"}))
	parsePage(t, buf.Bytes())
	page := buf.String()
	assert.NotContains(t, page, "<script>")
	assert.NotContains(t, page, "<i>")
	assert.NotContains(t, page, "<b>t</b>")
	assert.Contains(t, page, "a &amp; b &lt;i&gt;&#34;quoted&#34;&lt;/i&gt;")
	assert.Contains(t, page, "&lt;/svg&gt;&amp;amp;")
}

// Render refuses what it cannot draw with ErrBadTrace, naming the event.
func TestRenderRejectsBadInput(t *testing.T) {
	good := at(0, Event{Sid: 1, Kind: KindRound})
	for _, tc := range []struct {
		name     string
		events   []Event
		opts     RenderOptions
		fragment string
	}{
		{"no events", nil, RenderOptions{}, "no events"},
		{"unknown kind", []Event{good, at(1, Event{Sid: 1, Kind: "gossip"})}, RenderOptions{}, `event 1: unknown kind "gossip"`},
		{"no sid", []Event{at(1, Event{Kind: KindFire})}, RenderOptions{}, "sid 0"},
		{"no time", []Event{{Sid: 1, Kind: KindFire}}, RenderOptions{}, "no time"},
		{"send without peer", []Event{at(1, Event{Sid: 1, Kind: KindSend})}, RenderOptions{}, "peer 0"},
		{"negative scale", []Event{good}, RenderOptions{PxPerMS: -1}, "PxPerMS -1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Render(&buf, tc.events, tc.opts)
			require.ErrorIs(t, err, ErrBadTrace)
			assert.Contains(t, err.Error(), tc.fragment)
			assert.Zero(t, buf.Len(), "nothing written")
		})
	}
}

// failingWriter fails every write.
type failingWriter struct{}

var errDiskFull = errors.New("disk full")

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestRenderReportsWriteErrors(t *testing.T) {
	err := Render(failingWriter{}, []Event{at(0, Event{Sid: 1, Kind: KindRound})}, RenderOptions{})
	assert.ErrorIs(t, err, errDiskFull)
}

// ReadChecked names the line of a bad event; Read would accept it.
func TestReadCheckedNamesTheLine(t *testing.T) {
	good := `{"time":"2024-01-02T03:04:05Z","mono_ns":1,"sid":1,"kind":"round"}`
	for _, tc := range []struct {
		name, second, fragment string
	}{
		{"unknown kind", `{"time":"2024-01-02T03:04:05Z","sid":1,"kind":"vote"}`, `line 3: unknown kind "vote"`},
		{"not json", `{"sid":`, "line 3: unexpected end of JSON input"},
		{"no kind", `{"time":"2024-01-02T03:04:05Z","sid":1}`, `line 3: unknown kind ""`},
		{"no sid", `{"time":"2024-01-02T03:04:05Z","kind":"fire"}`, "line 3: fire event with sid 0"},
		{"recv without peer", `{"time":"2024-01-02T03:04:05Z","sid":2,"kind":"recv"}`, "line 3: recv event of sid 2 with peer 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadChecked(strings.NewReader(good + "\n\n" + tc.second + "\n"))
			require.ErrorIs(t, err, ErrBadTrace)
			assert.Contains(t, err.Error(), tc.fragment)
		})
	}
	events, err := ReadChecked(strings.NewReader(good + "\n"))
	require.NoError(t, err)
	require.Len(t, events, 1)
	assert.Equal(t, KindRound, events[0].Kind)
}
