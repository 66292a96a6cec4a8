package tests

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/admin"
	"github.com/zkfle/zkfle/history"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/metrics"
)

// Disk faults with real processes (issue 11): a server whose epoch files
// cannot be written must not win elections it cannot serve, must say so,
// and must come back by itself; a server refused by the leader must not
// hot-loop.
//
// CI runs as root, so chmod does not make a directory unwritable: the
// test sets the immutable attribute (chattr +i) on the server's version-2
// directory, which even root cannot write into, and always clears it in
// t.Cleanup. On a filesystem without attributes (tmpfs, some overlayfs)
// it runs the server in a private mount namespace with version-2
// bind-mounted read-only instead; it skips, saying why, when neither
// works.

// unwritable is how a test made a server's version-2 unwritable.
type unwritable struct {
	// method is "chattr" or "mount".
	method string
	// launch, for "mount", is the command prefix that starts the server
	// in a private mount namespace with version-2 bind-mounted read-only.
	launch []string
	// restore makes version-2 writable again (also run at cleanup).
	restore func()
}

// makeUnwritable pre-creates dataDir/version-2 with fresh epoch files (the
// node would write them itself at first start, which would then fail) and
// makes it unwritable for root: chattr +i where the filesystem supports
// it, else (or with ZKFLE_DISKFAULT_METHOD=mount) a read-only bind mount
// in a private mount namespace that only the server's process sees. The
// caller starts the server with startUnwritable. It skips the test when
// neither works here.
func makeUnwritable(t *testing.T, dataDir string) *unwritable {
	t.Helper()
	snap := filepath.Join(dataDir, "version-2")
	require.NoError(t, os.MkdirAll(snap, 0o755))
	for _, name := range []string{"currentEpoch", "acceptedEpoch"} {
		require.NoError(t, os.WriteFile(filepath.Join(snap, name), []byte("0"), 0o644))
	}
	var why []string
	if os.Getenv("ZKFLE_DISKFAULT_METHOD") != "mount" {
		if u, err := immutable(t, snap); err == nil {
			return u
		} else {
			why = append(why, err.Error())
		}
	}
	if u, err := readOnlyMount(t, snap); err == nil {
		return u
	} else {
		why = append(why, err.Error())
	}
	t.Skipf("cannot make %s unwritable for root here: %s", snap, strings.Join(why, "; "))
	return nil
}

// immutable sets the immutable attribute on snap and checks that it holds.
func immutable(t *testing.T, snap string) (*unwritable, error) {
	chattr, err := exec.LookPath("chattr")
	if err != nil {
		return nil, fmt.Errorf("chattr (e2fsprogs) not installed")
	}
	if out, err := exec.Command(chattr, "+i", snap).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("chattr +i failed (filesystem without attributes?): %v %s", err, bytes.TrimSpace(out))
	}
	restore := func() { _ = exec.Command(chattr, "-i", snap).Run() }
	t.Cleanup(restore)
	probe := filepath.Join(snap, "probe")
	if err := os.WriteFile(probe, nil, 0o644); err == nil {
		_ = os.Remove(probe)
		restore()
		return nil, fmt.Errorf("chattr +i did not stop writes")
	}
	return &unwritable{method: "chattr", restore: restore}, nil
}

// readOnlyMount checks that a private mount namespace with a read-only
// bind mount works here and returns the launch prefix for it. restore
// remounts it read-write inside the server's namespace (nsenter), once
// the server runs.
func readOnlyMount(t *testing.T, snap string) (*unwritable, error) {
	script := fmt.Sprintf(`mount --bind %[1]q %[1]q && mount -o remount,bind,ro %[1]q && exec "$@"`, snap)
	check := exec.Command("unshare", "-m", "--propagation", "private", "sh", "-c",
		script+` || exit 3`, "sh", "sh", "-c", fmt.Sprintf(`! touch %q/probe 2>/dev/null`, snap))
	if out, err := check.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("read-only bind mount in a private mount namespace failed: %v %s", err, bytes.TrimSpace(out))
	}
	u := &unwritable{method: "mount", launch: []string{"unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh"}}
	return u, nil
}

