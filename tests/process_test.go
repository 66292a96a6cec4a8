package tests

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// nodeBinary builds cmd/node once per test process.
func nodeBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "zkfle-node-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "node")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/zkfle/zkfle/cmd/node").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build cmd/node: %v\n%s", err, out)
		}
	})
	require.NoError(t, buildErr)
	return binPath
}

// procServer is one server of a process-level ensemble.
type procServer struct {
	sid                    int64
	observer               bool
	clientPort, quorumPort int
	electionPort           int
	dir                    string
	cmd                    *exec.Cmd
	stderr                 *bytes.Buffer
	exited                 chan struct{}
	exitCode               int
}

// procEnsemble runs cmd/node processes from zoo.cfg files, the way an
// operator would, and looks at them only through the four-letter words.
type procEnsemble struct {
	t       *testing.T
	servers map[int64]*procServer
	mu      sync.Mutex
	// timing, when set, replaces zoo.cfg's tickTime/initLimit/syncLimit
	// lines (tests that wait out failure detection need short ticks).
	timing string
}

// newProcEnsemble writes a zoo.cfg and myid for each server.
func newProcEnsemble(t *testing.T, participants int, observers ...int64) *procEnsemble {
	t.Helper()
	e := &procEnsemble{t: t, servers: map[int64]*procServer{}}
	for i := 1; i <= participants; i++ {
		e.servers[int64(i)] = &procServer{sid: int64(i)}
	}
	for _, sid := range observers {
		e.servers[sid] = &procServer{sid: sid, observer: true}
	}
	for _, s := range e.servers {
		s.clientPort, s.quorumPort, s.electionPort = freePort(t), freePort(t), freePort(t)
		s.dir = t.TempDir()
	}
	for _, s := range e.servers {
		require.NoError(t, os.MkdirAll(filepath.Join(s.dir, "data"), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(s.dir, "data", "myid"), []byte(fmt.Sprintf("%d\n", s.sid)), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(s.dir, "zoo.cfg"), []byte(e.zooCfg(s)), 0o644))
	}
	t.Cleanup(func() {
		for _, s := range e.servers {
			e.stop(s.sid)
		}
		if t.Failed() {
			for _, s := range e.servers {
				if s.stderr != nil {
					t.Logf("server %d stderr:\n%s", s.sid, s.stderr.String())
				}
			}
		}
	})
	return e
}

// zooCfg is a zoo.cfg as an operator writes it for a loopback ensemble.
func (e *procEnsemble) zooCfg(me *procServer) string {
	var b strings.Builder
	if e.timing != "" {
		b.WriteString(e.timing)
	} else {
		fmt.Fprintf(&b, "tickTime=2000\ninitLimit=10\nsyncLimit=5\n")
	}
	fmt.Fprintf(&b, "dataDir=%s\n", filepath.Join(me.dir, "data"))
	fmt.Fprintf(&b, "clientPort=%d\nclientPortAddress=127.0.0.1\n", me.clientPort)
	fmt.Fprintf(&b, "4lw.commands.whitelist=*\nadmin.enableServer=false\n")
	if me.observer {
		fmt.Fprintf(&b, "peerType=observer\n")
	}
	for sid := int64(1); sid <= 100; sid++ {
		s, ok := e.servers[sid]
		if !ok {
			continue
		}
		typ := ""
		if s.observer {
			typ = ":observer"
		}
		fmt.Fprintf(&b, "server.%d=127.0.0.1:%d:%d%s\n", sid, s.quorumPort, s.electionPort, typ)
	}
	return b.String()
}

// start launches the named servers (all when none are named).
func (e *procEnsemble) start(sids ...int64) {
	e.t.Helper()
	if len(sids) == 0 {
		for sid := range e.servers {
			sids = append(sids, sid)
		}
	}
	bin := nodeBinary(e.t)
	for _, sid := range sids {
		s := e.servers[sid]
		e.launch(s, bin, "--config", filepath.Join(s.dir, "zoo.cfg"))
	}
}

// launch runs argv as server s's process, capturing its stderr and
// recording its exit code when it ends.
func (e *procEnsemble) launch(s *procServer, argv ...string) {
	e.t.Helper()
	s.stderr = &bytes.Buffer{}
	s.cmd = exec.Command(argv[0], argv[1:]...)
	s.cmd.Stderr = &lockedWriter{w: s.stderr}
	s.exited = make(chan struct{})
	require.NoError(e.t, s.cmd.Start())
	go func(s *procServer, cmd *exec.Cmd, exited chan struct{}) {
		err := cmd.Wait()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		e.mu.Lock()
		s.exitCode = code
		e.mu.Unlock()
		close(exited)
	}(s, s.cmd, s.exited)
}

