package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"text/tabwriter"
)

// failoverFigure is one row of a failover block.
type failoverFigure struct {
	key   string
	label string // %s is the failure's verb, e.g. "kill -9"
	value func(failoverResult) float64
}

// failoverFigures are the rows per failure kind; the first is the one the
// brief and zk-ensemble.sh failover's wall_ms measure.
var failoverFigures = []failoverFigure{
	{"wall_ms", "%s leader -> new leader established, all survivors agree (srvr)",
		func(r failoverResult) float64 { return r.WallMS }},
	{"detect_ms", "  %s -> first survivor LOOKING (logs)",
		func(r failoverResult) float64 { return r.DetectMS }},
	{"election_ms", "  last survivor LOOKING -> all survivors elected (logs)",
		func(r failoverResult) float64 { return r.ElectionMS }},
	{"restore_ms", "  old leader back (relaunch / SIGCONT) -> all N settled (srvr)",
		func(r failoverResult) float64 { return r.RestoreMS }},
}

// verb is how the table names a failure.
func (k failureKind) verb() string {
	switch k {
	case failKill:
		return "kill -9"
	case failPause:
		return "SIGSTOP"
	}
	return string(k)
}

// failoverGroup is the tries of one system, size and failure, summarised.
type failoverGroup struct {
	N          int                `json:"n"`
	System     string             `json:"system"`
	Failure    failureKind        `json:"failure"`
	Tries      int                `json:"tries"`
	Failed     int                `json:"failed"`
	NewLeaders map[int]int        `json:"new_leaders"` // sid -> tries it won
	Figures    map[string]summary `json:"figures"`
}

func summarizeFailovers(n int, sys string, kind failureKind, rs []failoverResult) failoverGroup {
	g := failoverGroup{N: n, System: sys, Failure: kind, NewLeaders: map[int]int{}, Figures: map[string]summary{}}
	var good []failoverResult
	for _, r := range rs {
		if r.N != n || r.System != sys || r.Failure != kind {
			continue
		}
		g.Tries++
		if !r.ok() {
			g.Failed++
			continue
		}
		good = append(good, r)
		g.NewLeaders[r.Leader]++
	}
	for _, f := range failoverFigures {
		vs := make([]float64, 0, len(good))
		for _, r := range good {
			vs = append(vs, f.value(r))
		}
		g.Figures[f.key] = summarize(vs)
	}
	return g
}

func (g failoverGroup) newLeaders() string {
	return countsText(g.NewLeaders, func(sid, k int) string {
		return fmt.Sprintf("sid %d x%d", sid, k)
	})
}

// failoverReport is everything one failover invocation found.
type failoverReport struct {
	Machine machineInfo      `json:"machine"`
	Timing  string           `json:"timing"`
	Notes   []string         `json:"notes,omitempty"`
	Groups  []failoverGroup  `json:"summary"`
	Tries   []failoverResult `json:"tries"`
}

func buildFailoverReport(m machineInfo, o options, systems []system, rs []failoverResult, notes []string) failoverReport {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if a.N != b.N {
			return a.N < b.N
		}
		if a.System != b.System {
			return a.System > b.System // zkfle before zookeeper
		}
		return a.Run < b.Run
	})
	rep := failoverReport{Machine: m, Timing: o.timing.String(), Notes: notes, Tries: rs}
	for _, n := range o.sizes {
		for _, kind := range o.failures {
			for _, s := range systems {
				rep.Groups = append(rep.Groups, summarizeFailovers(n, s.name, kind, rs))
			}
		}
	}
	return rep
}

// writeJSON prints the report as indented JSON.
func (rep failoverReport) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// writeTable prints one block per size and failure, the systems side by
// side.
func (rep failoverReport) writeTable(w io.Writer, systems []system) error {
	writeHeader(w, rep.Machine, rep.Notes)
	fmt.Fprintf(w, "timing   %s, the same zoo.cfg for both\n", rep.Timing)
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	for i := 0; i+len(systems) <= len(rep.Groups); i += len(systems) {
		row := rep.Groups[i : i+len(systems)]
		g := row[0]
		fmt.Fprintf(tw, "\nN=%d, %s of the leader, %d tries each; min / median / max", g.N, g.Failure.verb(), g.Tries)
		for _, s := range systems {
			fmt.Fprintf(tw, "\t%s", s.title)
		}
		fmt.Fprintln(tw)
		for _, f := range failoverFigures {
			label := f.label
			if f.key == "wall_ms" || f.key == "detect_ms" {
				label = fmt.Sprintf(f.label, g.Failure.verb())
			}
			fmt.Fprint(tw, label)
			for _, gg := range row {
				fmt.Fprintf(tw, "\t%s", gg.Figures[f.key].format("ms"))
			}
			fmt.Fprintln(tw)
		}
		fmt.Fprint(tw, "  new leader (srvr)")
		for _, gg := range row {
			fmt.Fprintf(tw, "\t%s", gg.newLeaders())
		}
		fmt.Fprintln(tw)
		fmt.Fprint(tw, "  failed tries")
		for _, gg := range row {
			fmt.Fprintf(tw, "\t%d of %d", gg.Failed, gg.Tries)
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range rep.Tries {
		if !r.ok() {
			fmt.Fprintf(w, "failed: system=%s n=%d run=%d failure=%s: %s (files kept in %s)\n", r.System, r.N, r.Run, r.Failure, r.Err, r.Dir)
		}
	}
	return nil
}
