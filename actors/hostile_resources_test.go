package actors

import (
	"encoding/binary"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/internal/testlog"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/netbridge/electionwire"
	"github.com/zkfle/zkfle/zk"
)

// hostileTarget is a one-voter node (sid 7) on a real election port, with
// every log record kept.
type hostileTarget struct {
	node *Node
	addr string
	logs *testlog.Recorder
}

func newHostileTarget(t *testing.T) *hostileTarget {
	t.Helper()
	cfg, ln := oneVoter(t)
	logs := &testlog.Recorder{}
	cfg.Logger = slog.New(logs)
	node, err := Start(cfg, WithListeners(ln))
	require.NoError(t, err)
	t.Cleanup(func() { _ = node.Stop() })
	return &hostileTarget{node: node, addr: ln.Addr().String(), logs: logs}
}

// lines counts the records at INFO or above: what an operator's log gets.
func (h *hostileTarget) lines() int {
	return len(h.logs.AtLeast(slog.LevelInfo))
}

func (h *hostileTarget) status(t *testing.T) *messages.CnxStatus {
	t.Helper()
	cs, err := h.node.CnxStatus(5 * time.Second)
	require.NoError(t, err)
	return cs
}

// dialAs opens an election connection from 127.0.0.1 claiming sid with a
// V1 header (a non-member sid above ours is served as a non-voter).
func dialAs(t testing.TB, addr string, sid int64) net.Conn {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	header, err := electionwire.InitialMessage{Version: electionwire.ProtocolV1, SID: sid, Addrs: []string{"127.0.0.1:1"}}.Encode()
	require.NoError(t, err)
	_, err = conn.Write(header)
	require.NoError(t, err)
	return conn
}

// probeFrame is one valid LOOKING notification for sid.
func probeFrame(t testing.TB, sid int64) []byte {
	t.Helper()
	f, err := electionwire.AppendNotificationFrame(nil, &electionwire.Notification{
		State: zk.Looking, Leader: sid, ElectionEpoch: 1, Version: 2, Config: []byte("version=0")})
	require.NoError(t, err)
	return f
}

// probe connects as sid, sends one notification and reads the node's
// answer (a non-voter is always told the node's vote), then hangs up.
func probe(t testing.TB, addr string, sid int64) {
	t.Helper()
	conn := dialAs(t, addr, sid)
	defer conn.Close()
	_, err := conn.Write(probeFrame(t, sid))
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err = electionwire.NewFrameReader(conn).Next()
	require.NoError(t, err, "sid %d got no answer", sid)
}

// requireClosedByNode reads until the node closes the connection.
func requireClosedByNode(t *testing.T, conn net.Conn) {
	t.Helper()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err := io.Copy(io.Discard, conn)
	if err != nil {
		// A reset (unread input when the node closed) is a close too; a
		// deadline is not.
		var ne net.Error
		require.False(t, assert.ErrorAs(t, err, &ne) && ne.Timeout(), "the node kept the connection open: %v", err)
	}
}

func peerOf(cs *messages.CnxStatus, sid int64) *messages.PeerStatus {
	for _, p := range cs.GetPeers() {
		if p.GetSid() == sid {
			return p
		}
	}
	return nil
}

// A frame that is not a notification, or whose length is out of range,
// ends the connection with a reason that says so (ZooKeeper skips the body
// and reads on; issue 11 closes).
func TestElectionConnectionClosedOnMalformedFrame(t *testing.T) {
	h := newHostileTarget(t)
	cases := []struct {
		name   string
		frame  []byte
		reason messages.CloseReason
	}{
		{"five-byte frame", []byte{0, 0, 0, 1, 0xee}, messages.CloseReason_MALFORMED_NOTIFICATION},
		{"negative config length", func() []byte {
			b := make([]byte, 48)
			binary.BigEndian.PutUint32(b[36:], 2)
			binary.BigEndian.PutUint32(b[40:], 0xffffff85)
			f, err := electionwire.AppendFrame(nil, b)
			require.NoError(t, err)
			return f
		}(), messages.CloseReason_MALFORMED_NOTIFICATION},
		{"length out of range", []byte{0x7f, 0xff, 0xff, 0xff}, messages.CloseReason_BAD_FRAME_LENGTH},
		{"zero length", []byte{0, 0, 0, 0}, messages.CloseReason_BAD_FRAME_LENGTH},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sid := int64(500 + i)
			conn := dialAs(t, h.addr, sid)
			defer conn.Close()
			_, err := conn.Write(tc.frame)
			require.NoError(t, err)
			requireClosedByNode(t, conn)
			require.Eventually(t, func() bool {
				p := peerOf(h.status(t), sid)
				return p != nil && !p.GetConnected() && p.GetLastClose() == tc.reason
			}, 5*time.Second, 10*time.Millisecond, "the close reason is recorded")
		})
	}
	// And the node still answers everyone else.
	probe(t, h.addr, 600)
}