// stop sends SIGTERM to a server we started (by pid) and waits for it;
// SIGKILL after 10 s. It returns the exit code, or -1 if not running.
func (e *procEnsemble) stop(sid int64) int {
	s := e.servers[sid]
	if s.cmd == nil || s.cmd.Process == nil {
		return -1
	}
	select {
	case <-s.exited:
	default:
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(10 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
	}
	s.cmd = nil
	e.mu.Lock()
	defer e.mu.Unlock()
	return s.exitCode
}

// fourLetter sends a four-letter word to sid's client port and returns the
// answer ("" if the port does not answer).
func (e *procEnsemble) fourLetter(sid int64, word string) string {
	conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", e.servers[sid].clientPort), time.Second)
	if err != nil {
		return ""
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := conn.Write([]byte(word)); err != nil {
		return ""
	}
	out, _ := io.ReadAll(conn)
	return string(out)
}

var modeLine = regexp.MustCompile(`(?m)^Mode: (\w+)$`)

// mode returns sid's "Mode:" from srvr, or "" while it does not serve.
func (e *procEnsemble) mode(sid int64) string {
	m := modeLine.FindStringSubmatch(e.fourLetter(sid, "srvr"))
	if m == nil {
		return ""
	}
	return m[1]
}

// waitModes waits until every named server reports a mode and exactly one
// reports leader; it returns the modes.
func (e *procEnsemble) waitModes(timeout time.Duration, sids ...int64) map[int64]string {
	e.t.Helper()
	var modes map[int64]string
	ok := waitFor(timeout, func() bool {
		modes = map[int64]string{}
		leaders := 0
		for _, sid := range sids {
			m := e.mode(sid)
			if m == "" {
				return false
			}
			modes[sid] = m
			if m == "leader" {
				leaders++
			}
		}
		return leaders == 1
	})
	require.Truef(e.t, ok, "servers did not settle within %v: %v", timeout, modes)
	return modes
}

// agreed is what waitAgreedModes saw: every server's mode, the one
// leader, and the epoch all of them report.
type agreed struct {
	modes  map[int64]string
	leader int64
	epoch  int64
}

// waitAgreedModes waits until every named server reports a mode, exactly
// one of them leads, every other one follows (or observes, if it is an
// observer), and all report the same epoch (srvr's Zxid >> 32): the
// others follow that leader in its epoch. Which sid leads is not assumed:
// with the election's fast paths on (the default), servers started one
// after another elect the best of those already up (README
// "Performance").
func (e *procEnsemble) waitAgreedModes(timeout time.Duration, sids ...int64) agreed {
	e.t.Helper()
	var got agreed
	ok := waitFor(timeout, func() bool {
		got = agreed{modes: map[int64]string{}, epoch: -1}
		leaders := 0
		for _, sid := range sids {
			out := e.fourLetter(sid, "srvr")
			m, z := modeLine.FindStringSubmatch(out), zxidLine.FindStringSubmatch(out)
			if m == nil || z == nil {
				return false
			}
			got.modes[sid] = m[1]
			want := "follower"
			if e.servers[sid].observer {
				want = "observer"
			}
			switch {
			case m[1] == "leader" && !e.servers[sid].observer:
				leaders++
				got.leader = sid
			case m[1] != want:
				return false
			}
			zxid, err := strconv.ParseUint(z[1], 16, 64)
			if err != nil {
				return false
			}
			epoch := int64(zxid >> 32)
			if got.epoch != -1 && epoch != got.epoch {
				return false
			}
			got.epoch = epoch
		}
		return leaders == 1
	})
	require.Truef(e.t, ok, "servers %v did not agree within %v: %+v", sids, timeout, got)
	return got
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func sidsUpTo(n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(i + 1)
	}
	return out
}

// A newcomer's job: write zoo.cfg files, start the processes, and see
// through srvr one leader that every other server follows in its epoch.
// The processes start one after another, so with the fast paths on the
// first quorum up may elect the best of itself at once: which sid leads
// is not part of the contract (ZooKeeper itself elects a late, higher
// sid only if it connects within the 200 ms finalize window).
func TestProcessEnsembleOneLeader(t *testing.T) {
	for _, n := range []int{3, 5, 7} {
		t.Run(fmt.Sprintf("N=%d", n), func(t *testing.T) {
			e := newProcEnsemble(t, n)
			e.start()
			got := e.waitAgreedModes(30*time.Second, sidsUpTo(n)...)
			t.Logf("N=%d: leader %d in epoch %d", n, got.leader, got.epoch)
			assert.Positive(t, got.epoch, "the leader established an epoch")
			for sid, m := range got.modes {
				want := "follower"
				if sid == got.leader {
					want = "leader"
				}
				assert.Equalf(t, want, m, "server %d", sid)
			}
			assert.Equal(t, "imok", e.fourLetter(1, "ruok"))
			assert.Equal(t, 0, e.stop(1), "SIGTERM is a clean stop")
		})
	}
}

// A restarted follower rejoins as follower of the same leader, in the
// same epoch; an observer reports Mode: observer in that epoch. Which
// participant leads after the staggered start is not assumed (fast
// paths; see TestProcessEnsembleOneLeader).
func TestProcessRestartAndObserver(t *testing.T) {
	e := newProcEnsemble(t, 3, 9)
	e.start()
	before := e.waitAgreedModes(30*time.Second, 1, 2, 3, 9)
	require.Contains(t, []int64{1, 2, 3}, before.leader, "the observer never leads")
	assert.Equal(t, "observer", before.modes[9])
	follower := int64(1)
	if before.leader == 1 {
		follower = 2
	}
	require.Equal(t, 0, e.stop(follower))
	e.start(follower)
	after := e.waitAgreedModes(30*time.Second, 1, 2, 3, 9)
	assert.Equal(t, "follower", after.modes[follower])
	assert.Equal(t, before.leader, after.leader, "the restarted follower follows the same leader")
	assert.Equal(t, before.epoch, after.epoch, "in the same epoch: nobody re-elected")
	assert.Equal(t, "observer", after.modes[9])
}

// A bad zoo.cfg exits non-zero with a message naming the key and value.
func TestProcessBadConfigNamesTheKey(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "data"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "data", "myid"), []byte("1\n"), 0o644))
	cfg := fmt.Sprintf("tickTime=abc\ninitLimit=10\nsyncLimit=5\ndataDir=%s\nclientPort=%d\n"+
		"server.1=127.0.0.1:%d:%d\nserver.2=127.0.0.1:%d:%d\n",
		filepath.Join(dir, "data"), freePort(t), freePort(t), freePort(t), freePort(t), freePort(t))
	path := filepath.Join(dir, "zoo.cfg")
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o644))
	out, err := exec.Command(nodeBinary(t), "--config", path).CombinedOutput()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, "exit code: %v", err)
	assert.Equal(t, 3, ee.ExitCode())
	assert.Contains(t, string(out), "tickTime")
	assert.Equal(t, 1, strings.Count(string(out), "abc"), "said once:\n%s", out)
}

