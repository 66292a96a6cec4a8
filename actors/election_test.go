package actors

import (
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/messages"
)

// A lone voter hears only its own notification, by loopback through the
// WorkerSender and WorkerReceiver, and leads once the finalize window
// closes, without a single message for the connection manager.
func TestSingleVoterElectsItselfByLoopback(t *testing.T) {
	h := newHarness(t, 1, testMajority(t, []int64{1}), withConfig(func(c *Config) {
		c.CurrentEpoch = 4
	}))

	sc := eventually(h.t, h.root, "StateChanged", func(*messages.StateChanged) bool { return true })
	assert.Equal(t, int64(1), sc.GetSid())
	assert.Equal(t, messages.ServerState_LOOKING, sc.GetOldState())
	assert.Equal(t, messages.ServerState_LEADING, sc.GetNewState())
	assert.Equal(t, int64(1), sc.GetLeader())
	assert.Equal(t, int64(4)<<32, sc.GetZxid(), "initial zxid is currentEpoch<<32 without LastZxid")
	assert.Equal(t, int64(4), sc.GetPeerEpoch())
	assert.Equal(t, int64(1), sc.GetElectionEpoch())

	st := h.electionStatus()
	assert.Equal(t, messages.ServerState_LEADING, st.GetState())
	assert.Equal(t, int64(1), st.GetLogicalClock())
	assert.Empty(t, recorded[*messages.SendNotification](h.cnx), "nothing may leave the node")

	rs := h.receiverStatus()
	assert.Equal(t, uint64(1), rs.GetReceived(), "exactly the one loopback notification")
	assert.Equal(t, uint64(1), rs.GetDelivered())

	decided := h.logs.Find("election decided")
	require.Len(t, decided, 1)
	for key, want := range map[string]string{
		"sid": "1", "leader": "1", "zxid": "0x400000000", "epoch": "4", "round": "1", "state": "LEADING",
	} {
		assert.Equalf(t, want, decided[0].Attrs[key].String(), "log key %s", key)
	}
}

// The test plays servers 2 and 3, who both propose 3 (newer data): the
// node adopts 3, tells everyone, and follows it once the finalize window
// passes.
func TestThreeVotersFollowTheBestProposal(t *testing.T) {
	h := newHarness(t, 1, testMajority(t, []int64{1, 2, 3}), withConfig(func(c *Config) {
		c.LastZxid = func() int64 { return 0x100000005 }
		c.CurrentEpoch = 1
	}))
	config := []byte(h.rt.cfg.Verifier.String())

	first := h.waitSentTo(2, "initial vote", func(*messages.Notification) bool { return true })
	assert.Equal(t, messages.ServerState_LOOKING, first.GetState())
	assert.Equal(t, int64(1), first.GetLeader())
	assert.Equal(t, int64(0x100000005), first.GetZxid(), "LastZxid supplies the initial zxid")
	assert.Equal(t, int64(1), first.GetElectionEpoch())
	assert.Equal(t, int64(1), first.GetPeerEpoch())
	assert.Equal(t, int32(2), first.GetVersion())
	assert.Equal(t, config, first.GetConfig())

	h.fromPeer(2, looking(3, 0x200000001, 1, 2))
	h.fromPeer(3, looking(3, 0x200000001, 1, 2))

	sc := eventually(h.t, h.root, "StateChanged", func(*messages.StateChanged) bool { return true })
	assert.Equal(t, messages.ServerState_FOLLOWING, sc.GetNewState())
	assert.Equal(t, int64(3), sc.GetLeader())
	assert.Equal(t, int64(0x200000001), sc.GetZxid())
	assert.Equal(t, int64(2), sc.GetPeerEpoch())
	assert.Equal(t, int64(1), sc.GetElectionEpoch())
	// The adopted proposal went out to the other voters.
	h.waitSentTo(3, "vote for 3", func(n *messages.Notification) bool { return n.GetLeader() == 3 })
}

