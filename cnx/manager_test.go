package cnx

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/quorum"
)

// ensemble is servers 1, 2, 3 with election ports 3881, 3882, 3883.
func ensemble(t *testing.T) quorum.Verifier {
	t.Helper()
	var servers []quorum.Server
	for sid := int64(1); sid <= 3; sid++ {
		servers = append(servers, quorum.Server{ID: sid, Addrs: []quorum.AddrPair{
			{Host: "127.0.0.1", QuorumPort: 2880 + int(sid), ElectionPort: 3880 + int(sid)}}})
	}
	v, err := quorum.NewMajority(servers, 0)
	require.NoError(t, err)
	return v
}

// newManager is server 2 of ensemble: sid 1 is smaller, sid 3 larger.
func newManager(t *testing.T, opts ...func(*Config)) *Manager[string] {
	t.Helper()
	cfg := Config{ID: 2, Verifier: ensemble(t)}
	for _, o := range opts {
		o(&cfg)
	}
	m := New[string](cfg)
	m.Restart()
	return m
}

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func from(sid int64, conn Conn, seq uint64) Incoming {
	return Incoming{Conn: conn, SID: sid, Seq: seq, Addrs: []string{"127.0.0.1:" + strconv.FormatInt(3880+sid, 10)}}
}

// Newest wins while disconnected: a second message to a peer without a
// link replaces the first (which is counted as dropped), and only one
// dial is in flight.
func TestSendQueueOfOneNewestWins(t *testing.T) {
	m := newManager(t)
	out := m.Send(3, "a")
	assert.Equal(t, []int64{3}, out.Dials)
	assert.Empty(t, out.Dropped)
	out = m.Send(3, "b")
	assert.Empty(t, out.Dials, "a dial is already in flight")
	assert.Equal(t, []int64{3}, out.Dropped)
	got, ok := m.Pending(3)
	require.True(t, ok)
	assert.Equal(t, "b", got)

	out = m.Dialed(3, DialConnected, 7, t0)
	require.Len(t, out.Adopts, 1)
	assert.Equal(t, Adopt[string]{Conn: 7, SID: 3, Dir: Outbound, First: "b", HasFirst: true}, out.Adopts[0],
		"the connection sends the newest waiting message first")
	_, ok = m.Pending(3)
	assert.False(t, ok, "the waiting message left the queue")
	last, _ := m.LastSent(3)
	assert.Equal(t, "b", last)
}

// With a live link a message is forwarded at once and becomes the last
// sent; nothing queues.
func TestSendOverLiveLinkForwards(t *testing.T) {
	m := newManager(t)
	m.Send(3, "a")
	m.Dialed(3, DialConnected, 7, t0)
	out := m.Send(3, "b")
	assert.Equal(t, []Forward[string]{{Conn: 7, SID: 3, Msg: "b"}}, out.Forwards)
	assert.Empty(t, out.Dials)
	_, pending := m.Pending(3)
	assert.False(t, pending)
	last, _ := m.LastSent(3)
	assert.Equal(t, "b", last)
}

// ZOOKEEPER-481: a new connection with nothing waiting re-sends the last
// message handed to the peer's previous connection, whoever opened it.
func TestNewConnectionResendsLastMessage(t *testing.T) {
	for _, tc := range []struct {
		name  string
		apply func(m *Manager[string]) Output[string]
		dir   Direction
	}{
		{"dialled", func(m *Manager[string]) Output[string] {
			m.ConnectOne(3)
			return m.Dialed(3, DialConnected, 8, t0)
		}, Outbound},
		{"accepted", func(m *Manager[string]) Output[string] { return m.Accepted(from(3, 8, 2), t0) }, Inbound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newManager(t)
			m.Send(3, "a")
			m.Dialed(3, DialConnected, 7, t0)
			m.Send(3, "b")
			_, live := m.Closed(3, 7, t0)
			require.True(t, live)
			out := tc.apply(m)
			require.Len(t, out.Adopts, 1)
			assert.Equal(t, Adopt[string]{Conn: 8, SID: 3, Dir: tc.dir, First: "b", HasFirst: true}, out.Adopts[0])
		})
	}
	// A peer we never sent to gets no first message.
	m := newManager(t)
	out := m.Accepted(from(3, 1, 1), t0)
	require.Len(t, out.Adopts, 1)
	assert.False(t, out.Adopts[0].HasFirst)
}

