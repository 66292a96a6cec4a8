package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Limits on what the harness accepts: server ids are 1..N, and an ensemble
// needs at least two voters for a real election (one server runs ZooKeeper
// in standalone mode, which never enters LOOKING).
const (
	minServers = 2
	maxServers = 25
	maxRuns    = 100
)

// ErrBadFlag is the sentinel under every *FlagError, for errors.Is.
var ErrBadFlag = errors.New("bad flag value")

// FlagError reports a flag value the harness refuses; its message names
// the flag and the value.
type FlagError struct {
	Flag   string
	Value  string
	Reason string
}

// Error implements error.
func (e *FlagError) Error() string {
	return fmt.Sprintf("-%s=%q: %s", e.Flag, e.Value, e.Reason)
}

// Unwrap makes errors.Is(err, ErrBadFlag) true.
func (e *FlagError) Unwrap() error { return ErrBadFlag }

// options are the command-line settings of one zkbench invocation.
type options struct {
	sizes       []int         // ensemble sizes, e.g. 3 and 5
	runs        int           // cold starts per size and system
	poll        time.Duration // srvr poll interval
	idle        time.Duration // idle time before reading VmRSS, or before each failover
	timeout     time.Duration // launch -> all roles, per ensemble
	stopTimeout time.Duration // SIGTERM -> SIGKILL
	nodeBin     string        // prebuilt cmd/node; empty: build it
	withZK      bool          // also run real ZooKeeper
	java        string        // java executable
	heap        string        // JVM -Xmx, as zk-ensemble.sh
	jsonOut     bool          // JSON instead of the table
	keep        bool          // keep data dirs and logs
	workDir     string        // parent of the per-run dirs; empty: a temp dir
	mode        string        // modeCold or modeFailover
	failures    []failureKind // failover mode: what is done to the leader
	timing      timing        // zoo.cfg tickTime, initLimit, syncLimit for both systems
	transports  []transport   // plain and/or tls: one column per system and transport
}

// The benchmark modes.
const (
	modeCold     = "cold"     // cold-start elections (the original zkbench)
	modeFailover = "failover" // leader kill -9 / SIGSTOP of a running ensemble
	// modeInProcess: N actors.Node in this process (no cmd/node, no
	// ZooKeeper), N up to maxInProcess: time to established, actor
	// messages and notifications per election (inprocess.go).
	modeInProcess = "inprocess"
)

// parseOptions reads the command line. Usage errors come back as
// *FlagError (or flag's own error for unknown flags).
func parseOptions(args []string, stderr io.Writer) (options, error) {
	o := options{}
	fs := flag.NewFlagSet("zkbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sizes := fs.String("n", "3,5", "ensemble sizes, comma separated (each 2..25; 2..101 with -mode inprocess)")
	fs.IntVar(&o.runs, "runs", 5, "cold starts, or failovers per failure kind, per ensemble size and system (1..100)")
	fs.DurationVar(&o.poll, "poll", 5*time.Millisecond, "interval between srvr polling rounds")
	fs.DurationVar(&o.idle, "idle", 2*time.Second, "how long a settled ensemble idles before VmRSS is read (failover mode: before each failure)")
	fs.DurationVar(&o.timeout, "timeout", 60*time.Second, "per ensemble: first launch -> every server reports a role")
	fs.DurationVar(&o.stopTimeout, "stop-timeout", 5*time.Second, "SIGTERM -> SIGKILL grace per process")
	fs.StringVar(&o.nodeBin, "node", "", "prebuilt cmd/node binary (default: go build ./cmd/node of the module in the current directory)")
	fs.BoolVar(&o.withZK, "zk", true, "also measure real ZooKeeper (Debian's 3.8 package); -zk=false for the zkfle column only")
	fs.StringVar(&o.java, "java", "java", "java executable for ZooKeeper")
	fs.StringVar(&o.heap, "heap", "128m", "ZooKeeper JVM -Xmx (the baseline used 128m)")
	fs.BoolVar(&o.jsonOut, "json", false, "print the results as JSON on stdout instead of the table")
	fs.BoolVar(&o.keep, "keep", false, "keep every run's zoo.cfg, data dir and log (always kept for a failed run)")
	fs.StringVar(&o.workDir, "workdir", "", "directory for the runs' files (default: a new temp dir)")
	fs.StringVar(&o.mode, "mode", modeCold, "what to measure: cold (cold-start elections), failover (leader kill -9 / SIGSTOP) or inprocess (N nodes in this process, N up to 101: actor messages and notifications per election)")
	failures := fs.String("failures", "kill,pause", "failover mode: what is done to the leader, comma separated: kill (SIGKILL), pause (SIGSTOP)")
	fs.DurationVar(&o.timing.tick, "tick-time", defaultTiming.tick, "zoo.cfg tickTime for both systems (whole milliseconds)")
	fs.IntVar(&o.timing.initLimit, "init-limit", defaultTiming.initLimit, "zoo.cfg initLimit (ticks) for both systems")
	fs.IntVar(&o.timing.syncLimit, "sync-limit", defaultTiming.syncLimit, "zoo.cfg syncLimit (ticks) for both systems")
	transports := fs.String("tls", "plain", "quorum and election ports, comma separated: plain, tls (sslQuorum=true, PEM certificates made per ensemble); plain,tls measures both, interleaved, and the cost of TLS")
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, &FlagError{Flag: "n", Value: strings.Join(fs.Args(), " "), Reason: "unexpected arguments after the flags"}
	}
	var err error
	limit := maxServers
	if o.mode == modeInProcess {
		limit = maxInProcess
	}
	if o.sizes, err = parseSizes(*sizes, limit); err != nil {
		return o, err
	}
	if o.failures, err = parseFailures(*failures); err != nil {
		return o, err
	}
	if o.transports, err = parseTransports(*transports); err != nil {
		return o, err
	}
	return o, o.validate()
}

