package actors

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/fourletter"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/quorum"
	"go.uber.org/goleak"
)

// clientPortEnsemble is servers 1..3 voting and 4 observing, on loopback
// ports nothing listens on (the client-port actor never dials them).
func clientPortEnsemble(t *testing.T) quorum.Verifier {
	t.Helper()
	var servers []quorum.Server
	for id := int64(1); id <= 4; id++ {
		s := quorum.Server{ID: id, Addrs: []quorum.AddrPair{{
			Host: "127.0.0.1", QuorumPort: 2880 + int(id), ElectionPort: 3880 + int(id)}}}
		if id == 4 {
			s.Type = quorum.Observer
		}
		servers = append(servers, s)
	}
	v, err := quorum.NewMajority(servers, 0)
	require.NoError(t, err)
	return v
}

func clientPortConfig(t *testing.T, sid int64) Config {
	cfg := DefaultConfig()
	cfg.ID = sid
	cfg.Verifier = clientPortEnsemble(t)
	cfg.ClientAddr = "127.0.0.1:0"
	cfg.FourLetterWords = []string{"*"}
	cfg.DataDir = t.TempDir()
	cfg.HandshakeTimeout = 5 * time.Second
	cfg.FaultInjection = true
	return cfg
}

// clientPortHarness runs the client-port actor alone under a test root,
// with a runtime whose published state the test sets.
type clientPortHarness struct {
	t      *testing.T
	system *actor.ActorSystem
	rt     *runtime
	st     *clientPortState
	pid    *actor.PID
	logs   *clientPortLogs
	once   sync.Once
}

func newClientPortHarness(t *testing.T, cfg Config) *clientPortHarness {
	t.Helper()
	t.Cleanup(func() {
		goleak.VerifyNone(t, goleak.IgnoreCurrent(),
			goleak.IgnoreTopFunction("github.com/asynkron/protoactor-go/actor.NewDeadLetter.NewThrottle.func4.1"))
	})
	logs := &clientPortLogs{}
	log := slog.New(logs)
	system := actor.NewActorSystem(actor.WithLoggerFactory(quietProtoactorLogger(log)),
		actor.WithDeadLetterThrottleInterval(10*time.Millisecond))
	rt := &runtime{cfg: cfg, dir: newDirectory(system.Address(), cfg.ID), log: log, sup: newSupervision()}
	h := &clientPortHarness{t: t, system: system, rt: rt, st: newClientPortState(rt, time.Now()), logs: logs}
	pid, err := system.Root.SpawnNamed(clientPortProps(rt, h.st), "clientport")
	require.NoError(t, err)
	h.pid = pid
	t.Cleanup(h.stop)
	return h
}

// stop stops the actor and waits until it has (once; cleanup calls it
// too).
func (h *clientPortHarness) stop() {
	h.once.Do(func() {
		require.NoError(h.t, h.system.Root.StopFuture(h.pid).Wait())
		h.system.Shutdown()
	})
}

// addr waits for the port to be bound and returns it.
func (h *clientPortHarness) addr() string {
	h.t.Helper()
	require.Eventually(h.t, func() bool { return h.st.boundAddr() != "" }, 5*time.Second, time.Millisecond,
		"client port never bound")
	return h.st.boundAddr()
}

// setState publishes a state change as the root would.
func (h *clientPortHarness) setState(state messages.ServerState, leader int64) {
	h.rt.pub.set(&messages.StateChanged{Sid: h.rt.cfg.ID, NewState: state, Leader: leader,
		Zxid: 0x100000000, ElectionEpoch: 1, PeerEpoch: 1})
}

