package tests

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/internal/netns"
)

// A cmd/node ensemble where every node runs in a network namespace of
// its own (internal/netns), started the way an operator would: ip netns
// exec NS node --config zoo.cfg. Inside its namespace each node uses the
// standard ports on its own address.

const (
	nsClientPort   = 2181
	nsQuorumPort   = 2888
	nsElectionPort = 3888
	nsAdminPort    = 8080
	// nsTick, nsInitLimit and nsSyncLimit: a silent peer is given up
	// after syncLimit × tickTime = 1 s, discovery after 2 s.
	nsTick      = 200 * time.Millisecond
	nsInitLimit = 10
	nsSyncLimit = 5
	// nsMaxNotification caps FastLeaderElection's doubling notification
	// timeout (ZooKeeper's default is 60 s): a node cut off for a while
	// must not sleep a minute before it asks again after the heal.
	nsMaxNotification = 2 * time.Second
	// nsStopWait bounds waiting for a SIGKILLed process to be reaped.
	nsStopWait = 10 * time.Second
)

// nsNode is one node: its namespace, its files and its current process.
type nsNode struct {
	sid  int64
	ns   string
	ip   string
	dir  string // zoo.cfg, node.log, data/
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has been reaped
	// paused is true between SIGSTOP and SIGCONT.
	paused bool
	// pids are every process this test started for the node.
	pids []int
}

func (n *nsNode) dataDir() string    { return filepath.Join(n.dir, "data") }
func (n *nsNode) clientAddr() string { return fmt.Sprintf("%s:%d", n.ip, nsClientPort) }
func (n *nsNode) adminAddr() string  { return fmt.Sprintf("%s:%d", n.ip, nsAdminPort) }
func (n *nsNode) logPath() string    { return filepath.Join(n.dir, "node.log") }

// nsCluster runs the nodes and owns the lab.
type nsCluster struct {
	t     *testing.T
	lab   *netns.Lab
	bin   string
	mu    sync.Mutex
	nodes map[int64]*nsNode
	sids  []int64
}

// nemRequireNetns skips loudly where namespaces cannot be made, and fails
// under CI (which runs as root and must run the nemesis test).
func nemRequireNetns(t *testing.T) {
	t.Helper()
	if err := netns.Supported(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI must be able to create network namespaces for the nemesis test: %v", err)
		}
		t.Skipf("SKIPPED LOUDLY: the nemesis test needs root and ip(8) to make network namespaces: %v", err)
	}
}

// newNSCluster makes a lab of n namespaces and writes each node's zoo.cfg
// and myid. Its cleanup kills every process it started (by pid), deletes
// the namespaces, and checks that nothing is left behind.
func newNSCluster(t *testing.T, n int) *nsCluster {
	t.Helper()
	if removed, err := netns.SweepStale(); err != nil {
		t.Logf("stale namespaces not swept: %v", err)
	} else if len(removed) > 0 {
		t.Logf("swept namespaces left by dead test runs: %v", removed)
	}
	bin := nodeBinary(t)
	lab, err := netns.New(n)
	require.NoError(t, err)
	c := &nsCluster{t: t, lab: lab, bin: bin, nodes: map[int64]*nsNode{}}
	t.Cleanup(c.cleanup)
	for _, ln := range lab.Nodes() {
		nd := &nsNode{sid: int64(ln.Index), ns: ln.NS, ip: ln.IP, dir: t.TempDir()}
		c.nodes[nd.sid] = nd
		c.sids = append(c.sids, nd.sid)
	}
	for _, nd := range c.nodes {
		require.NoError(t, os.MkdirAll(nd.dataDir(), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(nd.dataDir(), "myid"), []byte(fmt.Sprintf("%d\n", nd.sid)), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(nd.dir, "zoo.cfg"), []byte(c.zooCfg(nd)), 0o644))
	}
	return c
}

// zooCfg is the node's zoo.cfg: every address is a namespace's.
func (c *nsCluster) zooCfg(me *nsNode) string {
	var b strings.Builder
	fmt.Fprintf(&b, "tickTime=%d\ninitLimit=%d\nsyncLimit=%d\n", nsTick.Milliseconds(), nsInitLimit, nsSyncLimit)
	fmt.Fprintf(&b, "dataDir=%s\n", me.dataDir())
	fmt.Fprintf(&b, "clientPort=%d\nclientPortAddress=%s\n", nsClientPort, me.ip)
	fmt.Fprintf(&b, "4lw.commands.whitelist=*\n")
	fmt.Fprintf(&b, "admin.enableServer=true\nadmin.serverAddress=%s\nadmin.serverPort=%d\n", me.ip, nsAdminPort)
	fmt.Fprintf(&b, "fastleader.maxNotificationInterval=%d\n", nsMaxNotification.Milliseconds())
	for _, sid := range c.sids {
		fmt.Fprintf(&b, "server.%d=%s:%d:%d\n", sid, c.nodes[sid].ip, nsQuorumPort, nsElectionPort)
	}
	return b.String()
}

