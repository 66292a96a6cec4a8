package actors

import (
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/zkfle/zkfle/internal/testlog"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/netbridge/electionwire"
	"github.com/zkfle/zkfle/quorum"
	"github.com/zkfle/zkfle/zk"
)

// identityRig is one real node (sid 2) and two scripted members on
// loopback aliases: sid 1 at 127.0.0.3 and sid 3 at 127.0.0.4. The node
// listens on 127.0.0.2 (its server line may name another host: tests of
// the dial fallback). The rig accepts the node's dials to 1 and 3 and
// keeps them; an impostor dials from 127.0.0.9.
type identityRig struct {
	t     *testing.T
	node  *Node
	logs  *testlog.Recorder
	port  map[int64]int // election ports
	lns   map[int64]net.Listener
	mu    sync.Mutex
	dials map[int64][]net.Conn // connections the node opened to 1 and 3
	// quorum3 is sid 3's quorum port (nobody accepts unless a test does).
	quorum3 net.Listener
	wg      sync.WaitGroup
}

const impostorIP = "127.0.0.9"

// Servers listed in down never listen: dials to them are refused from the
// start.
func newIdentityRig(t *testing.T, ownHost string, tweak func(*Config), down ...int64) *identityRig {
	t.Helper()
	// Registered first, so it runs after the rig has stopped.
	leakOpts := []goleak.Option{goleak.IgnoreCurrent(),
		goleak.IgnoreAnyFunction("github.com/asynkron/protoactor-go/actor.NewDeadLetter.NewThrottle.func4.1")}
	t.Cleanup(func() { goleak.VerifyNone(t, leakOpts...) })
	r := &identityRig{t: t, logs: &testlog.Recorder{}, port: map[int64]int{}, lns: map[int64]net.Listener{},
		dials: map[int64][]net.Conn{}}
	hosts := map[int64]string{1: "127.0.0.3", 2: "127.0.0.2", 3: "127.0.0.4"}
	var servers []quorum.Server
	for _, sid := range []int64{1, 2, 3} {
		ln, err := net.Listen("tcp", net.JoinHostPort(hosts[sid], "0"))
		require.NoError(t, err)
		r.lns[sid] = ln
		r.port[sid] = ln.Addr().(*net.TCPAddr).Port
		host := hosts[sid]
		if sid == 2 && ownHost != "" {
			host = ownHost
		}
		qport := freeQuorumPort(t)
		if sid == 3 {
			// The rig plays sid 3's quorum port too (a leader for the
			// node to follow).
			qln, err := net.Listen("tcp", net.JoinHostPort(hosts[sid], "0"))
			require.NoError(t, err)
			t.Cleanup(func() { _ = qln.Close() })
			r.quorum3 = qln
			qport = qln.Addr().(*net.TCPAddr).Port
		}
		servers = append(servers, quorum.Server{ID: sid, Addrs: []quorum.AddrPair{
			{Host: host, QuorumPort: qport, ElectionPort: r.port[sid]}}})
	}
	v, err := quorum.NewMajority(servers, 0)
	require.NoError(t, err)
	cfg := DefaultConfig()
	cfg.ID, cfg.Verifier = 2, v
	cfg.TickTime = 200 * time.Millisecond
	cfg.HandshakeTimeout = 5 * time.Second
	cfg.Logger = slog.New(r.logs)
	if tweak != nil {
		tweak(&cfg)
	}
	for _, sid := range []int64{1, 3} {
		if slices.Contains(down, sid) {
			_ = r.lns[sid].Close()
			continue
		}
		r.wg.Add(1)
		go r.accept(sid)
	}
	r.node, err = Start(cfg, WithListeners(r.lns[2]))
	require.NoError(t, err)
	t.Cleanup(r.stop)
	return r
}

// accept keeps every connection the node opens to sid.
func (r *identityRig) accept(sid int64) {
	defer r.wg.Done()
	for {
		c, err := r.lns[sid].Accept()
		if err != nil {
			return
		}
		r.mu.Lock()
		r.dials[sid] = append(r.dials[sid], c)
		r.mu.Unlock()
	}
}

func (r *identityRig) stop() {
	if r.t.Failed() {
		r.dumpLogs()
	}
	require.NoError(r.t, r.node.Stop())
	for _, sid := range []int64{1, 3} {
		_ = r.lns[sid].Close()
	}
	r.wg.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, cs := range r.dials {
		for _, c := range cs {
			_ = c.Close()
		}
	}
}

