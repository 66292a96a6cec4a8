package tests

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/actors/actorstest"
	"github.com/zkfle/zkfle/messages"
)

var (
	soak            = flag.Duration("soak", 0, "run TestSupervisionSoak for this long, injecting random panics into random actors")
	supervisionSeed = flag.Uint64("supervision.seed", 0,
		"TestSupervisionFaults, TestSupervisionSoak: the seed that picks the victims (0: a new one, printed)")
)

// victimSeed is the seed of a test's victim choices: -supervision.seed,
// or a new one. It is printed with the command that replays it, since a
// failure may depend on which server was hit.
func victimSeed(t *testing.T) uint64 {
	t.Helper()
	seed := *supervisionSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("victims chosen by seed %d; replay: go test ./tests -run '^%s$' -supervision.seed=%d -v", seed, t.Name(), seed)
	return seed
}

// victimRole says which servers may be a target's victim.
type victimRole int

const (
	// anyServer: every server, the leader included.
	anyServer victimRole = iota
	// theLeader: only the leader has a Leader actor.
	theLeader
	// aFollower: only a follower has a Follower actor.
	aFollower
)

// pickVictim draws the server to crash from those role allows: the
// leader (0 while the election runs) and the other servers of sids.
func pickVictim(rng *rand.Rand, role victimRole, sids []int64, leader int64) int64 {
	var pool []int64
	for _, sid := range sids {
		switch role {
		case theLeader:
			if sid == leader {
				pool = append(pool, sid)
			}
		case aFollower:
			if sid != leader {
				pool = append(pool, sid)
			}
		default:
			pool = append(pool, sid)
		}
	}
	return pool[rng.IntN(len(pool))]
}

// others returns sids without the given ones, ascending.
func others(sids []int64, not ...int64) []int64 {
	var out []int64
	for _, sid := range sids {
		if !slices.Contains(not, sid) {
			out = append(out, sid)
		}
	}
	return out
}

// faultTarget names an actor kind and how to find one of its actors.
type faultTarget struct {
	kind actors.Kind
	// path of a per-connection actor under its Peer ("" for the Peer
	// itself); resolved at injection time, like every path (re-spawned
	// actors get new names).
	path string
	peer bool
	// endsSession: the crash takes the post-election session down with
	// it, so the victim looks again (a new round), as ZooKeeper's peer
	// does whenever its role throws.
	endsSession bool
	// session: a Leader or Follower, which exists only after a decision
	// and is stopped, not restarted, when it fails.
	session bool
	// role says which servers may be the victim; the test draws one by
	// seed.
	role victimRole
}

var faultTargets = []faultTarget{
	{kind: actors.KindNode, endsSession: true},
	{kind: actors.KindQuorumPeer, endsSession: true},
	{kind: actors.KindLeader, endsSession: true, session: true, role: theLeader},
	{kind: actors.KindFollower, endsSession: true, session: true, role: aFollower},
	{kind: actors.KindElection},
	{kind: actors.KindMessenger},
	{kind: actors.KindWorkerReceiver},
	{kind: actors.KindCnxManager},
	{kind: actors.KindListener},
	{kind: actors.KindPeer, path: "", peer: true},
	{kind: actors.KindBridge, path: "bridge", peer: true},
}

// resolve turns a target into an actor path on node n, or false when the
// node has no such actor right now (no peer connected yet).
func (f faultTarget) resolve(t testing.TB, n *actors.Node) (string, bool) {
	if !f.peer {
		return actorstest.ActorPath(n, f.kind)
	}
	paths, err := actorstest.PeerPaths(n, time.Second)
	if err != nil || len(paths) == 0 {
		return "", false
	}
	for _, p := range paths { // any connection will do
		if f.path == "" {
			return p, true
		}
		return p + "/" + f.path, true
	}
	return "", false
}

