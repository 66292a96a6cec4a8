package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/internal/freeport"
	"github.com/zkfle/zkfle/internal/zkjava"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/quorum"
)

func loopbackPort(t *testing.T) int {
	t.Helper()
	return freeport.MustPort()
}

// probeTargets starts a 3-node in-process zkfle ensemble, waits for its
// leader (sid 3) and returns the election addresses by sid.
func probeTargets(t *testing.T) map[int64]string {
	t.Helper()
	lns := map[int64]net.Listener{}
	var servers []quorum.Server
	for sid := int64(1); sid <= 3; sid++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		lns[sid] = ln
		servers = append(servers, quorum.Server{ID: sid, Addrs: []quorum.AddrPair{{Host: "127.0.0.1",
			QuorumPort: loopbackPort(t), ElectionPort: ln.Addr().(*net.TCPAddr).Port}}})
	}
	v, err := quorum.NewMajority(servers, 0)
	require.NoError(t, err)
	addrs := map[int64]string{}
	var nodes []*actors.Node
	for sid := int64(1); sid <= 3; sid++ {
		cfg := actors.DefaultConfig()
		cfg.ID, cfg.Verifier, cfg.TickTime = sid, v, 200*time.Millisecond
		// These tests expect ZooKeeper's order: the highest sid among equal
		// votes leads when every node starts. With the fast paths the votes'
		// unanimity decides as soon as the last node has voted; the long
		// window only keeps a node that a loaded machine starts late from
		// being decided without (with the default 200 ms it was, now and
		// then, in CI).
		cfg.Election.FinalizeWait = 2 * time.Second
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		n, err := actors.Start(cfg, actors.WithListeners(lns[sid]))
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, n.Stop()) })
		nodes = append(nodes, n)
		addrs[sid] = lns[sid].Addr().String()
	}
	require.Eventually(t, func() bool {
		for _, n := range nodes {
			if st := n.Status(); st.State == messages.ServerState_LOOKING || st.Leader != 3 {
				return false
			}
		}
		return true
	}, 30*time.Second, 10*time.Millisecond, "the ensemble elects server 3")
	return addrs
}

func TestProbeCommandTableAndJSON(t *testing.T) {
	addrs := probeTargets(t)

	code, out, errOut := run("probe", addrs[1], addrs[3])
	require.Equal(t, exitOK, code, errOut)
	lines := strings.Split(out, "\n")
	assert.Contains(t, lines[0], "STATE")
	assert.Regexp(t, `^`+addrs[1]+`\s+1\s+FOLLOWING\s+3\s+`, lines[1])
	assert.Regexp(t, `^`+addrs[3]+`\s+3\s+LEADING\s+3\s+`, lines[2])
	assert.Contains(t, out, "config reported by "+addrs[1]+", "+addrs[3]+":\n  server.1=127.0.0.1:")

	code, out, errOut = run("probe", "--json", "--sid", "1000", "--timeout", "10s", addrs[2])
	require.Equal(t, exitOK, code, errOut)
	var doc probeJSON
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	assert.Equal(t, int64(1000), doc.ProbeSID)
	require.Len(t, doc.Servers, 1)
	s := doc.Servers[0]
	assert.Equal(t, addrs[2], s.Addr)
	assert.Equal(t, int64(2), s.ServerID)
	assert.Equal(t, "FOLLOWING", s.State)
	require.NotNil(t, s.Leader)
	assert.Equal(t, int64(3), *s.Leader)
	assert.Contains(t, s.Config, "version=0")
	assert.Empty(t, s.Error)
}

// A server that does not answer makes the exit code 1 and is named, in
// both output forms, next to the servers that did answer.
func TestProbeCommandReportsFailures(t *testing.T) {
	addrs := probeTargets(t)
	dead := "127.0.0.1:" + func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer ln.Close()
		_, p, _ := net.SplitHostPort(ln.Addr().String())
		return p
	}()
	code, out, _ := run("probe", "--timeout", "2s", addrs[3], dead)
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, out, "LEADING")
	assert.Regexp(t, dead+`\s+-\s+ERROR\s+probe `+dead+`: probe: cannot connect`, out)

	code, out, _ = run("probe", "--json", "--timeout", "2s", dead)
	assert.Equal(t, exitFailed, code)
	var doc probeJSON
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	assert.Equal(t, "dial", doc.Servers[0].ErrorKind)
	assert.Nil(t, doc.Servers[0].Leader, "no vote fields for a failed address")
}

func TestProbeCommandUsageErrors(t *testing.T) {
	code, _, errOut := run("probe")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "HOST:ELECTIONPORT")

	code, _, errOut = run("probe", "--sid", "-5", "127.0.0.1:1")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "-5")

	code, _, errOut = run("probe", "--timeout", "0s", "127.0.0.1:1")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--timeout=0s")

	code, out, _ := run("probe", "-h")
	assert.Equal(t, exitOK, code, "asking for help is not an error")
	assert.Contains(t, out, "never joins")

	code, out, _ = run("help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "node probe HOST:PORT...")
}

// Against real ZooKeeper 3.8: the subcommand reads every server's role.
func TestProbeCommandRealZooKeeper(t *testing.T) {
	inst := zkjava.RequireInstalled(t)
	var members []zkjava.Member
	for sid := int64(1); sid <= 3; sid++ {
		members = append(members, zkjava.Member{SID: sid, QuorumPort: loopbackPort(t), ElectionPort: loopbackPort(t),
			ClientPort: loopbackPort(t), Java: true})
	}
	e, err := zkjava.New(inst, zkjava.Spec{Dir: t.TempDir(), Members: members})
	require.NoError(t, err)
	t.Cleanup(func() {
		require.NoError(t, e.Stop())
		if t.Failed() {
			t.Logf("%s", e.Logs())
		}
	})
	require.NoError(t, e.Start())
	_, err = e.WaitServing(90 * time.Second)
	require.NoError(t, err)

	code, out, errOut := run("probe", "--json", "--timeout", "10s",
		e.Server(1).ElectionAddr(), e.Server(2).ElectionAddr(), e.Server(3).ElectionAddr())
	require.Equal(t, exitOK, code, errOut+out)
	var doc probeJSON
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	states := map[int64]string{}
	for _, s := range doc.Servers {
		states[s.ServerID] = s.State
		require.NotNil(t, s.Leader)
		assert.Equal(t, int64(3), *s.Leader)
	}
	assert.Equal(t, map[int64]string{1: "FOLLOWING", 2: "FOLLOWING", 3: "LEADING"}, states)
}