func (r *identityRig) dialsTo(sid int64) []net.Conn {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]net.Conn(nil), r.dials[sid]...)
}

// claim connects to the node from src and sends hdr.
func (r *identityRig) claim(src string, hdr []byte) net.Conn {
	r.t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", r.lns[2].Addr().String())
	require.NoError(r.t, err)
	r.t.Cleanup(func() { _ = c.Close() })
	_, err = c.Write(hdr)
	require.NoError(r.t, err)
	return c
}

// peer is the node's status of its connection to sid (empty while the
// connection manager is not up yet: callers poll).
func (r *identityRig) peer(sid int64) *messages.PeerStatus {
	st, err := r.node.CnxStatus(time.Second)
	if err != nil {
		return &messages.PeerStatus{}
	}
	for _, p := range st.GetPeers() {
		if p.GetSid() == sid {
			return p
		}
	}
	return &messages.PeerStatus{}
}

func (r *identityRig) rejected(reason string) uint64 {
	st, err := r.node.CnxStatus(time.Second)
	if err != nil {
		return 0
	}
	return st.GetRejected()[reason]
}

// electionAddr is sid's configured election address.
func (r *identityRig) electionAddr(host string, sid int64) string {
	return net.JoinHostPort(host, strconv.Itoa(r.port[sid]))
}

func encodeHeader(t *testing.T, m electionwire.InitialMessage) []byte {
	t.Helper()
	b, err := m.Encode()
	require.NoError(t, err)
	return b
}

// hungUp reports whether the node closed c within d.
func hungUp(c net.Conn, d time.Duration) bool {
	_ = c.SetReadDeadline(time.Now().Add(d))
	buf := make([]byte, 512)
	for {
		if _, err := c.Read(buf); err != nil {
			var ne net.Error
			return !(errors.As(err, &ne) && ne.Timeout())
		}
	}
}

// The node dials its peers from its own configured address, so their
// source check passes where several members share a host (loopback
// aliases here): unbound, Linux would pick 127.0.0.1.
func TestDialsFromOwnConfiguredAddress(t *testing.T) {
	r := newIdentityRig(t, "", nil)
	require.Eventually(t, func() bool { return len(r.dialsTo(1)) > 0 }, 10*time.Second, 5*time.Millisecond)
	c := r.dialsTo(1)[0]
	assert.Equal(t, "127.0.0.2", c.RemoteAddr().(*net.TCPAddr).IP.String())
	hdr, err := electionwire.ReadInitialMessage(c)
	require.NoError(t, err)
	assert.Equal(t, int64(2), hdr.SID)
}

// A server line naming an address this host does not have (a NAT'ed
// public address, say) still dials: unbound, logged once at DEBUG.
func TestDialFallsBackWhenOwnAddressIsNotLocal(t *testing.T) {
	r := newIdentityRig(t, "192.0.2.1", func(c *Config) { c.SkipPeerAddressCheck = true })
	require.Eventually(t, func() bool { return len(r.dialsTo(1)) > 0 && len(r.dialsTo(3)) > 0 }, 10*time.Second,
		5*time.Millisecond, "the node never dialed sids 1 and 3")
	for _, sid := range []int64{1, 3} {
		assert.Equal(t, "127.0.0.1", r.dialsTo(sid)[0].RemoteAddr().(*net.TCPAddr).IP.String(), "dial to %d", sid)
	}
	require.Eventually(t, func() bool {
		return len(r.logs.Find("cannot dial from our own address; dialing unbound "+
			"(peers that check source addresses may refuse us)")) > 0
	}, 5*time.Second, 5*time.Millisecond)
	logged := r.logs.Find("cannot dial from our own address; dialing unbound (peers that check source addresses may refuse us)")
	assert.Len(t, logged, 1, "logged once, not per dial")
	assert.Equal(t, slog.LevelDebug, logged[0].Level)
}