// startUnwritable starts sid like procEnsemble.start, inside u's launch
// prefix if it has one, and arms u.restore for a mount.
func (e *procEnsemble) startUnwritable(sid int64, u *unwritable, snap string) {
	e.t.Helper()
	if u.method != "mount" {
		e.start(sid)
		return
	}
	s := e.servers[sid]
	e.launch(s, append(append([]string{}, u.launch...), nodeBinary(e.t), "--config", filepath.Join(s.dir, "zoo.cfg"))...)
	// unshare and sh exec in place: the process is the server's, in its
	// own mount namespace.
	pid := s.cmd.Process.Pid
	u.restore = func() {
		out, err := exec.Command("nsenter", "-t", strconv.Itoa(pid), "-m",
			"mount", "-o", "remount,bind,rw", snap).CombinedOutput()
		require.NoErrorf(e.t, err, "remount %s read-write: %s", snap, out)
	}
}

// stderrOf returns what sid's process logged so far.
func (e *procEnsemble) stderrOf(sid int64) string {
	s := e.servers[sid]
	lw, ok := s.cmd.Stderr.(*lockedWriter)
	if !ok {
		return ""
	}
	lw.mu.Lock()
	defer lw.mu.Unlock()
	return s.stderr.String()
}

// The would-be leader (highest sid, same data) cannot write its epochs
// from the start: a healthy server is elected and establishes without it
// (it stands for nobody; its vote goes to the best healthy server), it says
// why in srvr, mntr and its log, never leads, and once its disk is
// writable again it joins the established leader by itself.
func TestProcessDiskFaultedWouldBeLeaderStandsDown(t *testing.T) {
	e := newFailoverEnsemble(t, 3)
	data := filepath.Join(e.servers[3].dir, "data")
	u := makeUnwritable(t, data)
	t.Logf("version-2 of server 3 made unwritable with %s", u.method)

	start := time.Now()
	e.start(1, 2)
	e.startUnwritable(3, u, filepath.Join(data, "version-2"))
	got := e.waitSettled(1, 2)
	took := time.Since(start)
	t.Logf("1 and 2 settled in %v: leader %d, epoch %d", took, got.leader, got.epoch)
	// A healthy server leads: 2 when it was up for the decision; 1 when 1
	// and the non-standing 3 formed a quorum before 2 started (the fast
	// paths decide at once when the missing voter's dial is refused;
	// README "Performance"). Never the faulted 3.
	assert.NotEqual(t, int64(3), got.leader, "the disk-faulted server does not lead")
	assert.Contains(t, []int64{1, 2}, got.leader, "a healthy server leads")
	assert.Less(t, took, 20*time.Second, "the healthy majority elects within a bound")

	// The faulty server says why, and does not lead, while the others
	// stay settled.
	require.True(t, waitFor(settleTimeout, func() bool {
		return strings.Contains(e.fourLetter(3, "mntr"), "zk_zkfle_disk_fault\t1\n")
	}), "mntr of server 3: %q", e.fourLetter(3, "mntr"))
	srvr := e.fourLetter(3, "srvr")
	assert.Contains(t, srvr, "zkfle disk fault: cannot persist epochs in ")
	assert.Contains(t, srvr, "not standing for leader")
	log := e.stderrOf(3)
	assert.True(t, strings.Contains(log, `msg="cannot persist epochs; not standing for leader"`), "server 3 logs the fault")
	assert.True(t, strings.Contains(log, "candidate=false"), "server 3 does not stand")
	// Hold the fault for a while: 3 keeps trying to follow (it would
	// need to write acceptedEpoch) and backs off; the pair is undisturbed
	// and burns no epochs.
	const window = 5 * time.Second
	before := strings.Count(e.stderrOf(3), `msg="start looking"`)
	for end := time.Now().Add(window); time.Now().Before(end); {
		for _, sid := range sidsUpTo(3) {
			e.observe(sid)
		}
		time.Sleep(50 * time.Millisecond) // pacing the sampler, not synchronisation
	}
	rounds := strings.Count(e.stderrOf(3), `msg="start looking"`) - before
	t.Logf("faulty server 3 started %d rounds in %v", rounds, window)
	assert.LessOrEqual(t, rounds, 10, "the faulty server backs off")
	again := e.waitSettled(1, 2)
	assert.Equal(t, got, again, "the healthy pair was not disturbed")
	for _, s := range e.rec.snapshot() {
		assert.Falsef(t, s.sid == 3 && s.role.mode == "leader", "server 3 led at %v", s.at)
	}

	// Writable again: it recovers by itself and follows the same leader
	// in the same epoch.
	u.restore()
	mended := time.Now()
	all := e.waitSettled(1, 2, 3)
	t.Logf("server 3 joined %v after its disk was writable", time.Since(mended))
	assert.Equal(t, got, all, "3 joined the established leader")
	assert.NotContains(t, e.fourLetter(3, "srvr"), "zkfle disk fault")
	assert.NotContains(t, e.fourLetter(3, "mntr"), "zk_zkfle_disk_fault")
	assert.True(t, strings.Contains(e.stderrOf(3), `msg="epoch files writable again; standing for leader"`), "server 3 logs the recovery")
	assert.Equal(t, got.epoch, e.diskEpoch(3, "currentEpoch"), "its epoch files are current")
}

