package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Helpers for the failover tests: short zoo.cfg timing, kill -9 / SIGSTOP /
// SIGCONT on processes the test started, a srvr reader that also yields
// the epoch, and a recorder of every role the ensemble ever reported.

// Failover timing: syncLimit × tickTime = 1 s is how long a silent peer
// may last; initLimit × tickTime = 2 s bounds discovery.
const (
	failoverTick      = 200 * time.Millisecond
	failoverSyncLimit = 5
	failoverInitLimit = 10
	// failoverSyncTime is syncLimit × tickTime.
	failoverSyncTime = failoverSyncLimit * failoverTick
	// settleTimeout bounds any wait for an ensemble to settle. It is
	// generous: a loaded 2-core machine running -race must not flake.
	settleTimeout = 60 * time.Second
	// sampleEvery is the sampler's polling interval per server.
	sampleEvery = 30 * time.Millisecond
)

// failoverEnsemble is a procEnsemble with short ticks, signal helpers and a
// role recorder.
type failoverEnsemble struct {
	*procEnsemble
	n   int
	rec *roleRecorder

	pausedMu sync.Mutex
	paused   map[int64]bool
}

// newFailoverEnsemble writes zoo.cfg files with tickTime 200 ms,
// initLimit 10 and syncLimit 5 for n participants. Its cleanup resumes
// any paused server first, so the procEnsemble's SIGTERM can stop it.
func newFailoverEnsemble(t *testing.T, n int) *failoverEnsemble {
	t.Helper()
	pe := newProcEnsemble(t, n)
	pe.timing = fmt.Sprintf("tickTime=%d\ninitLimit=%d\nsyncLimit=%d\n",
		failoverTick.Milliseconds(), failoverInitLimit, failoverSyncLimit)
	// freePort, called once per port, can hand out the same port twice
	// (it closes each listener before the next pick); two servers sharing
	// a port then fail in ways that look like election bugs.
	ports := distinctPorts(t, 3*n)
	for _, sid := range sidsUpTo(n) {
		s := pe.servers[sid]
		s.clientPort, s.quorumPort, s.electionPort = ports[0], ports[1], ports[2]
		ports = ports[3:]
	}
	for _, s := range pe.servers {
		require.NoError(t, os.WriteFile(filepath.Join(s.dir, "zoo.cfg"), []byte(pe.zooCfg(s)), 0o644))
	}
	e := &failoverEnsemble{procEnsemble: pe, n: n, rec: &roleRecorder{}, paused: map[int64]bool{}}
	// Registered after newProcEnsemble's cleanup, so it runs before it.
	t.Cleanup(func() {
		e.rec.stop()
		for _, sid := range sidsUpTo(n) {
			if e.isPaused(sid) {
				e.resume(sid)
			}
		}
	})
	return e
}

// distinctPorts returns k loopback ports nothing listens on, all
// different (see freePort).
func distinctPorts(t *testing.T, k int) []int {
	t.Helper()
	out := make([]int, 0, k)
	for i := 0; i < k; i++ {
		out = append(out, freePort(t))
	}
	return out
}

// kill9 sends SIGKILL to sid's process (which the test started) and waits
// until it has exited.
func (e *failoverEnsemble) kill9(sid int64) {
	e.t.Helper()
	s := e.servers[sid]
	require.NotNilf(e.t, s.cmd, "server %d is not running", sid)
	require.NoError(e.t, s.cmd.Process.Signal(syscall.SIGKILL))
	select {
	case <-s.exited:
	case <-time.After(settleTimeout):
		e.t.Fatalf("server %d survived SIGKILL", sid)
	}
	e.stop(sid) // only forgets the exited process
}

// pause sends SIGSTOP to sid's process (which the test started).
func (e *failoverEnsemble) pause(sid int64) {
	e.t.Helper()
	s := e.servers[sid]
	require.NotNilf(e.t, s.cmd, "server %d is not running", sid)
	e.pausedMu.Lock()
	e.paused[sid] = true
	e.pausedMu.Unlock()
	require.NoError(e.t, s.cmd.Process.Signal(syscall.SIGSTOP))
}

// resume sends SIGCONT to a server paused by pause.
func (e *failoverEnsemble) resume(sid int64) {
	s := e.servers[sid]
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGCONT)
	}
	e.pausedMu.Lock()
	delete(e.paused, sid)
	e.pausedMu.Unlock()
}

func (e *failoverEnsemble) isPaused(sid int64) bool {
	e.pausedMu.Lock()
	defer e.pausedMu.Unlock()
	return e.paused[sid]
}

var zxidLine = regexp.MustCompile(`(?m)^Zxid: 0x([0-9a-f]+)$`)

// role is what one srvr answer said.
type role struct {
	// mode is srvr's Mode ("leader", "follower"), "" when the server did
	// not serve (LOOKING, not established, down or paused).
	mode string
	// epoch is the established epoch: srvr's Zxid >> 32.
	epoch int64
	// answered is whether the server answered srvr at all: a LOOKING
	// server answers without a Mode, a down or paused one does not.
	answered bool
}

// srvrRole asks sid for srvr and parses its mode and epoch.
func (e *failoverEnsemble) srvrRole(sid int64) role {
	out := e.fourLetter(sid, "srvr")
	m := modeLine.FindStringSubmatch(out)
	z := zxidLine.FindStringSubmatch(out)
	if m == nil || z == nil {
		return role{answered: out != ""}
	}
	zxid, err := strconv.ParseUint(z[1], 16, 64)
	if err != nil {
		return role{answered: true}
	}
	return role{mode: m[1], epoch: int64(zxid >> 32), answered: true}
}