func TestBindAddr(t *testing.T) {
	s := quorum.Server{Addrs: []quorum.AddrPair{{Host: "127.0.0.2"}, {Host: "zk1.example"}, {Host: "0.0.0.0"}, {Host: "::ffff:10.0.0.1"}}}
	assert.Equal(t, netip.MustParseAddr("127.0.0.2"), bindAddr(s, 0))
	assert.False(t, bindAddr(s, 1).IsValid(), "host names are not bound")
	assert.False(t, bindAddr(s, 2).IsValid(), "wildcards are not bound")
	assert.Equal(t, netip.MustParseAddr("10.0.0.1"), bindAddr(s, 3))
	assert.Equal(t, netip.MustParseAddr("127.0.0.2"), bindAddr(s, 7), "a pair we lack: our first address")
	assert.False(t, bindAddr(quorum.Server{}, 0).IsValid())
}

// connectPeer3 makes the rig's sid 3 connect, from its own address, and
// waits until the node has the link.
func (r *identityRig) connectPeer3() (net.Conn, *messages.PeerStatus) {
	r.t.Helper()
	real := r.claim("127.0.0.4", encodeHeader(r.t, electionwire.InitialMessage{Version: electionwire.ProtocolV1, SID: 3,
		Addrs: []string{r.electionAddr("127.0.0.4", 3)}}))
	var ps *messages.PeerStatus
	require.Eventually(r.t, func() bool {
		ps = r.peer(3)
		return ps.GetConnected() && ps.GetRemoteAddress() == real.LocalAddr().String()
	}, 10*time.Second, 5*time.Millisecond, "the real sid 3 never got its link")
	return real, ps
}

// An impostor claiming member sid 3 from an address server.3 does not
// name is refused whatever header it sends, and the real link is kept:
// no replacement, no new dial, the real connection still open.
func TestImpostorIsRefusedAndNeverDisplacesTheLiveLink(t *testing.T) {
	r := newIdentityRig(t, "", nil)
	real, before := r.connectPeer3()
	own := r.electionAddr("127.0.0.4", 3)
	cases := map[string]electionwire.InitialMessage{
		"V1 with sid 3's address":     {Version: electionwire.ProtocolV1, SID: 3, Addrs: []string{own}},
		"V2 with sid 3's address":     {Version: electionwire.ProtocolV2, SID: 3, Addrs: []string{impostorIP + ":1", own}},
		"bare sid (legacy header)":    {Version: 0, SID: 3},
		"V1 with the impostor's host": {Version: electionwire.ProtocolV1, SID: 3, Addrs: []string{impostorIP + ":" + strconv.Itoa(r.port[3])}},
	}
	for name, hdr := range cases {
		t.Run(name, func(t *testing.T) {
			n := r.rejected("source-mismatch")
			c := r.claim(impostorIP, encodeHeader(t, hdr))
			assert.True(t, hungUp(c, 5*time.Second), "impostor's connection left open")
			require.Eventually(t, func() bool { return r.rejected("source-mismatch") == n+1 }, 5*time.Second, 5*time.Millisecond)
			after := r.peer(3)
			assert.True(t, after.GetConnected())
			assert.Equal(t, before.GetRemoteAddress(), after.GetRemoteAddress(), "the real link was replaced")
			assert.Equal(t, before.GetConnectAttempts(), after.GetConnectAttempts())
		})
	}
	assert.Empty(t, r.logs.Find("replacing connection"))
	assert.False(t, hungUp(real, 100*time.Millisecond), "the real sid 3's connection was closed")
	lines := r.logs.Find("rejected election connection")
	require.NotEmpty(t, lines)
	l := lines[0]
	assert.Equal(t, slog.LevelWarn, l.Level)
	assert.Equal(t, impostorIP, l.Attrs["source"].String())
	assert.Equal(t, "source-mismatch", l.Attrs["reason"].String())
	assert.Equal(t, int64(3), l.Attrs["peer"].Int64())
	assert.Equal(t, "127.0.0.4", l.Attrs["allowed"].String())
	assert.Len(t, lines, 1, "one line per source and reason per interval")
}

