package admin_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/actors/actorstest"
	"github.com/zkfle/zkfle/admin"
	"github.com/zkfle/zkfle/history"
	"github.com/zkfle/zkfle/history/testensemble"
	"github.com/zkfle/zkfle/probe"
	"go.uber.org/goleak"
)

// client opens a connection per request so no keep-alive goroutine
// outlives the test.
var client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}

// get fetches path and decodes the JSON body strictly into out (unknown
// fields fail, so the documented shape is the whole answer).
func get(t *testing.T, base, path string, out any) int {
	t.Helper()
	resp, err := client.Get("http://" + base + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	dec := json.NewDecoder(resp.Body)
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(out), "GET %s", path)
	return resp.StatusCode
}

type fixture struct {
	ens  *testensemble.Ensemble
	n1   *actors.Node
	rec  *history.Recorder
	w    *history.Watcher
	srv  *admin.Server
	addr string
}

func start(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{ens: testensemble.New(t, 3)}
	begun := time.Now()
	f.n1 = f.ens.Start(1)[0]
	var err error
	f.rec, err = history.New(0)
	require.NoError(t, err)
	f.w = history.Watch(f.n1, f.rec, begun)
	h, err := admin.NewHandler(admin.Options{Node: f.n1, Recorder: f.rec, Verifier: f.ens.Verifier(), Version: "test"})
	require.NoError(t, err)
	f.srv, err = admin.Listen("127.0.0.1:0", h)
	require.NoError(t, err)
	f.addr = f.srv.Addr()
	return f
}

func (f *fixture) stop(t *testing.T) {
	require.NoError(t, f.srv.Shutdown(context.Background()))
	require.NoError(t, f.srv.Shutdown(context.Background()), "Shutdown is idempotent")
	f.w.Stop()
	f.ens.StopAll()
}