// A node that starts while the others already follow a leader joins them
// at once (no finalize wait), through outofelection, taking their round.
func TestJoinsEstablishedLeader(t *testing.T) {
	h := newHarness(t, 1, testMajority(t, []int64{1, 2, 3}))
	h.waitSentTo(2, "initial vote", func(*messages.Notification) bool { return true })

	leading := &messages.Notification{State: messages.ServerState_LEADING, Leader: 2, Zxid: 0x300000000,
		ElectionEpoch: 7, PeerEpoch: 3, Version: 2}
	following := &messages.Notification{State: messages.ServerState_FOLLOWING, Leader: 2, Zxid: 0x300000000,
		ElectionEpoch: 7, PeerEpoch: 3, Version: 2}
	h.fromPeer(2, leading)
	h.fromPeer(3, following)

	sc := eventually(h.t, h.root, "StateChanged", func(*messages.StateChanged) bool { return true })
	assert.Equal(t, messages.ServerState_FOLLOWING, sc.GetNewState())
	assert.Equal(t, int64(2), sc.GetLeader())
	assert.Equal(t, int64(7), sc.GetElectionEpoch())
	assert.Equal(t, int64(7), h.electionStatus().GetLogicalClock())
}

// A panic in the Election restarts it in place; the machine lives in
// electionState, so the round it had joined and the votes it holds
// survive, and so does its notification timer: the restarted Election
// keeps re-sending on timeout with no input at all. Five voters, so that
// our vote and server 2's are not yet a quorum.
func TestElectionRestartKeepsRoundAndTimers(t *testing.T) {
	h := newHarness(t, 1, testMajority(t, []int64{1, 2, 3, 4, 5}))
	h.waitSentTo(2, "initial vote", func(*messages.Notification) bool { return true })

	h.fromPeer(2, looking(2, 0x500000000, 9, 5))
	h.waitSentTo(3, "vote for 2 in round 9", func(n *messages.Notification) bool {
		return n.GetElectionEpoch() == 9 && n.GetLeader() == 2
	})
	before := h.electionStatus()
	require.Equal(t, int64(9), before.GetLogicalClock())
	rounds := h.logs.Find("election round changed")
	require.Len(t, rounds, 2, "round 1 at start, round 9 on joining")
	for key, want := range map[string]string{
		"sid": "1", "round": "9", "leader": "2", "zxid": "0x500000000", "epoch": "5", "state": "LOOKING",
	} {
		assert.Equalf(t, want, rounds[1].Attrs[key].String(), "log key %s", key)
	}

	h.system.Root.Send(h.rt.dir.election.get(), &Crash{Reason: "test"})
	h.waitRestarts(KindElection, 1)

	after := h.electionStatus()
	assert.Equal(t, int64(9), after.GetLogicalClock(), "logicalclock survives the restart")
	assert.Equal(t, int64(2), after.GetProposal().GetLeader())
	assert.Contains(t, after.GetReceivedVotes(), int64(2), "recvset survives the restart")
	failures, _ := h.rt.sup.counts()
	assert.Equal(t, uint64(1), failures[KindElection])
	assert.Zero(t, failures[KindQuorumPeer])

	// Only a re-armed timer can produce more notifications now.
	sent := len(h.sentTo(3))
	require.Eventually(t, func() bool { return len(h.sentTo(3)) > sent+1 }, waitFor, poll,
		"no re-send after the restart: the notification timer was lost")

	// And the election still finishes in round 9 once a third voter agrees.
	assert.Empty(t, recorded[*messages.StateChanged](h.root), "two of five votes decided nothing")
	h.fromPeer(3, looking(2, 0x500000000, 9, 5))
	sc := eventually(h.t, h.root, "StateChanged", func(*messages.StateChanged) bool { return true })
	assert.Equal(t, int64(2), sc.GetLeader())
	assert.Equal(t, int64(9), sc.GetElectionEpoch())
}

