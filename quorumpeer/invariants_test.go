package quorumpeer

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/zk"
)

// Random input sequences, judged by a small model kept beside the Peer
// (not read from it): the reported state changes only at establishment
// (to the role) and when an established session ends (to LOOKING); at
// most one session runs; every round stands for leader exactly when no
// disk fault is open; a back-off pauses the election and never comes with
// a round.
func TestRandomInputsKeepTheLoopsInvariants(t *testing.T) {
	for seed := uint64(1); seed <= 2000; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			checkRandomRun(t, seed)
		})
	}
}

func checkRandomRun(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 42))
	p, err := New(Config{ID: 1, Epochs: &epochs{current: 4}, Rand: rng.Int64N})
	require.NoError(t, err)
	var (
		sessions    int
		established bool
		faulted     bool
		reported    = zk.Looking
		now         time.Duration
		lastGen     uint64
		probeGen    uint64
	)
	roles := []zk.ServerState{zk.Leading, zk.Following, zk.Observing}
	out := p.Start(now)
	for step := 0; step < 60; step++ {
		// Judge the previous output.
		if out.StopSession && sessions > 0 {
			sessions--
			established = false
		}
		if out.StartSession != nil {
			sessions++
		}
		require.LessOrEqual(t, sessions, 1, "step %d: two sessions", step)
		if s := out.StartLooking; s != nil {
			require.Equal(t, !faulted, s.Candidate, "step %d: candidacy", step)
			require.Nil(t, out.Backoff, "step %d: a round and a back-off", step)
		}
		if out.Backoff != nil {
			require.True(t, out.PauseElection, "step %d: back-off without pause", step)
			lastGen = out.Backoff.Gen
		}
		if out.ArmProbe != nil {
			probeGen = out.ArmProbe.Gen
		}
		require.Equal(t, reported, p.State(), "step %d: state changed without a report", step)

		// The next input.
		now += time.Duration(rng.Int64N(int64(15 * time.Second)))
		before := p.State()
		var establishing bool
		switch rng.IntN(11) {
		case 0:
			out = p.Decided(fle.Decision{Leader: rng.Int64N(3) + 1, ElectionEpoch: int64(step), PeerEpoch: 4, State: roles[rng.IntN(3)]})
		case 1, 2:
			d, ok := p.Session()
			establishing = ok
			out = p.Established(d.State, d.Leader, 5, rng.IntN(2) == 0, now)
		case 3:
			out = p.SessionEnded("ENDED", "", now)
		case 4:
			out = p.VoterLookingInNewerRound(2, now)
		case 5:
			out = p.BackoffFired(lastGen - uint64(rng.IntN(2)))
		case 6:
			out = p.Start(now)
			if out.AskStatus {
				out = p.ElectionStatus(rng.Int64N(3), roles[rng.IntN(3)]*zk.ServerState(rng.IntN(2)))
			}
		case 7:
			faulted = true
			out = p.DiskFailed()
		case 8:
			faulted = false
			out = p.DiskWritten()
		case 9:
			out = p.ProbeDue(probeGen)
		case 10:
			ok := rng.IntN(2) == 0
			faulted = !ok
			out = p.Probed(ok)
		}
		if r := out.Report; r != nil {
			require.Equal(t, before, r.Old, "step %d", step)
			if establishing {
				require.NotEqual(t, zk.Looking, r.New, "step %d", step)
				established = true
			} else {
				require.Equal(t, zk.Looking, r.New, "step %d: a role visible without establishment", step)
				require.NotEqual(t, zk.Looking, before, "step %d: LOOKING reported twice", step)
			}
			reported = r.New
		} else if establishing {
			t.Fatalf("step %d: an establishment reported nothing", step)
		}
		if established && out.StopSession && out.Report == nil {
			t.Fatalf("step %d: an established session ended without a report", step)
		}
	}
}
