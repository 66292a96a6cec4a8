package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// figure is one row of the table: a name, a unit, and how to pull its
// sample out of a group's successful runs.
type figure struct {
	key    string
	label  string
	unit   string
	sample func(runs []runResult) []float64
}

// figures are the rows, in the README baseline's terms.
var figures = []figure{
	{"all_serving_ms", "launch of 1st process -> all report a role (srvr, wall)", "ms",
		perRun(func(r runResult) float64 { return r.AllServingMS })},
	{"election_ms", "last server LOOKING -> all elected (logs, as timeline)", "ms",
		perRun(func(r runResult) float64 { return r.ElectionMS })},
	{"decided_ms", "last server LOOKING -> all decided (state-change line)", "ms",
		perRun(func(r runResult) float64 { return r.DecidedMS })},
	{"elected_after_looking_ms", "each server: its LOOKING -> its elected line", "ms",
		perServer(func(s serverResult) float64 { return s.ElectedAfterLookingMS })},
	{"elected_after_decided_ms", "each server: its decided line -> its elected line", "ms",
		perServer(func(s serverResult) float64 { return s.ElectedAfterDecidedMS })},
	{"looking_after_launch_ms", "each server: launch -> LOOKING (process start-up)", "ms",
		perServer(func(s serverResult) float64 { return s.LookingAfterLaunchMS })},
	{"rss_mib", "idle RSS per node (VmRSS after settling + idle)", "MiB",
		perServer(func(s serverResult) float64 { return float64(s.RSSKiB) / 1024 })},
	{"stop_ms", "SIGTERM -> process exited", "ms",
		perServer(func(s serverResult) float64 { return s.StopMS })},
}

func perRun(f func(runResult) float64) func([]runResult) []float64 {
	return func(rs []runResult) []float64 {
		var out []float64
		for _, r := range rs {
			out = append(out, f(r))
		}
		return out
	}
}

func perServer(f func(serverResult) float64) func([]runResult) []float64 {
	return func(rs []runResult) []float64 {
		var out []float64
		for _, r := range rs {
			for _, s := range r.Servers {
				out = append(out, f(s))
			}
		}
		return out
	}
}

// group is the runs of one system at one size, summarised.
type group struct {
	N         int         `json:"n"`
	System    string      `json:"system"`
	Transport string      `json:"transport"`
	Runs      int         `json:"runs"`
	Failed    int         `json:"failed"`
	Killed    int         `json:"killed_on_stop"` // servers that needed SIGKILL
	Exits     map[int]int `json:"exit_codes"`     // exit code after SIGTERM -> servers
	Winners   map[int]int `json:"winners"`        // leader sid -> runs
	// Paths counts the servers' decisions by path (decisionPath).
	Paths   map[string]int     `json:"decision_paths"`
	Figures map[string]summary `json:"figures"`
}

func summarizeGroup(n int, sys string, tr transport, rs []runResult) group {
	g := group{N: n, System: sys, Transport: tr.String(), Winners: map[int]int{}, Exits: map[int]int{},
		Paths: map[string]int{}, Figures: map[string]summary{}}
	var good []runResult
	for _, r := range rs {
		if r.N != n || r.System != sys || transport(r.Transport).String() != g.Transport {
			continue
		}
		g.Runs++
		if !r.ok() {
			g.Failed++
			continue
		}
		good = append(good, r)
		g.Winners[r.Leader]++
		for _, s := range r.Servers {
			if s.Killed {
				g.Killed++
			}
			g.Exits[s.ExitCode]++
			g.Paths[pathKey(s.DecisionPath)]++
		}
	}
	for _, f := range figures {
		g.Figures[f.key] = summarize(f.sample(good))
	}
	return g
}

func (g group) winners() string {
	return countsText(g.Winners, func(sid, k int) string {
		return fmt.Sprintf("sid %d in %d of %d", sid, k, g.Runs-g.Failed)
	})
}

func (g group) exitCodes() string {
	return countsText(g.Exits, func(code, k int) string {
		return fmt.Sprintf("%d (x%d)", code, k)
	})
}

// countsText prints a small histogram in key order.
func countsText(counts map[int]int, item func(key, count int) string) string {
	if len(counts) == 0 {
		return "n/a"
	}
	keys := make([]int, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, item(k, counts[k]))
	}
	return strings.Join(parts, ", ")
}

// report is everything one invocation found.
type report struct {
	Machine machineInfo `json:"machine"`
	Notes   []string    `json:"notes,omitempty"`
	Groups  []group     `json:"summary"`
	TLSCost []tlsCost   `json:"tls_cost,omitempty"` // -tls plain,tls: per size, system and figure
	Runs    []runResult `json:"runs"`
}

