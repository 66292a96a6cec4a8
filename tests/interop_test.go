package tests

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/netbridge/electionwire"
	"github.com/zkfle/zkfle/zk"
)

// Interop scenarios with real ZooKeeper 3.8 (issue 7). Each is checked
// from both sides: zkfle through its API, ZooKeeper through srvr and the
// probe (which reads whom each Java server follows).

// (a) Cold start, mixed: zkfle sids 1, 2 and ZooKeeper sids 3, 4, 5 start
// together and all agree on one leader, a Java server. Usually 5; but the
// zkfle nodes are up at once while JVMs take seconds, so 1, 2, 3 and 4 can
// form a quorum before 5 listens, elect 4, and 5 then joins as follower,
// exactly as it would join a ZooKeeper ensemble that elected without it.
func TestInteropColdStartMixed(t *testing.T) {
	checkLeaks(t)
	m := newMixed(t, []int64{1, 2}, []int64{3, 4, 5})
	m.startAll()

	javaLeader, modes := m.javaRoles()
	require.Containsf(t, []int64{3, 4, 5}, javaLeader, "Java modes: %v", modes)
	for sid, mode := range modes {
		if sid != javaLeader {
			assert.Equalf(t, "follower", mode, "Java server %d", sid)
		}
	}
	goLeader := m.goE.waitAgreed(interopTimeout, 1, 2)
	assert.Equal(t, javaLeader, goLeader)
	for _, sid := range []int64{1, 2} {
		st := m.goE.node(sid).Status()
		assert.Equalf(t, messages.ServerState_FOLLOWING, st.State, "zkfle %d", sid)
	}

	votes := m.probeVotes(1, 2, 3, 4, 5)
	for sid, r := range votes {
		assert.Equalf(t, javaLeader, r.Leader, "server %d's vote", sid)
		want := "FOLLOWING"
		if sid == javaLeader {
			want = "LEADING"
		}
		assert.Equalf(t, want, r.State.String(), "server %d", sid)
	}
	// The zkfle nodes decided in the leader's round. (Not necessarily
	// with its peerEpoch: once ZAB has established epoch 1, ZooKeeper
	// reports its vote with peerEpoch 1, while a zkfle node that decided
	// in the LOOKING phase keeps the election's 0.)
	for sid := int64(1); sid <= 2; sid++ {
		st := m.goE.node(sid).Status()
		assert.Equal(t, votes[javaLeader].ElectionEpoch, st.ElectionEpoch, "zkfle %d round", sid)
	}
}

// (b) Late joiner: a zkfle node started after the ZooKeeper ensemble
// serves learns the Java leader from the FOLLOWING/LEADING answers, in the
// round the Java servers decided in, without a new Java election.
func TestInteropLateJoiner(t *testing.T) {
	checkLeaks(t)
	m := newMixed(t, []int64{1, 2}, []int64{3, 4, 5})
	require.NoError(t, m.java.Start())
	javaLeader, _ := m.javaRoles()
	require.Equal(t, int64(5), javaLeader)
	elections := map[int64]int{}
	for _, sid := range m.java.SIDs() {
		elections[sid] = strings.Count(m.java.Server(sid).Log(), "LEADER ELECTION TOOK")
	}
	leaderVote := m.probeVotes(5)[5]
	round := leaderVote.ElectionEpoch

	m.goE.start(1)
	assert.Equal(t, javaLeader, m.goE.waitAgreed(interopTimeout, 1))
	st := m.goE.node(1).Status()
	assert.Equal(t, messages.ServerState_FOLLOWING, st.State)
	assert.Equal(t, round, st.ElectionEpoch, "the joiner adopts the round the leader was elected in")
	assert.Equal(t, leaderVote.PeerEpoch, st.PeerEpoch, "and the epoch the Java leader reports")

	m.goE.start(2)
	assert.Equal(t, javaLeader, m.goE.waitAgreed(interopTimeout, 2))

	leader, modes := m.javaRoles()
	assert.Equal(t, javaLeader, leader, "Java modes after the joiners: %v", modes)
	for _, sid := range m.java.SIDs() {
		assert.Equalf(t, elections[sid], strings.Count(m.java.Server(sid).Log(), "LEADER ELECTION TOOK"),
			"Java server %d held no new election for the joiners", sid)
	}
}

// (c) Leader loss: with zkfle sids 1, 2 and ZooKeeper sids 3..7 (the five
// Java servers keep a quorum of 7 after losing one), killing the Java
// leader makes the Java survivors elect another, and the zkfle nodes must
// agree on it.
func TestInteropLeaderLoss(t *testing.T) {
	checkLeaks(t)
	m := newMixed(t, []int64{1, 2}, []int64{3, 4, 5, 6, 7})
	m.startAll()
	oldLeader, _ := m.javaRoles()
	require.Equal(t, oldLeader, m.goE.waitAgreed(interopTimeout, 1, 2))

	require.NoError(t, m.java.Kill(oldLeader))
	var survivors []int64
	for _, sid := range m.java.SIDs() {
		if sid != oldLeader {
			survivors = append(survivors, sid)
		}
	}
	var newLeader int64
	require.True(t, waitFor(interopTimeout, func() bool {
		l, _ := m.javaRoles(survivors...)
		newLeader = l
		return l != 0
	}), "the Java survivors elect a new leader")

	// The Java side has re-elected; a zkfle follower that notices the
	// dead leader (ZAB's syncLimit × tickTime = 2.5 s) re-elects within
	// far less than this.
	agreed := waitFor(30*time.Second, func() bool {
		for _, sid := range []int64{1, 2} {
			if st := m.goE.node(sid).Status(); st.State == messages.ServerState_LOOKING || st.Leader != newLeader {
				return false
			}
		}
		return true
	})
	if !agreed {
		m.goE.dumpStatus()
	}
	require.Truef(t, agreed, "zkfle nodes agree on the Java survivors' leader %d", newLeader)
}