// 20,000 five-byte frames, sent as fast as the node lets a source send
// them, cost a few dozen log lines, not one or two per frame.
func TestMalformedFrameFloodLogsAFewLines(t *testing.T) {
	h := newHostileTarget(t)
	require.Eventually(t, func() bool { return h.node.Status().IsLeader() }, 10*time.Second, 10*time.Millisecond)
	before := h.lines()

	const frames, perConn = 20000, 50
	bad := make([]byte, 0, 5*perConn)
	for range perConn {
		bad = append(bad, 0, 0, 0, 1, 0xee)
	}
	for i := range frames / perConn {
		// 100 non-member sids, each reconnecting: the bounded table
		// prunes, and a sid's new connection may replace its old one.
		conn := dialAs(t, h.addr, int64(1000+i%100))
		_, err := conn.Write(bad)
		require.NoError(t, err)
		requireClosedByNode(t, conn)
		_ = conn.Close()
	}
	require.Eventually(t, func() bool { return len(h.logs.Find("closed election connection: malformed frame")) > 0 },
		5*time.Second, 10*time.Millisecond, "the malformed frames are reported")
	probe(t, h.addr, 99999) // still serving

	lines := h.lines() - before
	t.Logf("%d frames on %d connections: %d log lines at INFO or above", frames, frames/perConn, lines)
	assert.LessOrEqual(t, lines, 40, "log lines for %d malformed frames", frames)
	first := h.logs.Find("closed election connection: malformed frame")[0]
	assert.Equal(t, "127.0.0.1", first.Attrs["source"].String())
	assert.Equal(t, "malformed-notification", first.Attrs["reason"].String())
}

// A spray of distinct sids outside the configuration keeps state for at
// most nonMemberTableSize of them; the counters of the others survive in
// the pruned totals, so sums over non-members never go back.
func TestNonMemberStateIsBounded(t *testing.T) {
	h := newHostileTarget(t)
	const n = 1000
	for i := range n {
		probe(t, h.addr, int64(10000+i))
	}
	var cs *messages.CnxStatus
	require.Eventually(t, func() bool {
		cs = h.status(t)
		sent := cs.GetNonMembersPruned().GetSent()
		for _, p := range cs.GetPeers() {
			if !p.GetMember() {
				sent += p.GetSent()
			}
		}
		return sent == n
	}, 5*time.Second, 10*time.Millisecond, "every probe's answer is counted once")
	others := 0
	for _, p := range cs.GetPeers() {
		if !p.GetMember() {
			others++
		} else {
			assert.EqualValues(t, 7, p.GetSid())
		}
	}
	assert.Equal(t, nonMemberTableSize, others, "non-member entries after %d distinct sids", n)
	assert.Nil(t, peerOf(cs, 10000), "the oldest sid was pruned")
	assert.NotNil(t, peerOf(cs, 10000+n-1), "the newest sid is kept")
}

// Pruning prefers sids without a live connection: a probe that stays
// connected survives a spray of short-lived ones. When every entry is
// connected, the oldest connection is closed to make room.
func TestNonMemberTablePrunesIdleEntriesFirst(t *testing.T) {
	h := newHostileTarget(t)
	held := dialAs(t, h.addr, 20000)
	defer held.Close()
	_, err := held.Write(probeFrame(t, 20000))
	require.NoError(t, err)
	for i := range 2 * nonMemberTableSize {
		probe(t, h.addr, int64(30000+i))
	}
	p := peerOf(h.status(t), 20000)
	require.NotNil(t, p, "the connected probe was pruned before idle entries")
	assert.True(t, p.GetConnected())

	// Fill the table with live connections: the held one, the oldest, goes.
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	for i := range nonMemberTableSize {
		sid := int64(40000 + i)
		c := dialAs(t, h.addr, sid)
		conns = append(conns, c)
		_, err := c.Write(probeFrame(t, sid))
		require.NoError(t, err)
		require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
		_, err = electionwire.NewFrameReader(c).Next()
		require.NoError(t, err)
	}
	requireClosedByNode(t, held)
	cs := h.status(t)
	assert.Nil(t, peerOf(cs, 20000))
	connected := 0
	for _, p := range cs.GetPeers() {
		if !p.GetMember() && p.GetConnected() {
			connected++
		}
	}
	assert.Equal(t, nonMemberTableSize, connected)
}
