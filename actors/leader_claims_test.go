package actors

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/zkfle/zkfle/internal/testlog"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/netbridge/quorumwire"
	"github.com/zkfle/zkfle/quorum"
	"github.com/zkfle/zkfle/zk"
)

// Loopback aliases of the leader tests: server N lives on 127.0.0.(N+1);
// the attacker is elsewhere.
const attackerIP = "127.0.0.9"

func aliasOf(sid int64) string { return fmt.Sprintf("127.0.0.%d", sid+1) }

// aliasedEnsemble is voters 1..3 and observer 4, each on its own loopback
// alias, with quorum ports that were free a moment ago.
func aliasedEnsemble(t *testing.T) quorum.Verifier {
	t.Helper()
	var servers []quorum.Server
	for sid := int64(1); sid <= 4; sid++ {
		ln, err := net.Listen("tcp", aliasOf(sid)+":0")
		require.NoError(t, err)
		port := ln.Addr().(*net.TCPAddr).Port
		require.NoError(t, ln.Close())
		typ := quorum.Participant
		if sid == 4 {
			typ = quorum.Observer
		}
		servers = append(servers, quorum.Server{ID: sid, Type: typ,
			Addrs: []quorum.AddrPair{{Host: aliasOf(sid), QuorumPort: port, ElectionPort: port + 1}}})
	}
	v, err := quorum.NewMajority(servers, 0)
	require.NoError(t, err)
	return v
}

// leaderHarness runs one Leader actor (server 1) under a recording parent,
// as the QuorumPeer would after winning an election.
type leaderHarness struct {
	t       *testing.T
	rt      *runtime
	reports *recorder
	logs    *testlog.Recorder
	addr    string
}

func newLeaderHarness(t *testing.T, tweak func(*Config)) *leaderHarness {
	t.Helper()
	t.Cleanup(func() {
		goleak.VerifyNone(t, goleak.IgnoreCurrent(),
			goleak.IgnoreTopFunction("github.com/asynkron/protoactor-go/actor.NewDeadLetter.NewThrottle.func4.1"))
	})
	cfg := testConfig(1, aliasedEnsemble(t))
	logs := &testlog.Recorder{}
	cfg.Logger = slog.New(logs)
	if tweak != nil {
		tweak(&cfg)
	}
	require.NoError(t, cfg.Validate())
	system := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}))
	rt := &runtime{cfg: cfg, log: cfg.Logger.With("sid", cfg.ID), sup: newSupervision(), epochs: memEpochs(t, 0)}
	h := &leaderHarness{t: t, rt: rt, reports: &recorder{}, logs: logs}
	me, _ := cfg.Verifier.Server(1)
	h.addr = net.JoinHostPort(me.Addrs[0].Host, strconv.Itoa(me.Addrs[0].QuorumPort))
	parent := actor.PropsFromFunc(func(ctx actor.Context) {
		switch ctx.Message().(type) {
		case *actor.Started:
			ctx.Spawn(newLeaderProps(rt))
		case actor.SystemMessage, actor.AutoReceiveMessage:
		default:
			h.reports.add(ctx.Message())
		}
	})
	pid := system.Root.Spawn(parent)
	t.Cleanup(func() { require.NoError(t, system.Root.StopFuture(pid).Wait()) })
	require.Eventually(t, func() bool {
		c, err := net.Dial("tcp", h.addr)
		if err == nil {
			_ = c.Close()
		}
		return err == nil
	}, waitFor, poll, "the leader listens on %s", h.addr)
	return h
}

// learner is a test client on the quorum port.
type learner struct {
	t    *testing.T
	conn net.Conn
	r    *quorumwire.PacketReader
}

// dialFromIP connects to the leader from a chosen loopback alias.
func (h *leaderHarness) dialFromIP(ip string) *learner {
	h.t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: waitFor}
	c, err := d.Dial("tcp", h.addr)
	require.NoError(h.t, err)
	h.t.Cleanup(func() { _ = c.Close() })
	return &learner{t: h.t, conn: c, r: quorumwire.NewPacketReader(c)}
}

// claim connects from ip and sends a learner's first packet.
func (h *leaderHarness) claim(ip string, first quorumwire.Packet) *learner {
	l := h.dialFromIP(ip)
	_, err := l.conn.Write(first.AppendEncode(nil))
	require.NoError(h.t, err)
	return l
}

// next reads the next packet, or the error that ended the stream.
func (l *learner) next(within time.Duration) (quorumwire.Packet, error) {
	_ = l.conn.SetReadDeadline(time.Now().Add(within))
	return l.r.Next()
}

// closedWithout asserts the leader closes the connection without sending
// it anything.
func (l *learner) closedWithout(what string) {
	l.t.Helper()
	p, err := l.next(waitFor)
	require.Errorf(l.t, err, "%s: got %s instead of a close", what, p)
	assert.Truef(l.t, errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || isReset(err), "%s: %v", what, err)
}