// A forged claim of a smaller sid (1) from a foreign address is refused
// before the tie-break: our live link to 1 is neither torn down nor
// redialed.
func TestForgedLowerSidClaimDoesNotTearDown(t *testing.T) {
	r := newIdentityRig(t, "", nil)
	require.Eventually(t, func() bool { return r.peer(1).GetConnected() }, 10*time.Second, 5*time.Millisecond)
	// The node may report the link before the rig's accept loop has
	// recorded it: wait for the rig's side too before counting dials.
	require.Eventually(t, func() bool { return len(r.dialsTo(1)) > 0 }, 10*time.Second, 5*time.Millisecond)
	before := r.peer(1)
	link := r.dialsTo(1)
	for i := 0; i < 20; i++ {
		c := r.claim(impostorIP, encodeHeader(t, electionwire.InitialMessage{Version: electionwire.ProtocolV1, SID: 1,
			Addrs: []string{r.electionAddr("127.0.0.3", 1)}}))
		require.True(t, hungUp(c, 5*time.Second))
	}
	require.Eventually(t, func() bool { return r.rejected("source-mismatch") == 20 }, 5*time.Second, 5*time.Millisecond)
	after := r.peer(1)
	assert.True(t, after.GetConnected())
	assert.Equal(t, before.GetConnectAttempts(), after.GetConnectAttempts(), "the link to sid 1 was redialed")
	assert.Equal(t, len(link), len(r.dialsTo(1)), "the node dialed sid 1 again")
	assert.Zero(t, r.rejected("redial-limited"))
}

// waitLinkStood returns once a link seen up now has stood for
// tieBreakInterval: only then may a smaller sid's call tear it down
// (cnx.Manager.Accepted). The wait is the rule's own clock, not a
// synchronisation with the node.
func waitLinkStood() { time.Sleep(tieBreakInterval) }

// A genuine smaller sid calling while we hold a live link makes us drop
// it and call back (ZooKeeper's tie-break), but only once the link has
// stood for tieBreakInterval: repeated calls, which find our call-back's
// young link, only lose their own connection.
func TestLowerSidCallsRedialAtMostOncePerInterval(t *testing.T) {
	r := newIdentityRig(t, "", nil)
	require.Eventually(t, func() bool { return r.peer(1).GetConnected() }, 10*time.Second, 5*time.Millisecond)
	waitLinkStood()
	attempts := r.peer(1).GetConnectAttempts()
	hdr := encodeHeader(t, electionwire.InitialMessage{Version: electionwire.ProtocolV1, SID: 1,
		Addrs: []string{r.electionAddr("127.0.0.3", 1)}})
	const calls = 20
	start := time.Now()
	for i := 0; i < calls; i++ {
		c := r.claim("127.0.0.3", hdr)
		require.True(t, hungUp(c, 5*time.Second))
		// Each call finds the link up again: without the limit, each
		// would cost a teardown and a redial.
		require.Eventually(t, func() bool { return r.peer(1).GetConnected() }, 10*time.Second, time.Millisecond)
	}
	elapsed := time.Since(start)
	redials := r.peer(1).GetConnectAttempts() - attempts
	allowed := 1 + uint64(elapsed/tieBreakInterval)
	assert.GreaterOrEqual(t, redials, uint64(1), "the first call must still be answered by a call back")
	assert.LessOrEqual(t, redials, allowed, "%d redials for %d calls in %v", redials, calls, elapsed)
	assert.GreaterOrEqual(t, r.rejected("redial-limited"), uint64(calls)-allowed)
}

// With the check off (NAT), a foreign claim is taken at its word, and
// the node says so once at start.
func TestPeerAddressCheckOffWarnsOnceAndTrustsClaims(t *testing.T) {
	r := newIdentityRig(t, "", func(c *Config) { c.SkipPeerAddressCheck = true })
	warned := r.logs.Find("peer address check is off (zkfle.peerAddressCheck=false): " +
		"any process that can reach the election and quorum ports can claim any member's sid")
	require.Len(t, warned, 1)
	assert.Equal(t, slog.LevelWarn, warned[0].Level)

	_, before := r.connectPeer3()
	c := r.claim(impostorIP, encodeHeader(t, electionwire.InitialMessage{Version: electionwire.ProtocolV1, SID: 3,
		Addrs: []string{r.electionAddr("127.0.0.4", 3)}}))
	require.Eventually(t, func() bool { return r.peer(3).GetRemoteAddress() == c.LocalAddr().String() },
		10*time.Second, 5*time.Millisecond, "with the check off, the claim should have been taken")
	assert.NotEqual(t, before.GetRemoteAddress(), r.peer(3).GetRemoteAddress())
}

