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
	N          int         `json:"n"`
	System     string      `json:"system"`
	Transport  string      `json:"transport"`
	Failure    failureKind `json:"failure"`
	Tries      int         `json:"tries"`
	Failed     int         `json:"failed"`
	NewLeaders map[int]int `json:"new_leaders"` // sid -> tries it won
	// Paths counts the survivors' decisions by path (decisionPath).
	Paths   map[string]int     `json:"decision_paths"`
	Figures map[string]summary `json:"figures"`
}

func summarizeFailovers(n int, sys string, tr transport, kind failureKind, rs []failoverResult) failoverGroup {
	g := failoverGroup{N: n, System: sys, Transport: tr.String(), Failure: kind, NewLeaders: map[int]int{},
		Paths: map[string]int{}, Figures: map[string]summary{}}
	var good []failoverResult
	for _, r := range rs {
		if r.N != n || r.System != sys || r.Failure != kind || transport(r.Transport).String() != g.Transport {
			continue
		}
		g.Tries++
		if !r.ok() {
			g.Failed++
			continue
		}
		good = append(good, r)
		g.NewLeaders[r.Leader]++
		for p, k := range r.Paths {
			g.Paths[p] += k
		}
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
	TLSCost []tlsCost        `json:"tls_cost,omitempty"` // -tls plain,tls: per size, failure, system and figure
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
		if a.Transport != b.Transport {
			return a.Transport < b.Transport // plain before tls
		}
		return a.Run < b.Run
	})
	rep := failoverReport{Machine: m, Timing: o.timing.String(), Notes: notes, Tries: rs}
	for _, n := range o.sizes {
		for _, kind := range o.failures {
			for _, s := range systems {
				rep.Groups = append(rep.Groups, summarizeFailovers(n, s.name, s.transport, kind, rs))
			}
			for _, row := range failoverCostRows(rep.Groups[len(rep.Groups)-len(systems):], tlsPairs(systems)) {
				for _, c := range row.costs {
					if c != nil {
						c.N, c.Failure = n, kind
						rep.TLSCost = append(rep.TLSCost, *c)
					}
				}
			}
		}
	}
	return rep
}

// failoverCostRows compares each pair's plaintext and TLS groups (one
// size and failure, in the order of the variants) figure by figure.
func failoverCostRows(row []failoverGroup, pairs []columnPair) []costRow {
	if len(pairs) == 0 {
		return nil
	}
	var out []costRow
	for _, f := range failoverFigures {
		cr := costRow{label: f.rowLabel(row[0].Failure)}
		for _, p := range pairs {
			c, ok := newTLSCost(row[p.plain].Figures[f.key], row[p.withT].Figures[f.key])
			if !ok {
				cr.costs = append(cr.costs, nil)
				continue
			}
			c.System, c.Figure, c.Unit = p.system, f.key, "ms"
			cr.costs = append(cr.costs, &c)
		}
		out = append(out, cr)
	}
	return out
}

// rowLabel is the figure's label for failure kind.
func (f failoverFigure) rowLabel(kind failureKind) string {
	if f.key == "wall_ms" || f.key == "detect_ms" {
		return fmt.Sprintf(f.label, kind.verb())
	}
	return f.label
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
			fmt.Fprint(tw, f.rowLabel(g.Failure))
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
		fmt.Fprint(tw, "  survivors' decision path")
		for _, gg := range row {
			fmt.Fprintf(tw, "\t%s", pathsText(gg.Paths))
		}
		fmt.Fprintln(tw)
		fmt.Fprint(tw, "  failed tries")
		for _, gg := range row {
			fmt.Fprintf(tw, "\t%d of %d", gg.Failed, gg.Tries)
		}
		fmt.Fprintln(tw)
		pairs := tlsPairs(systems)
		writeCostBlock(tw, fmt.Sprintf("N=%d, %s of the leader", g.N, g.Failure.verb()), pairs, failoverCostRows(row, pairs))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	writeTargets(w, failoverTargets(rep.Groups))
	for _, r := range rep.Tries {
		if !r.ok() {
			fmt.Fprintf(w, "failed: system=%s n=%d run=%d failure=%s: %s (files kept in %s)\n", systemTag(r.System, r.Transport), r.N, r.Run, r.Failure, r.Err, r.Dir)
		}
	}
	return nil
}