// start launches sid's node in its namespace. Its output is appended to
// node.log (one file across restarts).
func (c *nsCluster) start(sid int64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	nd := c.nodes[sid]
	if nd.cmd != nil {
		return fmt.Errorf("node %d already runs (pid %d)", sid, nd.cmd.Process.Pid)
	}
	logf, err := os.OpenFile(nd.logPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	fmt.Fprintf(logf, "==== start %s\n", time.Now().Format("15:04:05.000"))
	// ip netns exec execs the node in place: the pid we get is the node's.
	cmd := exec.Command("ip", "netns", "exec", nd.ns, c.bin, "--config", filepath.Join(nd.dir, "zoo.cfg"))
	cmd.Stdout, cmd.Stderr = logf, logf
	// If this test process dies without its cleanup (a -timeout panic),
	// the kernel kills the node too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		_ = logf.Close()
		return err
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		_ = logf.Close()
		close(done)
	}()
	nd.cmd, nd.done, nd.paused = cmd, done, false
	nd.pids = append(nd.pids, cmd.Process.Pid)
	return nil
}

// kill9 sends SIGKILL to sid's process (one this test started) and waits
// until it is reaped. The data directory stays as the kill left it.
func (c *nsCluster) kill9(sid int64) error {
	c.mu.Lock()
	nd := c.nodes[sid]
	cmd, done := nd.cmd, nd.done
	c.mu.Unlock()
	if cmd == nil {
		return fmt.Errorf("node %d is not running", sid)
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-done:
	case <-time.After(nsStopWait):
		return fmt.Errorf("node %d (pid %d) survived SIGKILL for %v", sid, cmd.Process.Pid, nsStopWait)
	}
	c.mu.Lock()
	nd.cmd, nd.done, nd.paused = nil, nil, false
	c.mu.Unlock()
	return nil
}

// signal sends SIGSTOP (pause) or SIGCONT (resume) to sid's process.
func (c *nsCluster) signal(sid int64, pause bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	nd := c.nodes[sid]
	if nd.cmd == nil {
		return fmt.Errorf("node %d is not running", sid)
	}
	sig := syscall.SIGCONT
	if pause {
		sig = syscall.SIGSTOP
	}
	if err := nd.cmd.Process.Signal(sig); err != nil {
		return err
	}
	nd.paused = pause
	return nil
}

// running and paused report a node's process state.
func (c *nsCluster) running(sid int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nodes[sid].cmd != nil
}

func (c *nsCluster) paused(sid int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nodes[sid].paused
}

// exitedEarly returns the nodes whose process ended without a kill9: a
// node that crashes is a failure of its own.
func (c *nsCluster) exitedEarly() []int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []int64
	for _, sid := range c.sids {
		nd := c.nodes[sid]
		if nd.done == nil {
			continue
		}
		select {
		case <-nd.done:
			out = append(out, sid)
		default:
		}
	}
	return out
}

// cleanup kills every process still running (SIGKILL works on a stopped
// one too), deletes the namespaces and checks that none of the test's
// processes, namespaces or links remain. It runs after a failure or a
// panic of the test goroutine as well.
func (c *nsCluster) cleanup() {
	t := c.t
	for _, sid := range c.sids {
		if c.running(sid) {
			if err := c.kill9(sid); err != nil {
				t.Errorf("cleanup: %v", err)
			}
		}
	}
	if err := c.lab.Close(); err != nil {
		t.Errorf("cleanup: %v", err)
	}
	names, err := netns.List()
	if assert.NoError(t, err) {
		for _, ns := range names {
			assert.Falsef(t, strings.HasPrefix(ns, c.lab.Prefix), "namespace %s left behind", ns)
		}
	}
	for _, sid := range c.sids {
		for _, pid := range c.nodes[sid].pids {
			// Reaped, so the pid is free: ESRCH, unless it was reused.
			if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
				if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); bytes.Contains(comm, []byte(c.bin)) {
					t.Errorf("node %d's process %d is still running", sid, pid)
				}
			}
		}
	}
	if t.Failed() {
		for _, sid := range c.sids {
			t.Logf("node %d log (tail):\n%s", sid, nemTail(c.nodes[sid].logPath(), 60))
		}
	}
}

// nemTail returns the last n lines of a file.
func nemTail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
