package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"
)

// failoverResult is one failover of one system: the leader of a settled
// ensemble is killed or paused, and the survivors re-elect.
type failoverResult struct {
	System string `json:"system"`
	// Transport is plain or tls: the quorum and election ports' protocol.
	Transport string      `json:"transport"`
	N         int         `json:"n"`
	Run       int         `json:"run"`
	Failure   failureKind `json:"failure"`
	Victim    int         `json:"victim"`     // the leader that was killed or paused
	Leader    int         `json:"new_leader"` // the survivors' new leader
	// WallMS: the signal -> the survivors' srvr answers show exactly one
	// leader and the rest followers, each survivor having logged a new
	// election since the signal (zk-ensemble.sh failover's condition).
	WallMS float64 `json:"wall_ms"`
	// DetectMS: the signal -> the first survivor's LOOKING line.
	DetectMS float64 `json:"detect_ms"`
	// ElectionMS: the last survivor's LOOKING -> the last survivor's
	// elected line (ZooKeeper: LEADER ELECTION TOOK; zkfle: state changed).
	ElectionMS float64 `json:"election_ms"`
	// RestoreMS: relaunch (kill) or SIGCONT (pause) of the old leader ->
	// all N report a role again, exactly one of them leader.
	RestoreMS float64 `json:"restore_ms"`
	// Paths counts the survivors' decisions after the failure by path
	// (decisionPath).
	Paths map[string]int `json:"decision_paths,omitempty"`
	Load1 string         `json:"loadavg_1m"`
	Dir   string         `json:"dir,omitempty"`
	Err   string         `json:"error,omitempty"`
}

// ok reports whether the failover produced every figure.
func (r failoverResult) ok() bool { return r.Err == "" }

// runFailovers measures every size and system in turn: one ensemble per
// size and system, -runs rounds of every failure kind on it. Only one
// ensemble runs at a time, so the two systems never share the CPUs.
func runFailovers(ctx context.Context, o options, systems []system, root string, stderr io.Writer) []failoverResult {
	var results []failoverResult
	for _, n := range o.sizes {
		for _, sys := range systems {
			if ctx.Err() != nil {
				return results
			}
			results = append(results, failoverSeries(ctx, sys, n, root, o, stderr)...)
		}
	}
	return results
}

// failoverSeries starts one ensemble of sys and fails its leader -runs
// times per failure kind, restoring the ensemble after each. Every process
// it starts is resumed and stopped before it returns.
func failoverSeries(ctx context.Context, sys system, n int, root string, o options, stderr io.Writer) (results []failoverResult) {
	dir := filepath.Join(root, fmt.Sprintf("failover-%s-n%d", sys.dirName(), n))
	failed := func(run int, kind failureKind, err error) failoverResult {
		return failoverResult{System: sys.name, Transport: sys.transport.String(), N: n, Run: run, Failure: kind,
			Load1: loadAvg1(), Dir: dir, Err: err.Error()}
	}
	e, err := prepareEnsemble(dir, n, o.timing, sys.transport)
	if err != nil {
		return []failoverResult{failed(0, "start", err)}
	}
	defer func() {
		e.stop(o.stopTimeout)
		for _, r := range results {
			if !r.ok() || o.keep {
				return // keep the files for a look
			}
		}
		_ = e.remove()
	}()
	if err := e.launch(sys); err != nil {
		return []failoverResult{failed(0, "start", err)}
	}
	if _, err := waitSettled(ctx, e.servers, o.poll, e.servers[0].launched.Add(o.timeout)); err != nil {
		return []failoverResult{failed(0, "start", fmt.Errorf("first election: %w", err))}
	}
	for run := 1; run <= o.runs; run++ {
		for _, kind := range o.failures {
			if err := idle(ctx, o.idle); err != nil {
				return results
			}
			res := failoverOnce(ctx, sys, e, kind, o)
			if ctx.Err() != nil {
				return results // an interrupted try measured nothing
			}
			res.Run = run
			if !res.ok() {
				res.Dir = dir
			}
			fmt.Fprintln(stderr, failoverProgressLine(res))
			results = append(results, res)
			if !res.ok() {
				return results // the ensemble's state is unknown: stop this series
			}
		}
	}
	return results
}

