package main

import (
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"text/tabwriter"
)

// Decision paths, as issue 14 names them. zkbench does not interpret
// them: it counts whatever the decision line says.
const (
	// pathNotLogged counts decision lines without a path= attribute:
	// ZooKeeper's, and zkfle's before it logged one.
	pathNotLogged = "not logged"
)

// zkflePath matches the path= attribute of zkfle's "election decided"
// line (log/slog's text handler: path=fast-unanimity, or quoted when the
// value has a space: path="finalize window"). The election is expected
// to log which rule decided: fast-unanimity (every voter voted for the
// proposal), fast-reachable (every reachable voter did and the missing
// ones are known down) or finalize-window (the 200 ms window ran out);
// zkbench counts any value.
var zkflePath = regexp.MustCompile(`\bpath=("([^"]*)"|[^ ]+)`)

// decisionPath is the path= value of a decision line, or "".
func decisionPath(line string) string {
	m := zkflePath.FindStringSubmatch(line)
	if m == nil {
		return ""
	}
	if strings.HasPrefix(m[1], `"`) {
		return m[2]
	}
	return m[1]
}

// pathKey is the histogram key of a server's decision path.
func pathKey(p string) string {
	if p == "" {
		return pathNotLogged
	}
	return p
}

// pathsText prints a path histogram, most frequent first:
// "fast-unanimity x12, finalize-window x3".
func pathsText(paths map[string]int) string {
	if len(paths) == 0 {
		return "n/a"
	}
	keys := make([]string, 0, len(paths))
	for k := range paths {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if paths[keys[i]] != paths[keys[j]] {
			return paths[keys[i]] > paths[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s x%d", k, paths[k]))
	}
	return strings.Join(parts, ", ")
}

// targetRow is one line of issue 14's target table: a figure's medians in
// both systems, measured in the same run, and the ratio it must not
// exceed.
type targetRow struct {
	label     string
	n         int
	zkfle, zk summary
	limit     float64 // zkfle/ZooKeeper must be at most this
}

// ratio is zkfle's median over ZooKeeper's, or false without both.
func (t targetRow) ratio() (float64, bool) {
	if t.zkfle.Count == 0 || t.zk.Count == 0 || t.zk.Median <= 0 {
		return 0, false
	}
	return t.zkfle.Median / t.zk.Median, true
}

// Issue 14's targets (zkfle / ZooKeeper, medians, same run).
const (
	targetDecided     = 0.1 // last LOOKING -> all decided
	targetEstablished = 0.2 // last LOOKING -> all established, against ZooKeeper's "elected" line
	targetFailover    = 0.3 // kill -9 leader -> new leader established and agreed
	targetLaunch      = 0.1 // launch -> all report a role
)

// coldStartTargets picks the cold-start rows of issue 14 out of the
// plaintext zkfle and ZooKeeper groups.
func coldStartTargets(groups []group) []targetRow {
	var out []targetRow
	for _, g := range groups {
		if g.System != "zkfle" || g.Transport != transportPlain.String() {
			continue
		}
		zk, ok := findGroup(groups, g.N, "zookeeper")
		if !ok {
			continue
		}
		for _, f := range []struct {
			key, label string
			limit      float64
		}{
			{"decided_ms", "last LOOKING -> all decided", targetDecided},
			{"election_ms", "last LOOKING -> all established (ZooKeeper: its elected line)", targetEstablished},
			{"all_serving_ms", "launch -> all report a role", targetLaunch},
		} {
			out = append(out, targetRow{label: f.label, n: g.N, zkfle: g.Figures[f.key], zk: zk.Figures[f.key], limit: f.limit})
		}
	}
	return out
}

func findGroup(groups []group, n int, sys string) (group, bool) {
	for _, g := range groups {
		if g.N == n && g.System == sys && g.Transport == transportPlain.String() {
			return g, true
		}
	}
	return group{}, false
}

// failoverTargets picks the kill -9 rows of issue 14 out of the plaintext
// failover groups.
func failoverTargets(groups []failoverGroup) []targetRow {
	var out []targetRow
	for _, g := range groups {
		if g.System != "zkfle" || g.Failure != failKill || g.Transport != transportPlain.String() {
			continue
		}
		for _, zk := range groups {
			if zk.N == g.N && zk.System == "zookeeper" && zk.Failure == failKill && zk.Transport == g.Transport {
				out = append(out, targetRow{label: "kill -9 leader -> new leader established, all agree", n: g.N,
					zkfle: g.Figures["wall_ms"], zk: zk.Figures["wall_ms"], limit: targetFailover})
			}
		}
	}
	return out
}

// writeTargets prints issue 14's table for the rows this run measured:
// medians, the ratio and whether it meets the target. Nothing without
// both systems.
func writeTargets(w io.Writer, rows []targetRow) {
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(w, "\nissue 14 targets (medians of this run; ratio = zkfle / ZooKeeper)")
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	fmt.Fprintln(tw, "figure\tN\tzkfle\tZooKeeper\tratio\ttarget\t")
	for _, r := range rows {
		ratio, met := "n/a", "n/a"
		if v, ok := r.ratio(); ok {
			ratio = fmt.Sprintf("%.2f", v)
			met = "met"
			if v > r.limit {
				met = "missed"
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t<= %.1f %s\t\n", r.label, r.n,
			medianText(r.zkfle), medianText(r.zk), ratio, r.limit, met)
	}
	_ = tw.Flush()
}

func medianText(s summary) string {
	if s.Count == 0 {
		return "n/a"
	}
	return num(s.Median) + " ms"
}
