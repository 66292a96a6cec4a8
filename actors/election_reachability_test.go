package actors

import (
	"bufio"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/internal/testlog"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/netbridge/electionwire"
)

// The connection manager feeds the reachable fast path: server 3's
// connection breaks and its port refuses, server 1 votes for the node
// (server 2, the best), and the node leads at once, although its
// finalize window is a minute long. Without the reports (or with
// zkfle.election.fastPaths=false) it would wait out the window.
func TestElectionDecidesAtOnceWhenTheMissingVoterIsUnreachable(t *testing.T) {
	// Server 3 is down from the start: its port refuses. (Closing it
	// after the node's first dial raced that dial: a connection closed
	// right after its header looks like ZooKeeper's tie-break hang-up,
	// which is rightly not taken as unreachable.)
	r := newIdentityRig(t, "", func(c *Config) {
		c.Election.FinalizeWait = time.Minute
		c.LastZxid = func() int64 { return 0x100000009 }
		c.CurrentEpoch = 1
	}, 3)
	// The node (sid 2) dials server 1 and keeps the link (it has the
	// greater sid): read its header and vote, and answer for 2.
	require.Eventually(t, func() bool { return len(r.dialsTo(1)) > 0 }, 10*time.Second, 5*time.Millisecond)
	echoOwnVote(t, r.dialsTo(1)[0])
	decided := waitDecided(t, r.logs, "no decision: the node waits out its minute-long window")
	assert.Equal(t, "reachable", decided.Attrs["path"].String())
	assert.Equal(t, "LEADING", decided.Attrs["state"].String())
}

// echoOwnVote plays server 1 on c, the node's (sid 2's) dial: it reads the
// node's header and first vote, which must be for 2, and answers with the
// same vote, so that 1 and 2 form a quorum for 2.
func echoOwnVote(t *testing.T, c net.Conn) {
	t.Helper()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
	br := bufio.NewReader(c)
	_, err := electionwire.ReadInitialMessage(br)
	require.NoError(t, err)
	body, err := electionwire.NewFrameReader(br).Next()
	require.NoError(t, err)
	var own electionwire.Notification
	require.NoError(t, electionwire.DecodeNotification(body, &own))
	require.Equal(t, int64(2), own.Leader)
	own.Size = 0
	frame, err := electionwire.AppendNotificationFrame(nil, &own)
	require.NoError(t, err)
	_, err = c.Write(frame)
	require.NoError(t, err)
}

// waitDecided waits for the node's "election decided" line and returns
// the first; msg says what it means if none comes.
func waitDecided(t *testing.T, logs *testlog.Recorder, msg string) testlog.Record {
	t.Helper()
	var decided []testlog.Record
	require.Eventually(t, func() bool {
		decided = logs.Find("election decided")
		return len(decided) > 0
	}, 10*time.Second, 5*time.Millisecond, msg)
	return decided[0]
}

// The Election applies reachability reports to its machine, and a report
// that completes the reachable rule decides at once.
func TestElectionAppliesReachabilityReports(t *testing.T) {
	h := newHarness(t, 1, testMajority(t, []int64{1, 2, 3}), withConfig(func(c *Config) {
		c.Election.FinalizeWait = time.Minute
		c.LastZxid = func() int64 { return 0x100000009 }
		c.CurrentEpoch = 1
	}))
	h.waitSentTo(2, "initial vote", func(*messages.Notification) bool { return true })
	// 3 reconnects after a failure: reachable again, so the quorum of 1
	// and 2 must wait for it.
	h.system.Root.Send(h.rt.dir.election.get(), &peerReachability{sid: 3})
	h.system.Root.Send(h.rt.dir.election.get(), &peerReachability{sid: 3, reachable: true})
	h.fromPeer(2, looking(1, 0x100000009, 1, 1))
	require.Eventually(t, func() bool {
		return len(h.electionStatus().GetReceivedVotes()) == 2
	}, 10*time.Second, 5*time.Millisecond)
	assert.Empty(t, h.logs.Find("election decided"), "3 is reachable: the window stays open")

	h.system.Root.Send(h.rt.dir.election.get(), &peerReachability{sid: 3})
	sc := eventually(h.t, h.root, "StateChanged", func(*messages.StateChanged) bool { return true })
	assert.Equal(t, messages.ServerState_LEADING, sc.GetNewState())
	decided := h.logs.Find("election decided")
	require.Len(t, decided, 1)
	assert.Equal(t, "reachable", decided[0].Attrs["path"].String())
}