// ask sends raw bytes on a new connection, half-closes it (as `nc -N`
// does) and returns everything the server writes before closing it.
func (h *clientPortHarness) ask(raw string) string {
	h.t.Helper()
	conn, err := net.DialTimeout("tcp", h.addr(), 5*time.Second)
	require.NoError(h.t, err)
	defer conn.Close()
	require.NoError(h.t, conn.SetDeadline(time.Now().Add(10*time.Second)))
	_, err = io.WriteString(conn, raw)
	require.NoError(h.t, err)
	require.NoError(h.t, conn.(*net.TCPConn).CloseWrite())
	got, err := io.ReadAll(conn)
	require.NoError(h.t, err, "answer to %q", raw)
	return string(got)
}

// clientPortLogs records log messages.
type clientPortLogs struct {
	mu   sync.Mutex
	msgs []string
}

func (l *clientPortLogs) Enabled(context.Context, slog.Level) bool { return true }
func (l *clientPortLogs) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, r.Message)
	return nil
}
func (l *clientPortLogs) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *clientPortLogs) WithGroup(string) slog.Handler      { return l }
func (l *clientPortLogs) count(msg string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, m := range l.msgs {
		if m == msg {
			n++
		}
	}
	return n
}

func (l *clientPortLogs) has(msg string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range l.msgs {
		if m == msg {
			return true
		}
	}
	return false
}

func TestClientPortWhileLooking(t *testing.T) {
	h := newClientPortHarness(t, clientPortConfig(t, 1))
	notServing := fourletter.NotServing + "\n"
	assert.Equal(t, notServing, h.ask("srvr"))
	assert.Equal(t, notServing, h.ask("mntr"))
	assert.Equal(t, notServing, h.ask("conf"))
	assert.Equal(t, "imok", h.ask("ruok"))
	assert.Equal(t, "null", h.ask("isro"))
	assert.Empty(t, h.ask("abcd"), "an unknown word: closed without an answer")
	assert.Empty(t, h.ask("SRVR"))
}

func TestClientPortWhitelist(t *testing.T) {
	cfg := clientPortConfig(t, 1)
	cfg.FourLetterWords = []string{"ruok"}
	h := newClientPortHarness(t, cfg)
	h.setState(messages.ServerState_FOLLOWING, 3)
	assert.Equal(t, "mntr is not executed because it is not in the whitelist.\n", h.ask("mntr"))
	assert.Equal(t, "imok", h.ask("ruok"))
	assert.Contains(t, h.ask("srvr"), "\nMode: follower\n", "srvr is always allowed")
}

func TestClientPortAnswersInRole(t *testing.T) {
	h := newClientPortHarness(t, clientPortConfig(t, 3))
	h.setState(messages.ServerState_LEADING, 3)
	port := h.addr()[strings.LastIndexByte(h.addr(), ':')+1:]

	srvr := h.ask("srvr")
	assert.True(t, strings.HasPrefix(srvr, "Zookeeper version: 3.8.0-zkfle-"), srvr)
	assert.Contains(t, srvr, "\nReceived: 1\nSent: 0\nConnections: 1\nOutstanding: 0\nZxid: 0x100000000\nMode: leader\nNode count: 5\n")
	assert.Contains(t, h.ask("srvr"), "\nReceived: 2\nSent: 1\n", "each word counts once answered")

	stat := h.ask("stat")
	// The asking connection is listed as read and not yet answered. The
	// previous srvr connection may still be listed (answered, sent=1):
	// the server notices its close asynchronously.
	assert.Regexp(t, `\nClients:\n( /127\.0\.0\.1:\d+\[0\]\(queued=0,recved=1,sent=1\)\n)?`+
		` /127\.0\.0\.1:\d+\[0\]\(queued=0,recved=1,sent=0\)\n( /127\.0\.0\.1:\d+\[0\]\(queued=0,recved=1,sent=1\)\n)?\n`, stat)

	conf := h.ask("conf")
	assert.Contains(t, conf, "clientPort="+port+"\nsecureClientPort=-1\ndataDir="+h.rt.cfg.DataDir+"/version-2\n")
	assert.Contains(t, conf, "\nserverId=3\ninitLimit=10\nsyncLimit=5\nelectionAlg=3\nelectionPort=3883\nquorumPort=2883\npeerType=0\n")
	assert.True(t, strings.HasSuffix(conf, "membership: \n"+h.rt.cfg.Verifier.String()), conf)

	mntr := monitorLines(t, h.ask("mntr"))
	assert.Equal(t, "leader", mntr["zk_server_state"])
	assert.Equal(t, "leading - broadcast", mntr["zk_peer_state"])
	assert.Equal(t, "3", mntr["zk_quorum_size"])
	assert.Equal(t, "1", mntr["zk_looking_count"])
	assert.Equal(t, "1", mntr["zk_cnt_election_time"])
	assert.Equal(t, "1", mntr["zk_cnt_leader_unavailable_time"])
	assert.Equal(t, "0", mntr["zk_learners"], "no connection manager in this harness: no learners")
	assert.Equal(t, strconv.Itoa(4*5), mntr["zk_bytes_received_count"], "five words so far, mntr included")

	assert.Equal(t, "Server stats reset.\n", h.ask("srst"))
	assert.Contains(t, h.ask("srvr"), "\nReceived: 1\nSent: 1\n", "srst zeroed the counts before its answer was sent")
	assert.Equal(t, "rw", h.ask("isro"))
}