func buildReport(m machineInfo, systems []system, sizes []int, runs []runResult, notes []string) report {
	sortRuns(runs)
	rep := report{Machine: m, Notes: notes, Runs: runs}
	for _, n := range sizes {
		for _, s := range systems {
			rep.Groups = append(rep.Groups, summarizeGroup(n, s.name, s.transport, runs))
		}
		for _, row := range costRows(rep.Groups[len(rep.Groups)-len(systems):], tlsPairs(systems)) {
			for _, c := range row.costs {
				if c != nil {
					c.N = n
					rep.TLSCost = append(rep.TLSCost, *c)
				}
			}
		}
	}
	return rep
}

// costRows compares each pair's plaintext and TLS groups (one size, in
// the order of the variants) figure by figure.
func costRows(row []group, pairs []columnPair) []costRow {
	if len(pairs) == 0 {
		return nil
	}
	var out []costRow
	for _, f := range figures {
		cr := costRow{label: f.label}
		for _, p := range pairs {
			c, ok := newTLSCost(row[p.plain].Figures[f.key], row[p.withT].Figures[f.key])
			if !ok {
				cr.costs = append(cr.costs, nil)
				continue
			}
			c.System, c.Figure, c.Unit = p.system, f.key, f.unit
			cr.costs = append(cr.costs, &c)
		}
		out = append(out, cr)
	}
	return out
}

// writeJSON prints the report as indented JSON.
func (rep report) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// writeTable prints the side-by-side table, one block per size.
func (rep report) writeTable(w io.Writer, systems []system) error {
	writeHeader(w, rep.Machine, rep.Notes)
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	for i, g := range rep.Groups {
		if i%len(systems) != 0 {
			continue
		}
		row := rep.Groups[i : i+len(systems)]
		fmt.Fprintf(tw, "\nN=%d, %d cold starts each; min / median / max", g.N, g.Runs)
		for _, s := range systems {
			fmt.Fprintf(tw, "\t%s", s.title)
		}
		fmt.Fprintln(tw)
		for _, f := range figures {
			fmt.Fprint(tw, f.label)
			for _, gg := range row {
				cell := gg.Figures[f.key].format(f.unit)
				if f.key != "all_serving_ms" && f.key != "election_ms" && f.key != "decided_ms" {
					cell += fmt.Sprintf(" (n=%d)", gg.Figures[f.key].Count)
				}
				if f.key == "stop_ms" && gg.Killed > 0 {
					cell += fmt.Sprintf(", %d SIGKILLed", gg.Killed)
				}
				fmt.Fprintf(tw, "\t%s", cell)
			}
			fmt.Fprintln(tw)
		}
		fmt.Fprint(tw, "leader (srvr)")
		for _, gg := range row {
			fmt.Fprintf(tw, "\t%s", gg.winners())
		}
		fmt.Fprintln(tw)
		fmt.Fprint(tw, "exit code after SIGTERM (-1: SIGKILL)")
		for _, gg := range row {
			fmt.Fprintf(tw, "\t%s", gg.exitCodes())
		}
		fmt.Fprintln(tw)
		fmt.Fprint(tw, "decision path (servers)")
		for _, gg := range row {
			fmt.Fprintf(tw, "\t%s", pathsText(gg.Paths))
		}
		fmt.Fprintln(tw)
		fmt.Fprint(tw, "failed runs")
		for _, gg := range row {
			fmt.Fprintf(tw, "\t%d of %d", gg.Failed, gg.Runs)
		}
		fmt.Fprintln(tw)
		pairs := tlsPairs(systems)
		writeCostBlock(tw, fmt.Sprintf("N=%d", g.N), pairs, costRows(row, pairs))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	writeTargets(w, coldStartTargets(rep.Groups))
	for _, r := range rep.Runs {
		if !r.ok() {
			fmt.Fprintf(w, "failed: system=%s n=%d run=%d: %s (files kept in %s)\n", systemTag(r.System, r.Transport), r.N, r.Run, r.Err, r.Dir)
		}
	}
	return nil
}

// writeHeader prints where, when and how the figures were made: the
// lines both modes' tables start with.
func writeHeader(w io.Writer, m machineInfo, notes []string) {
	fmt.Fprintf(w, "zkbench  %s\n", m.Date)
	fmt.Fprintf(w, "machine  %d cores (nproc), %s, %s RAM, Linux %s\n", m.NProc, m.CPUModel, m.MemTotal, m.Kernel)
	fmt.Fprintf(w, "load     %s before, %s after (1/5/15 min; anything else running skews both columns)\n", m.LoadStart, m.LoadEnd)
	fmt.Fprintf(w, "go       %s (built cmd/node)\n", m.GoVersion)
	fmt.Fprintf(w, "java     %s; %s\n", m.Java, m.ZooKeeper)
	fmt.Fprintf(w, "command  %s\n", m.Command)
	for _, note := range notes {
		fmt.Fprintf(w, "note     %s\n", note)
	}
}