func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && !op.Timeout()
}

// silentFor asserts the connection stays open and quiet (a learner
// waiting for the epoch).
func (l *learner) silentFor(d time.Duration) {
	l.t.Helper()
	p, err := l.next(d)
	var ne net.Error
	require.Truef(l.t, errors.As(err, &ne) && ne.Timeout(), "expected silence, got %s / %v", p, err)
}

// refusals returns the rate-limited refusal lines logged so far.
func (h *leaderHarness) refusals() []testlog.Record { return h.logs.Find("refused quorum connection") }

// waitRefusal waits for a refusal line with the given source, reason and
// claimed sid.
func (h *leaderHarness) waitRefusal(source, reason string, sid int64) {
	h.t.Helper()
	require.Eventuallyf(h.t, func() bool {
		for _, r := range h.refusals() {
			if r.Attrs["source"].String() == source && r.Attrs["reason"].String() == reason &&
				(sid == 0 || r.Attrs["sid"].Int64() == sid) {
				return true
			}
		}
		return false
	}, waitFor, poll, "no refusal source=%s reason=%s sid=%d: %v", source, reason, sid, h.refusals())
}

func (h *leaderHarness) established() bool {
	return len(recorded[*messages.SessionEstablished](h.reports)) > 0
}

// follow runs a well-behaved follower sid from its own address: the whole
// handshake, then ping replies until the connection closes.
func (h *leaderHarness) follow(sid int64) {
	h.t.Helper()
	l := h.claim(aliasOf(sid), followerInfo(sid, 0))
	p, err := l.next(waitFor)
	require.NoError(h.t, err)
	require.Equal(h.t, quorumwire.LeaderInfo, p.Type)
	epoch := zk.Zxid(p.Zxid).Epoch()
	_, err = l.conn.Write(quorumwire.NewAckEpochPacket(0, 0).AppendEncode(nil))
	require.NoError(h.t, err)
	done := make(chan struct{})
	h.t.Cleanup(func() { _ = l.conn.Close(); <-done })
	go func() {
		defer close(done)
		for {
			p, err := l.next(time.Minute)
			if err != nil {
				return
			}
			var reply quorumwire.Packet
			switch p.Type {
			case quorumwire.NewLeader, quorumwire.UpToDate:
				reply = quorumwire.NewAckPacket(int64(zk.MakeZxid(epoch, 0)))
			case quorumwire.Ping:
				reply = quorumwire.PingReply(p)
			default:
				continue
			}
			if _, err := l.conn.Write(reply.AppendEncode(nil)); err != nil {
				return
			}
		}
	}()
}

func followerInfo(sid, accepted int64) quorumwire.Packet {
	return quorumwire.NewZkfleLearnerInfoPacket(false, sid, accepted, 0)
}

// TestLeaderRefusesForgedLearners: claims of members' sids from a foreign
// address, of a non-member sid, and in the wrong role are refused, each
// with a rate-limited line naming the source, the sid and the reason, and
// none of them counts: the leader never reaches a quorum with them. The
// real follower, from its own address, then completes the quorum.
func TestLeaderRefusesForgedLearners(t *testing.T) {
	h := newLeaderHarness(t, nil)
	// One line per (source, reason) per interval: distinct sources, so
	// that every refusal shows.
	forged := []struct {
		first  quorumwire.Packet
		ip     string
		sid    int64
		reason string
	}{
		{followerInfo(2, 0), attackerIP, 2, "source-mismatch"},
		{followerInfo(3, 0), "127.0.0.10", 3, "source-mismatch"},
		{followerInfo(99, 0), attackerIP, 99, "not-participant"},
		{quorumwire.NewZkfleLearnerInfoPacket(true, 3, 0, 0), aliasOf(3), 3, "not-observer"},
		{followerInfo(4, 0), aliasOf(4), 4, "not-participant"},
		{quorumwire.NewPingPacket(0), attackerIP, -1, "wrong-packet"},
	}
	for _, f := range forged {
		l := h.claim(f.ip, f.first)
		l.closedWithout(fmt.Sprintf("claim of sid %d from %s", f.sid, f.ip))
		h.waitRefusal(f.ip, f.reason, f.sid)
	}
	assert.False(t, h.established())
	assert.Empty(t, recorded[*messages.SessionEnded](h.reports), "the leader carries on")
	assert.Zero(t, h.rt.epochs.Accepted(), "no epoch was decided")

	real := h.claim(aliasOf(2), followerInfo(2, 0))
	p, err := real.next(waitFor)
	require.NoError(t, err)
	require.Equal(t, quorumwire.LeaderInfo, p.Type, "leader and 2 are a quorum")
	assert.Equal(t, int64(1), zk.Zxid(p.Zxid).Epoch())
}

