package tests

import (
	"encoding/binary"
	"errors"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/netbridge/electionwire"
)

// header builds a raw initial message: version, sid, then an address field
// whose length prefix may lie.
func header(version, sid int64, addrLen int32, addr string) []byte {
	b := binary.BigEndian.AppendUint64(nil, uint64(version))
	if version >= 0 {
		return b // a legacy header is the sid alone
	}
	b = binary.BigEndian.AppendUint64(b, uint64(sid))
	b = binary.BigEndian.AppendUint32(b, uint32(addrLen))
	return append(b, addr...)
}

func v1(sid int64, addr string) []byte {
	return header(electionwire.ProtocolV1, sid, int32(len(addr)), addr)
}

func frameLen(n int32) []byte { return binary.BigEndian.AppendUint32(nil, uint32(n)) }

// closedByPeer reports whether the node closed conn: a read returns EOF or
// a reset before the deadline.
func closedByPeer(t *testing.T, conn net.Conn, within time.Duration) bool {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(within))
	buf := make([]byte, 256)
	for {
		_, err := conn.Read(buf)
		if err == nil {
			continue // whatever the node says before hanging up
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return false
		}
		return true // io.EOF, ECONNRESET
	}
}

// Hostile bytes on the election port each get a closed connection and a
// log line naming the remote address and the reason, and the node keeps
// electing with its good peers.
func TestHostileInputOnElectionPort(t *testing.T) {
	checkLeaks(t)
	ms := []member{{sid: 10}, {sid: 20}, {sid: 30}}
	e := newEnsemble(t, ms, func(c *actors.Config) { c.HandshakeTimeout = 400 * time.Millisecond })
	e.start()
	require.Equal(t, int64(30), e.waitAgreed(agreeTimeout))
	target := e.electionAddr(20)
	own := "127.0.0.1:" + strconv.Itoa(e.electionPort(20))
	attacker, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer attacker.Close()

	handshakeCases := []struct {
		name   string
		bytes  []byte
		reason string
	}{
		{"unknown protocol version", header(-65530, 99, 9, "127.0.0.1:1"), "bad-protocol-version"},
		{"address length zero", header(electionwire.ProtocolV1, 99, 0, ""), "bad-address-length"},
		{"address length over 2048", header(electionwire.ProtocolV1, 99, 5000, "x"), "bad-address-length"},
		{"negative address length", header(electionwire.ProtocolV1, 99, -1, ""), "bad-address-length"},
		{"address without port", v1(99, "nocolon"), "bad-address"},
		{"address with a bad port", v1(99, "127.0.0.1:notaport"), "bad-address"},
		{"header cut short", v1(99, "127.0.0.1:3888")[:12], "truncated-header"},
		{"own sid", v1(20, own), "own-sid"},
		{"lower sid not in the config", v1(15, "127.0.0.1:1"), "unknown-sid"},
		{"claims another server's sid", v1(30, attacker.Addr().String()), "sid-address-mismatch"},
	}
	// Refusals are logged through the rate limiter: the first of each
	// (source, reason) gets a line naming the remote address; repeats
	// from the same address within the interval are only counted.
	logged := map[string]bool{}
	for _, tc := range handshakeCases {
		t.Run(tc.name, func(t *testing.T) {
			before := rejected(t, e, 20, tc.reason)
			conn, err := net.Dial("tcp", target)
			require.NoError(t, err)
			defer conn.Close()
			_, err = conn.Write(tc.bytes)
			require.NoError(t, err)
			if tc.name == "header cut short" {
				_ = conn.(*net.TCPConn).CloseWrite()
			}
			assert.True(t, closedByPeer(t, conn, 5*time.Second), "connection left open")
			assert.Eventually(t, func() bool { return rejected(t, e, 20, tc.reason) > before },
				5*time.Second, 10*time.Millisecond, "rejection %q not counted", tc.reason)
			if logged[tc.reason] {
				return
			}
			logged[tc.reason] = true
			local := conn.LocalAddr().String()
			assert.Eventually(t, func() bool {
				return e.logs.contains("rejected election connection", "source=127.0.0.1", local, "reason="+tc.reason+" ")
			}, 5*time.Second, 10*time.Millisecond, "no log line naming %s and %s", local, tc.reason)
		})
	}
	for reason := range logged {
		assert.Equal(t, 1, e.logs.count("rejected election connection", "sid=20 ", "reason="+reason+" "),
			"lines for %s from one source within the interval", reason)
	}

	// Frame-level garbage after a valid header. Sid 99 is not in the
	// config but higher than ours: it is served as a non-voter (as an
	// observer or a probe would be) until its stream goes bad. A bad
	// frame closes the connection and logs one rate-limited WARN naming
	// the source and a reason token.
	frameCases := []struct {
		name   string
		bytes  []byte
		reason messages.CloseReason
		token  string
	}{
		{"zero frame length", frameLen(0), messages.CloseReason_BAD_FRAME_LENGTH, "bad-frame-length"},
		{"negative frame length", frameLen(-20), messages.CloseReason_BAD_FRAME_LENGTH, "bad-frame-length"},
		{"1 GiB frame length", frameLen(1 << 30), messages.CloseReason_BAD_FRAME_LENGTH, "bad-frame-length"},
		{"truncated frame", append(frameLen(100), make([]byte, 10)...), messages.CloseReason_PEER_CLOSED, ""},
		{"garbage", []byte("GET / HTTP/1.1\r\nHost: zk\r\n\r\n"), messages.CloseReason_BAD_FRAME_LENGTH, "bad-frame-length"},
		{"five-byte frame", append(frameLen(1), 0xee), messages.CloseReason_MALFORMED_NOTIFICATION, "malformed-notification"},
	}
	for _, tc := range frameCases {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", target)
			require.NoError(t, err)
			defer conn.Close()
			_, err = conn.Write(append(v1(99, "127.0.0.1:1"), tc.bytes...))
			require.NoError(t, err)
			if tc.reason == messages.CloseReason_PEER_CLOSED {
				_ = conn.(*net.TCPConn).CloseWrite() // EOF in the middle of the frame
			}
			assert.True(t, closedByPeer(t, conn, 5*time.Second), "connection left open")
			assert.Eventually(t, func() bool {
				ps := peerStatus(t, e, 20, 99)
				return ps != nil && !ps.GetConnected() && ps.GetLastClose() == tc.reason
			}, 5*time.Second, 10*time.Millisecond)
			assert.Eventually(t, func() bool { return e.logs.contains("connection closed", "peer=99", tc.reason.String()) },
				5*time.Second, 10*time.Millisecond)
			if tc.token != "" {
				assert.Eventually(t, func() bool {
					return e.logs.contains("level=WARN", "closed election connection: malformed frame", "source=127.0.0.1",
						"reason="+tc.token, "peer=99")
				}, 5*time.Second, 10*time.Millisecond)
			}
		})
	}

	t.Run("slow loris", func(t *testing.T) {
		before := rejected(t, e, 20, "handshake-timeout")
		conn, err := net.Dial("tcp", target)
		require.NoError(t, err)
		defer conn.Close()
		hdr := v1(99, "127.0.0.1:1")
		closed := false
		for i := 0; i < len(hdr) && !closed; i++ {
			if _, err := conn.Write(hdr[i : i+1]); err != nil {
				closed = true
				break
			}
			closed = closedByPeer(t, conn, 100*time.Millisecond) // one byte every 100 ms
		}
		assert.True(t, closed || closedByPeer(t, conn, 5*time.Second), "slow handshake not cut off")
		assert.Eventually(t, func() bool { return rejected(t, e, 20, "handshake-timeout") > before },
			5*time.Second, 10*time.Millisecond)
	})

	// After all of that, the good peers still elect: restart a follower
	// and it rejoins the same leader.
	e.stop(10)
	e.start(10)
	assert.Equal(t, int64(30), e.waitAgreed(agreeTimeout))
}

