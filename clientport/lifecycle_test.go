package clientport

import (
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/history/testensemble"
	"github.com/zkfle/zkfle/internal/testcerts"
	"github.com/zkfle/zkfle/messages"
)

// A client port another process holds fails the node's start, as it
// fails ZooKeeper's: whatever holds it would answer srvr for this node.
// (cmd/node: TestRunFailsWhenTheClientPortIsTaken.)
func TestClientPortBindFailureFailsTheNode(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()
	ln, err := Listen(taken.Addr().String())
	require.ErrorIs(t, err, ErrBind)
	assert.Nil(t, ln)
	assert.Contains(t, err.Error(), taken.Addr().String())
}

func TestClientPortStopClosesConnections(t *testing.T) {
	h := newHarness(t, testOptions(t, 1))
	conn, err := net.Dial("tcp", h.addr())
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, h.srv.Close())
	require.NoError(t, h.srv.Close(), "a second Close is harmless")
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err = conn.Read(make([]byte, 1))
	var ne net.Error
	assert.False(t, errors.As(err, &ne) && ne.Timeout(), "closed by the stop, not left hanging: %v", err)
	_, err = net.DialTimeout("tcp", h.addr(), time.Second)
	assert.Error(t, err, "nothing listens any more")
	select {
	case <-h.srv.Done():
	default:
		t.Fatal("Done not closed after Close")
	}
	assert.NoError(t, h.srv.Err(), "a Close is not a failure")
}

// A listener that dies under the server (closed by someone else) stops
// it and says why: cmd/node then fails the node rather than run without
// its client port.
func TestClientPortListenerClosedUnderTheServer(t *testing.T) {
	h := newHarness(t, testOptions(t, 1))
	require.NoError(t, h.srv.ln.Close())
	select {
	case <-h.srv.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the server never reported its dead listener")
	}
	assert.ErrorIs(t, h.srv.Err(), ErrAcceptLoop)
	assert.Equal(t, 1, h.logs.Count("client port stopped serving"))
}

// panickingListener's Accept panics: a bug in the accept loop.
type panickingListener struct{ net.Listener }

func (panickingListener) Accept() (net.Conn, error) { panic("accept bug") }

func TestClientPortAcceptLoopPanicFailsTheServer(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ln, err := Listen("127.0.0.1:0")
	require.NoError(t, err)
	o := testOptions(t, 1)
	o.Node = &fakeNode{}
	o.Logger = nil
	srv, err := Serve(panickingListener{ln}, o)
	require.NoError(t, err)
	select {
	case <-srv.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("a panicking accept loop was not reported")
	}
	require.ErrorIs(t, srv.Err(), ErrAcceptLoop)
	assert.Contains(t, srv.Err().Error(), "accept bug")
	require.NoError(t, srv.Close())
	_, err = net.DialTimeout("tcp", ln.Addr().String(), time.Second)
	assert.Error(t, err, "the port is released")
}

func TestServeNeedsANode(t *testing.T) {
	ln, err := Listen("127.0.0.1:0")
	require.NoError(t, err)
	_, err = Serve(ln, Options{})
	require.Error(t, err)
	_, err = net.DialTimeout("tcp", ln.Addr().String(), time.Second)
	assert.Error(t, err, "Serve closed the listener it was given")
}

// An answer asked right after a change prints the new role with the
// new role's counters, even when the state watcher has not taken the
// change in yet: the answer waits for it (counters.waitFor).
func TestClientPortAnswerSeesTheLatestChange(t *testing.T) {
	lag := make(chan struct{})
	h := newHarnessFor(t, testOptions(t, 1), &fakeNode{lag: lag})
	h.setState(messages.ServerState_LEADING, 1)
	// The watcher gets the change only a moment after the answer began.
	release := time.AfterFunc(200*time.Millisecond, func() { close(lag) })
	defer release.Stop()
	mntr := monitorLines(t, h.ask("mntr"))
	assert.Equal(t, "leader", mntr["zk_server_state"])
	assert.Equal(t, "1", mntr["zk_cnt_election_time"], "the election that made it leader is counted")
	assert.Equal(t, "1", mntr["zk_cnt_leader_unavailable_time"])
}

// conf and mntr show that TLS is on, the presented certificate's subject
// and expiry.
func TestTLSClientPortWords(t *testing.T) {
	ca, err := testcerts.NewCA("zkfle test CA")
	require.NoError(t, err)
	leaf, err := ca.Issue(testcerts.LeafOptions{CommonName: "server3"})
	require.NoError(t, err)
	o := testOptions(t, 3)
	o.Config.TLS = &actors.QuorumTLS{}
	h := newHarness(t, o)
	subject := leaf.Cert.Subject.String()
	h.node.tls = actors.TLSStatus{Enabled: true, Subject: subject, NotAfter: leaf.Cert.NotAfter}
	h.setState(messages.ServerState_FOLLOWING, 1)
	mntr := h.ask("mntr")
	assert.Contains(t, mntr, "\nzk_zkfle_tls_enabled\t1\n")
	assert.Contains(t, mntr, "\nzk_zkfle_tls_cert_not_after\t"+strconv.FormatInt(leaf.Cert.NotAfter.Unix(), 10)+"\n")
	conf := h.ask("conf")
	assert.Contains(t, conf, "\nsslQuorum=true\n")
	assert.Contains(t, conf, "\nzkfle.ssl.quorum.certSubject="+subject+"\n")
}

// Three real nodes elect over loopback, each with a client port serving
// it through the public API, and srvr and mntr tell who leads, as
// operators' scripts would read them.
func TestClientPortServesARealEnsemble(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(), goleak.IgnoreAnyFunction(testensemble.LeakOptions()[0]))
	e := testensemble.New(t, 3)
	nodes := e.Start(1, 2, 3)
	defer e.StopAll()
	servers := make([]*Server, len(nodes))
	for i, n := range nodes {
		ln, err := Listen("127.0.0.1:0")
		require.NoError(t, err)
		srv, err := Serve(ln, Options{Node: Of(n), Config: e.Config(int64(i + 1)),
			FourLetterWords: []string{"mntr", "conf"}, Logger: nil})
		require.NoError(t, err)
		servers[i] = srv
		defer srv.Close()
	}

	modes := map[string]int{}
	leader := -1
	for i, srv := range servers {
		var mode string
		require.Eventually(t, func() bool {
			srvr := answerOrEmpty(srv.Addr(), "srvr")
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

	addr := servers[leader].Addr()
	require.Eventually(t, func() bool {
		mntr := answerOrEmpty(addr, "mntr")
		return strings.Contains(mntr, "\nzk_synced_followers\t2\n") && strings.Contains(mntr, "\nzk_learners\t2\n")
	}, 10*time.Second, 10*time.Millisecond, "the leader counts both followers")
	mntr := monitorLines(t, answerOrEmpty(addr, "mntr"))
	assert.Equal(t, "leading - broadcast", mntr["zk_peer_state"])
	assert.Equal(t, "1", mntr["zk_looking_count"])
	assert.Equal(t, "1", mntr["zk_cnt_election_time"])
	assert.Equal(t, "3", mntr["zk_quorum_size"])
	assert.Contains(t, answerOrEmpty(addr, "conf"), "\nmembership: \n"+e.Verifier().String())
	assert.Equal(t, "ruok is not executed because it is not in the whitelist.\n", answerOrEmpty(addr, "ruok"))

	// The node stopping ends the state watcher; Close still returns.
	require.NoError(t, nodes[0].Stop())
	require.NoError(t, servers[0].Close())
}
