package tests

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/internal/zkjava"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/zab"
	"github.com/zkfle/zkfle/zab/epochfile"
	"github.com/zkfle/zkfle/zk"
)

// Issue 7(f): where zkfle and ZooKeeper meet after the election, on the
// quorum port. zkfle replicates no data, so neither side may sync with
// the other: a zkfle node follows a ZooKeeper leader in the election only
// (it acknowledges nothing), and a zkfle leader refuses a ZooKeeper
// learner with one actionable log line. docs/INTEROP.md states the
// supported layouts these tests exercise.

// electionOnlyMsg is what a zkfle node logs (WARN) when it follows a
// ZooKeeper leader in the election only.
const electionOnlyMsg = "following a ZooKeeper leader in the election only"

// javaFollowerTimeout is how long a Java follower waits for its leader
// (syncLimit, zkjava's default 5 ticks, × tickTime) before it looks again.
const javaFollowerTimeout = 5 * zkjava.DefaultTickTime

// leavingRole is the message of a zkfle node's log line when it leaves
// its role (with reason= and detail=).
const leavingRole = `msg="leaving role; looking for a leader"`

// refusalDetail is the whole actionable line a zkfle leader logs when a
// ZooKeeper server tries to sync from it.
func refusalDetail(javaSID int64) string {
	return fmt.Sprintf("server %d is an Apache ZooKeeper server: it cannot sync from a zkfle leader, which holds no data; "+
		"give the ZooKeeper servers the highest sids so that one of them leads (docs/INTEROP.md)", javaSID)
}

// TestInteropMeetElectionOnlyFollower: zkfle 1, 2 follow the ZooKeeper
// leader of 3, 4, 5 in the election only. They report FOLLOWING with the
// Java leader and its epoch, persist nothing the Java leader proposed,
// and the Java leader never syncs them nor counts them as synced.
func TestInteropMeetElectionOnlyFollower(t *testing.T) {
	checkLeaks(t)
	m := newMixed(t, []int64{1, 2}, []int64{3, 4, 5})
	logs := m.captureNodeLogs()
	dataDirs := m.giveDataDirs()
	m.startAll()

	javaLeader, modes := m.javaRoles()
	require.NotZerof(t, javaLeader, "Java modes: %v", modes)
	leaderInfo, err := m.java.Srvr(javaLeader)
	require.NoError(t, err)
	javaEpoch := zk.Zxid(leaderInfo.Zxid).Epoch()
	require.Positive(t, javaEpoch, "the Java leader established an epoch: %s", leaderInfo.Raw)

	zkfle := []int64{1, 2}
	require.True(t, waitFor(interopTimeout, func() bool {
		for _, sid := range zkfle {
			st := m.goE.node(sid).Status()
			if st.State != messages.ServerState_FOLLOWING || st.Leader != javaLeader || st.PeerEpoch != javaEpoch {
				return false
			}
		}
		return true
	}), "zkfle nodes follow Java leader %d in epoch %d: %+v, %+v", javaLeader, javaEpoch,
		m.goE.node(1).Status(), m.goE.node(2).Status())

	// The role holds while the Java leader is healthy: an election-only
	// follower has no connection to it and no timer of its own; only a
	// voter LOOKING in a newer round ends it. Watch it for three of
	// ZooKeeper's follower timeouts.
	// A node may have left a role before this point: at a cold start it can
	// reach the Java leader's quorum port before that port listens, give
	// up, and look again (seen under load). Once it follows the leader in
	// its epoch, it must not leave.
	leftBefore := map[int64]int{}
	for _, sid := range zkfle {
		leftBefore[sid] = logs[sid].count(leavingRole)
	}
	stableUntil := time.Now().Add(3 * javaFollowerTimeout)
	for time.Now().Before(stableUntil) {
		for _, sid := range zkfle {
			st := m.goE.node(sid).Status()
			require.Truef(t, st.State == messages.ServerState_FOLLOWING && st.Leader == javaLeader,
				"zkfle %d stays FOLLOWING %d while that leader is healthy, got %+v; its log:\n%s",
				sid, javaLeader, st, logs[sid].String())
		}
		time.Sleep(50 * time.Millisecond) // sampling interval, not synchronisation
	}
	for _, sid := range zkfle {
		assert.Equalf(t, leftBefore[sid], logs[sid].count(leavingRole), "zkfle %d left its role while the leader was healthy", sid)
	}

	for _, sid := range zkfle {
		// The role is election-only, and says so once per establishment.
		assert.Truef(t, logs[sid].contains("level=WARN", electionOnlyMsg, fmt.Sprintf("leader=%d", javaLeader),
			fmt.Sprintf("epoch=%d", javaEpoch)), "zkfle %d logs its election-only role", sid)
		// Nothing the Java leader proposed reached the disk: a fresh
		// dataDir starts both files at 0, and they stay there.
		assert.Equalf(t, map[string]int64{zab.AcceptedEpochName: 0, zab.CurrentEpochName: 0},
			readEpochFiles(t, dataDirs[sid]), "zkfle %d's epoch files (Java epoch %d)", sid, javaEpoch)
		assert.Falsef(t, logs[sid].contains("epoch persisted"), "zkfle %d persisted no epoch", sid)
	}

	// The Java side: the leader heard each zkfle node's FOLLOWERINFO (it
	// connected) but synced only the Java followers, which it does after
	// their ACKEPOCH; and mntr counts only them as synced.
	var javaFollowers []int64
	for sid, mode := range modes {
		if mode == "follower" {
			javaFollowers = append(javaFollowers, sid)
		}
	}
	leaderLog := m.java.Server(javaLeader).Log()
	for _, sid := range javaFollowers {
		assert.Regexpf(t, learnerSynced(sid), leaderLog, "the Java leader synced Java follower %d", sid)
	}
	for _, sid := range zkfle {
		assert.Regexpf(t, learnerConnected(sid), leaderLog, "zkfle %d sent the Java leader its FOLLOWERINFO", sid)
		assert.NotRegexpf(t, learnerSynced(sid), leaderLog, "the Java leader never synced zkfle %d", sid)
		assert.NotRegexpf(t, newLeaderAck(sid), leaderLog, "no NEWLEADER ack from zkfle %d", sid)
	}
	mntr := m.mntr(javaLeader)
	assert.Equalf(t, strconv.Itoa(len(javaFollowers)), mntr["zk_synced_followers"],
		"the Java leader counts only its %d Java followers as synced; mntr:\n%v", len(javaFollowers), mntr)
	assert.Equal(t, "0", mntr["zk_synced_non_voting_followers"])
	assert.Equal(t, "0", mntr["zk_synced_observers"])
}