// Both ends dial each other when they start, and the smaller sid's call
// can reach us after our own connection to it came up: a call within
// tieBreakInterval of the link's start crossed our dial. It loses only its
// own connection; the link stays, and nothing is redialled.
func TestCrossedCallKeepsTheYoungLink(t *testing.T) {
	r := newIdentityRig(t, "", nil)
	require.Eventually(t, func() bool { return r.peer(1).GetConnected() }, 10*time.Second, 5*time.Millisecond)
	require.Eventually(t, func() bool { return len(r.dialsTo(1)) > 0 }, 10*time.Second, 5*time.Millisecond,
		"the rig's accept loop records the link")
	before := r.peer(1)
	dials := len(r.dialsTo(1))
	hdr := encodeHeader(t, electionwire.InitialMessage{Version: electionwire.ProtocolV1, SID: 1,
		Addrs: []string{r.electionAddr("127.0.0.3", 1)}})

	require.True(t, hungUp(r.claim("127.0.0.3", hdr), 5*time.Second))
	require.Eventually(t, func() bool { return r.rejected("redial-limited") == 1 }, 5*time.Second, 5*time.Millisecond)
	after := r.peer(1)
	assert.True(t, after.GetConnected())
	assert.Equal(t, before.GetRemoteAddress(), after.GetRemoteAddress(), "the young link was replaced")
	assert.Equal(t, before.GetConnectAttempts(), after.GetConnectAttempts(), "sid 1 was redialled")
	assert.Equal(t, dials, len(r.dialsTo(1)))
}

// Under load a call's header can be read, and the call handled, long
// after it arrived. A call that arrived before our live link started
// cannot be about that link, so it keeps the link however late it is
// handled, even once the link has stood for tieBreakInterval.
func TestCallThatArrivedBeforeTheLinkKeepsIt(t *testing.T) {
	r := newIdentityRig(t, "", nil)
	require.Eventually(t, func() bool { return r.peer(1).GetConnected() }, 10*time.Second, 5*time.Millisecond)
	arrived := time.Now().Add(-time.Hour) // long before the link started
	waitLinkStood()
	before := r.peer(1)
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	require.NoError(t, err)
	defer ln.Close()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.3")}}
	theirs, err := d.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer theirs.Close()
	ours, err := ln.Accept()
	require.NoError(t, err)
	hdr := electionwire.InitialMessage{Version: electionwire.ProtocolV1, SID: 1, Addrs: []string{r.electionAddr("127.0.0.3", 1)}}
	r.node.system.Root.Send(r.node.rt.dir.cnxManager.get(),
		&inboundConn{conn: ours, header: hdr, seq: r.node.rt.cnx.acceptSeq.Add(1), accepted: arrived})

	assert.True(t, hungUp(theirs, 5*time.Second), "the late call's connection was kept")
	require.Eventually(t, func() bool { return r.rejected("redial-limited") == 1 }, 5*time.Second, 5*time.Millisecond)
	after := r.peer(1)
	assert.True(t, after.GetConnected())
	assert.Equal(t, before.GetRemoteAddress(), after.GetRemoteAddress(), "the link was replaced")
	assert.Equal(t, before.GetConnectAttempts(), after.GetConnectAttempts(), "sid 1 was redialled")
}

func (r *identityRig) dumpLogs() {
	for _, rec := range r.logs.Records() {
		r.t.Logf("%v %s %v", rec.Level, rec.Message, rec.Attrs)
	}
}