func (o options) validate() error {
	switch {
	case o.runs < 1 || o.runs > maxRuns:
		return &FlagError{Flag: "runs", Value: strconv.Itoa(o.runs), Reason: fmt.Sprintf("want 1..%d", maxRuns)}
	case o.poll < time.Millisecond || o.poll > time.Second:
		return &FlagError{Flag: "poll", Value: o.poll.String(), Reason: "want 1ms..1s"}
	case o.idle < 0 || o.idle > time.Minute:
		return &FlagError{Flag: "idle", Value: o.idle.String(), Reason: "want 0..1m"}
	case o.timeout < time.Second || o.timeout > 10*time.Minute:
		return &FlagError{Flag: "timeout", Value: o.timeout.String(), Reason: "want 1s..10m"}
	case o.stopTimeout < 100*time.Millisecond || o.stopTimeout > time.Minute:
		return &FlagError{Flag: "stop-timeout", Value: o.stopTimeout.String(), Reason: "want 100ms..1m"}
	case o.heap == "" || strings.ContainsAny(o.heap, " \t"):
		return &FlagError{Flag: "heap", Value: o.heap, Reason: "want a JVM size such as 128m"}
	case o.mode != modeCold && o.mode != modeFailover && o.mode != modeInProcess:
		return &FlagError{Flag: "mode", Value: o.mode, Reason: "want cold, failover or inprocess"}
	}
	return o.timing.validate()
}

// parseSizes reads "-n 3,5" into sorted, distinct sizes.
func parseSizes(s string, limit int) ([]int, error) {
	seen := map[int]bool{}
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		n, err := strconv.Atoi(f)
		if err != nil || n < minServers || n > limit {
			return nil, &FlagError{Flag: "n", Value: s,
				Reason: fmt.Sprintf("%q is not an ensemble size %d..%d", f, minServers, limit)}
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out, nil
}

const usageText = `zkbench: cold-start elections (and, with -mode failover, leader failovers) of
zkfle's cmd/node and of real ZooKeeper 3.8, side by side, on 127.0.0.1 only.
Run it from the zkfle module root:

  go run ./bench/cmd/zkbench -n 3,5 -runs 5
  go run ./bench/cmd/zkbench -mode failover -n 3,5 -runs 3
  go run ./bench/cmd/zkbench -n 3,5 -runs 3 -tls plain,tls
  go run ./bench/cmd/zkbench -mode inprocess -n 3,5,9,25,51 -runs 3

For each size N and each run it writes fresh zoo.cfg files and data dirs,
launches N servers back to back, polls srvr until every one reports a role,
reads each server's log, lets the ensemble idle, reads VmRSS, and stops
every process it started (SIGTERM, then SIGKILL). In failover mode it
starts one ensemble per size and system and, -runs times per failure kind,
kills (SIGKILL) or pauses (SIGSTOP) the leader and times the survivors'
new established leader; a killed leader is restarted, a paused one
continued (SIGCONT), before the next try. With -tls plain,tls every system
runs once with plaintext quorum and election ports and once with TLS
(sslQuorum=true), and the table adds the cost of TLS. See bench/README.md.

Flags:
`