func TestClientPortDirectorySizes(t *testing.T) {
	h := newClientPortHarness(t, clientPortConfig(t, 1))
	h.setState(messages.ServerState_FOLLOWING, 3)
	assert.Equal(t, "datadir_size: 0\nlogdir_size: 0\n", h.ask("dirs"))
}

func TestClientPortSetTraceMask(t *testing.T) {
	h := newClientPortHarness(t, clientPortConfig(t, 1))
	assert.Equal(t, "306", h.ask("gtmk"))
	var mask [8]byte
	binary.BigEndian.PutUint64(mask[:], 498)
	assert.Equal(t, "498", h.ask("stmk"+string(mask[:])))
	assert.Equal(t, "498", h.ask("gtmk"))
	assert.Empty(t, h.ask("stmk\x00\x00"), "a short mask: closed without an answer")
	assert.Equal(t, "498", h.ask("gtmk"))
}

func TestClientPortAnswersWhatNetcatSends(t *testing.T) {
	h := newClientPortHarness(t, clientPortConfig(t, 1))
	h.setState(messages.ServerState_FOLLOWING, 3)
	// `echo srvr | nc host port`: a newline after the word, then the
	// client half-closes and reads until the server closes.
	conn, err := net.DialTimeout("tcp", h.addr(), 5*time.Second)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
	_, err = io.WriteString(conn, "srvr\nmore input the server never reads\n")
	require.NoError(t, err)
	require.NoError(t, conn.(*net.TCPConn).CloseWrite())
	got, err := io.ReadAll(conn)
	require.NoError(t, err, "no reset: the unread input was drained")
	assert.Contains(t, string(got), "\nMode: follower\n")
	assert.True(t, strings.HasSuffix(string(got), "Node count: 5\n"))
}

func TestClientPortClosesSilentAndShortClients(t *testing.T) {
	cfg := clientPortConfig(t, 1)
	cfg.HandshakeTimeout = 100 * time.Millisecond
	h := newClientPortHarness(t, cfg)

	silent, err := net.Dial("tcp", h.addr())
	require.NoError(t, err)
	defer silent.Close()
	require.NoError(t, silent.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err = silent.Read(make([]byte, 1))
	assert.ErrorIs(t, err, io.EOF, "closed after the read timeout, not left open")

	assert.Empty(t, h.ask("sr"), "two bytes then nothing: closed without an answer")
}

// dialFromIP opens a connection to addr from the loopback address ip.
func dialFromIP(t *testing.T, ip, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// requireRefused checks that the server closed c without a word.
func requireRefused(t *testing.T, c net.Conn, what string) {
	t.Helper()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err := c.Read(make([]byte, 1))
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		require.Failf(t, "not refused", "%s: still open after 5s", what)
	}
	require.Error(t, err, what)
}

// askFrom sends word from ip and returns the answer ("" if none).
func askFrom(t *testing.T, ip, addr, word string) string {
	t.Helper()
	c := dialFromIP(t, ip, addr)
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, word); err != nil {
		return ""
	}
	got, _ := io.ReadAll(c)
	return string(got)
}