// A new connection replaces the live one (ended as "replaced"); the old
// one's late Closed is ignored.
func TestNewConnectionReplacesLiveOne(t *testing.T) {
	m := newManager(t)
	m.Accepted(from(3, 1, 1), t0)
	out := m.Accepted(from(3, 2, 2), t0)
	assert.Equal(t, []End{{Conn: 1, SID: 3, Reason: ReasonReplaced}}, out.Ends)
	conn, dir, ok := m.Link(3)
	require.True(t, ok)
	assert.Equal(t, Conn(2), conn)
	assert.Equal(t, Inbound, dir)
	_, live := m.Closed(3, 1, t0)
	assert.False(t, live, "a replaced connection's report must not end the new link")
	_, _, ok = m.Link(3)
	assert.True(t, ok)
}

// Of two inbound connections from one sid reported out of accept order,
// the earlier-accepted one is stale: it is closed and never replaces the
// later one.
func TestStaleInboundNeverReplacesNewer(t *testing.T) {
	m := newManager(t)
	m.Accepted(from(3, 2, 6), t0)
	out := m.Accepted(from(3, 1, 5), t0)
	assert.Equal(t, []Close{{Conn: 1, SID: 3, Reason: ReasonStale}}, out.Closes)
	assert.Empty(t, out.Ends)
	assert.Empty(t, out.Adopts)
	conn, _, _ := m.Link(3)
	assert.Equal(t, Conn(2), conn)
	// Our own dial (seq 0) is never judged stale.
	m.ConnectOne(3) // no-op: linked
	out = m.Dialed(3, DialConnected, 9, t0)
	assert.Len(t, out.Adopts, 1)
}

// haveDelivered, ZooKeeper's bug included: true as soon as any known
// peer's queue is empty; false only when every queue holds a message; and
// (zkfle) true with no queue at all.
func TestHaveDelivered(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(m *Manager[string])
		want bool
	}{
		{"no queue at all", func(*Manager[string]) {}, true},
		{"the only queue waits", func(m *Manager[string]) { m.Send(3, "a") }, false},
		{"every queue waits", func(m *Manager[string]) { m.Send(1, "a"); m.Send(3, "a") }, false},
		{"one of two queues is empty", func(m *Manager[string]) {
			m.Send(1, "a")
			m.Send(3, "a")
			m.Dialed(3, DialConnected, 1, t0)
		}, true},
		{"sent over a live link", func(m *Manager[string]) {
			m.Accepted(from(3, 1, 1), t0)
			m.Send(3, "a")
		}, true},
		// ZooKeeper makes a send queue for every adopted connection
		// (queueSendMap.putIfAbsent in handleConnection and
		// startConnection): a link from a peer we never sent to is an
		// empty queue.
		{"a link adopted before any send is an empty queue", func(m *Manager[string]) {
			m.Send(1, "a")
			m.Accepted(from(3, 1, 1), t0)
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newManager(t)
			tc.run(m)
			assert.Equal(t, tc.want, m.HaveDelivered())
		})
	}
}

// Delivered is reported when it changes, and only then.
func TestDeliveredReportedOnChange(t *testing.T) {
	m := New[string](Config{ID: 2, Verifier: ensemble(t)})
	out := m.Restart()
	require.NotNil(t, out.Delivered)
	assert.True(t, *out.Delivered, "a new incarnation says true")
	out = m.Send(3, "a")
	require.NotNil(t, out.Delivered)
	assert.False(t, *out.Delivered)
	out = m.Send(3, "b")
	assert.Nil(t, out.Delivered, "unchanged")
	out = m.Dialed(3, DialConnected, 1, t0)
	require.NotNil(t, out.Delivered)
	assert.True(t, *out.Delivered)
}

