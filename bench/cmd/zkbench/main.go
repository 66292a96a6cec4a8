// Command zkbench compares zkfle's cmd/node with real ZooKeeper 3.8 on
// cold-start elections and on leader failovers, side by side, on
// 127.0.0.1 only.
//
//	go run ./bench/cmd/zkbench -n 3,5 -runs 5 [-json] [-zk=false] [-keep]
//	go run ./bench/cmd/zkbench -mode failover -n 3,5 -runs 3 [-failures kill,pause]
//
// For every ensemble size N and every run, each system gets fresh zoo.cfg
// files and data dirs (the same file text for both), N servers launched
// back to back, srvr polled every few ms until each reports a role, its
// logs read for the election proper, an idle pause, VmRSS read from /proc,
// and SIGTERM (SIGKILL after a grace) for every process it started. The
// figures' definitions are in bench/README.md.
// With -mode failover it starts one ensemble per size and system and
// kills (SIGKILL) or pauses (SIGSTOP) its leader -runs times per failure,
// timing the survivors' new established leader (failover.go).
// It is a hand-run benchmark, not a test; see bench/README.md.
//
// Exit codes: 0 all runs measured; 1 some run failed (the table says
// which, and its files are kept); 2 bad command line; 130 interrupted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

const (
	exitOK          = 0
	exitRunFailed   = 1
	exitUsage       = 2
	exitInterrupted = 130
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseOptions(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "zkbench:", err)
		return exitUsage
	}
	// A first Ctrl-C (or SIGTERM) cancels the runs; every started process
	// is then stopped by the run that owns it. Until stop() is called,
	// further signals are swallowed so the clean-up is not cut short.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if o.mode == modeInProcess {
		return runInProcessMode(ctx, o, stdout, stderr)
	}

	root, err := newWorkDir(o)
	if err != nil {
		fmt.Fprintln(stderr, "zkbench:", err)
		return exitRunFailed
	}
	systems, zk, notes, err := chooseSystems(ctx, o, root, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "zkbench:", err)
		return exitRunFailed
	}
	machine := describeMachine(systems[0].binary, zk)
	systems, tlsNotes := variants(systems, o.transports)
	notes = append(notes, tlsNotes...)
	if hasTLS(o.transports) {
		notes = append(notes, tlsNote)
	}
	if o.mode == modeFailover {
		return runFailoverMode(ctx, o, systems, machine, notes, root, stdout, stderr)
	}

	results := runAll(ctx, o, systems, root, stderr)
	machine.LoadEnd = loadAvg()
	if ctx.Err() != nil {
		notes = append(notes, "interrupted: the table holds only the runs that finished")
	}
	rep := buildReport(machine, systems, o.sizes, results, notes)
	if o.jsonOut {
		err = rep.writeJSON(stdout)
	} else {
		err = rep.writeTable(stdout, systems)
	}
	if err != nil {
		fmt.Fprintln(stderr, "zkbench:", err)
		return exitRunFailed
	}
	failed := 0
	for _, r := range results {
		if !r.ok() {
			failed++
		}
	}
	return finish(ctx, o, root, failed, stderr)
}

// runFailoverMode measures leader failovers and prints their table.
func runFailoverMode(ctx context.Context, o options, systems []system, machine machineInfo, notes []string,
	root string, stdout, stderr io.Writer) int {
	if note := backoffNote(o, systems); note != "" {
		notes = append(notes, note)
	}
	results := runFailovers(ctx, o, systems, root, stderr)
	machine.LoadEnd = loadAvg()
	if ctx.Err() != nil {
		notes = append(notes, "interrupted: the table holds only the tries that finished")
	}
	rep := buildFailoverReport(machine, o, systems, results, notes)
	var err error
	if o.jsonOut {
		err = rep.writeJSON(stdout)
	} else {
		err = rep.writeTable(stdout, systems)
	}
	if err != nil {
		fmt.Fprintln(stderr, "zkbench:", err)
		return exitRunFailed
	}
	failed := 0
	for _, r := range results {
		if !r.ok() {
			failed++
		}
	}
	return finish(ctx, o, root, failed, stderr)
}

// zkfleStableSession is how long a zkfle session must have lasted for its
// end not to count as a failed session (quorumpeer.StableAfter, issue
// 11): after a shorter one the node waits a jittered, growing back-off
// (50-100 ms, then 100-200 ms, ... up to 3 s) before it looks again.
const zkfleStableSession = 10 * time.Second