// A client port already taken exits 1 at once, as ZooKeeper does not start
// without its client port: nothing else may answer srvr for this node.
func TestProcessClientPortTakenExits1(t *testing.T) {
	e := newProcEnsemble(t, 3)
	taken, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(e.servers[1].clientPort))
	require.NoError(t, err)
	defer taken.Close()
	e.start(1)
	select {
	case <-e.servers[1].exited:
	case <-time.After(20 * time.Second):
		t.Fatal("node kept running without its client port")
	}
	e.mu.Lock()
	code := e.servers[1].exitCode
	e.mu.Unlock()
	assert.Equal(t, 1, code)
	assert.Contains(t, e.servers[1].stderr.String(), "cannot bind client port 127.0.0.1:"+strconv.Itoa(e.servers[1].clientPort))
}

// A port already taken exits with ZooKeeper's code 14 after the retries.
func TestProcessElectionPortTakenExits14(t *testing.T) {
	e := newProcEnsemble(t, 3)
	taken, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(e.servers[1].electionPort))
	require.NoError(t, err)
	defer taken.Close()
	// One try, so the test does not wait out ZooKeeper's three.
	cfgPath := filepath.Join(e.servers[1].dir, "zoo.cfg")
	data, err := os.ReadFile(cfgPath)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(cfgPath, append(data, "electionPortBindRetry=1\n"...), 0o644))
	e.start(1)
	select {
	case <-e.servers[1].exited:
	case <-time.After(20 * time.Second):
		t.Fatal("node kept running without its election port")
	}
	e.mu.Lock()
	code := e.servers[1].exitCode
	e.mu.Unlock()
	assert.Equal(t, 14, code)
}