// The acceptor's side of the tie-break, case by case.
func TestAcceptedTieBreak(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     Incoming
		closes []Close
		adopt  bool
		dials  []int64
	}{
		{"larger sid is kept", from(3, 1, 1), nil, true, nil},
		{"smaller sid is closed and called back", from(1, 1, 1),
			[]Close{{Conn: 1, SID: 1, Reason: ReasonTieBreak}}, false, []int64{1}},
		{"own sid is refused", from(2, 1, 1), []Close{{Conn: 1, SID: 2, Reason: ReasonOwnSID}}, false, nil},
		{"unknown smaller sid is refused, never dialled back", Incoming{Conn: 1, SID: 0, Seq: 1},
			[]Close{{Conn: 1, SID: 0, Reason: ReasonUnknownSID}}, false, nil},
		{"member with another member's port is an impostor", Incoming{Conn: 1, SID: 3, Seq: 1, Addrs: []string{"127.0.0.1:3881"}},
			[]Close{{Conn: 1, SID: 3, Reason: ReasonAddressMismatch}}, false, nil},
		{"a legacy header without addresses passes", Incoming{Conn: 1, SID: 3, Seq: 1}, nil, true, nil},
		{"one matching address of several is enough", Incoming{Conn: 1, SID: 3, Seq: 1,
			Addrs: []string{"10.0.0.9:1", "[::1]:3883"}}, nil, true, nil},
		{"unknown larger sid is served as a non-voter", Incoming{Conn: 1, SID: 99, Seq: 1, Addrs: []string{"x:1"}}, nil, true, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newManager(t)
			out := m.Accepted(tc.in, t0)
			assert.Equal(t, tc.closes, out.Closes)
			assert.Equal(t, tc.dials, out.Dials)
			if tc.adopt {
				require.Len(t, out.Adopts, 1)
				assert.Equal(t, Inbound, out.Adopts[0].Dir)
				_, _, ok := m.Link(tc.in.SID)
				assert.True(t, ok)
			} else {
				assert.Empty(t, out.Adopts)
				_, _, ok := m.Link(tc.in.SID)
				assert.False(t, ok)
			}
		})
	}
}

// The initiator's side: a dial to a larger sid only asks to be called
// back (hung up, no link); a failed dial leaves no link either, and both
// free the sid for the next attempt.
func TestDialOutcomes(t *testing.T) {
	m := newManager(t)
	out := m.Send(3, "a")
	require.Equal(t, []int64{3}, out.Dials)
	assert.True(t, m.Dialing(3))
	out = m.Dialed(3, DialHungUp, 0, t0)
	assert.Empty(t, out.Adopts)
	assert.False(t, m.Dialing(3))
	out = m.ConnectOne(3)
	assert.Equal(t, []int64{3}, out.Dials, "the next attempt may start")
	m.Dialed(3, DialFailed, 0, t0)
	_, _, ok := m.Link(3)
	assert.False(t, ok)
	got, _ := m.Pending(3)
	assert.Equal(t, "a", got, "the message still waits")
}

// A smaller sid's call tears down the live link and is called back, at
// most once per RedialInterval; calls within the interval only lose
// their own connection, and one redial check is armed for the end of the
// interval.
func TestRedialLimit(t *testing.T) {
	m := newManager(t)
	m.Send(1, "a")
	m.Dialed(1, DialConnected, 10, t0.Add(-time.Second)) // a link one interval old

	out := m.Accepted(from(1, 11, 1), t0)
	assert.Equal(t, []Close{{Conn: 11, SID: 1, Reason: ReasonTieBreak}}, out.Closes)
	assert.Equal(t, []End{{Conn: 10, SID: 1, Reason: ReasonTieBreak}}, out.Ends)
	assert.Equal(t, []int64{1}, out.Dials)
	m.Dialed(1, DialConnected, 12, t0)

	out = m.Accepted(from(1, 13, 2), t0.Add(300*time.Millisecond))
	assert.Equal(t, []Close{{Conn: 13, SID: 1, Reason: ReasonRedialLimited}}, out.Closes)
	assert.Empty(t, out.Ends, "the live link is kept within the interval")
	assert.Empty(t, out.Dials)
	assert.Equal(t, []RedialTimer{{SID: 1, After: 700 * time.Millisecond}}, out.Timers)

	out = m.Accepted(from(1, 14, 3), t0.Add(500*time.Millisecond))
	assert.Equal(t, ReasonRedialLimited, out.Closes[0].Reason)
	assert.Empty(t, out.Timers, "one redial check per sid at a time")

	// The check finds the link up: nothing to do.
	out = m.RedialDue(1)
	assert.Empty(t, out.Dials)

	// After the interval a call tears down again.
	out = m.Accepted(from(1, 15, 4), t0.Add(time.Second))
	assert.Equal(t, []End{{Conn: 12, SID: 1, Reason: ReasonTieBreak}}, out.Ends)
	assert.Equal(t, []int64{1}, out.Dials)
}