// TestLeaderRefusesOverflowingEpochClaim: a member claiming accepted epoch
// 0x7fffffff (from its own address) is refused and does not lift the
// proposal; the next real follower gets epoch 1.
func TestLeaderRefusesOverflowingEpochClaim(t *testing.T) {
	h := newLeaderHarness(t, nil)
	h.claim(aliasOf(2), followerInfo(2, 0x7fffffff)).closedWithout("overflowing claim")
	h.waitRefusal(aliasOf(2), "epoch-range", 2)

	real := h.claim(aliasOf(3), followerInfo(3, 0))
	p, err := real.next(waitFor)
	require.NoError(t, err)
	require.Equal(t, quorumwire.LeaderInfo, p.Type)
	assert.Equal(t, int64(1), zk.Zxid(p.Zxid).Epoch(), "the proposal ignored the refused claim")
	require.Eventually(t, func() bool { return h.rt.epochs.Accepted() == 1 }, waitFor, poll)
}

// TestLeaderKeepsLiveLearnerAgainstForgedReconnect: a second connection
// for a sid with a live one replaces it only from the sid's own address.
func TestLeaderKeepsLiveLearnerAgainstForgedReconnect(t *testing.T) {
	h := newLeaderHarness(t, func(c *Config) {
		// Five voters, so that 1 and 2 are no quorum and 2 waits.
		v := c.Verifier
		servers := v.Servers()[:3]
		for sid := int64(5); sid <= 6; sid++ {
			s := servers[1]
			s.ID = sid
			s.Addrs = []quorum.AddrPair{{Host: aliasOf(sid), QuorumPort: s.Addrs[0].QuorumPort + 10, ElectionPort: 1}}
			servers = append(servers, s)
		}
		nv, err := quorum.NewMajority(servers, 0)
		require.NoError(t, err)
		c.Verifier = nv
	})
	live := h.claim(aliasOf(2), followerInfo(2, 0))
	live.silentFor(50 * time.Millisecond)

	h.claim(attackerIP, followerInfo(2, 0)).closedWithout("forged reconnect")
	h.waitRefusal(attackerIP, "source-mismatch", 2)
	live.silentFor(50 * time.Millisecond)

	again := h.claim(aliasOf(2), followerInfo(2, 0))
	live.closedWithout("replaced by the real reconnect")
	h.claim(aliasOf(3), followerInfo(3, 0))
	p, err := again.next(waitFor)
	require.NoError(t, err)
	assert.Equal(t, quorumwire.LeaderInfo, p.Type, "2's new connection counts: leader, 2 and 3")
}

// TestLeaderDropsSilentConnection: a connection that never claims anything
// is dropped after initLimit × tickTime, as a refusal.
func TestLeaderDropsSilentConnection(t *testing.T) {
	h := newLeaderHarness(t, func(c *Config) {
		c.TickTime = 100 * time.Millisecond
		c.InitLimit = 3
	})
	// Established first, so that no discovery phase times out under the
	// silent connection.
	h.follow(2)
	h.follow(3)
	require.Eventually(t, h.established, waitFor, poll)
	start := time.Now()
	h.dialFromIP(attackerIP).closedWithout("silent connection")
	assert.GreaterOrEqual(t, time.Since(start), 250*time.Millisecond, "not before the init limit")
	h.waitRefusal(attackerIP, "no-learnerinfo", -1)
}

// TestLeaderCapsQuorumConnections: foreign sources get a small pool (4 per
// address, 8 together) and are closed at once beyond it, logged and
// counted; a member's connection is still served.
func TestLeaderCapsQuorumConnections(t *testing.T) {
	h := newLeaderHarness(t, nil)
	var held []*learner
	for i := 0; i < quorumPerForeignSource; i++ {
		held = append(held, h.dialFromIP(attackerIP))
	}
	h.dialFromIP(attackerIP).closedWithout("fifth connection from one foreign address")
	h.waitRefusal(attackerIP, "quorum-per-source", 0)
	for i := 0; i < quorumForeignTotal-quorumPerForeignSource; i++ {
		held = append(held, h.dialFromIP("127.0.0.10"))
	}
	h.dialFromIP("127.0.0.11").closedWithout("a ninth foreign connection")
	h.waitRefusal("127.0.0.11", "quorum-foreign-total", 0)
	for _, l := range held {
		l.silentFor(time.Millisecond) // still open, awaiting the init limit
	}

	member := h.claim(aliasOf(2), followerInfo(2, 0))
	p, err := member.next(waitFor)
	require.NoError(t, err)
	assert.Equal(t, quorumwire.LeaderInfo, p.Type, "the member is not starved")
}
