package zkjava

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Ensemble is a set of Java ZooKeeper servers sharing one server list,
// which may also name members that are not Java (zkfle nodes).
type Ensemble struct {
	spec    Spec
	servers map[int64]*Server
}

// New validates spec and writes each Java member's directory: zoo.cfg and
// data/myid under spec.Dir/s<sid>. It starts nothing.
func New(inst Installation, spec Spec) (*Ensemble, error) {
	if err := spec.validate(); err != nil {
		return nil, err
	}
	e := &Ensemble{spec: spec, servers: map[int64]*Server{}}
	for _, m := range spec.Members {
		if !m.Java {
			continue
		}
		dir := filepath.Join(spec.Dir, fmt.Sprintf("s%d", m.SID))
		data := filepath.Join(dir, "data")
		if err := os.MkdirAll(data, 0o755); err != nil {
			return nil, fmt.Errorf("zkjava: server %d dir: %w", m.SID, err)
		}
		if err := os.WriteFile(filepath.Join(data, "myid"), []byte(fmt.Sprintf("%d\n", m.SID)), 0o644); err != nil {
			return nil, fmt.Errorf("zkjava: server %d myid: %w", m.SID, err)
		}
		cfg := filepath.Join(dir, "zoo.cfg")
		if err := os.WriteFile(cfg, []byte(spec.zooCfg(m, data)), 0o644); err != nil {
			return nil, fmt.Errorf("zkjava: server %d zoo.cfg: %w", m.SID, err)
		}
		e.servers[m.SID] = &Server{member: m, dir: dir, inst: inst, args: spec.javaArgs(inst, cfg)}
	}
	return e, nil
}

// Server returns Java server sid, or nil.
func (e *Ensemble) Server(sid int64) *Server { return e.servers[sid] }

// SIDs are the Java servers' sids, ascending.
func (e *Ensemble) SIDs() []int64 {
	out := make([]int64, 0, len(e.servers))
	for sid := range e.servers {
		out = append(out, sid)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// servers resolves sids (all Java servers when none are given).
func (e *Ensemble) pick(sids []int64) ([]*Server, error) {
	if len(sids) == 0 {
		sids = e.SIDs()
	}
	out := make([]*Server, 0, len(sids))
	for _, sid := range sids {
		s := e.servers[sid]
		if s == nil {
			return nil, fmt.Errorf("%w: %d (Java servers: %v)", ErrUnknownServer, sid, e.SIDs())
		}
		out = append(out, s)
	}
	return out, nil
}

// Start launches the named Java servers (all when none are named). The
// JVMs start concurrently; Start returns once each has been forked (it
// does not wait for them to serve: see WaitServing).
func (e *Ensemble) Start(sids ...int64) error {
	ss, err := e.pick(sids)
	if err != nil {
		return err
	}
	var errs []error
	for _, s := range ss {
		errs = append(errs, s.Start())
	}
	return errors.Join(errs...)
}

// Stop stops every Java server (SIGTERM, SIGKILL after 5 s) in parallel
// and waits until all are reaped.
func (e *Ensemble) Stop() error {
	var wg sync.WaitGroup
	errs := make([]error, len(e.servers))
	i := 0
	for _, s := range e.servers {
		wg.Add(1)
		go func(i int, s *Server) {
			defer wg.Done()
			errs[i] = s.Stop()
		}(i, s)
		i++
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Kill SIGKILLs Java server sid and waits until it is reaped.
func (e *Ensemble) Kill(sid int64) error {
	ss, err := e.pick([]int64{sid})
	if err != nil {
		return err
	}
	return ss[0].Kill()
}

// Srvr queries Java server sid's `srvr`.
func (e *Ensemble) Srvr(sid int64) (SrvrInfo, error) {
	ss, err := e.pick([]int64{sid})
	if err != nil {
		return SrvrInfo{}, err
	}
	return Srvr(ss[0].ClientAddr(), 2*time.Second)
}

// pollInterval is how often WaitServing asks srvr.
const pollInterval = 50 * time.Millisecond

// WaitServing polls srvr until each named Java server (all when none are
// named) reports a Mode, and returns their answers. It fails at once if
// one of them exits, and after timeout with ErrTimeout naming what each
// pending server last said.
func (e *Ensemble) WaitServing(timeout time.Duration, sids ...int64) (map[int64]SrvrInfo, error) {
	ss, err := e.pick(sids)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(timeout)
	got := map[int64]SrvrInfo{}
	last := map[int64]error{}
	for {
		for _, s := range ss {
			if _, ok := got[s.SID()]; ok {
				continue
			}
			if !s.Running() {
				return got, fmt.Errorf("%w: server %d (%s)", ErrNotRunning, s.SID(), s.ExitState())
			}
			info, err := Srvr(s.ClientAddr(), time.Second)
			if err == nil {
				got[s.SID()] = info
			} else {
				last[s.SID()] = err
			}
		}
		if len(got) == len(ss) {
			return got, nil
		}
		if time.Now().After(deadline) {
			var pending []string
			for _, s := range ss {
				if _, ok := got[s.SID()]; !ok {
					pending = append(pending, fmt.Sprintf("server %d: %v", s.SID(), last[s.SID()]))
				}
			}
			return got, fmt.Errorf("%w after %v waiting for srvr modes: %s", ErrTimeout, timeout, strings.Join(pending, "; "))
		}
		time.Sleep(pollInterval) // polling interval between srvr rounds
	}
}

// Logs returns every Java server's log, each behind a header line, in sid
// order: what a failing test prints.
func (e *Ensemble) Logs() string {
	var b strings.Builder
	for _, sid := range e.SIDs() {
		s := e.servers[sid]
		fmt.Fprintf(&b, "==== ZooKeeper server %d (%s) log %s ====\n%s\n", sid, s.ElectionAddr(), s.LogPath(), s.Log())
	}
	return b.String()
}