// Every command answers its documented shape, and the answers follow the
// node through an election and an actor restart.
func TestAdminCommandsFollowAnElection(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(), goleak.IgnoreAnyFunction(testensemble.LeakOptions()[0]))
	f := start(t)

	var ruok admin.Envelope
	require.Equal(t, http.StatusOK, get(t, f.addr, "/commands/ruok", &ruok))
	assert.Equal(t, "ruok", ruok.Command)
	assert.Nil(t, ruok.Error)

	// Before: node 1 alone is LOOKING.
	var stat admin.Stat
	require.Equal(t, http.StatusOK, get(t, f.addr, "/commands/stat", &stat))
	assert.Equal(t, "stat", stat.Command)
	assert.Equal(t, "LOOKING", stat.State)
	assert.Equal(t, "looking", stat.ServerState)
	assert.Equal(t, int64(-1), stat.Leader)
	assert.Equal(t, int64(1), stat.Sid)
	require.NotNil(t, stat.Proposal)
	assert.Equal(t, int64(1), stat.Proposal.Leader, "alone, it votes for itself")

	var lead admin.Leader
	require.Equal(t, http.StatusOK, get(t, f.addr, "/commands/lead", &lead))
	assert.Equal(t, "leader", lead.Command, "an alias answers under the primary name")
	require.NotNil(t, lead.Error)
	assert.Equal(t, admin.ErrNotServing.Error(), *lead.Error)

	var els admin.Elections
	require.Equal(t, http.StatusOK, get(t, f.addr, "/commands/elections", &els))
	require.NotNil(t, els.Current)
	assert.True(t, els.Current.InProgress)
	assert.Empty(t, els.Finished)
	assert.Zero(t, els.Total)

	// The election.
	f.ens.Start(2, 3)
	require.True(t, testensemble.WaitFor(20*time.Second, func() bool { return f.rec.Total() == 1 }))

	require.Equal(t, http.StatusOK, get(t, f.addr, "/commands/stat", &stat))
	assert.Equal(t, "FOLLOWING", stat.State)
	assert.Equal(t, "follower", stat.ServerState)
	assert.Equal(t, int64(3), stat.Leader)
	assert.Positive(t, stat.LogicalClock)
	require.NotNil(t, stat.CurrentVote)
	assert.Equal(t, int64(3), stat.CurrentVote.Leader)

	lead = admin.Leader{}
	require.Equal(t, http.StatusOK, get(t, f.addr, "/commands/leader", &lead))
	assert.Nil(t, lead.Error)
	assert.False(t, lead.IsLeader)
	assert.Equal(t, int64(3), lead.LeaderID)
	assert.Equal(t, "127.0.0.1", lead.LeaderIP)

	var votes admin.Votes
	require.Equal(t, http.StatusOK, get(t, f.addr, "/commands/votes", &votes))
	assert.NotEmpty(t, votes.Received, "votes of the last round")
	for sid, v := range votes.Received {
		assert.NotNil(t, v, "vote of %s", sid)
	}

	var cons admin.Connections
	require.Equal(t, http.StatusOK, get(t, f.addr, "/commands/cons", &cons))
	assert.Equal(t, "connections", cons.Command)
	require.True(t, testensemble.WaitFor(10*time.Second, func() bool {
		cons = admin.Connections{}
		get(t, f.addr, "/commands/connections", &cons)
		connected := 0
		for _, p := range cons.Peers {
			if p.Connected {
				connected++
			}
		}
		return connected == 2
	}), "both peers connected: %+v", cons.Peers)
	assert.Equal(t, []int64{2, 3}, []int64{cons.Peers[0].Sid, cons.Peers[1].Sid})
	for _, p := range cons.Peers {
		assert.True(t, p.Member, "sid %d is configured", p.Sid)
		assert.Positive(t, p.Sent)
		assert.Positive(t, p.ConnectAttempts+p.Received)
		assert.LessOrEqual(t, p.SendQueue, int32(1))
	}
	require.NotNil(t, cons.ReceiveQueue)
	assert.Equal(t, int32(100), cons.ReceiveQueue.Capacity)
	assert.Positive(t, cons.ReceiveQueue.Received)

	var view admin.VotingView
	require.Equal(t, http.StatusOK, get(t, f.addr, "/commands/voting_view", &view))
	require.Len(t, view.CurrentConfig, 3)
	s3 := view.CurrentConfig["3"]
	assert.Equal(t, "participant", s3.LearnerType)
	require.Len(t, s3.ElectionAddresses, 1)
	assert.True(t, strings.HasPrefix(s3.ElectionAddresses[0], "127.0.0.1:"))

	els = admin.Elections{}
	require.Equal(t, http.StatusOK, get(t, f.addr, "/commands/elections", &els))
	assert.Nil(t, els.Current)
	require.Len(t, els.Finished, 1)
	e := els.Finished[0]
	assert.Equal(t, uint64(1), els.Total)
	assert.Equal(t, "FOLLOWING", e.State)
	assert.Equal(t, int64(3), e.Leader)
	assert.Positive(t, e.DurationMillis)
	assert.GreaterOrEqual(t, e.Rounds, int64(1))
	assert.Positive(t, e.NotificationsSent+e.NotificationsReceived)

	// A restart moves the counters and lands in the recent events.
	var rs admin.Restarts
	require.Equal(t, http.StatusOK, get(t, f.addr, "/commands/restarts", &rs))
	assert.Zero(t, rs.Restarts["election"])
	assert.Contains(t, rs.Restarts, "bridge", "every kind is listed")
	path, ok := actorstest.ActorPath(f.n1, actors.KindElection)
	require.True(t, ok)
	require.NoError(t, actorstest.InjectFault(f.n1, path, "admin test"))
	require.True(t, testensemble.WaitFor(10*time.Second, func() bool {
		rs = admin.Restarts{}
		get(t, f.addr, "/commands/supervision", &rs)
		return rs.Restarts["election"] == 1 && len(rs.Recent) == 2
	}), "restart counted: %+v", rs)
	assert.Equal(t, uint64(1), rs.Failures["election"])
	assert.Equal(t, "election", rs.Recent[0].Kind)
	assert.Contains(t, rs.Recent[0].Reason, "admin test")
	assert.True(t, rs.Recent[1].Restarted)

	var list admin.Listing
	require.Equal(t, http.StatusOK, get(t, f.addr, "/commands", &list))
	names := map[string]bool{}
	for _, c := range list.Commands {
		names[c.Name] = true
		var body map[string]any
		assert.Equal(t, http.StatusOK, getLoose(t, f.addr, c.URL, &body), c.URL)
	}
	for _, n := range []string{"ruok", "stat", "leader", "voting_view", "connections", "votes", "restarts", "elections"} {
		assert.True(t, names[n], "listed: %s", n)
	}
	f.stop(t)
}