// For every actor kind: crash one during an election and one after it,
// on a server drawn by seed from all of them, the leader included (a
// Leader actor only lives on the leader, a Follower only on a follower).
// The test sees the failure and the supervisor's reaction (restart, or for
// a bridge, the connection replaced), the ensemble still ends with one
// leader agreed by all, and state that must outlive the crash does.
func TestSupervisionFaults(t *testing.T) {
	seed := victimSeed(t)
	sids := []int64{1, 2, 3}
	case_ := 0
	for _, target := range faultTargets {
		for _, phase := range []string{"during", "after"} {
			if target.session && phase == "during" {
				continue // no session exists while the election runs
			}
			// One stream per subtest, so that running one subtest
			// alone (-run 'TestSupervisionFaults/Leader/after') draws
			// what the whole run drew for it.
			case_++
			rng := rand.New(rand.NewPCG(seed, uint64(case_)))
			t.Run(fmt.Sprintf("%s/%s", target.kind, phase), func(t *testing.T) {
				checkLeaks(t)
				e := newEnsemble(t, participants(3), func(c *actors.Config) {
					c.FaultInjection = true
					if phase == "during" {
						// A long finalize window keeps the election open
						// while connections are up; the fast paths would
						// decide at once, before the fault.
						c.Election.FinalizeWait = time.Second
						c.DisableElectionFastPaths = true
					}
				})
				e.start()
				var before *messages.ElectionStatus
				leader := int64(-1)
				if phase == "after" {
					leader = e.waitAgreed(agreeTimeout)
				}
				victim := pickVictim(rng, target.role, sids, leader)
				t.Logf("victim: server %d (leader %d, seed %d)", victim, leader, seed)
				events := make(chan actors.SupervisionEvent, 64)
				cancel := e.node(victim).SubscribeSupervision(events)
				defer cancel()
				changes := e.node(victim).Subscribe()
				defer changes.Close()
				if phase == "after" {
					before = electionStatus(t, e, victim)
				}
				// The actor may not exist yet (the tree is still being
				// built, no peer is connected yet), or may be replaced
				// before it reads the fault (a connection superseded by
				// the tie-break drops its queued messages): inject until
				// the failure is seen.
				failed, ok := injectUntilFailed(t, e.node(victim), target, events)
				require.True(t, ok, "no %s actor could be crashed", target.kind)
				if phase == "during" {
					_, decided := e.decided(victim)
					require.False(t, decided, "the election ended before the fault; lengthen FinalizeWait")
				}
				assert.Contains(t, failed.Reason, "injected fault")
				if target.kind != actors.KindBridge && !target.session {
					waitEvent(t, events, target.kind, true)
				}

				if phase == "after" && target.endsSession {
					// The victim notices the session's end on its own
					// time; agreement counts only once it has looked
					// again and taken a role again.
					waitLookedAgain(t, changes)
				}
				agreed := e.waitAgreed(agreeTimeout)
				if leader != -1 && !target.endsSession {
					assert.Equal(t, leader, agreed, "a crash after the election changed the leader")
				}
				// (A crash that ends the session is a leader loss: the
				// next election may choose anyone who can win it, as in
				// ZooKeeper.)
				assertRoles(t, e)
				failures, _ := e.node(victim).Supervision()
				assert.GreaterOrEqual(t, failures[target.kind], uint64(1))

				if phase == "after" {
					after := electionStatus(t, e, victim)
					// logicalclock lives in the election's state, outside
					// any one actor incarnation, as in ZooKeeper's FLE
					// object. A crash must not open a new round, unless it
					// ended the session: then the victim looks again and
					// the clock moves on from where it was, never back.
					// (Joining an established leader takes the leader's
					// round, as Java's lookForLeader does, so after a new
					// round the clock may even go back.)
					if !target.endsSession {
						assert.Equal(t, before.GetLogicalClock(), after.GetLogicalClock())
					}
					if !target.endsSession {
						assert.Equal(t, before.GetCurrentVote().GetLeader(), after.GetCurrentVote().GetLeader())
					}
					// The epoch survives any crash, and a new session can
					// only raise it.
					assert.GreaterOrEqual(t, after.GetCurrentVote().GetPeerEpoch(), before.GetCurrentVote().GetPeerEpoch())
				}
				// The victim still serves the election: a restarted
				// follower (another server than the victim) asks it (and
				// the others) and rejoins the same leader, and the victim
				// answers it (its sends to it grow), which needs the
				// victim's whole tree working.
				pool := others(sids, victim, agreed)
				restarted := pool[rng.IntN(len(pool))]
				sentBefore := sentTo(t, e, victim)[restarted]
				e.stop(restarted)
				e.start(restarted)
				assert.Equal(t, agreed, e.waitAgreed(agreeTimeout))
				assert.Eventually(t, func() bool { return sentTo(t, e, victim)[restarted] > sentBefore },
					10*time.Second, 10*time.Millisecond, "the victim never answered the restarted server %d", restarted)
			})
		}
	}
}