// The total cap: sources within their own cap still share
// maxClientPortConns slots.
func TestClientPortConnectionLimit(t *testing.T) {
	cfg := clientPortConfig(t, 1)
	cfg.HandshakeTimeout = time.Minute // idle connections stay open for maxWordWait
	h := newClientPortHarness(t, cfg)
	addr := h.addr()
	idle := make([]net.Conn, maxClientPortConns)
	for i := range idle {
		idle[i] = dialFromIP(t, "127.0.0."+strconv.Itoa(10+i/maxClientPortConnsPerSource), addr)
	}
	// Connections are accepted in order, so one from a fresh source comes
	// after the cap.
	requireRefused(t, dialFromIP(t, "127.0.0.200", addr), "over the total cap")

	// Freeing a slot lets the next client in.
	require.NoError(t, idle[0].Close())
	require.Eventually(t, func() bool { return askFrom(t, "127.0.0.200", addr, "ruok") == "imok" },
		5*time.Second, 10*time.Millisecond)
}

// One source holding stalled connections (issue 11: 500 of them left srvr
// unanswered for the whole flood) gets maxClientPortConnsPerSource slots;
// everyone else is still answered at once. The refusals log one line.
func TestClientPortCapsEachSource(t *testing.T) {
	cfg := clientPortConfig(t, 1)
	cfg.HandshakeTimeout = time.Minute
	h := newClientPortHarness(t, cfg)
	h.setState(messages.ServerState_FOLLOWING, 2)
	addr := h.addr()
	stalled := make([]net.Conn, 500)
	for i := range stalled {
		stalled[i] = dialFromIP(t, "127.0.0.9", addr)
	}
	start := time.Now()
	got := askFrom(t, "127.0.0.1", addr, "srvr")
	assert.Contains(t, got, "Mode: follower", "srvr answered during the flood")
	assert.Less(t, time.Since(start), 2*time.Second)
	// The last one is past the source's cap: refused at once.
	requireRefused(t, stalled[len(stalled)-1], "over the per-source cap")
	// The flooding source holds its cap, no more (mntr counts itself; srvr's
	// connection goes once the server has seen our close).
	want := strconv.Itoa(maxClientPortConnsPerSource + 1)
	var alive string
	require.Eventually(t, func() bool {
		alive = monitorLines(t, askFrom(t, "127.0.0.2", addr, "mntr"))["zk_num_alive_connections"]
		return alive == want
	}, 5*time.Second, 10*time.Millisecond, "alive connections: %s", alive)
	assert.Equal(t, 1, h.logs.count("client port connection refused"), "one line for %d refusals", len(stalled)-maxClientPortConnsPerSource)
}

func TestClientPortRestartKeepsPortAndCounts(t *testing.T) {
	h := newClientPortHarness(t, clientPortConfig(t, 1))
	addr := h.addr()
	var mask [8]byte
	binary.BigEndian.PutUint64(mask[:], 7)
	require.Equal(t, "7", h.ask("stmk"+string(mask[:])))

	// An open connection is closed by the restart.
	open, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer open.Close()

	h.system.Root.Send(h.pid, &Crash{Reason: "test"})
	require.Eventually(t, func() bool {
		_, restarts := h.rt.sup.counts()
		return restarts[KindClientPort] == 1
	}, 5*time.Second, time.Millisecond)
	require.NoError(t, open.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err = open.Read(make([]byte, 1))
	assert.ErrorIs(t, err, io.EOF)

	assert.Equal(t, addr, h.addr(), "the same port after the restart")
	require.Eventually(t, func() bool { return answerOrEmpty(addr, "gtmk") == "7" }, 5*time.Second, 10*time.Millisecond,
		"served again, with the trace mask set before the crash")
}

// answerOrEmpty is ask for use in Eventually: failures give "".
func answerOrEmpty(addr, word string) string {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return ""
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, word); err != nil {
		return ""
	}
	got, _ := io.ReadAll(c)
	return string(got)
}