// (e) Legacy peers: a pre-3.5 peer (bare-sid header, 28- and 40-byte
// notifications) with a sid above every member is served as a non-voter
// the same way by ZooKeeper and by zkfle: each answers with its real
// state and vote.
func TestInteropLegacyPeer(t *testing.T) {
	checkLeaks(t)
	m := newMixed(t, []int64{1, 2}, []int64{3, 4, 5})
	m.startAll()
	javaLeader, _ := m.javaRoles()
	require.Equal(t, javaLeader, m.goE.waitAgreed(interopTimeout, 1, 2))

	legacy := []electionwire.Notification{
		// 40 bytes, version slot 0x1 (3.4.6+).
		{State: zk.Looking, Leader: 1000, Zxid: 0, ElectionEpoch: 1, PeerEpoch: 0, Version: 1},
		// 28 bytes (<= 3.3): no peerEpoch, no version.
		{State: zk.Looking, Leader: 1000, Zxid: 0, ElectionEpoch: 1, Version: 0},
	}
	for _, n := range legacy {
		body := n.AppendEncode(nil)
		for _, sid := range []int64{1, 3, 5} { // a zkfle follower, a Java follower, the Java leader
			s, _ := m.goE.verifier.Server(sid)
			addr := fmt.Sprintf("127.0.0.1:%d", s.Addrs[0].ElectionPort)
			reply := legacyExchange(t, addr, 1000, body)
			want := zk.Following
			if sid == javaLeader {
				want = zk.Leading
			}
			assert.Equalf(t, want.String(), reply.State.String(), "server %d, %d-byte body", sid, len(body))
			assert.Equalf(t, javaLeader, reply.Leader, "server %d, %d-byte body", sid, len(body))
			assert.Equalf(t, electionwire.NotificationVersion2, reply.Version, "server %d answers in the current format", sid)
			assert.Equal(t, m.goE.verifier.String(), string(reply.Config), "server %d's config string", sid)
		}
	}
	for _, sid := range m.java.SIDs() {
		log := m.java.Server(sid).Log()
		for _, bad := range []string{"short response", "BufferUnderflow", "unrecognized protocol version", "Something went wrong"} {
			assert.NotContainsf(t, log, bad, "Java server %d", sid)
		}
	}
}

// legacyExchange connects as a pre-3.5 peer: the bare sid, one frame with
// body, then the first answer.
func legacyExchange(t *testing.T, addr string, sid int64, body []byte) electionwire.Notification {
	t.Helper()
	conn, err := dialLoopback(addr)
	require.NoError(t, err)
	defer conn.Close()
	hdr, err := electionwire.InitialMessage{SID: sid}.Encode()
	require.NoError(t, err)
	require.Len(t, hdr, 8, "a legacy header is the sid alone")
	_, err = conn.Write(hdr)
	require.NoError(t, err)
	frame, err := electionwire.AppendFrame(nil, body)
	require.NoError(t, err)
	_, err = conn.Write(frame)
	require.NoError(t, err)
	answer, err := electionwire.NewFrameReader(conn).Next()
	require.NoErrorf(t, err, "answer from %s", addr)
	var n electionwire.Notification
	require.NoError(t, electionwire.DecodeNotification(answer, &n))
	return n
}

// decodeWire splits one recorded connection (a ZooKeeper server dialled a
// zkfle node) into the Java server's sid, the notifications it sent, and
// the ones the zkfle node sent back.
func decodeWire(t *testing.T, in, out []byte) (javaSID int64, fromJava, fromGo []electionwire.Notification) {
	t.Helper()
	r := strings.NewReader(string(in))
	hdr, err := electionwire.ReadInitialMessage(r)
	require.NoError(t, err, "the Java server's connection header")
	require.Equal(t, electionwire.ProtocolV1, hdr.Version, "ZooKeeper 3.8 sends V1 without multiAddress")
	frames := func(b io.Reader) []electionwire.Notification {
		var out []electionwire.Notification
		fr := electionwire.NewFrameReader(b)
		for {
			body, err := fr.Next()
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return out // the end of what was recorded (a frame may be half-way)
			}
			require.NoError(t, err)
			var n electionwire.Notification
			require.NoError(t, electionwire.DecodeNotification(body, &n), "every frame decodes")
			out = append(out, n)
		}
	}
	return hdr.SID, frames(r), frames(strings.NewReader(string(out)))
}

// javaText renders n as ZooKeeper's "Notification:" line prints it, from
// "n.sid:" on.
func javaText(from int64, n electionwire.Notification) string {
	return fmt.Sprintf("n.sid:%d, n.state:%s, n.leader:%d, n.round:0x%x, n.peerEpoch:0x%x, n.zxid:0x%x, "+
		"message format version:0x%x, n.config version:0x0",
		from, n.State.String(), n.Leader, uint64(n.ElectionEpoch), uint64(n.PeerEpoch), uint64(n.Zxid), n.Version)
}