// TestInteropMeetZkfleLeaderRefusesZooKeeper: zkfle 2, 3 and ZooKeeper 1,
// a layout against docs/INTEROP.md (a zkfle node holds the highest sid).
// zkfle 3 leads with zkfle 2; ZooKeeper 1 follows 3 in the election, and
// 3 refuses its FOLLOWERINFO with one actionable WARN line per attempt;
// ZooKeeper 1 never syncs.
func TestInteropMeetZkfleLeaderRefusesZooKeeper(t *testing.T) {
	checkLeaks(t)
	m := newMixed(t, []int64{2, 3}, []int64{1})
	logs := m.captureNodeLogs()
	m.startAll()

	require.Equal(t, int64(3), m.goE.waitAgreed(interopTimeout, 2, 3), "the zkfle nodes elect the highest sid")
	java := m.java.Server(1)
	// Each time ZooKeeper 1 decides to follow 3 it logs this, then
	// connects to 3's quorum port.
	attempts := func() int { return strings.Count(java.Log(), "FOLLOWING - LEADER ELECTION TOOK") }
	refusals := func() int { return logs[3].count("level=WARN", `msg="closing quorum connection"`, refusalDetail(1)) }

	require.True(t, waitFor(interopTimeout, func() bool { return refusals() >= 2 }),
		"zkfle 3 refuses ZooKeeper 1 (twice: a first attempt and a retry); Java follow attempts: %d", attempts())

	// Watch several Java retries: one line per attempt, never more (no
	// silent loop on our side, no burst), and ZooKeeper 1 never serves
	// as a follower of the zkfle leader.
	deadline := time.Now().Add(5 * time.Second)
	notServing := 0
	for time.Now().Before(deadline) {
		r := refusals() // before attempts: an attempt is logged before its refusal
		a := attempts()
		require.LessOrEqualf(t, r, a, "at most one refusal per Java follow attempt")
		// Between attempts ZooKeeper answers "not currently serving" (or
		// nothing at all while it sets its server up); it must never
		// answer with a mode.
		if info, err := zkjava.Srvr(java.ClientAddr(), time.Second); err == nil {
			require.Failf(t, "ZooKeeper 1 serves", "mode %s under zkfle leader 3: %s", info.Mode, info.Raw)
		} else if isNotServing(err) {
			notServing++
		}
		time.Sleep(100 * time.Millisecond) // sampling interval, not synchronisation
	}
	require.Positive(t, notServing, "ZooKeeper 1 said it is not serving")
	assert.GreaterOrEqual(t, refusals(), 2)
	assert.NotContains(t, java.Log(), "Learner received NEWLEADER message", "ZooKeeper 1 got no NEWLEADER from zkfle")
	assert.Equal(t, 0, logs[3].count(`msg="closing quorum connection"`, "server 2 is an Apache ZooKeeper server"),
		"zkfle 2 carries the mark and is never refused")

	// The zkfle ensemble itself is established and undisturbed.
	st3, st2 := m.goE.node(3).Status(), m.goE.node(2).Status()
	assert.Equal(t, messages.ServerState_LEADING, st3.State)
	assert.Equal(t, messages.ServerState_FOLLOWING, st2.State)
	assert.Equal(t, int64(3), st2.Leader)
	assert.Equal(t, st3.PeerEpoch, st2.PeerEpoch)
}