// A link that went down just before the election starts (a kill -9
// leader: its connection closes and the session ends on that same close,
// so the report reaches the Election before the StartLooking) still
// counts at Start: the node decides at once on a quorum, instead of
// waiting for its next redial to be refused. A link that came back since
// does not count.
func TestElectionCountsLinksDownAtStart(t *testing.T) {
	h := newHarness(t, 1, testMajority(t, []int64{1, 2, 3}), withConfig(func(c *Config) {
		c.Election.FinalizeWait = time.Minute
		c.LastZxid = func() int64 { return 0x100000009 }
		c.CurrentEpoch = 1
	}))
	h.waitSentTo(2, "initial vote", func(*messages.Notification) bool { return true })
	election := h.rt.dir.election.get()
	restart := func() {
		h.system.Root.Send(election, &startLooking{candidate: true, msg: &messages.StartLooking{
			Reason: messages.LookingReason_LEADER_LOST, LastZxid: 0x100000009, CurrentEpoch: 1}})
	}
	// 3 went down and came back before the second round: it counts as
	// reachable, so the quorum of 1 and 2 waits for it.
	h.system.Root.Send(election, &peerReachability{sid: 3})
	h.system.Root.Send(election, &peerReachability{sid: 3, reachable: true})
	restart()
	h.fromPeer(2, looking(1, 0x100000009, 2, 1))
	require.Eventually(t, func() bool {
		return len(h.electionStatus().GetReceivedVotes()) == 2
	}, 10*time.Second, 5*time.Millisecond)
	assert.Empty(t, h.logs.Find("election decided"), "3 came back: the window stays open")

	// A third round (no votes yet), in which 3's link goes down; then
	// the fourth round starts, and 2's vote completes a quorum.
	restart()
	h.system.Root.Send(election, &peerReachability{sid: 3})
	restart()
	h.fromPeer(2, looking(1, 0x100000009, 4, 1))
	sc := eventually(h.t, h.root, "StateChanged", func(*messages.StateChanged) bool { return true })
	assert.Equal(t, messages.ServerState_LEADING, sc.GetNewState())
	decided := h.logs.Find("election decided")
	require.Len(t, decided, 1)
	assert.Equal(t, "reachable", decided[0].Attrs["path"].String())
}

// Config.DisableElectionFastPaths reaches the machine.
func TestElectionFastPathsSwitch(t *testing.T) {
	cfg := testConfig(1, testMajority(t, []int64{1, 2, 3}))
	st, err := newElectionState(cfg)
	require.NoError(t, err)
	assert.True(t, st.machine.FastPaths(), "on by default")
	cfg.DisableElectionFastPaths = true
	st, err = newElectionState(cfg)
	require.NoError(t, err)
	assert.False(t, st.machine.FastPaths())
}

// ZooKeeper's tie-break at a simultaneous start, on real sockets: the
// node (sid 2) calls server 3 (dials, sends its header, hangs up), server
// 3's own dial becomes the node's live link, and 3, reading the node's
// call, ends that link to dial back. That close says nothing about 3: it
// is alive and calling. With server 1 voting for the node and a
// minute-long finalize window, reporting 3 unreachable would decide at
// once by the reachable path, for sid 2 while 3 is up (the defect:
// ZooKeeper elects 3). Once the call is spent, the close of 3's next link
// is a verdict again and completes the reachable path.
func TestTieBreakCloseIsNotReportedUnreachable(t *testing.T) {
	r := newIdentityRig(t, "", func(c *Config) {
		c.Election.FinalizeWait = time.Minute
		// No re-send, so no new call to 3 after its link closes.
		c.Election.MinNotificationInterval = time.Minute
		c.Election.MaxNotificationInterval = time.Minute
		c.LastZxid = func() int64 { return 0x100000009 }
		c.CurrentEpoch = 1
	})
	// The node's call to 3: header, then it hangs up.
	require.Eventually(t, func() bool { return len(r.dialsTo(3)) > 0 }, 10*time.Second, 5*time.Millisecond)
	require.True(t, hungUp(r.dialsTo(3)[0], 5*time.Second), "the node keeps its dial to a larger sid")

	// Server 1 votes for the node: a quorum of 1 and 2 opens the window.
	require.Eventually(t, func() bool { return len(r.dialsTo(1)) > 0 }, 10*time.Second, 5*time.Millisecond)
	echoOwnVote(t, r.dialsTo(1)[0])
	require.Eventually(t, func() bool {
		st, err := r.node.ElectionStatus(time.Second)
		return err == nil && len(st.GetReceivedVotes()) == 2
	}, 10*time.Second, 5*time.Millisecond)

	// 3's own dial is the live link; 3 ends it in answer to the call.
	first, _ := r.connectPeer3()
	require.NoError(t, first.Close())
	require.Eventually(t, func() bool { return !r.peer(3).GetConnected() }, 10*time.Second, 5*time.Millisecond)
	// The connection manager sent any report before it answered the
	// status above, so the Election handles it before this request.
	st, err := r.node.ElectionStatus(time.Second)
	require.NoError(t, err)
	assert.Equal(t, messages.ServerState_LOOKING, st.GetState(), "3 was taken as unreachable")
	assert.Empty(t, r.logs.Find("election decided"))

	// 3 calls back; then that link breaks with no call to explain it.
	second, _ := r.connectPeer3()
	require.NoError(t, second.Close())
	decided := waitDecided(t, r.logs, "the close of 3's call-back link is a verdict")
	assert.Equal(t, "reachable", decided.Attrs["path"].String())
	assert.Equal(t, "LEADING", decided.Attrs["state"].String())
}
