package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// serverResult is one server's share of a cold start.
type serverResult struct {
	SID                   int     `json:"sid"`
	Mode                  string  `json:"mode"`
	LookingAfterLaunchMS  float64 `json:"looking_after_launch_ms"`  // launch -> its LOOKING log line
	ElectedAfterLookingMS float64 `json:"elected_after_looking_ms"` // its LOOKING -> its elected line
	// ElectedAfterDecidedMS: its decision line -> its elected line. For
	// zkfle the session on the quorum port (connect, epoch agreement); for
	// ZooKeeper its Leader/Follower set-up up to LEADER ELECTION TOOK. The
	// wait after the decision that issue 14 item 4 removes shows here.
	ElectedAfterDecidedMS float64 `json:"elected_after_decided_ms"`
	RSSKiB                int64   `json:"rss_kib"`
	StopMS                float64 `json:"stop_ms"` // SIGTERM -> exited
	ExitCode              int     `json:"exit_code"`
	Killed                bool    `json:"killed,omitempty"`
	// DecisionPath is how its election decided (zkfle's "election
	// decided" path=, see decisionPath); "" when not logged.
	DecisionPath string `json:"decision_path,omitempty"`
}

// runResult is one cold start of one system.
type runResult struct {
	System string `json:"system"`
	// Transport is plain or tls: the quorum and election ports' protocol.
	Transport string `json:"transport"`
	N         int    `json:"n"`
	Run       int    `json:"run"`
	// AllServingMS: launch of the first process -> every server reports a
	// role through srvr (wall clock).
	AllServingMS float64 `json:"all_serving_ms"`
	// ElectionMS: the last server's LOOKING -> every server's elected line
	// (zk-ensemble.sh timeline: ZooKeeper's "LEADER ELECTION TOOK").
	ElectionMS float64 `json:"election_ms"`
	// DecidedMS: the last server's LOOKING -> every server's state-change
	// line (ZooKeeper's "Peer state changed: following", which precedes
	// "LEADER ELECTION TOOK" by the Leader/Follower set-up).
	DecidedMS float64        `json:"decided_ms"`
	Leader    int            `json:"leader"`
	Load1     string         `json:"loadavg_1m"` // at the run's start: other jobs on the machine skew it
	Servers   []serverResult `json:"servers"`
	Dir       string         `json:"dir,omitempty"` // where its files were kept
	Err       string         `json:"error,omitempty"`
}

// ok reports whether the run produced every figure.
func (r runResult) ok() bool { return r.Err == "" }

// coldStart runs one ensemble of n servers of sys from fresh data dirs
// under root and measures it. Every process it starts is stopped before it
// returns, whatever happens; a failed run keeps its files for a look.
func coldStart(ctx context.Context, sys system, n, run int, root string, o options) (res runResult) {
	// res is a named result so that the deferred clean-up can still record
	// where a failed run's files were kept.
	res = runResult{System: sys.name, Transport: sys.transport.String(), N: n, Run: run, Load1: loadAvg1()}
	dir := filepath.Join(root, fmt.Sprintf("%s-n%d-r%d", sys.dirName(), n, run))
	e, err := prepareEnsemble(dir, n, o.timing, sys.transport)
	if err != nil {
		res.Err = err.Error()
		res.Dir = dir
		return res
	}
	stopped := false
	defer func() {
		if !stopped {
			e.stop(o.stopTimeout)
		}
		if res.ok() && !o.keep {
			_ = e.remove()
		} else {
			res.Dir = dir
		}
	}()
	if err := measureEnsemble(ctx, sys, e, o, &res); err != nil {
		res.Err = err.Error()
		return res
	}
	outcomes := e.stop(o.stopTimeout)
	stopped = true
	for i, s := range e.servers {
		oc := outcomes[s.sid]
		res.Servers[i].StopMS, res.Servers[i].ExitCode, res.Servers[i].Killed = oc.stopMS, oc.exitCode, oc.killed
	}
	if err := timeFromLogs(sys, e, &res); err != nil {
		res.Err = err.Error()
	}
	return res
}