// TestInteropMeetLeaderPausedNewerRound: zkfle 1, 2 + ZooKeeper 3..7. The
// Java leader is paused (SIGSTOP): its followers time out, the survivors
// look in a newer round and elect another Java leader, and the zkfle
// nodes, which hold no session with the leader, learn of it through the
// newer-round LOOKING notifications and follow the new leader.
func TestInteropMeetLeaderPausedNewerRound(t *testing.T) {
	checkLeaks(t)
	m := newMixed(t, []int64{1, 2}, []int64{3, 4, 5, 6, 7})
	logs := m.captureNodeLogs()
	m.startAll()

	oldLeader, _ := m.javaRoles()
	require.NotZero(t, oldLeader)
	require.Equal(t, oldLeader, m.goE.waitAgreed(interopTimeout, 1, 2))
	oldEpoch := m.goE.node(1).Status().PeerEpoch

	// What the nodes log from the pause on: the cold start before it may
	// hold a "leader silent" of its own (a node that followed a JVM which
	// led briefly, or was still electing when the node decided, as
	// docs/INTEROP.md describes), which is not what this test is about.
	from := map[int64]int{}
	for _, sid := range []int64{1, 2} {
		from[sid] = logs[sid].size()
	}
	m.pauseJava(oldLeader)
	var survivors []int64
	for _, sid := range m.java.SIDs() {
		if sid != oldLeader {
			survivors = append(survivors, sid)
		}
	}
	var newLeader int64
	require.True(t, waitFor(interopTimeout, func() bool {
		l, _ := m.javaRoles(survivors...)
		newLeader = l
		return l != 0 && l != oldLeader
	}), "the Java survivors elect a new leader")
	info, err := m.java.Srvr(newLeader)
	require.NoError(t, err)
	newEpoch := zk.Zxid(info.Zxid).Epoch()
	require.Greater(t, newEpoch, oldEpoch)

	agreed := waitFor(interopTimeout, func() bool {
		for _, sid := range []int64{1, 2} {
			st := m.goE.node(sid).Status()
			if st.State != messages.ServerState_FOLLOWING || st.Leader != newLeader || st.PeerEpoch != newEpoch {
				return false
			}
		}
		return true
	})
	if !agreed {
		m.goE.dumpStatus()
	}
	require.Truef(t, agreed, "zkfle nodes follow the new Java leader %d in epoch %d: %+v, %+v",
		newLeader, newEpoch, m.goE.node(1).Status(), m.goE.node(2).Status())
	for _, sid := range []int64{1, 2} {
		// An election-only follower has no connection to its leader, so
		// the only way it learns of the loss is a voter LOOKING in a
		// newer round; no timer of its own may end the role.
		assert.Positivef(t, logs[sid].countFrom(from[sid], "level=WARN", leavingRole, `reason="a voter is looking in a newer round"`),
			"zkfle %d left the paused leader through the newer-round rule", sid)
		assert.Zerof(t, logs[sid].countFrom(from[sid], leavingRole, `reason="leader silent"`),
			"zkfle %d holds no session with its leader that could fall silent", sid)
		assert.Positivef(t, logs[sid].countFrom(from[sid], electionOnlyMsg, fmt.Sprintf("leader=%d", newLeader)),
			"zkfle %d follows %d election-only", sid, newLeader)
	}
}