// observe asks sid for its role and records the answer.
func (e *failoverEnsemble) observe(sid int64) role {
	r := e.srvrRole(sid)
	e.rec.add(sample{at: time.Now(), sid: sid, role: r})
	return r
}

// settled is an ensemble's agreed state: one leader, everyone in its epoch.
type settled struct {
	leader int64
	epoch  int64
}

// waitSettled waits until every named server reports a role, exactly one
// of them leads, and all report the same epoch. Every answer is recorded.
func (e *failoverEnsemble) waitSettled(sids ...int64) settled {
	e.t.Helper()
	return e.waitSettledWithin(settleTimeout, sids...)
}

// waitSettledWithin is waitSettled with its own timeout (servers that
// include JVMs need longer).
func (e *failoverEnsemble) waitSettledWithin(timeout time.Duration, sids ...int64) settled {
	e.t.Helper()
	var last map[int64]role
	var got settled
	ok := waitFor(timeout, func() bool {
		last = map[int64]role{}
		got = settled{}
		leaders := 0
		for _, sid := range sids {
			r := e.observe(sid)
			last[sid] = r
			switch r.mode {
			case "leader":
				leaders++
				got.leader = sid
			case "follower":
			default:
				return false
			}
		}
		for _, r := range last {
			if r.epoch != last[sids[0]].epoch {
				return false
			}
		}
		got.epoch = last[sids[0]].epoch
		return leaders == 1
	})
	require.Truef(e.t, ok, "servers %v did not settle within %v: %v", sids, timeout, last)
	return got
}

// others returns every sid of the ensemble but the named one.
func (e *failoverEnsemble) others(but int64) []int64 {
	var out []int64
	for _, sid := range sidsUpTo(e.n) {
		if sid != but {
			out = append(out, sid)
		}
	}
	return out
}

// diskEpoch reads sid's dataDir/version-2/<name> (acceptedEpoch or
// currentEpoch).
func (e *failoverEnsemble) diskEpoch(sid int64, name string) int64 {
	e.t.Helper()
	b, err := os.ReadFile(filepath.Join(e.servers[sid].dir, "data", "version-2", name))
	require.NoError(e.t, err)
	v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	require.NoErrorf(e.t, err, "server %d %s: %q", sid, name, b)
	return v
}

// sample is one srvr answer at one moment.
type sample struct {
	at   time.Time
	sid  int64
	role role
}

// roleRecorder keeps every srvr answer of a test, from the sampler
// goroutines and from the waits.
type roleRecorder struct {
	mu      sync.Mutex
	samples []sample
	done    chan struct{}
	wg      sync.WaitGroup
}

func (r *roleRecorder) add(s sample) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.samples = append(r.samples, s)
}

// snapshot returns a copy of the samples so far.
func (r *roleRecorder) snapshot() []sample {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sample(nil), r.samples...)
}

// sample starts one goroutine per server that asks it for srvr every
// sampleEvery. One per server, so a paused server (whose srvr hangs
// until the read deadline) does not delay the others' samples.
func (e *failoverEnsemble) sample() {
	e.rec.done = make(chan struct{})
	for _, sid := range sidsUpTo(e.n) {
		e.rec.wg.Add(1)
		go func(sid int64) {
			defer e.rec.wg.Done()
			tick := time.NewTicker(sampleEvery)
			defer tick.Stop()
			for {
				select {
				case <-e.rec.done:
					return
				case <-tick.C:
					e.observe(sid)
				}
			}
		}(sid)
	}
}

// stop ends the sampler goroutines (idempotent).
func (r *roleRecorder) stop() {
	if r.done == nil {
		return
	}
	select {
	case <-r.done:
	default:
		close(r.done)
	}
	r.wg.Wait()
}

// leadersByEpoch is, for each epoch, the set of servers ever seen
// reporting LEADING in it. Samples of different servers are not
// simultaneous, so this is the property to check: at most one
// established leader per epoch, ever.
func leadersByEpoch(samples []sample) map[int64][]int64 {
	set := map[int64]map[int64]bool{}
	for _, s := range samples {
		if s.role.mode != "leader" {
			continue
		}
		if set[s.role.epoch] == nil {
			set[s.role.epoch] = map[int64]bool{}
		}
		set[s.role.epoch][s.sid] = true
	}
	out := map[int64][]int64{}
	for epoch, sids := range set {
		for sid := range sids {
			out[epoch] = append(out[epoch], sid)
		}
		sort.Slice(out[epoch], func(i, j int) bool { return out[epoch][i] < out[epoch][j] })
	}
	return out
}

// requireOneLeaderPerEpoch fails the test if any epoch ever had two
// leaders, or if nothing was sampled.
func requireOneLeaderPerEpoch(t *testing.T, samples []sample) {
	t.Helper()
	require.NotEmpty(t, samples, "the sampler recorded nothing")
	for epoch, sids := range leadersByEpoch(samples) {
		require.LessOrEqualf(t, len(sids), 1, "epoch %d had leaders %v", epoch, sids)
	}
}

// firstSample returns the time of the first sample after since from one
// of sids that satisfies match, or false.
func firstSample(samples []sample, since time.Time, sids []int64, match func(role) bool) (time.Time, bool) {
	want := map[int64]bool{}
	for _, sid := range sids {
		want[sid] = true
	}
	var first time.Time
	found := false
	for _, s := range samples {
		if !want[s.sid] || s.at.Before(since) || !match(s.role) {
			continue
		}
		if !found || s.at.Before(first) {
			first, found = s.at, true
		}
	}
	return first, found
}