// measureEnsemble launches e, waits for every role, idles, and reads RSS.
func measureEnsemble(ctx context.Context, sys system, e *ensemble, o options, res *runResult) error {
	if err := e.launch(sys); err != nil {
		return err
	}
	first := e.servers[0].launched
	allReady, modes, err := waitRoles(ctx, e, o.poll, first.Add(o.timeout))
	if err != nil {
		return err
	}
	res.AllServingMS = ms(allReady.Sub(first))
	var leaders []string
	for _, s := range e.servers {
		res.Servers = append(res.Servers, serverResult{SID: s.sid, Mode: modes[s.sid]})
		if modes[s.sid] == "leader" {
			res.Leader = s.sid
			leaders = append(leaders, fmt.Sprint(s.sid))
		}
	}
	if len(leaders) != 1 {
		return fmt.Errorf("want exactly one leader, srvr reports %d (%s)", len(leaders), strings.Join(leaders, ","))
	}
	// Let start-up garbage settle before reading the resident size.
	idle := time.NewTimer(o.idle)
	defer idle.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-idle.C:
	}
	for i, s := range e.servers {
		if s.p.exited() {
			return fmt.Errorf("server %d exited (code %d) while idle; see %s", s.sid, s.p.exitCode, s.logPath)
		}
		rss, err := vmRSSKiB(s.p.pid())
		if err != nil {
			return fmt.Errorf("server %d: %w", s.sid, err)
		}
		res.Servers[i].RSSKiB = rss
	}
	return nil
}

// ErrTimeout is returned when not every server reported a role in time.
var ErrTimeout = errors.New("timed out waiting for every server to report a role")

// waitRoles polls srvr on every server not yet decided, one round every
// poll, until each reports a role. It returns when the last one did.
func waitRoles(ctx context.Context, e *ensemble, poll time.Duration, deadline time.Time) (time.Time, map[int]string, error) {
	modes := map[int]string{}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		for _, s := range e.servers {
			if isRole(modes[s.sid]) {
				continue
			}
			if s.p.exited() {
				return time.Time{}, nil, fmt.Errorf("server %d exited (code %d) before reporting a role; see %s", s.sid, s.p.exitCode, s.logPath)
			}
			modes[s.sid] = querySrvr(s.client)
		}
		if allRoles(modes, len(e.servers)) {
			return time.Now(), modes, nil
		}
		if time.Now().After(deadline) {
			return time.Time{}, nil, fmt.Errorf("%w: modes %v", ErrTimeout, modes)
		}
		select {
		case <-ctx.Done():
			return time.Time{}, nil, ctx.Err()
		case <-tick.C:
		}
	}
}

func allRoles(modes map[int]string, n int) bool {
	for sid := 1; sid <= n; sid++ {
		if !isRole(modes[sid]) {
			return false
		}
	}
	return true
}

// timeFromLogs fills the log-based figures: the election proper is from
// the LAST server's LOOKING (when every peer is up and voting) to the last
// server's decision, the README baseline's "last server LOOKING -> all
// elected".
func timeFromLogs(sys system, e *ensemble, res *runResult) error {
	var lastLooking, lastElected, lastDecided time.Time
	for i, s := range e.servers {
		sl, err := readServerLog(s.logPath, sys.classify)
		if err != nil {
			return fmt.Errorf("server %d: %w", s.sid, err)
		}
		res.Servers[i].LookingAfterLaunchMS = ms(sl.looking.Sub(s.launched))
		res.Servers[i].ElectedAfterLookingMS = ms(sl.elected.Sub(sl.looking))
		res.Servers[i].DecisionPath = sl.path
		res.Servers[i].ElectedAfterDecidedMS = ms(sl.elected.Sub(sl.decided))
		lastLooking = latest(lastLooking, sl.looking)
		lastElected = latest(lastElected, sl.elected)
		lastDecided = latest(lastDecided, sl.decided)
	}
	res.ElectionMS = ms(lastElected.Sub(lastLooking))
	res.DecidedMS = ms(lastDecided.Sub(lastLooking))
	return nil
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// newWorkDir makes the parent directory of all runs.
func newWorkDir(o options) (string, error) {
	if o.workDir != "" {
		return o.workDir, os.MkdirAll(o.workDir, 0o755)
	}
	return os.MkdirTemp("", "zkbench-")
}

// sortRuns orders results by size, system, transport, run for the report.
func sortRuns(rs []runResult) {
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].N != rs[j].N {
			return rs[i].N < rs[j].N
		}
		if rs[i].System != rs[j].System {
			return rs[i].System > rs[j].System // zkfle before zookeeper
		}
		if rs[i].Transport != rs[j].Transport {
			return rs[i].Transport < rs[j].Transport // plain before tls
		}
		return rs[i].Run < rs[j].Run
	})
}