// A server whose accepted epoch is ahead of the established leader's is
// refused at every attempt (follow -> refuse -> re-elect). It used to
// loop about 5,300 times a second; now it backs off.
func TestProcessRefusedFollowerBacksOff(t *testing.T) {
	e := newFailoverEnsemble(t, 3)
	e.start(2, 3)
	got := e.waitSettled(2, 3)

	snap := filepath.Join(e.servers[1].dir, "data", "version-2")
	require.NoError(t, os.MkdirAll(snap, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(snap, "currentEpoch"), []byte("0"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(snap, "acceptedEpoch"), []byte("100"), 0o644))
	e.start(1)

	// Wait for the first refusal, then count rounds over a window.
	require.True(t, waitFor(settleTimeout, func() bool {
		return strings.Contains(e.stderrOf(1), "less than accepted epoch")
	}), "server 1 was never refused:\n%s", e.stderrOf(1))
	const window = 6 * time.Second
	before := strings.Count(e.stderrOf(1), `msg="start looking"`)
	deadline := time.Now().Add(window)
	for time.Now().Before(deadline) {
		e.observe(2) // keep sampling the pair while the window passes
		e.observe(3)
		time.Sleep(100 * time.Millisecond) // pacing the sampler, not synchronisation
	}
	rounds := strings.Count(e.stderrOf(1), `msg="start looking"`) - before
	perSecond := float64(rounds) / window.Seconds()
	t.Logf("server 1 started %d rounds in %v (%.2f/s)", rounds, window, perSecond)
	assert.LessOrEqual(t, perSecond, 2.0, "session attempts per second")
	assert.Equal(t, got, e.waitSettled(2, 3), "the pair stayed settled")
}

// Interop: a disk-faulted zkfle node among ZooKeeper servers sends the
// non-participant vote (leader, zxid and peer epoch Long.MIN_VALUE), which
// ZooKeeper ignores in lookForLeader as a vote for a non-member, then
// votes for and follows the ZooKeeper leader (election-only, no epoch
// write needed) while still reporting the fault.
func TestInteropDiskFaultedZkfleFollowsZooKeeper(t *testing.T) {
	checkLeaks(t)
	m := newMixed(t, []int64{1}, []int64{2, 3})
	data := filepath.Join(t.TempDir(), "data1")
	snap := filepath.Join(data, "version-2")
	require.NoError(t, os.MkdirAll(snap, 0o755))
	for _, name := range []string{"currentEpoch", "acceptedEpoch"} {
		require.NoError(t, os.WriteFile(filepath.Join(snap, name), []byte("0"), 0o644))
	}
	if _, err := immutable(t, snap); err != nil {
		t.Skipf("in-process node: needs chattr +i: %v", err)
	}
	tweak := m.goE.tweak
	m.goE.tweak = func(cfg *actors.Config) {
		tweak(cfg)
		cfg.DataDir = data
	}
	m.startAll()

	javaLeader, _ := m.javaRoles()
	require.NotEqual(t, int64(0), javaLeader)
	n := m.goE.node(1)
	fault, ok := n.DiskFault()
	require.True(t, ok, "node 1 is disk-faulted")
	assert.Equal(t, snap, fault.Dir)
	require.True(t, waitFor(interopTimeout, func() bool {
		st := n.Status()
		return st.State == messages.ServerState_FOLLOWING && st.Leader == javaLeader
	}), "zkfle 1 does not follow Java leader %d: %+v", javaLeader, n.Status())
	es, err := n.ElectionStatus(5 * time.Second)
	require.NoError(t, err)
	assert.Equal(t, javaLeader, es.GetCurrentVote().GetLeader())
	// The Java servers saw the non-participant vote and ignored it.
	assert.True(t, strings.Contains(m.java.Logs(), "Ignoring notification for non-cluster member sid -9223372036854775808 from sid 1"),
		"no ZooKeeper server logged the ignored vote")
	_, ok = n.DiskFault()
	assert.True(t, ok, "still faulted: following a ZooKeeper leader needs no epoch write")
}

// In process: a disk-faulted node reports the fault in the admin stat
// JSON and the zkfle_disk_fault gauge, while the other two elect.
func TestDiskFaultAdminAndMetrics(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data3")
	snap := filepath.Join(data, "version-2")
	require.NoError(t, os.MkdirAll(snap, 0o755))
	for _, name := range []string{"currentEpoch", "acceptedEpoch"} {
		require.NoError(t, os.WriteFile(filepath.Join(snap, name), []byte("0"), 0o644))
	}
	u, err := immutable(t, snap)
	if err != nil {
		t.Skipf("in-process node: needs chattr +i: %v", err)
	}
	e := newEnsemble(t, []member{{sid: 1}, {sid: 2}, {sid: 3}}, func(cfg *actors.Config) {
		if cfg.ID == 3 {
			cfg.DataDir = data
		}
	})
	e.start()
	assert.Equal(t, int64(2), e.waitAgreed(settleTimeout, 1, 2), "the best healthy server leads")
	n := e.node(3)

	rec, err := history.New(0)
	require.NoError(t, err)
	h, err := admin.NewHandler(admin.Options{Node: n, Recorder: rec, Verifier: e.verifier, Version: "test"})
	require.NoError(t, err)
	stat := func() admin.Stat {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/commands/stat", nil))
		require.Equal(t, http.StatusOK, w.Code)
		var st admin.Stat
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &st))
		return st
	}
	m, err := metrics.New(n, rec, metrics.Options{})
	require.NoError(t, err)
	gauge := func() string {
		w := httptest.NewRecorder()
		m.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		for _, line := range strings.Split(w.Body.String(), "\n") {
			if strings.HasPrefix(line, "zkfle_disk_fault{") {
				return line
			}
		}
		return ""
	}

	st := stat()
	require.NotNil(t, st.DiskFault, "admin stat has disk_fault")
	assert.Equal(t, snap, st.DiskFault.Dir)
	assert.Contains(t, st.DiskFault.Error, "operation not permitted")
	assert.Equal(t, `zkfle_disk_fault{sid="3"} 1`, gauge())

	u.restore()
	require.True(t, waitFor(settleTimeout, func() bool {
		_, faulted := n.DiskFault()
		return !faulted && n.Status().State == messages.ServerState_FOLLOWING
	}), "node 3 did not recover: %+v", n.Status())
	assert.Nil(t, stat().DiskFault)
	assert.Equal(t, `zkfle_disk_fault{sid="3"} 0`, gauge())
}