// idle waits d unless ctx ends first: a pause between tries, as
// zk-measure.sh sleeps between its failovers, so that the next leader is
// not failed in the middle of its start-up work.
func idle(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// failoverOnce fails the current leader of the settled ensemble e with
// kind, times the survivors' re-election, then restores the old leader
// (relaunch after kill -9, SIGCONT after SIGSTOP) and waits until all N
// servers report a role with one leader again.
func failoverOnce(ctx context.Context, sys system, e *ensemble, kind failureKind, o options) (res failoverResult) {
	res = failoverResult{System: sys.name, Transport: sys.transport.String(), N: len(e.servers), Failure: kind, Load1: loadAvg1()}
	fail := func(err error) failoverResult {
		res.Err = err.Error()
		return res
	}
	modes, err := pollModes(ctx, e.servers, o.poll, time.Now().Add(o.timeout), oneLeader)
	if err != nil {
		return fail(fmt.Errorf("before the failure: %w", err))
	}
	victim, survivors := splitLeader(e.servers, modes)
	res.Victim = victim.sid
	offsets := map[int]int64{}
	for _, s := range survivors {
		if offsets[s.sid], err = logSize(s.logPath); err != nil {
			return fail(err)
		}
	}

	failedAt := time.Now()
	switch kind {
	case failKill:
		victim.p.kill()
	case failPause:
		victim.p.pause()
	}
	// The survivors have re-elected when srvr shows one leader among them
	// and every one of them has logged an election since the failure: the
	// log condition is zk-ensemble.sh's, and it rules out an answer that
	// still describes the old leader's reign.
	reElected := func(modes map[int]string) (bool, error) {
		if ok, err := oneLeader(modes); !ok || err != nil {
			return ok, err
		}
		for _, s := range survivors {
			sl, err := readLogFrom(s.logPath, offsets[s.sid], sys.classify)
			if err != nil || sl.elected.IsZero() {
				return false, err
			}
		}
		return true, nil
	}
	modes, err = pollModes(ctx, survivors, o.poll, failedAt.Add(o.timeout), reElected)
	if err != nil {
		victim.p.resume()
		return fail(fmt.Errorf("after %s of leader %d: %w", kind, victim.sid, err))
	}
	res.WallMS = ms(time.Since(failedAt))
	newLeader, _ := splitLeader(survivors, modes)
	res.Leader = newLeader.sid
	if err := survivorTimes(sys, survivors, offsets, failedAt, &res); err != nil {
		victim.p.resume()
		return fail(err)
	}

	restoredAt, err := restore(e, sys, victim, kind, o)
	if err != nil {
		return fail(fmt.Errorf("restoring server %d: %w", victim.sid, err))
	}
	if _, err := pollModes(ctx, e.servers, o.poll, restoredAt.Add(o.timeout), oneLeader); err != nil {
		return fail(fmt.Errorf("after restoring server %d: %w", victim.sid, err))
	}
	res.RestoreMS = ms(time.Since(restoredAt))
	return res
}

// restore brings the failed leader back: a killed one is relaunched from
// its data dir once its exit has been reaped (so its ports are free), a
// paused one gets SIGCONT. It returns when that happened.
func restore(e *ensemble, sys system, victim *server, kind failureKind, o options) (time.Time, error) {
	if kind == failPause {
		victim.p.resume()
		return time.Now(), nil
	}
	select {
	case <-victim.p.done:
	case <-time.After(o.stopTimeout):
		return time.Time{}, fmt.Errorf("pid %d not reaped %s after SIGKILL", victim.p.pid(), o.stopTimeout)
	}
	if err := e.relaunch(sys, victim); err != nil {
		return time.Time{}, err
	}
	return victim.launched, nil
}

// survivorTimes fills the log figures of a failover from what the
// survivors logged after the failure.
func survivorTimes(sys system, survivors []*server, offsets map[int]int64, failedAt time.Time, res *failoverResult) error {
	var firstLooking, lastLooking, lastElected time.Time
	for _, s := range survivors {
		sl, err := readLogFrom(s.logPath, offsets[s.sid], sys.classify)
		if err != nil {
			return fmt.Errorf("server %d: %w", s.sid, err)
		}
		if sl.looking.IsZero() || sl.elected.IsZero() {
			return fmt.Errorf("server %d: %w since the failure", s.sid, ErrLogIncomplete)
		}
		if firstLooking.IsZero() || sl.looking.Before(firstLooking) {
			firstLooking = sl.looking
		}
		lastLooking = latest(lastLooking, sl.looking)
		lastElected = latest(lastElected, sl.elected)
		if res.Paths == nil {
			res.Paths = map[string]int{}
		}
		res.Paths[pathKey(sl.path)]++
	}
	res.DetectMS = ms(firstLooking.Sub(failedAt))
	res.ElectionMS = ms(lastElected.Sub(lastLooking))
	return nil
}

// splitLeader returns the server srvr calls leader and the others.
func splitLeader(servers []*server, modes map[int]string) (leader *server, others []*server) {
	for _, s := range servers {
		if modes[s.sid] == "leader" {
			leader = s
		} else {
			others = append(others, s)
		}
	}
	return leader, others
}

// oneLeader is true when every polled server reports a role and exactly
// one of them is the leader.
func oneLeader(modes map[int]string) (bool, error) {
	leaders := 0
	for _, m := range modes {
		if !isRole(m) {
			return false, nil
		}
		if m == "leader" {
			leaders++
		}
	}
	return leaders == 1, nil
}

// waitSettled polls until every server reports a role with one leader.
func waitSettled(ctx context.Context, servers []*server, poll time.Duration, deadline time.Time) (map[int]string, error) {
	return pollModes(ctx, servers, poll, deadline, oneLeader)
}

// ErrServerExited is returned when a server the harness waits on is gone.
var ErrServerExited = errors.New("server exited")

// pollModes asks srvr of every server, one round every poll, until done
// says the round's modes are what is awaited. A server that exits, an
// error from done, the deadline or ctx end the wait.
func pollModes(ctx context.Context, servers []*server, poll time.Duration, deadline time.Time,
	done func(map[int]string) (bool, error)) (map[int]string, error) {
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		modes := make(map[int]string, len(servers))
		for _, s := range servers {
			if s.p.exited() {
				return nil, fmt.Errorf("%w: server %d (code %d); see %s", ErrServerExited, s.sid, s.p.exitCode, s.logPath)
			}
			modes[s.sid] = querySrvr(s.client)
		}
		ok, err := done(modes)
		if err != nil {
			return nil, err
		}
		if ok {
			return modes, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%w: modes %v", ErrTimeout, modes)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-tick.C:
		}
	}
}

// failoverProgressLine is one key=value line per try, for the impatient
// and for grep.
func failoverProgressLine(r failoverResult) string {
	if !r.ok() {
		return fmt.Sprintf("failover system=%s transport=%s n=%d run=%d failure=%s error=%q dir=%s",
			r.System, r.Transport, r.N, r.Run, r.Failure, r.Err, r.Dir)
	}
	return fmt.Sprintf("failover system=%s transport=%s n=%d run=%d failure=%s victim=%d new_leader=%d wall_ms=%.1f detect_ms=%.0f election_ms=%.0f restore_ms=%.0f load1=%s",
		r.System, r.Transport, r.N, r.Run, r.Failure, r.Victim, r.Leader, r.WallMS, r.DetectMS, r.ElectionMS, r.RestoreMS, r.Load1)
}