// Both ends of a pair dial each other when they start; the smaller sid's
// call can reach us after our own connection to it was adopted. Such a
// call crossed ours, and within RedialInterval of the link's start it
// does not tear the link down (one link per pair, not two); it only loses
// its own connection and arms one redial check for the interval's end.
// From the interval's end on, a call tears down as ZooKeeper's does.
func TestCrossedCallKeepsAYoungLink(t *testing.T) {
	m := newManager(t)
	m.Send(1, "a")
	m.Dialed(1, DialConnected, 10, t0)

	out := m.Accepted(from(1, 11, 1), t0.Add(300*time.Millisecond))
	assert.Equal(t, []Close{{Conn: 11, SID: 1, Reason: ReasonRedialLimited}}, out.Closes)
	assert.Empty(t, out.Ends, "a call that crossed our dial keeps the link")
	assert.Empty(t, out.Dials)
	assert.Equal(t, []RedialTimer{{SID: 1, After: 700 * time.Millisecond}}, out.Timers)
	conn, dir, ok := m.Link(1)
	require.True(t, ok)
	assert.Equal(t, Conn(10), conn)
	assert.Equal(t, Outbound, dir)

	// The check finds the link up: nothing to do.
	assert.Empty(t, m.RedialDue(1).Dials)

	// A call exactly one interval after the link's start tears it down.
	out = m.Accepted(from(1, 12, 2), t0.Add(time.Second))
	assert.Equal(t, []Close{{Conn: 12, SID: 1, Reason: ReasonTieBreak}}, out.Closes)
	assert.Equal(t, []End{{Conn: 10, SID: 1, Reason: ReasonTieBreak}}, out.Ends)
	assert.Equal(t, []int64{1}, out.Dials)
}

// The age is the live link's: a new link after one that died is young
// again, however old the first one was.
func TestCrossedCallAgeIsTheLiveLinks(t *testing.T) {
	m := newManager(t)
	m.ConnectOne(1)
	m.Dialed(1, DialConnected, 10, t0)
	_, live := m.Closed(1, 10, t0.Add(time.Second))
	require.True(t, live)
	m.ConnectOne(1)
	m.Dialed(1, DialConnected, 11, t0.Add(5*time.Second))

	out := m.Accepted(from(1, 12, 1), t0.Add(5500*time.Millisecond))
	assert.Equal(t, []Close{{Conn: 12, SID: 1, Reason: ReasonRedialLimited}}, out.Closes)
	assert.Empty(t, out.Ends)
	assert.Equal(t, []RedialTimer{{SID: 1, After: 500 * time.Millisecond}}, out.Timers)
}

// A call is judged by when it arrived, not when it is handled: under load
// a call accepted before our link started can be read seconds later, and
// it cannot be about that link. One that arrived after the interval
// tears down however it is handled.
func TestCrossedCallIsTimedByItsArrival(t *testing.T) {
	m := newManager(t)
	m.Send(1, "a")
	m.Dialed(1, DialConnected, 10, t0)

	late := from(1, 11, 1)
	late.At = t0.Add(-100 * time.Millisecond)
	out := m.Accepted(late, t0.Add(3*time.Second))
	assert.Equal(t, []Close{{Conn: 11, SID: 1, Reason: ReasonRedialLimited}}, out.Closes)
	assert.Empty(t, out.Ends, "a call that arrived before the link started kept it")
	assert.Equal(t, []RedialTimer{{SID: 1, After: 0}}, out.Timers, "the interval already ended: check at once")

	genuine := from(1, 12, 2)
	genuine.At = t0.Add(time.Second)
	out = m.Accepted(genuine, t0.Add(3*time.Second))
	assert.Equal(t, []End{{Conn: 10, SID: 1, Reason: ReasonTieBreak}}, out.Ends)
	assert.Equal(t, []int64{1}, out.Dials)
}

// A call refused by the limit is not lost: if the kept link dies within
// the interval, the redial check calls back.
func TestRedialDueCallsBackWhenTheLinkDied(t *testing.T) {
	m := newManager(t)
	m.ConnectOne(1)
	m.Dialed(1, DialConnected, 10, t0.Add(-time.Second))
	m.Accepted(from(1, 11, 1), t0)
	m.Dialed(1, DialConnected, 12, t0)
	out := m.Accepted(from(1, 13, 2), t0.Add(100*time.Millisecond))
	require.Len(t, out.Timers, 1)
	_, live := m.Closed(1, 12, t0)
	require.True(t, live)
	out = m.RedialDue(1)
	assert.Equal(t, []int64{1}, out.Dials)
	// Armed again by the next limited call.
	m.Dialed(1, DialConnected, 14, t0)
	out = m.Accepted(from(1, 15, 3), t0.Add(200*time.Millisecond))
	assert.Len(t, out.Timers, 1)
}