// A notification timeout re-sends while the connection manager reports
// haveDelivered, and asks it to connect to everyone once it reports not.
func TestNotificationTimeoutFollowsHaveDelivered(t *testing.T) {
	h := newHarness(t, 1, testMajority(t, []int64{1, 2, 3}))
	require.Eventually(t, func() bool { return len(h.sentTo(2)) >= 3 }, waitFor, poll,
		"timeouts re-send while delivered (the default)")
	assert.Empty(t, recorded[*messages.ConnectAll](h.cnx))

	h.system.Root.Send(h.rt.dir.election.get(), &messages.HaveDeliveredResponse{Delivered: false})
	eventually(h.t, h.cnx, "ConnectAll", func(*messages.ConnectAll) bool { return true })
}

// A notification the election drops still returns the WorkerReceiver's
// credit, and malformed input (unknown state codes, missing bodies,
// configs that do not parse) is counted, never fatal.
func TestElectionSurvivesOddNotifications(t *testing.T) {
	h := newHarness(t, 1, testMajority(t, []int64{1, 2, 3}))
	h.waitSentTo(2, "initial vote", func(*messages.Notification) bool { return true })

	odd := looking(2, 0x100000000, 1, 1)
	odd.State = messages.ServerState(42)
	h.fromPeer(2, odd)
	badConfig := looking(3, 0x100000000, 1, 1)
	badConfig.Config = []byte("not=a config\x00")
	h.fromPeer(3, badConfig)
	h.system.Root.Send(h.rt.dir.workerReceiver.get(), &messages.NotificationReceived{Sid: 2})
	h.fromPeer(9, looking(9, 1, 1, 1)) // not a member: answered, never counted

	require.Eventually(t, func() bool {
		rs := h.receiverStatus()
		return rs.GetDelivered() >= 4 && !rs.GetInFlight() && rs.GetQueued() == 0
	}, waitFor, poll)
	assert.Equal(t, uint64(1), h.receiverStatus().GetEmpty())
	failures, _ := h.rt.sup.counts()
	assert.Empty(t, failures)

	st := h.electionStatus()
	assert.NotContains(t, st.GetReceivedVotes(), int64(2), "unknown state code is dropped")
	assert.Contains(t, st.GetReceivedVotes(), int64(3), "a vote whose config does not parse still counts")
	assert.NotContains(t, st.GetReceivedVotes(), int64(9))
	assert.GreaterOrEqual(t, st.GetDropped(), uint64(2))
	// The non-member got our vote back.
	h.waitSentTo(9, "reply to non-member", func(n *messages.Notification) bool { return n.GetLeader() == 3 || n.GetLeader() == 1 })
}

// A peer that keeps sending a config that does not parse gets one WARN
// line per interval, not one per notification; each vote still counts.
func TestElectionBadConfigWarnsOncePerPeer(t *testing.T) {
	h := newHarness(t, 1, testMajority(t, []int64{1, 2, 3}))
	h.waitSentTo(2, "initial vote", func(*messages.Notification) bool { return true })

	const n = 30
	for range n {
		bad := looking(1, 0, 1, 0)
		bad.Config = []byte("not=a config\x00")
		h.fromPeer(3, bad)
	}
	require.Eventually(t, func() bool {
		rs := h.receiverStatus()
		return rs.GetDelivered() >= n && !rs.GetInFlight() && rs.GetQueued() == 0
	}, waitFor, poll)
	warned := h.logs.Find("peer config does not parse; counting its vote without it")
	require.Len(t, warned, 1, "one line per peer per interval")
	assert.Equal(t, slog.LevelWarn, warned[0].Level)
	assert.Equal(t, "peer 3", warned[0].Attrs["source"].String())
	assert.Equal(t, "config-unparsable", warned[0].Attrs["reason"].String())
	assert.Contains(t, h.electionStatus().GetReceivedVotes(), int64(3), "the vote still counts")
}
