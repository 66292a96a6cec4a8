package zab

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/netbridge/quorumwire"
)

// pingAnswerer answers every PING an output sends, for the connections
// that are alive, and counts the pings per connection.
type pingAnswerer struct {
	l     *LeaderSession
	clk   *clock
	alive map[ConnID]bool
	pings map[ConnID][]quorumwire.Packet
	ended *Ended
	at    time.Duration
}

func (p *pingAnswerer) tick(tm Timer) Output {
	out := p.l.Tick(tm)
	p.observe(out)
	return out
}

func (p *pingAnswerer) observe(out Output) {
	if out.Ended != nil && p.ended == nil {
		p.ended, p.at = out.Ended, p.clk.now
	}
	for _, s := range out.Send {
		if s.Packet.Type != quorumwire.Ping {
			continue
		}
		p.pings[s.Conn] = append(p.pings[s.Conn], s.Packet)
		if p.alive[s.Conn] {
			p.observe(p.clk.apply(p.l.Received(s.Conn, quorumwire.PingReply(s.Packet))))
		}
	}
}

// establishedLeader returns leader 1 of voters 1..3 and observer 4,
// established in epoch 1 at time 0 with followers 2, 3 and observer 4 on
// connections 2, 3, 4, all answering pings.
func establishedLeader(t *testing.T) *pingAnswerer {
	t.Helper()
	l := newLeader(t, LeaderConfig{ID: 1, Verifier: three(t)})
	clk := newClock()
	clk.apply(l.Start())
	handshake(t, l, clk, 2, 2, 0)
	handshake(t, l, clk, 3, 3, 0)
	clk.apply(l.Connected(4))
	clk.apply(l.Received(4, observerInfo(4, 0)))
	clk.apply(l.Received(4, quorumwire.NewAckEpochPacket(0, 0)))
	clk.apply(l.Received(4, quorumwire.NewAckPacket(mkZxid(1, 0))))
	clk.apply(l.Received(4, quorumwire.NewAckPacket(mkZxid(1, 0))))
	require.True(t, l.IsEstablished())
	return &pingAnswerer{l: l, clk: clk, alive: map[ConnID]bool{2: true, 3: true, 4: true}, pings: map[ConnID][]quorumwire.Packet{}}
}

func TestLeaderPingsEveryHalfTick(t *testing.T) {
	p := establishedLeader(t)
	p.clk.advance(10*time.Second, p.tick)
	require.Nil(t, p.ended)
	for _, c := range []ConnID{2, 3, 4} {
		require.Len(t, p.pings[c], 10, "one ping per tickTime/2 over 10 s, conn %d (observers too)", c)
		assert.Equal(t, quorumwire.NewPingPacket(mkZxid(1, 0)), p.pings[c][0], "zxid is the last proposed, makeZxid(epoch, 0)")
	}
}

// TestLeaderStepsDownWhenQuorumGoesSilent: both followers stop answering
// (no FIN: a partition); the observer's answers do not help. The leader
// steps down syncLimit × tickTime after the last answer, give or take the
// tick it checks on.
func TestLeaderStepsDownWhenQuorumGoesSilent(t *testing.T) {
	p := establishedLeader(t)
	p.clk.advance(4*time.Second, p.tick)
	p.alive[2], p.alive[3] = false, false
	last := p.clk.now
	p.clk.advance(30*time.Second, p.tick)
	require.NotNil(t, p.ended)
	assert.Equal(t, ReasonQuorumLost, p.ended.Reason)
	assert.Equal(t, "Not sufficient followers synced, only synced with sids: [ 1,4 ]", p.ended.Detail)
	silence := p.at - last
	assert.GreaterOrEqual(t, silence, 10*time.Second, "not before syncLimit × tickTime")
	assert.LessOrEqual(t, silence, 12*time.Second, "within a tick of it")
}

func TestLeaderKeepsQuorumWithOneSilentFollower(t *testing.T) {
	p := establishedLeader(t)
	p.alive[3] = false
	var closed []ConnID
	p.clk.advance(60*time.Second, func(tm Timer) Output {
		out := p.tick(tm)
		closed = append(closed, closedConns(out)...)
		return out
	})
	assert.Nil(t, p.ended, "leader and 2 are a quorum of 3")
	assert.Equal(t, []ConnID{3}, closed, "the silent follower's connection is closed by its read timeout")
}

func TestLeaderStepsDownWhenFollowersDisconnect(t *testing.T) {
	p := establishedLeader(t)
	p.clk.advance(3*time.Second, p.tick)
	p.observe(p.clk.apply(p.l.Disconnected(2)))
	p.observe(p.clk.apply(p.l.Disconnected(3)))
	start := p.clk.now
	p.clk.advance(5*time.Second, p.tick)
	require.NotNil(t, p.ended)
	assert.Equal(t, ReasonQuorumLost, p.ended.Reason)
	assert.LessOrEqual(t, p.at-start, 2*time.Second, "at the next tick")
}
