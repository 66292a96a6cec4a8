package tests

import (
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/netbridge/electionwire"
	"github.com/zkfle/zkfle/zk"
)

// The attacks of issue 11 on the election port, against an ensemble
// whose members have addresses of their own (loopback aliases), from an
// attacker on another alias.

const attackerIP = "127.0.0.9"

// aliasMembers is a three-server ensemble on 127.0.0.1, .2 and .3.
func aliasMembers() []member {
	return []member{{sid: 1, host: "127.0.0.1"}, {sid: 2, host: "127.0.0.2"}, {sid: 3, host: "127.0.0.3"}}
}

// dialFrom opens a connection to addr from the loopback alias src.
func dialFrom(t *testing.T, src, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// forgedVote is a frame proposing sid 3 in round 10^12: what made a node
// jump to that round for good when impostors were believed.
func forgedVote(t *testing.T) []byte {
	t.Helper()
	b, err := electionwire.AppendNotificationFrame(nil, &electionwire.Notification{
		State: zk.Looking, Leader: 3, Zxid: 1 << 40, ElectionEpoch: 1_000_000_000_000, PeerEpoch: 1 << 8})
	require.NoError(t, err)
	return b
}

// link is what a node's connection manager says of its link to peer.
func link(t *testing.T, e *ensemble, sid, peer int64) *messages.PeerStatus {
	t.Helper()
	ps := peerStatus(t, e, sid, peer)
	require.NotNil(t, ps, "server %d has no status for %d", sid, peer)
	return ps
}

// An impostor on a foreign address claiming member sid 3 (the leader)
// with every header form, followed by a forged vote, is refused: the
// real link is kept (not replaced, not redialed), the forged round is
// never seen, and when the leader then dies the others elect in one
// round.
func TestImpostorFromForeignAddressIsRefused(t *testing.T) {
	checkLeaks(t)
	e := newEnsemble(t, aliasMembers(), func(c *actors.Config) { c.HandshakeTimeout = time.Second })
	e.start()
	require.Equal(t, int64(3), e.waitAgreed(agreeTimeout))
	// Let the links settle: each node's link to every other is up.
	require.True(t, waitFor(10*time.Second, func() bool {
		return link(t, e, 2, 3).GetConnected() && link(t, e, 2, 1).GetConnected() && link(t, e, 1, 3).GetConnected()
	}))
	before := map[int64]*messages.PeerStatus{3: link(t, e, 2, 3), 1: link(t, e, 2, 1)}
	reverse := link(t, e, 3, 2)
	roundsBefore := rounds(t, e, 1, 2, 3)
	replacing := e.logs.count("replacing connection")

	target := e.electionAddr(2)
	own3 := e.electionAddr(3)
	cases := []struct {
		name string
		hdr  electionwire.InitialMessage
	}{
		{"V1 header with sid 3's election address", electionwire.InitialMessage{Version: electionwire.ProtocolV1, SID: 3, Addrs: []string{own3}}},
		{"V2 header listing sid 3's address", electionwire.InitialMessage{Version: electionwire.ProtocolV2, SID: 3,
			Addrs: []string{attackerIP + ":" + strconv.Itoa(e.electionPort(3)), own3}}},
		{"bare sid (legacy header)", electionwire.InitialMessage{Version: 0, SID: 3}},
		{"lower sid with its own address", electionwire.InitialMessage{Version: electionwire.ProtocolV1, SID: 1,
			Addrs: []string{e.electionAddr(1)}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n := rejected(t, e, 2, "source-mismatch")
			hdr, err := tc.hdr.Encode()
			require.NoError(t, err)
			c := dialFrom(t, attackerIP, target)
			_, err = c.Write(append(hdr, forgedVote(t)...))
			require.NoError(t, err)
			assert.True(t, closedByPeer(t, c, 5*time.Second), "impostor's connection left open")
			assert.True(t, waitFor(5*time.Second, func() bool { return rejected(t, e, 2, "source-mismatch") == n+1 }),
				"refusal not counted as source-mismatch")
		})
	}
	// A burst of forged lower-sid claims: none reaches the tie-break.
	for i := 0; i < 50; i++ {
		hdr, err := electionwire.InitialMessage{Version: electionwire.ProtocolV1, SID: 1, Addrs: []string{e.electionAddr(1)}}.Encode()
		require.NoError(t, err)
		c := dialFrom(t, attackerIP, target)
		_, _ = c.Write(hdr)
		require.True(t, closedByPeer(t, c, 5*time.Second))
	}

	for _, peer := range []int64{3, 1} {
		after := link(t, e, 2, peer)
		assert.True(t, after.GetConnected(), "link 2->%d lost", peer)
		assert.Equal(t, before[peer].GetRemoteAddress(), after.GetRemoteAddress(), "link 2->%d replaced", peer)
		assert.Equal(t, before[peer].GetConnectAttempts(), after.GetConnectAttempts(), "link 2->%d redialed", peer)
	}
	assert.Equal(t, reverse.GetConnectAttempts(), link(t, e, 3, 2).GetConnectAttempts(), "server 3 redialed 2")
	assert.Equal(t, replacing, e.logs.count("replacing connection"), "a connection was replaced")
	assert.Equal(t, roundsBefore, rounds(t, e, 1, 2, 3), "the forged round was seen")
	assert.True(t, e.logs.contains("rejected election connection", "sid=2 ", "source="+attackerIP, "reason=source-mismatch",
		"allowed=127.0.0.3"), "no line naming the source, the claim and the allowed address")
	assert.Equal(t, 1, e.logs.count("rejected election connection", "sid=2 ", "source="+attackerIP, "reason=source-mismatch"),
		"refusals from one source are rate-limited")

	// The leader dies: the other two elect the best of them in one round.
	e.stop(3)
	require.True(t, waitFor(agreeTimeout, func() bool {
		s1, ok1 := e.decided(1)
		s2, ok2 := e.decided(2)
		return ok1 && ok2 && s1.GetLeader() == 2 && s2.GetNewState() == messages.ServerState_LEADING
	}), "1 and 2 did not elect 2")
	after := rounds(t, e, 1, 2)
	for _, sid := range []int64{1, 2} {
		assert.Equal(t, roundsBefore[sid]+1, after[sid], "server %d's election took more than one round", sid)
	}
}

// A member that restarts while its peers' election ports are flooded
// with silent connections, from one address and from a hundred, rejoins
// at once: the flood holds the shared handshake slots (for the whole
// handshake timeout), but a member's address has its own.
func TestMemberRejoinsThroughHandshakeFlood(t *testing.T) {
	checkLeaks(t)
	const timeout = 20 * time.Second
	e := newEnsemble(t, aliasMembers(), func(c *actors.Config) {
		c.HandshakeTimeout = timeout
		c.MaxPendingHandshakes = 64
	})
	e.start()
	require.Equal(t, int64(3), e.waitAgreed(agreeTimeout))
	e.stop(1)

	for _, sid := range []int64{2, 3} {
		target := e.electionAddr(sid)
		for i := 0; i < 500; i++ {
			dialFrom(t, attackerIP, target)
		}
		for i := 0; i < 500; i++ {
			dialFrom(t, fmt.Sprintf("127.0.1.%d", i/5+1), target)
		}
		require.True(t, waitFor(10*time.Second, func() bool { return rejected(t, e, sid, "too-many-handshakes") >= 1000-64 }),
			"server %d did not refuse the flood over its caps", sid)
	}

	start := time.Now()
	e.start(1)
	require.Equal(t, int64(3), e.waitAgreed(agreeTimeout))
	took := time.Since(start)
	t.Logf("member rejoined through the flood in %v (handshake timeout %v)", took, timeout)
	assert.Less(t, took, 5*time.Second, "the member waited for the flood's handshakes to time out")
}