func TestClientPortStopClosesConnections(t *testing.T) {
	h := newClientPortHarness(t, clientPortConfig(t, 1))
	conn, err := net.Dial("tcp", h.addr())
	require.NoError(t, err)
	defer conn.Close()
	h.stop()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err = conn.Read(make([]byte, 1))
	var ne net.Error
	assert.False(t, errors.As(err, &ne) && ne.Timeout(), "closed by the stop, not left hanging: %v", err)
	_, err = net.DialTimeout("tcp", h.st.boundAddr(), time.Second)
	assert.Error(t, err, "nothing listens any more")
}

func TestClientPortWithoutAddress(t *testing.T) {
	cfg := clientPortConfig(t, 1)
	cfg.ClientAddr = ""
	h := newClientPortHarness(t, cfg)
	h.stop() // after Started and Stopping have both been handled
	assert.Empty(t, h.st.boundAddr())
	failures, _ := h.rt.sup.counts()
	assert.Zero(t, failures[KindClientPort])
}

// A client port another process holds fails the node, as it fails
// ZooKeeper: whatever holds it would answer srvr for this node. Start
// refuses at once; a restarted actor that cannot bind again fails the
// running node.
func TestClientPortBindFailureFailsTheNode(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()
	cfg := clientPortConfig(t, 1)
	cfg.ClientAddr = taken.Addr().String()

	node, err := Start(cfg)
	require.ErrorIs(t, err, ErrClientPortBind)
	assert.Nil(t, node)
	assert.Contains(t, err.Error(), taken.Addr().String())

	h := newClientPortHarness(t, cfg) // no listener from Start: the actor binds
	require.Eventually(t, func() bool { return h.rt.pub.getFatal() != nil }, 5*time.Second, time.Millisecond)
	assert.ErrorIs(t, h.rt.pub.getFatal(), ErrClientPortBind)
	assert.True(t, h.logs.has("node cannot continue"))
	assert.Empty(t, h.st.boundAddr())
	failures, _ := h.rt.sup.counts()
	assert.Zero(t, failures[KindClientPort], "a taken port fails the node, it is not a crash to restart")
}

// Start binds the client port before it returns (a connection made right
// after Start is accepted by the kernel, whether or not the client-port
// actor runs yet), and Stop leaves nothing bound.
func TestStartBindsTheClientPort(t *testing.T) {
	free, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := free.Addr().String()
	require.NoError(t, free.Close())
	cfg := clientPortConfig(t, 1)
	cfg.ClientAddr = addr
	node, err := Start(cfg)
	require.NoError(t, err)
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	require.NoError(t, err, "bound by Start")
	_ = conn.Close()
	require.NoError(t, node.Stop())
	_, err = net.DialTimeout("tcp", addr, time.Second)
	assert.Error(t, err, "nothing listens after Stop")
}