// getLoose is get without the strict field check.
func getLoose(t *testing.T, base, path string, out any) int {
	t.Helper()
	resp, err := client.Get("http://" + base + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.NoError(t, json.NewDecoder(resp.Body).Decode(out))
	return resp.StatusCode
}

// Bad paths and methods get a JSON error with the right status, naming
// what was wrong; a stopped node gets 503.
func TestAdminErrors(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(), goleak.IgnoreAnyFunction(testensemble.LeakOptions()[0]))
	f := start(t)
	for _, tc := range []struct {
		path, command, fragment string
	}{
		{"/commands/nosuch", "nosuch", "Unknown command: nosuch"},
		{"/commands/stat/extra", "", "Unknown path: /commands/stat/extra"},
		{"/", "", "Unknown path: /"},
		{"/metrics", "", "Unknown path: /metrics"},
		{"/commandsx", "", "Unknown path: /commandsx"},
	} {
		var env admin.Envelope
		assert.Equal(t, http.StatusNotFound, get(t, f.addr, tc.path, &env), tc.path)
		assert.Equal(t, tc.command, env.Command, tc.path)
		require.NotNil(t, env.Error, tc.path)
		assert.Contains(t, *env.Error, tc.fragment)
	}

	resp, err := client.Post("http://"+f.addr+"/commands/ruok", "application/json", strings.NewReader("{}"))
	require.NoError(t, err)
	var env admin.Envelope
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&env))
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	require.NotNil(t, env.Error)
	assert.Contains(t, *env.Error, "POST")

	f.w.Stop()
	f.ens.StopAll()
	env = admin.Envelope{}
	assert.Equal(t, http.StatusServiceUnavailable, get(t, f.addr, "/commands/stat", &env))
	require.NotNil(t, env.Error)
	assert.Contains(t, *env.Error, actors.ErrStopped.Error())
	require.NoError(t, f.srv.Shutdown(context.Background()))
}

func TestNewHandlerNeedsNodeAndRecorder(t *testing.T) {
	_, err := admin.NewHandler(admin.Options{})
	require.ErrorIs(t, err, admin.ErrMissingOption)
	assert.Contains(t, err.Error(), "Node")
}

func TestListenRejectsABadAddress(t *testing.T) {
	_, err := admin.Listen("127.0.0.1:notaport", http.NotFoundHandler())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "notaport")
}

// A probe (node probe: a client with a made-up sid) is a peer while it is
// connected; once it has hung up, connections counts it under
// non_members instead of listing its sid.
func TestConnectionsForgetAProbeThatHungUp(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(), goleak.IgnoreAnyFunction(testensemble.LeakOptions()[0]))
	f := start(t)
	defer f.stop(t)
	me, ok := f.ens.Verifier().Server(1)
	require.True(t, ok)
	addr := net.JoinHostPort(me.Addrs[0].Host, strconv.Itoa(me.Addrs[0].ElectionPort))
	results, err := probe.Probe(context.Background(), []string{addr}, probe.Options{})
	require.NoError(t, err)
	require.NoError(t, results[0].Err)

	var cons admin.Connections
	require.True(t, testensemble.WaitFor(10*time.Second, func() bool {
		cons = admin.Connections{}
		get(t, f.addr, "/commands/connections", &cons)
		return cons.NonMembers.Remembered == 1
	}), "the probe is counted once it has hung up: %+v", cons)
	for _, p := range cons.Peers {
		assert.True(t, p.Member, "sid %d listed after it hung up", p.Sid)
		assert.NotEqual(t, probe.DefaultSID, p.Sid)
	}
	assert.Positive(t, cons.NonMembers.Received, "the probe's notification")
	assert.Positive(t, cons.NonMembers.Sent, "the node's answer")
}