// captureNodeLogs gives each zkfle node its own log buffer (as well as
// the ensemble's shared one) and returns them by sid. Call before start.
func (m *mixed) captureNodeLogs() map[int64]*logBuffer {
	bufs := map[int64]*logBuffer{}
	for _, sid := range m.goE.sids() {
		bufs[sid] = &logBuffer{}
	}
	prev := m.goE.tweak
	m.goE.tweak = func(cfg *actors.Config) {
		if prev != nil {
			prev(cfg)
		}
		var w io.Writer = io.MultiWriter(m.goE.logs, bufs[cfg.ID])
		if os.Getenv("ZKFLE_TEST_LOGS") != "" {
			w = io.MultiWriter(w, os.Stderr)
		}
		// The node's logger adds its sid itself.
		cfg.Logger = slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return bufs
}

// giveDataDirs gives each zkfle node a fresh dataDir and returns them by
// sid. Call before start.
func (m *mixed) giveDataDirs() map[int64]string {
	dirs := map[int64]string{}
	for _, sid := range m.goE.sids() {
		dirs[sid] = m.t.TempDir()
	}
	prev := m.goE.tweak
	m.goE.tweak = func(cfg *actors.Config) {
		if prev != nil {
			prev(cfg)
		}
		cfg.DataDir = dirs[cfg.ID]
	}
	return dirs
}

// pauseJava stops Java server sid with SIGSTOP (it keeps its sockets,
// answering nothing); a cleanup, which runs before the Java servers are
// stopped, resumes it.
func (m *mixed) pauseJava(sid int64) {
	m.t.Helper()
	pid := m.java.Server(sid).Pid()
	require.NotZerof(m.t, pid, "Java server %d is not running", sid)
	require.NoError(m.t, syscall.Kill(pid, syscall.SIGSTOP))
	m.t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGCONT) })
}

// mntr asks Java server sid for mntr and returns its key/value lines.
func (m *mixed) mntr(sid int64) map[string]string {
	m.t.Helper()
	raw, err := zkjava.FourLetter(m.java.Server(sid).ClientAddr(), "mntr", 5*time.Second)
	require.NoError(m.t, err)
	out := map[string]string{}
	for _, line := range strings.Split(raw, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "\t"); ok {
			out[k] = v
		}
	}
	require.Containsf(m.t, out, "zk_server_state", "mntr of Java server %d: %q", sid, raw)
	return out
}

// readEpochFiles reads a zkfle dataDir's acceptedEpoch and currentEpoch.
func readEpochFiles(t *testing.T, dataDir string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, name := range []string{zab.AcceptedEpochName, zab.CurrentEpochName} {
		b, err := os.ReadFile(filepath.Join(dataDir, epochfile.SnapDirName, name))
		require.NoError(t, err)
		v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		require.NoErrorf(t, err, "%s holds %q", name, b)
		out[name] = v
	}
	return out
}

// learnerConnected matches the Java leader's line for a learner's
// FOLLOWERINFO (LearnerHandler, before any epoch exchange).
func learnerConnected(sid int64) *regexp.Regexp {
	return regexp.MustCompile(fmt.Sprintf(`Follower sid: %d : info :`, sid))
}

// learnerSynced matches the Java leader's line for syncing a learner,
// which it logs only after the learner's ACKEPOCH.
func learnerSynced(sid int64) *regexp.Regexp {
	return regexp.MustCompile(fmt.Sprintf(`Synchronizing with Learner sid: %d `, sid))
}

// newLeaderAck matches the Java leader's line for a learner's ack of
// NEWLEADER.
func newLeaderAck(sid int64) *regexp.Regexp {
	return regexp.MustCompile(fmt.Sprintf(`NEWLEADER-ACK message from %d\b`, sid))
}

// isNotServing reports whether a srvr error is ZooKeeper's "not currently
// serving": the Java server is electing or syncing.
func isNotServing(err error) bool { return errors.Is(err, zkjava.ErrNotServing) }

// count returns how many log lines hold every fragment.
func (b *logBuffer) count(fragments ...string) int { return b.countFrom(0, fragments...) }

// size is how many bytes the buffer holds: a mark for countFrom. Each
// slog record is one Write, so a mark falls between lines.
func (b *logBuffer) size() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}

// countFrom is count over the lines written after mark (from size).
func (b *logBuffer) countFrom(mark int, fragments ...string) int {
	n := 0
	for _, line := range strings.Split(b.String()[mark:], "\n") {
		all := true
		for _, f := range fragments {
			if !strings.Contains(line, f) {
				all = false
				break
			}
		}
		if all {
			n++
		}
	}
	return n
}