func TestClientPortStateTimesElections(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	rt := &runtime{cfg: clientPortConfig(t, 1)}
	st := newClientPortState(rt, t0)
	looking := &messages.StateChanged{NewState: messages.ServerState_LOOKING}
	leading := &messages.StateChanged{OldState: messages.ServerState_LOOKING, NewState: messages.ServerState_LEADING, Leader: 1}
	observing := &messages.StateChanged{OldState: messages.ServerState_LOOKING, NewState: messages.ServerState_OBSERVING, Leader: 3}

	st.observe(leading, t0.Add(300*time.Millisecond))
	st.observe(leading, t0.Add(time.Hour)) // the same change again: nothing new
	s := fourletter.Snapshot{State: messages.ServerState_LEADING}
	st.fill(&s, leading, t0.Add(2*time.Second))
	assert.Equal(t, fourletter.Summary{Count: 1, Sum: 300, Min: 300, Max: 300}, s.ElectionTime)
	assert.Equal(t, s.ElectionTime, s.UnavailableTime)
	assert.Equal(t, s.ElectionTime, s.LeaderUnavailableTime)
	assert.Equal(t, int64(1), s.LookingCount)
	assert.Equal(t, 1700*time.Millisecond, s.Uptime)
	assert.Equal(t, 1700*time.Millisecond, s.LeaderUptime)
	assert.Equal(t, int64(1), s.PacketsReceived, "the word being answered")

	st.observe(looking, t0.Add(3*time.Second))
	st.observe(observing, t0.Add(3500*time.Millisecond))
	s = fourletter.Snapshot{State: messages.ServerState_OBSERVING}
	st.fill(&s, observing, t0.Add(4*time.Second))
	assert.Equal(t, int64(2), s.LookingCount)
	assert.Equal(t, int64(1), s.ElectionTime.Count, "observers do not count their election")
	assert.Equal(t, fourletter.Summary{Count: 2, Sum: 800, Min: 300, Max: 500}, s.UnavailableTime)
	assert.Equal(t, int64(1), s.LeaderUnavailableTime.Count)
	assert.Equal(t, 500*time.Millisecond, s.Uptime)
	assert.Zero(t, s.LeaderUptime)
	assert.Equal(t, int64(1), s.PacketsReceived, "a new role counts afresh")
}

func TestClientPortStateSpawnedAfterTheDecision(t *testing.T) {
	rt := &runtime{cfg: clientPortConfig(t, 1)}
	decided := &messages.StateChanged{NewState: messages.ServerState_FOLLOWING, Leader: 3}
	rt.pub.set(decided)
	t0 := time.Now()
	st := newClientPortState(rt, t0)
	s := fourletter.Snapshot{State: messages.ServerState_FOLLOWING}
	st.fill(&s, decided, t0.Add(time.Second))
	assert.Equal(t, int64(1), s.LookingCount)
	assert.Zero(t, s.ElectionTime.Count, "the election's length is unknown")
	assert.Equal(t, time.Second, s.Uptime)
}

func monitorLines(t *testing.T, mntr string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(mntr, "\n"), "\n") {
		k, v, ok := strings.Cut(line, "\t")
		require.True(t, ok, "mntr line %q", line)
		m[k] = v
	}
	return m
}