// A call refused by the redial limit is not lost: if the link it asked
// us to replace dies within the interval, we call back when the interval
// ends (not at our next notification timeout, a minute away here).
func TestLimitedCallIsAnsweredWhenTheLinkDies(t *testing.T) {
	r := newIdentityRig(t, "", func(c *Config) {
		c.Election.MinNotificationInterval = time.Minute
		c.Election.MaxNotificationInterval = time.Minute
	})
	require.Eventually(t, func() bool { return r.peer(1).GetConnected() }, 10*time.Second, 5*time.Millisecond)
	require.Eventually(t, func() bool { return len(r.dialsTo(1)) > 0 }, 10*time.Second, 5*time.Millisecond,
		"the rig's accept loop records the link")
	dials := len(r.dialsTo(1))
	hdr := encodeHeader(t, electionwire.InitialMessage{Version: electionwire.ProtocolV1, SID: 1,
		Addrs: []string{r.electionAddr("127.0.0.3", 1)}})
	waitLinkStood()

	require.True(t, hungUp(r.claim("127.0.0.3", hdr), 5*time.Second))
	require.Eventually(t, func() bool { return len(r.dialsTo(1)) == dials+1 && r.peer(1).GetConnected() },
		10*time.Second, 5*time.Millisecond, "the first call was not answered")
	require.True(t, hungUp(r.claim("127.0.0.3", hdr), 5*time.Second))
	require.Eventually(t, func() bool { return r.rejected("redial-limited") == 1 }, 5*time.Second, 5*time.Millisecond)

	// The link the limit kept dies.
	live := r.dialsTo(1)
	require.NoError(t, live[len(live)-1].Close())
	require.Eventually(t, func() bool { return len(r.dialsTo(1)) == dials+2 }, 3*tieBreakInterval, 5*time.Millisecond,
		"the refused call was never answered")
}

// Handshakes are read concurrently, so of two connections from one peer
// the one accepted first can be reported last. It is the stale one (the
// peer opens a new connection only after dropping its old one) and must
// not replace the newer: that closed the live link and kept a dead one,
// leaving both sides without a link.
func TestStaleInboundDoesNotReplaceNewer(t *testing.T) {
	r := newIdentityRig(t, "", nil)
	// The connection manager must be running before we hand it sockets:
	// a message sent to its PID before it is published is lost. Its first
	// link (to sid 1) says it is.
	require.Eventually(t, func() bool { return r.peer(1).GetConnected() }, 10*time.Second, 5*time.Millisecond)
	hdr := electionwire.InitialMessage{Version: electionwire.ProtocolV1, SID: 3, Addrs: []string{r.electionAddr("127.0.0.4", 3)}}
	pair := func() (ours, theirs net.Conn) {
		ln, err := net.Listen("tcp", "127.0.0.2:0")
		require.NoError(t, err)
		defer ln.Close()
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.4")}}
		theirs, err = d.Dial("tcp", ln.Addr().String())
		require.NoError(t, err)
		t.Cleanup(func() { _ = theirs.Close() })
		ours, err = ln.Accept()
		require.NoError(t, err)
		return ours, theirs
	}
	olderOurs, older := pair()
	newerOurs, newer := pair()
	olderSeq := r.node.rt.cnx.acceptSeq.Add(1)
	newerSeq := r.node.rt.cnx.acceptSeq.Add(1)
	cnx := r.node.rt.dir.cnxManager.get()
	r.node.system.Root.Send(cnx, &inboundConn{conn: newerOurs, header: hdr, seq: newerSeq})
	r.node.system.Root.Send(cnx, &inboundConn{conn: olderOurs, header: hdr, seq: olderSeq})

	assert.True(t, hungUp(older, 5*time.Second), "the stale connection was kept")
	ps := r.peer(3)
	assert.True(t, ps.GetConnected())
	assert.Equal(t, newerOurs.RemoteAddr().String(), ps.GetRemoteAddress(), "the stale connection replaced the newer one")
	assert.False(t, hungUp(newer, 100*time.Millisecond), "the newer connection was closed")
	if t.Failed() {
		r.dumpLogs()
	}
}

// A follower dials the leader's quorum port from its own configured
// address too: the leader's learner check accepts a sid only from there.
func TestFollowerDialsLeaderFromOwnAddress(t *testing.T) {
	r := newIdentityRig(t, "", nil)
	// Sid 3 connects and votes for itself: with the node's own vote (it
	// switches to the higher sid) that is a quorum, and the node follows.
	real, _ := r.connectPeer3()
	vote, err := electionwire.AppendNotificationFrame(nil, &electionwire.Notification{
		State: zk.Looking, Leader: 3, ElectionEpoch: 1})
	require.NoError(t, err)
	_, err = real.Write(vote)
	require.NoError(t, err)
	require.NoError(t, r.quorum3.(*net.TCPListener).SetDeadline(time.Now().Add(10*time.Second)))
	c, err := r.quorum3.Accept()
	require.NoError(t, err, "the node never dialed the leader")
	defer c.Close()
	assert.Equal(t, "127.0.0.2", c.RemoteAddr().(*net.TCPAddr).IP.String())
}
