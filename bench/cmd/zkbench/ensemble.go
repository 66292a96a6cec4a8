package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// server is one member of an ensemble under test.
type server struct {
	sid      int
	dir      string // holds zoo.cfg, data/ and server.log
	cfgPath  string
	logPath  string
	client   string // 127.0.0.1:clientPort, where srvr is asked
	launched time.Time
	p        *proc // nil until launched
}

// ensemble is N servers with fresh data dirs, all on loopback.
type ensemble struct {
	dir     string
	servers []*server
}

// prepareEnsemble writes zoo.cfg and myid for servers 1..n under dir,
// with fresh loopback ports; for the TLS transport also a CA and every
// server's certificate, which its zoo.cfg names.
func prepareEnsemble(dir string, n int, t timing, tr transport) (*ensemble, error) {
	ports, err := freePorts(3 * n)
	if err != nil {
		return nil, err
	}
	byID := map[int]serverPorts{}
	for i := 0; i < n; i++ {
		byID[i+1] = serverPorts{client: ports[3*i], quorum: ports[3*i+1], election: ports[3*i+2]}
	}
	var qc *quorumCerts
	if tr.isTLS() {
		if qc, err = writeQuorumCerts(dir, n); err != nil {
			return nil, fmt.Errorf("TLS files: %w", err)
		}
	}
	e := &ensemble{dir: dir}
	for sid := 1; sid <= n; sid++ {
		sdir := filepath.Join(dir, fmt.Sprintf("s%d", sid))
		cfg, err := writeServerFiles(sdir, sid, byID, t, qc)
		if err != nil {
			return nil, fmt.Errorf("server %d files: %w", sid, err)
		}
		e.servers = append(e.servers, &server{
			sid: sid, dir: sdir, cfgPath: cfg,
			logPath: filepath.Join(sdir, "server.log"),
			client:  net.JoinHostPort(loopback, strconv.Itoa(byID[sid].client)),
		})
	}
	return e, nil
}

// launch starts every server back to back ("started together"), in sid
// order, recording each launch time just before its fork.
func (e *ensemble) launch(sys system) error {
	for _, s := range e.servers {
		s.launched = time.Now()
		p, err := startProc(sys.argv(s.cfgPath), s.dir, s.logPath)
		if err != nil {
			return fmt.Errorf("server %d: %w", s.sid, err)
		}
		s.p = p
	}
	return nil
}

// relaunch starts server s again from its existing zoo.cfg and data dir,
// appending to its log, after its previous process has been reaped.
func (e *ensemble) relaunch(sys system, s *server) error {
	if s.p != nil && !s.p.exited() {
		return fmt.Errorf("server %d: relaunch while pid %d is still running", s.sid, s.p.pid())
	}
	s.launched = time.Now()
	p, err := startProc(sys.argv(s.cfgPath), s.dir, s.logPath)
	if err != nil {
		return fmt.Errorf("server %d: %w", s.sid, err)
	}
	s.p = p
	return nil
}

// stopOutcome is how one server ended.
type stopOutcome struct {
	stopMS   float64 // SIGTERM -> exit reaped
	exitCode int
	killed   bool // SIGTERM was not enough within the grace
}

// stop sends SIGTERM to every live server at once, waits up to grace for
// each in parallel, then SIGKILLs what is left. A server paused by
// failover mode gets SIGCONT too, so that it can act on the SIGTERM. Safe
// to call twice and with servers never launched.
func (e *ensemble) stop(grace time.Duration) map[int]stopOutcome {
	termAt := time.Now()
	for _, s := range e.servers {
		if s.p != nil {
			s.p.term()
			s.p.resume()
		}
	}
	var mu sync.Mutex
	out := map[int]stopOutcome{}
	var wg sync.WaitGroup
	for _, s := range e.servers {
		if s.p == nil {
			continue
		}
		wg.Add(1)
		go func(s *server) {
			defer wg.Done()
			killed := s.p.awaitExit(grace)
			o := stopOutcome{exitCode: s.p.exitCode, killed: killed}
			if s.p.exitedAt.After(termAt) {
				o.stopMS = ms(s.p.exitedAt.Sub(termAt))
			}
			mu.Lock()
			out[s.sid] = o
			mu.Unlock()
		}(s)
	}
	wg.Wait()
	return out
}

// remove deletes the ensemble's files.
func (e *ensemble) remove() error { return os.RemoveAll(e.dir) }

// ms converts a duration to float milliseconds.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