// Three real nodes elect over loopback; each has a client port (spawned
// beside its tree, on its runtime, until the root spawns one itself), and
// srvr and mntr tell who leads, as operators' scripts would read them.
func TestClientPortServesARealEnsemble(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(),
		goleak.IgnoreTopFunction("github.com/asynkron/protoactor-go/actor.NewDeadLetter.NewThrottle.func4.1"))
	const n = 3
	lns := make([]net.Listener, n)
	var servers []quorum.Server
	for i := range lns {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		lns[i] = ln
		port := ln.Addr().(*net.TCPAddr).Port
		servers = append(servers, quorum.Server{ID: int64(i + 1), Addrs: []quorum.AddrPair{
			{Host: "127.0.0.1", QuorumPort: freeQuorumPort(t), ElectionPort: port}}})
	}
	v, err := quorum.NewMajority(servers, 0)
	require.NoError(t, err)

	type member struct {
		node *Node
		st   *clientPortState
		pid  *actor.PID
	}
	members := make([]member, n)
	for i := range members {
		cfg := DefaultConfig()
		cfg.ID, cfg.Verifier = int64(i+1), v
		cfg.Election.FinalizeWait = 20 * time.Millisecond
		cfg.ClientAddr = "127.0.0.1:0"
		cfg.FourLetterWords = []string{"mntr", "conf"}
		cfg.Logger = slog.New(&clientPortLogs{})
		node, err := Start(cfg, WithListeners(lns[i]))
		require.NoError(t, err)
		st := newClientPortState(node.rt, time.Now())
		pid, err := node.system.Root.SpawnNamed(clientPortProps(node.rt, st), "clientport-test")
		require.NoError(t, err)
		members[i] = member{node, st, pid}
	}
	defer func() {
		for _, m := range members {
			require.NoError(t, m.node.system.Root.StopFuture(m.pid).Wait())
			require.NoError(t, m.node.Stop())
		}
	}()

	modes := map[string]int{}
	leader := -1
	for i, m := range members {
		require.Eventually(t, func() bool { return m.st.boundAddr() != "" }, 5*time.Second, time.Millisecond)
		var mode string
		require.Eventually(t, func() bool {
			srvr := answerOrEmpty(m.st.boundAddr(), "srvr")
			_, after, found := strings.Cut(srvr, "\nMode: ")
			mode, _, _ = strings.Cut(after, "\n")
			return found
		}, 10*time.Second, 5*time.Millisecond, "server %d never served", i+1)
		modes[mode]++
		if mode == "leader" {
			leader = i
		}
	}
	assert.Equal(t, map[string]int{"leader": 1, "follower": 2}, modes)
	require.GreaterOrEqual(t, leader, 0)

	addr := members[leader].st.boundAddr()
	require.Eventually(t, func() bool {
		mntr := answerOrEmpty(addr, "mntr")
		return strings.Contains(mntr, "\nzk_synced_followers\t2\n") && strings.Contains(mntr, "\nzk_learners\t2\n")
	}, 10*time.Second, 10*time.Millisecond, "the leader counts both followers")
	mntr := monitorLines(t, answerOrEmpty(addr, "mntr"))
	assert.Equal(t, "leading - broadcast", mntr["zk_peer_state"])
	assert.Equal(t, "1", mntr["zk_looking_count"])
	assert.Equal(t, "1", mntr["zk_cnt_election_time"])
	assert.Equal(t, "3", mntr["zk_quorum_size"])
	assert.Contains(t, answerOrEmpty(addr, "conf"), "\nmembership: \n"+v.String())
	assert.Equal(t, "ruok is not executed because it is not in the whitelist.\n", answerOrEmpty(addr, "ruok"))
}

// ZooKeeper's own four-letter-word client (the one zkServer.sh's
// relatives and many tools embed) reads our answers. It needs Java and
// Debian's ZooKeeper jar; without them the test is skipped.
func TestClientPortReadByZooKeepersOwnClient(t *testing.T) {
	const jar = "/usr/share/java/zookeeper.jar"
	java, err := exec.LookPath("java")
	if err != nil {
		t.Skip("no java")
	}
	if _, err := os.Stat(jar); err != nil {
		t.Skip("no " + jar)
	}
	h := newClientPortHarness(t, clientPortConfig(t, 1))
	h.setState(messages.ServerState_LEADING, 1)
	host, port, err := net.SplitHostPort(h.addr())
	require.NoError(t, err)
	ask := func(word string) string {
		// FourLetterWordMain prints the answer on stdout and logs (if an
		// slf4j binding is present) on stderr.
		out, err := exec.Command(java, "-cp", jar, "org.apache.zookeeper.client.FourLetterWordMain",
			host, port, word).Output()
		require.NoError(t, err, word)
		return string(out)
	}
	assert.Contains(t, ask("srvr"), "\nMode: leader\nNode count: 5\n")
	// It appends a newline to each line it reads, then println adds one.
	assert.Equal(t, "imok\n\n", ask("ruok"))
}
