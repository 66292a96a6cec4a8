package clientport

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/fourletter"
	"github.com/zkfle/zkfle/messages"
)

func TestClientPortWhileLooking(t *testing.T) {
	h := newHarness(t, testOptions(t, 1))
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
	o := testOptions(t, 1)
	o.FourLetterWords = []string{"ruok"}
	h := newHarness(t, o)
	h.setState(messages.ServerState_FOLLOWING, 3)
	assert.Equal(t, "mntr is not executed because it is not in the whitelist.\n", h.ask("mntr"))
	assert.Equal(t, "imok", h.ask("ruok"))
	assert.Contains(t, h.ask("srvr"), "\nMode: follower\n", "srvr is always allowed")
}

func TestClientPortAnswersInRole(t *testing.T) {
	h := newHarness(t, testOptions(t, 3))
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
	assert.Contains(t, conf, "clientPort="+port+"\nsecureClientPort=-1\ndataDir="+h.srv.o.Config.DataDir+"/version-2\n")
	assert.Contains(t, conf, "\nserverId=3\ninitLimit=10\nsyncLimit=5\nelectionAlg=3\nelectionPort=3883\nquorumPort=2883\npeerType=0\n")
	assert.True(t, strings.HasSuffix(conf, "membership: \n"+h.srv.o.Config.Verifier.String()), conf)

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
	h := newHarness(t, testOptions(t, 1))
	h.setState(messages.ServerState_FOLLOWING, 3)
	assert.Equal(t, "datadir_size: 0\nlogdir_size: 0\n", h.ask("dirs"))
}

func TestClientPortSetTraceMask(t *testing.T) {
	h := newHarness(t, testOptions(t, 1))
	assert.Equal(t, "306", h.ask("gtmk"))
	var mask [8]byte
	binary.BigEndian.PutUint64(mask[:], 498)
	assert.Equal(t, "498", h.ask("stmk"+string(mask[:])))
	assert.Equal(t, "498", h.ask("gtmk"))
	assert.Empty(t, h.ask("stmk\x00\x00"), "a short mask: closed without an answer")
	assert.Equal(t, "498", h.ask("gtmk"))
}

func TestClientPortAnswersWhatNetcatSends(t *testing.T) {
	h := newHarness(t, testOptions(t, 1))
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
	o := testOptions(t, 1)
	o.Config.HandshakeTimeout = 100 * time.Millisecond
	h := newHarness(t, o)

	silent, err := net.Dial("tcp", h.addr())
	require.NoError(t, err)
	defer silent.Close()
	require.NoError(t, silent.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err = silent.Read(make([]byte, 1))
	assert.ErrorIs(t, err, io.EOF, "closed after the read timeout, not left open")

	assert.Empty(t, h.ask("sr"), "two bytes then nothing: closed without an answer")
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
// maxConns slots.
func TestClientPortConnectionLimit(t *testing.T) {
	o := testOptions(t, 1)
	o.Config.HandshakeTimeout = time.Minute // idle connections stay open for maxWordWait
	h := newHarness(t, o)
	addr := h.addr()
	idle := make([]net.Conn, maxConns)
	for i := range idle {
		idle[i] = dialFromIP(t, "127.0.0."+strconv.Itoa(10+i/maxConnsPerSource), addr)
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
// unanswered for the whole flood) gets maxConnsPerSource slots;
// everyone else is still answered at once. The refusals log one line.
func TestClientPortCapsEachSource(t *testing.T) {
	o := testOptions(t, 1)
	o.Config.HandshakeTimeout = time.Minute
	h := newHarness(t, o)
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
	want := strconv.Itoa(maxConnsPerSource + 1)
	var alive string
	require.Eventually(t, func() bool {
		alive = monitorLines(t, askFrom(t, "127.0.0.2", addr, "mntr"))["zk_num_alive_connections"]
		return alive == want
	}, 5*time.Second, 10*time.Millisecond, "alive connections: %s", alive)
	assert.Equal(t, 1, h.logs.Count("client port connection refused"), "one line for %d refusals", len(stalled)-maxConnsPerSource)
}

func TestClientPortStateTimesElections(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	o := testOptions(t, 1)
	st := newCounters(&o.Config, nil, t0)
	looking := &messages.StateChanged{NewState: messages.ServerState_LOOKING}
	leading := &messages.StateChanged{OldState: messages.ServerState_LOOKING, NewState: messages.ServerState_LEADING, Leader: 1}
	observing := &messages.StateChanged{OldState: messages.ServerState_LOOKING, NewState: messages.ServerState_OBSERVING, Leader: 3}

	st.observe(leading, t0.Add(300*time.Millisecond))
	st.observe(leading, t0.Add(time.Hour)) // the same change again: nothing new
	s := fourletter.Snapshot{State: messages.ServerState_LEADING}
	st.fill(&s, t0.Add(2*time.Second))
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
	st.fill(&s, t0.Add(4*time.Second))
	assert.Equal(t, int64(2), s.LookingCount)
	assert.Equal(t, int64(1), s.ElectionTime.Count, "observers do not count their election")
	assert.Equal(t, fourletter.Summary{Count: 2, Sum: 800, Min: 300, Max: 500}, s.UnavailableTime)
	assert.Equal(t, int64(1), s.LeaderUnavailableTime.Count)
	assert.Equal(t, 500*time.Millisecond, s.Uptime)
	assert.Zero(t, s.LeaderUptime)
	assert.Equal(t, int64(1), s.PacketsReceived, "a new role counts afresh")
}

func TestClientPortStateStartedAfterTheDecision(t *testing.T) {
	o := testOptions(t, 1)
	decided := &messages.StateChanged{NewState: messages.ServerState_FOLLOWING, Leader: 3}
	t0 := time.Now()
	st := newCounters(&o.Config, decided, t0)
	s := fourletter.Snapshot{State: messages.ServerState_FOLLOWING}
	st.fill(&s, t0.Add(time.Second))
	assert.Equal(t, int64(1), s.LookingCount)
	assert.Zero(t, s.ElectionTime.Count, "the election's length is unknown")
	assert.Equal(t, time.Second, s.Uptime)
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
	h := newHarness(t, testOptions(t, 1))
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