// A crash after the election keeps what was sent: the connection manager's
// last message per peer outlives its restart, and a restarted peer
// connection resends it.
func TestCnxManagerCrashKeepsLastSent(t *testing.T) {
	checkLeaks(t)
	e := newEnsemble(t, participants(3), func(c *actors.Config) { c.FaultInjection = true })
	e.start()
	leader := e.waitAgreed(agreeTimeout)
	before := sentTo(t, e, 1)
	require.NotEmpty(t, before)
	events := make(chan actors.SupervisionEvent, 16)
	cancel := e.node(1).SubscribeSupervision(events)
	defer cancel()
	path, _ := actorstest.ActorPath(e.node(1), actors.KindCnxManager)
	require.NoError(t, actorstest.InjectFault(e.node(1), path, "test"))
	waitEvent(t, events, actors.KindCnxManager, true)
	// Counters live in the manager's durable state, so none went back;
	// and each rebuilt link started by re-sending the last notification.
	assert.Eventually(t, func() bool {
		after := sentTo(t, e, 1)
		for sid, n := range before {
			if after[sid] <= n {
				return false
			}
		}
		return true
	}, 10*time.Second, 10*time.Millisecond)
	assert.Equal(t, leader, e.waitAgreed(agreeTimeout))
}

// TestSupervisionSoak injects random panics into random actors of a
// 5-node ensemble for -soak (off by default) and counts ensembles that did
// not agree on a leader again afterwards. The count must be zero.
func TestSupervisionSoak(t *testing.T) {
	if *soak == 0 {
		t.Skip("soak mode off; run with -soak=2m")
	}
	seed := victimSeed(t)
	rng := rand.New(rand.NewPCG(seed, 0))
	deadline := time.Now().Add(*soak)
	runs, stuck := 0, 0
	for time.Now().Before(deadline) {
		runs++
		ok := t.Run(fmt.Sprintf("run%d", runs), func(t *testing.T) {
			e := newEnsemble(t, participants(5), func(c *actors.Config) { c.FaultInjection = true })
			e.start()
			for i := 0; i < 1+rng.IntN(8); i++ {
				target := faultTargets[rng.IntN(len(faultTargets))]
				n := e.node(int64(1 + rng.IntN(5)))
				if path, ok := target.resolve(t, n); ok {
					_ = actorstest.InjectFault(n, path, "soak")
				}
				time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond) // spacing faults, not synchronising
			}
			e.waitAgreed(30 * time.Second)
		})
		if !ok {
			stuck++
		}
	}
	t.Logf("soak: %d runs, %d stuck", runs, stuck)
	assert.Zero(t, stuck)
}

// waitLookedAgain waits until a node's state changes show it went back to
// LOOKING and then took a role again.
func waitLookedAgain(t *testing.T, changes *actors.Subscription) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), agreeTimeout)
	defer cancel()
	looked := false
	for {
		sc, err := changes.Next(ctx)
		require.NoError(t, err, "the victim never looked again and took a role")
		if sc.GetNewState() == messages.ServerState_LOOKING {
			looked = true
		} else if looked {
			return
		}
	}
}

// electionStatus asks sid's election actor for its status, retrying while
// the actor is being restarted.
func electionStatus(t *testing.T, e *ensemble, sid int64) *messages.ElectionStatus {
	t.Helper()
	var st *messages.ElectionStatus
	require.Eventually(t, func() bool {
		var err error
		st, err = e.node(sid).ElectionStatus(time.Second)
		return err == nil
	}, 10*time.Second, 10*time.Millisecond)
	return st
}

// injectUntilFailed crashes target's actor on node n, retrying until the
// node reports the failure (or 10 s pass).
func injectUntilFailed(t *testing.T, n *actors.Node, target faultTarget, events <-chan actors.SupervisionEvent) (actors.SupervisionEvent, bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		path, ok := target.resolve(t, n)
		if !ok || actorstest.InjectFault(n, path, "test") != nil {
			time.Sleep(5 * time.Millisecond) // polling for the actor to exist
			continue
		}
		wait := time.After(time.Second)
	drain:
		for {
			select {
			case ev := <-events:
				if ev.Kind == target.kind && !ev.Restarted {
					return ev, true
				}
			case <-wait:
				break drain
			}
		}
	}
	return actors.SupervisionEvent{}, false
}

func waitEvent(t *testing.T, events <-chan actors.SupervisionEvent, kind actors.Kind, restarted bool) actors.SupervisionEvent {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev := <-events:
			if ev.Kind == kind && ev.Restarted == restarted {
				return ev
			}
		case <-timeout:
			require.FailNowf(t, "no supervision event", "kind %s restarted=%v", kind, restarted)
		}
	}
}

func sentTo(t *testing.T, e *ensemble, sid int64) map[int64]uint64 {
	t.Helper()
	st, err := e.node(sid).CnxStatus(time.Second)
	require.NoError(t, err)
	out := map[int64]uint64{}
	for _, p := range st.GetPeers() {
		out[p.GetSid()] = p.GetSent()
	}
	return out
}