// 500 connections opened at once, none saying anything: the node caps the
// handshakes it holds open, refuses the rest at once, and the ensemble
// elects through the flood.
func TestConnectionFloodDoesNotStopElection(t *testing.T) {
	checkLeaks(t)
	ms := []member{{sid: 1}, {sid: 2}, {sid: 3}}
	e := newEnsemble(t, ms, func(c *actors.Config) {
		c.HandshakeTimeout = 2 * time.Second
		c.MaxPendingHandshakes = 64
	})
	e.start(2)
	target := e.electionAddr(2)
	var conns []net.Conn
	for i := 0; i < 500; i++ {
		c, err := net.Dial("tcp", target)
		require.NoError(t, err)
		conns = append(conns, c)
	}
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	assert.Eventually(t, func() bool { return rejected(t, e, 2, "too-many-handshakes") >= 500-64 },
		10*time.Second, 10*time.Millisecond)
	e.start(1, 3)
	assert.Equal(t, int64(3), e.waitAgreed(agreeTimeout))
	// Every flood connection ends: refused at once, or cut at the
	// handshake timeout.
	for _, c := range conns {
		require.True(t, closedByPeer(t, c, 10*time.Second))
	}
}

func rejected(t *testing.T, e *ensemble, sid int64, reason string) uint64 {
	t.Helper()
	st, err := e.node(sid).CnxStatus(time.Second)
	require.NoError(t, err)
	return st.GetRejected()[reason]
}

func peerStatus(t *testing.T, e *ensemble, sid, peer int64) *messages.PeerStatus {
	t.Helper()
	st, err := e.node(sid).CnxStatus(time.Second)
	require.NoError(t, err)
	for _, p := range st.GetPeers() {
		if p.GetSid() == peer {
			return p
		}
	}
	return nil
}