// connectOne's guards and connectAll's order.
func TestConnectAll(t *testing.T) {
	m := newManager(t)
	m.Send(3, "a") // dials 3
	m.Send(1, "a") // dials 1
	m.Dialed(1, DialFailed, 0, t0)
	m.Send(99, "probe") // a non-member: no address, never dialled
	out := m.ConnectAll()
	assert.Equal(t, []int64{1}, out.Dials, "3 is in flight, 99 has no address")
	m.Dialed(1, DialConnected, 5, t0)
	m.Dialed(3, DialFailed, 0, t0)
	out = m.ConnectAll()
	assert.Equal(t, []int64{3}, out.Dials, "1 is linked")
	assert.Empty(t, m.ConnectOne(2).Dials, "never ourselves")
	assert.Equal(t, []int64{1, 3, 99}, m.Known())
}

// Restart keeps the queues and last messages, forgets the links and
// dials, says haveDelivered=true and reconnects to every known peer.
func TestRestartKeepsQueues(t *testing.T) {
	m := newManager(t)
	m.Send(1, "x")
	m.Dialed(1, DialConnected, 1, t0)
	m.Send(3, "y")
	out := m.Restart()
	require.NotNil(t, out.Delivered)
	assert.True(t, *out.Delivered)
	assert.Equal(t, []int64{1, 3}, out.Dials)
	assert.Empty(t, m.Links())
	got, _ := m.Pending(3)
	assert.Equal(t, "y", got)
	out = m.Dialed(1, DialConnected, 2, t0)
	assert.Equal(t, "x", out.Adopts[0].First, "the last message is re-sent after a restart")
}

// A leaving manager dials nobody and closes whatever arrives.
func TestLeavingClosesArrivals(t *testing.T) {
	m := newManager(t)
	m.ConnectOne(3)
	m.Leave()
	assert.Empty(t, m.ConnectOne(1).Dials)
	assert.Empty(t, m.Send(1, "a").Dials)
	out := m.Dialed(3, DialConnected, 4, t0)
	assert.Equal(t, []Close{{Conn: 4, SID: 3, Reason: ReasonLeaving}}, out.Closes)
	out = m.Accepted(from(3, 5, 1), t0)
	assert.Equal(t, []Close{{Conn: 5, SID: 3, Reason: ReasonLeaving}}, out.Closes)
	assert.Empty(t, m.Links())
	m.Restart()
	assert.False(t, m.Leaving(), "a new incarnation is not leaving")
}

// Non-members share a bounded table: the least recently used is
// forgotten, idle ones before connected ones, members never.
func TestNonMemberTable(t *testing.T) {
	m := newManager(t, func(c *Config) { c.NonMemberLimit = 2 })
	m.Accepted(Incoming{Conn: 1, SID: 10, Seq: 1}, t0) // connected
	m.Send(11, "a")                                    // idle
	out := m.Send(12, "b")
	assert.Equal(t, []int64{11}, out.Forgotten, "the idle entry goes before the older connected one")
	assert.Empty(t, out.Ends)
	_, ok := m.Pending(11)
	assert.False(t, ok)
	assert.NotContains(t, m.Known(), int64(11))

	out = m.Accepted(Incoming{Conn: 2, SID: 13, Seq: 2}, t0) // 10 (oldest, connected) vs 12 (idle)
	assert.Equal(t, []int64{12}, out.Forgotten)
	m.Accepted(Incoming{Conn: 3, SID: 14, Seq: 3}, t0) // now every entry is connected
	_, _, ok = m.Link(10)
	assert.False(t, ok, "with every entry connected the oldest connection goes")

	for sid := int64(1); sid <= 3; sid++ {
		if sid != 2 {
			m.Send(sid, "v")
		}
	}
	assert.Subset(t, m.Known(), []int64{1, 3}, "members are never forgotten")
}

// When the forgotten non-member had a live link, it is ended.
func TestNonMemberTableEndsForgottenLink(t *testing.T) {
	m := newManager(t, func(c *Config) { c.NonMemberLimit = 1 })
	m.Accepted(Incoming{Conn: 1, SID: 10, Seq: 1}, t0)
	out := m.Accepted(Incoming{Conn: 2, SID: 11, Seq: 2}, t0)
	assert.Equal(t, []int64{10}, out.Forgotten)
	assert.Equal(t, []End{{Conn: 1, SID: 10, Reason: ReasonTableFull}}, out.Ends)
	require.Len(t, out.Adopts, 1)
	assert.Equal(t, int64(11), out.Adopts[0].SID)
}

// The initiator keeps a connection it dialled only to a smaller sid.
func TestInitiatorKeeps(t *testing.T) {
	assert.True(t, InitiatorKeeps(2, 1))
	assert.False(t, InitiatorKeeps(2, 3), "a dial to a larger sid only asks to be called back")
	assert.False(t, InitiatorKeeps(2, 2))
}
