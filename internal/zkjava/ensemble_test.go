package zkjava

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/zkfle/zkfle/internal/freeport"
)

func freePort(t *testing.T) int {
	t.Helper()
	return freeport.MustPort()
}

// javaMembers returns n Java members with sids 1..n on free ports.
func javaMembers(t *testing.T, n int) []Member {
	out := make([]Member, n)
	for i := range out {
		out[i] = Member{SID: int64(i + 1), QuorumPort: freePort(t), ElectionPort: freePort(t),
			ClientPort: freePort(t), Java: true}
	}
	return out
}

// A real three-server ZooKeeper ensemble: the highest sid leads; killing
// it (by pid) makes the survivors elect one of them; Stop reaps all.
func TestRealEnsembleElectsAndFailsOver(t *testing.T) {
	defer goleak.VerifyNone(t)
	inst := RequireInstalled(t)
	e, err := New(inst, Spec{Dir: t.TempDir(), Members: javaMembers(t, 3)})
	require.NoError(t, err)
	t.Cleanup(func() {
		require.NoError(t, e.Stop())
		if t.Failed() {
			t.Logf("%s", e.Logs())
		}
	})
	require.NoError(t, e.Start())
	assert.ErrorIs(t, e.Server(1).Start(), ErrAlreadyRunning)

	modes, err := e.WaitServing(60 * time.Second)
	require.NoError(t, err)
	assert.Equal(t, "leader", modes[3].Mode)
	assert.Equal(t, "follower", modes[1].Mode)
	assert.Equal(t, "follower", modes[2].Mode)

	pid := e.Server(3).Pid()
	require.NotZero(t, pid)
	require.NoError(t, e.Kill(3))
	assert.False(t, e.Server(3).Running())
	assert.Contains(t, e.Server(3).ExitState(), "killed")

	// Which survivor leads depends on the zxids they logged while
	// following (a follower synced by DIFF may not have logged the new
	// epoch's first zxid yet), not only on the sid: one leads, the other
	// follows.
	require.Eventually(t, func() bool {
		modes, err := e.WaitServing(time.Second, 1, 2)
		if err != nil {
			return false
		}
		roles := modes[1].Mode + "," + modes[2].Mode
		return roles == "leader,follower" || roles == "follower,leader"
	}, 60*time.Second, 100*time.Millisecond, "survivors elect one leader")

	logs := e.Logs()
	assert.Contains(t, logs, "==== ZooKeeper server 1")
	assert.True(t, strings.Contains(logs, "LEADER ELECTION TOOK"), "slf4j-simple binding logs at INFO")

	require.NoError(t, e.Stop())
	for _, sid := range e.SIDs() {
		assert.Falsef(t, e.Server(sid).Running(), "server %d after Stop", sid)
	}
}