// backoffNote warns, in failover mode, when -idle lets zkfle's leaders
// live less than zkfleStableSession: its figures then include that
// back-off, growing from try to try, which ZooKeeper does not have.
func backoffNote(o options, systems []system) string {
	if o.idle >= zkfleStableSession {
		return ""
	}
	for _, s := range systems {
		if s.name == "zkfle" {
			return fmt.Sprintf("zkfle: -idle %s < %s, so each killed leader had led for less than zkfle's stable-session time and its "+
				"survivors back off (50-100 ms after the first such loss, doubling per consecutive one, jittered) before LOOKING; "+
				"-idle 11s measures the loss of a long-lived leader", o.idle, zkfleStableSession)
		}
	}
	return ""
}

// finish removes the work dir when everything was measured and nothing
// asks to keep it, and turns the outcome into the exit code.
func finish(ctx context.Context, o options, root string, failed int, stderr io.Writer) int {
	if failed == 0 && !o.keep && o.workDir == "" {
		_ = os.RemoveAll(root)
	} else {
		fmt.Fprintf(stderr, "zkbench: files in %s\n", root)
	}
	switch {
	case ctx.Err() != nil:
		return exitInterrupted
	case failed > 0:
		return exitRunFailed
	}
	return exitOK
}

// chooseSystems builds (or takes) cmd/node and checks for ZooKeeper. A
// missing ZooKeeper is not an error: the report says so and shows zkfle
// alone. zk is nil when ZooKeeper is not measured.
func chooseSystems(ctx context.Context, o options, root string, stderr io.Writer) ([]system, *system, []string, error) {
	nodeBin := o.nodeBin
	if nodeBin == "" {
		fmt.Fprintln(stderr, "zkbench: go build", nodePackage)
		var err error
		if nodeBin, err = buildNode(ctx, root); err != nil {
			return nil, nil, nil, err
		}
	}
	systems := []system{zkfleSystem(nodeBin)}
	var notes []string
	if !o.withZK {
		return systems, nil, []string{"ZooKeeper not measured (-zk=false): zkfle column only"}, nil
	}
	zk, err := zookeeperSystem(o.java, o.heap)
	if err != nil {
		msg := fmt.Sprintf("%v: zkfle column only", err)
		fmt.Fprintln(stderr, "zkbench:", msg)
		return systems, nil, append(notes, msg), nil
	}
	notes = append(notes, "ZooKeeper: java -Xmx"+o.heap+", zk-ensemble.sh's command line; its elected line is 'LEADER ELECTION TOOK', its state-change line 'Peer state changed: leading|following'")
	return append(systems, zk), &zk, notes, nil
}

// runAll interleaves the systems run by run, so that a slow drift of the
// machine (another job, thermal) hits both columns alike.
func runAll(ctx context.Context, o options, systems []system, root string, stderr io.Writer) []runResult {
	var results []runResult
	for _, n := range o.sizes {
		for r := 1; r <= o.runs; r++ {
			for _, sys := range systems {
				if ctx.Err() != nil {
					return results
				}
				res := coldStart(ctx, sys, n, r, root, o)
				if ctx.Err() != nil {
					return results // an interrupted run measured nothing
				}
				fmt.Fprintln(stderr, progressLine(res))
				results = append(results, res)
			}
		}
	}
	return results
}

// progressLine is one key=value line per run, for the impatient and for
// grep.
func progressLine(r runResult) string {
	if !r.ok() {
		return fmt.Sprintf("run system=%s transport=%s n=%d run=%d error=%q dir=%s", r.System, r.Transport, r.N, r.Run, r.Err, r.Dir)
	}
	rss := make([]string, 0, len(r.Servers))
	for _, s := range r.Servers {
		rss = append(rss, fmt.Sprint(s.RSSKiB))
	}
	return fmt.Sprintf("run system=%s transport=%s n=%d run=%d all_serving_ms=%.1f election_ms=%.0f decided_ms=%.0f leader=%d rss_kib=%s load1=%s",
		r.System, r.Transport, r.N, r.Run, r.AllServingMS, r.ElectionMS, r.DecidedMS, r.Leader, strings.Join(rss, ","), r.Load1)
}
