package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Unit tests of the nemesis oracles on crafted observations: each rule
// passes a clean history and catches the violation it exists for, so a
// green nemesis run means something.

// nemHistory builds crafted observations on a millisecond clock.
type nemHistory struct {
	t0  time.Time
	obs []nemObs
}

func newNemHistory() *nemHistory {
	return &nemHistory{t0: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (h *nemHistory) at(ms int) time.Time { return h.t0.Add(time.Duration(ms) * time.Millisecond) }

// role adds srvr and admin answers of sid at ms (each taking 5 ms).
func (h *nemHistory) role(ms int, sid int64, mode string, epoch, leader int64) {
	for _, src := range []nemSource{nemSrvr, nemAdmin} {
		o := nemObs{sid: sid, source: src, sent: h.at(ms), done: h.at(ms + 5), answered: true, mode: mode, epoch: epoch}
		if src == nemAdmin {
			o.leader = leader
		}
		h.obs = append(h.obs, o)
	}
}

// silent adds srvr and admin probes of sid at ms that got no answer.
func (h *nemHistory) silent(ms int, sid int64) {
	for _, src := range []nemSource{nemSrvr, nemAdmin} {
		h.obs = append(h.obs, nemObs{sid: sid, source: src, sent: h.at(ms), done: h.at(ms + 400)})
	}
}

// files adds an epoch file read of sid at ms.
func (h *nemHistory) files(ms int, sid int64, current, accepted int64) {
	h.obs = append(h.obs, nemObs{sid: sid, source: nemFiles, sent: h.at(ms), done: h.at(ms + 1), current: current, accepted: accepted})
}

// epoch adds a whole established epoch: files first (persisted before
// anything is reported), then every voter in role, leader naming itself.
func (h *nemHistory) epoch(ms int, leader, epoch int64, voters ...int64) {
	for _, sid := range voters {
		h.files(ms, sid, epoch, epoch)
	}
	for _, sid := range voters {
		mode := "follower"
		if sid == leader {
			mode = "leader"
		}
		h.role(ms+20, sid, mode, epoch, leader)
	}
}

func (h *nemHistory) verdict() nemVerdict {
	c := newNemChecker(sidsUpTo(5))
	for _, o := range h.obs {
		c.add(o)
	}
	return c.verdict()
}

// clean is two epochs of five voters, everyone following.
func cleanNemHistory() *nemHistory {
	h := newNemHistory()
	h.epoch(0, 5, 1, 1, 2, 3, 4, 5)
	h.epoch(1000, 4, 2, 1, 2, 3, 4, 5)
	h.files(2000, 1, 2, 2)
	return h
}

func requireViolation(t *testing.T, v nemVerdict, substrings ...string) {
	t.Helper()
	for _, msg := range v.violations {
		ok := true
		for _, s := range substrings {
			ok = ok && strings.Contains(msg, s)
		}
		if ok {
			return
		}
	}
	t.Fatalf("no violation mentions %q; got %q", substrings, v.violations)
}

func TestNemesisCheckerCleanHistoryPasses(t *testing.T) {
	v := cleanNemHistory().verdict()
	assert.Empty(t, v.violations)
	assert.Equal(t, []int64{1, 2}, v.epochs)
	assert.Equal(t, map[int64]int64{1: 5, 2: 4}, v.leaders)
	assert.Equal(t, 2, v.byReports)
}

// Oracle (a): two sids leading one epoch, whether both say so or a
// follower names another leader than the one that says it leads.
func TestNemesisCheckerCatchesTwoLeadersInOneEpoch(t *testing.T) {
	h := cleanNemHistory()
	h.role(1500, 3, "leader", 2, 3)
	requireViolation(t, h.verdict(), "(a) epoch 2 had 2 leaders", "leader 3", "leader 4")

	h = cleanNemHistory()
	h.obs = append(h.obs, nemObs{sid: 1, source: nemAdmin, sent: h.at(1500), done: h.at(1501), answered: true,
		mode: "follower", epoch: 2, leader: 5})
	requireViolation(t, h.verdict(), "(a) epoch 2 had 2 leaders", "leader 5")

	// Two leaders at once in different epochs is allowed (an old leader
	// that has not noticed yet), so that alone is no violation.
	h = newNemHistory()
	h.epoch(0, 5, 1, 1, 2, 3, 4, 5)
	h.epoch(1000, 4, 2, 1, 2, 3, 4)
	h.role(1100, 5, "leader", 1, 5)
	assert.Empty(t, h.verdict().violations)
}

// Oracle (b), first half: epochs never go down, in happens-before order
// only; overlapping probes are not ordered.
func TestNemesisCheckerCatchesEpochGoingDown(t *testing.T) {
	t.Run("reported role", func(t *testing.T) {
		h := cleanNemHistory()
		h.role(1500, 2, "follower", 1, 5)
		requireViolation(t, h.verdict(), "(b) sid 2: established epoch went down", "reported follower epoch 1")
	})
	t.Run("overlapping probes are not ordered", func(t *testing.T) {
		h := newNemHistory()
		h.epoch(0, 5, 1, 1, 2, 3, 4, 5)
		h.epoch(1000, 4, 2, 1, 2, 3, 4, 5)
		// A slow srvr probe of sid 2 sent before its epoch-2 file read
		// finished may still answer epoch 1.
		h.obs = append(h.obs, nemObs{sid: 2, source: nemSrvr, sent: h.at(995), done: h.at(1400), answered: true,
			mode: "follower", epoch: 1})
		assert.Empty(t, h.verdict().violations)

		// A slow probe that saw the new epoch does not order a file
		// read that started after it did but finished first.
		h = newNemHistory()
		h.epoch(0, 5, 1, 1, 2, 3, 4, 5)
		h.obs = append(h.obs, nemObs{sid: 2, source: nemSrvr, sent: h.at(990), done: h.at(1400), answered: true,
			mode: "follower", epoch: 2})
		h.files(991, 2, 1, 2)
		h.epoch(1000, 4, 2, 1, 2, 3, 4, 5)
		assert.Empty(t, h.verdict().violations)
	})
	t.Run("currentEpoch file", func(t *testing.T) {
		h := cleanNemHistory()
		h.files(2500, 1, 1, 2)
		requireViolation(t, h.verdict(), "(b) sid 1: established epoch went down", "currentEpoch file 1")
	})
	t.Run("reported before persisted", func(t *testing.T) {
		h := cleanNemHistory()
		h.role(1500, 3, "follower", 3, 4) // epoch 3 reported...
		h.files(1600, 3, 2, 3)            // ...but not on disk after it
		requireViolation(t, h.verdict(), "(b) sid 3: established epoch went down", "currentEpoch file 2", "reported follower epoch 3")
	})
	t.Run("role below the file", func(t *testing.T) {
		h := cleanNemHistory()
		h.files(2500, 2, 3, 3)
		h.role(2600, 2, "follower", 2, 4)
		requireViolation(t, h.verdict(), "(b) sid 2", "reported follower epoch 2", "currentEpoch file 3")
	})
	t.Run("acceptedEpoch", func(t *testing.T) {
		h := cleanNemHistory()
		h.files(2500, 1, 2, 1)
		v := h.verdict()
		requireViolation(t, v, "(b) sid 1: acceptedEpoch 1 read after currentEpoch 2")
		requireViolation(t, v, "(b) sid 1: accepted epoch went down")
	})
}

// Oracle (b), second half: a role reported in an epoch that no quorum
// acknowledged.
func TestNemesisCheckerCatchesEpochWithoutQuorum(t *testing.T) {
	base := func() *nemHistory {
		h := newNemHistory()
		h.epoch(0, 5, 1, 1, 2, 3, 4, 5)
		return h
	}
	t.Run("leader alone", func(t *testing.T) {
		h := base()
		h.files(1000, 5, 2, 2)
		h.role(1010, 5, "leader", 2, 5)
		for _, sid := range []int64{1, 2, 3, 4} {
			h.files(1100, sid, 1, 2) // accepted, never current
		}
		requireViolation(t, h.verdict(), "(b) epoch 2 was reported established", "without a quorum")
	})
	t.Run("leader and one follower of five", func(t *testing.T) {
		h := base()
		h.epoch(1000, 5, 2, 4, 5)
		for _, sid := range []int64{1, 2, 3, 4, 5} {
			h.files(1100, sid, map[bool]int64{true: 2, false: 1}[sid >= 4], 2)
		}
		requireViolation(t, h.verdict(), "(b) epoch 2", "without a quorum", "a majority is 3")
	})
	t.Run("followers not sampled in role but in their files", func(t *testing.T) {
		h := base()
		h.epoch(1000, 5, 2, 4, 5)
		h.files(1001, 3, 2, 2)
		v := h.verdict()
		assert.Empty(t, v.violations)
		assert.Equal(t, 1, v.byFiles)
	})
	t.Run("followers already in a later epoch when their files were read", func(t *testing.T) {
		h := base()
		h.files(1000, 5, 2, 2)
		h.role(1010, 5, "leader", 2, 5)
		for _, sid := range []int64{1, 2} {
			h.files(1100, sid, 3, 3)
		}
		h.files(1100, 5, 2, 2)
		v := h.verdict()
		assert.Empty(t, v.violations)
		assert.Equal(t, 1, v.byLaterFiles)
	})
	t.Run("a later epoch read before the report does not count", func(t *testing.T) {
		h := base()
		h.files(900, 1, 1, 1)
		h.files(1000, 5, 2, 2)
		h.role(1010, 5, "leader", 2, 5)
		// The first reads after the report show epoch 1: no quorum.
		for _, sid := range []int64{1, 2, 3, 4} {
			h.files(1100, sid, 1, 1)
			h.files(1300, sid, 3, 3)
		}
		requireViolation(t, h.verdict(), "(b) epoch 2", "without a quorum")
	})
}

// Oracle (e): after a heal, one established leader that every node
// follows, judged only on what was seen after the heal.
func TestNemesisCheckerLiveness(t *testing.T) {
	voters := sidsUpTo(5)
	h := cleanNemHistory()
	got, ok, why := nemConvergedSince(h.obs, voters, h.at(900))
	require.Truef(t, ok, "why: %s", why)
	assert.Equal(t, int64(4), got.leader)
	assert.Equal(t, int64(2), got.epoch)
	assert.Equal(t, h.at(1025), got.at)

	t.Run("agreement before the heal does not count", func(t *testing.T) {
		_, ok, why := nemConvergedSince(h.obs, voters, h.at(1500))
		assert.False(t, ok)
		assert.Contains(t, why, "nothing observed")
	})
	t.Run("a node that does not answer", func(t *testing.T) {
		h := newNemHistory()
		for _, sid := range []int64{1, 2, 4, 5} {
			h.role(1000, sid, map[bool]string{true: "leader", false: "follower"}[sid == 4], 2, 4)
		}
		h.silent(1000, 3)
		_, ok, why := nemConvergedSince(h.obs, voters, h.at(900))
		assert.False(t, ok)
		assert.Contains(t, why, "sid 3")
	})
	t.Run("a follower of another leader", func(t *testing.T) {
		h := newNemHistory()
		for _, sid := range voters {
			leader := int64(4)
			if sid == 2 {
				leader = 5 // by admin; srvr cannot say whom it follows
			}
			h.role(1000, sid, map[bool]string{true: "leader", false: "follower"}[sid == 4], 2, leader)
		}
		_, ok, why := nemConvergedSince(h.obs, voters, h.at(900))
		assert.False(t, ok)
		assert.Contains(t, why, "sid 2 follows 5, not 4")
	})
	t.Run("two leaders", func(t *testing.T) {
		h := newNemHistory()
		for _, sid := range voters {
			h.role(1000, sid, map[bool]string{true: "leader", false: "follower"}[sid >= 4], 2, 4)
		}
		_, ok, why := nemConvergedSince(h.obs, voters, h.at(900))
		assert.False(t, ok)
		assert.Contains(t, why, "2 leaders")
	})
	t.Run("a follower in another epoch", func(t *testing.T) {
		h := newNemHistory()
		for _, sid := range voters {
			epoch := int64(2)
			if sid == 1 {
				epoch = 1
			}
			h.role(1000, sid, map[bool]string{true: "leader", false: "follower"}[sid == 4], epoch, 4)
		}
		_, ok, why := nemConvergedSince(h.obs, voters, h.at(900))
		assert.False(t, ok)
		assert.Contains(t, why, "sid 1 srvr epoch 1")
	})
}

// The srvr parser reads ZooKeeper 3.8's own answers (captured in
// fourletter/testdata) and zkfle's epoch-carrying Zxid line.
func TestNemesisParseSrvr(t *testing.T) {
	// ZooKeeper's follower had processed no transaction yet (Zxid 0x0);
	// zkfle reports the first zxid of the established epoch.
	for file, want := range map[string][]any{"leader-srvr.txt": {"leader", int64(1)}, "follower-srvr.txt": {"follower", int64(0)}} {
		b, err := os.ReadFile(filepath.Join("..", "fourletter", "testdata", "zk38", file))
		require.NoError(t, err)
		answered, mode, epoch := nemParseSrvr(string(b))
		assert.True(t, answered)
		assert.Equal(t, want, []any{mode, epoch}, file)
	}
	answered, mode, epoch := nemParseSrvr("Zookeeper version: x\nZxid: 0x700000000\nMode: follower\nNode count: 5\n")
	assert.Equal(t, []any{true, "follower", int64(7)}, []any{answered, mode, epoch})
	answered, mode, _ = nemParseSrvr("This ZooKeeper instance is not currently serving requests\n")
	assert.Equal(t, []any{true, ""}, []any{answered, mode})
	answered, _, _ = nemParseSrvr("")
	assert.False(t, answered)
	_, mode, _ = nemParseSrvr("Mode: leader\n") // no Zxid: no role
	assert.Equal(t, "", mode)
}

func TestNemesisParseAdminStat(t *testing.T) {
	mode, epoch, leader, err := nemParseAdminStat([]byte(`{"command":"stat","error":null,"state":"FOLLOWING","server_state":"follower","leader":4,"peer_epoch":9}`))
	require.NoError(t, err)
	assert.Equal(t, []any{"follower", int64(9), int64(4)}, []any{mode, epoch, leader})
	mode, _, _, err = nemParseAdminStat([]byte(`{"command":"stat","error":null,"state":"LOOKING","server_state":"looking","leader":-1,"peer_epoch":9}`))
	require.NoError(t, err)
	assert.Equal(t, "", mode)
	_, _, _, err = nemParseAdminStat([]byte(`{"command":"stat","error":"server is not initialized"}`))
	assert.Error(t, err)
	_, _, _, err = nemParseAdminStat([]byte(`<html>`))
	assert.Error(t, err)
}

func TestNemesisReadEpochFile(t *testing.T) {
	dir := t.TempDir()
	snap := filepath.Join(dir, "version-2")
	require.NoError(t, os.MkdirAll(snap, 0o755))
	o := nemReadEpochFiles(1, dir)
	assert.Equal(t, []int64{-1, -1}, []int64{o.current, o.accepted})
	require.NoError(t, os.WriteFile(filepath.Join(snap, "currentEpoch"), []byte("12"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(snap, "acceptedEpoch"), []byte("garbage"), 0o644))
	o = nemReadEpochFiles(1, dir)
	assert.Equal(t, []int64{12, -1}, []int64{o.current, o.accepted})
	assert.False(t, o.sent.After(o.done))
}
