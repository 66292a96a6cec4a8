package zab

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/netbridge/quorumwire"
	"github.com/zkfle/zkfle/quorum"
	"github.com/zkfle/zkfle/zk"
)

// ensemble returns a majority verifier with the given voters and observers
// on loopback.
func ensemble(t testing.TB, voters []int64, observers ...int64) quorum.Verifier {
	t.Helper()
	var lines []string
	for _, id := range voters {
		lines = append(lines, fmt.Sprintf("server.%d=127.0.0.1:%d:%d:participant", id, 20000+id, 30000+id))
	}
	for _, id := range observers {
		lines = append(lines, fmt.Sprintf("server.%d=127.0.0.1:%d:%d:observer", id, 20000+id, 30000+id))
	}
	return parseConfig(t, strings.Join(lines, "\n")+"\nversion=0")
}

// three is voters 1..3 and observer 4.
func three(t testing.TB) quorum.Verifier { return ensemble(t, []int64{1, 2, 3}, 4) }

// five is voters 1..5.
func five(t testing.TB) quorum.Verifier { return ensemble(t, []int64{1, 2, 3, 4, 5}) }

func newLeader(t testing.TB, cfg LeaderConfig) *LeaderSession {
	t.Helper()
	l, err := NewLeaderSession(cfg)
	require.NoError(t, err)
	return l
}

func newLearner(t testing.TB, cfg LearnerConfig) *LearnerSession {
	t.Helper()
	s, err := NewLearnerSession(cfg)
	require.NoError(t, err)
	return s
}

// info is a learner's FOLLOWERINFO (or OBSERVERINFO).
func info(sid, accepted int64) quorumwire.Packet {
	return quorumwire.NewZkfleLearnerInfoPacket(false, sid, accepted, 0)
}

func observerInfo(sid, accepted int64) quorumwire.Packet {
	return quorumwire.NewZkfleLearnerInfoPacket(true, sid, accepted, 0)
}

// sendsTo lists the packets an output sends on c.
func sendsTo(out Output, c ConnID) []quorumwire.Packet {
	var ps []quorumwire.Packet
	for _, s := range out.Send {
		if s.Conn == c {
			ps = append(ps, s.Packet)
		}
	}
	return ps
}

// typesTo lists the types of the packets an output sends on c.
func typesTo(out Output, c ConnID) []quorumwire.PacketType {
	var ts []quorumwire.PacketType
	for _, p := range sendsTo(out, c) {
		ts = append(ts, p.Type)
	}
	return ts
}

// armed returns the last arming of a timer kind (and conn) in an output.
func armed(t testing.TB, out Output, kind TimerKind, conn ConnID) Timer {
	t.Helper()
	for i := len(out.Timers) - 1; i >= 0; i-- {
		tm := out.Timers[i]
		if tm.Kind == kind && tm.Conn == conn && !tm.Cancel {
			return tm
		}
	}
	t.Fatalf("no %s timer armed for conn %d in %+v", kind, conn, out.Timers)
	return Timer{}
}

// cancelled reports whether an output cancels a timer kind (and conn).
func cancelled(out Output, kind TimerKind, conn ConnID) bool {
	for _, tm := range out.Timers {
		if tm.Kind == kind && tm.Conn == conn && tm.Cancel {
			return true
		}
	}
	return false
}

func closedConns(out Output) []ConnID {
	var cs []ConnID
	for _, c := range out.Close {
		cs = append(cs, c.Conn)
	}
	return cs
}

// clock runs one session's timers in virtual time: it applies the Timer
// commands of every output it is given and fires due timers in order.
type clock struct {
	now     time.Duration
	pending map[timerKey]pendingTimer
}

type pendingTimer struct {
	due time.Duration
	t   Timer
}

func newClock() *clock { return &clock{pending: make(map[timerKey]pendingTimer)} }

// apply records an output's timer commands and returns the output.
func (c *clock) apply(out Output) Output {
	for _, tm := range out.Timers {
		k := timerKey{tm.Kind, tm.Conn}
		if tm.Cancel {
			if p, ok := c.pending[k]; ok && p.t.Seq == tm.Seq {
				delete(c.pending, k)
			}
			continue
		}
		c.pending[k] = pendingTimer{due: c.now + tm.After, t: tm}
	}
	return out
}

// next returns the earliest pending timer, if due by limit.
func (c *clock) next(limit time.Duration) (pendingTimer, bool) {
	var keys []timerKey
	for k, p := range c.pending {
		if p.due <= limit {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return pendingTimer{}, false
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := c.pending[keys[i]], c.pending[keys[j]]
		if a.due != b.due {
			return a.due < b.due
		}
		return a.t.Seq < b.t.Seq
	})
	return c.pending[keys[0]], true
}

// advance moves time forward by d, firing due timers through tick and
// applying (and returning) their outputs in order.
func (c *clock) advance(d time.Duration, tick func(Timer) Output) []Output {
	limit := c.now + d
	var outs []Output
	for {
		p, ok := c.next(limit)
		if !ok {
			break
		}
		delete(c.pending, timerKey{p.t.Kind, p.t.Conn})
		c.now = p.due
		outs = append(outs, c.apply(tick(p.t)))
	}
	c.now = limit
	return outs
}

// endedIn returns the first Ended among outputs.
func endedIn(outs []Output) *Ended {
	for _, o := range outs {
		if o.Ended != nil {
			return o.Ended
		}
	}
	return nil
}

// handshake runs a well-behaved learner's discovery on connection c of l
// (FOLLOWERINFO with accepted, ACKEPOCH with current 0 and zxid 0, the ACK
// of NEWLEADER, the ACK of UPTODATE when it comes), applying every output
// to clk, and returns the outputs.
func handshake(t *testing.T, l *LeaderSession, clk *clock, c ConnID, sid, accepted int64) []Output {
	t.Helper()
	var outs []Output
	step := func(o Output) Output {
		clk.apply(o)
		outs = append(outs, o)
		return o
	}
	step(l.Connected(c))
	out := step(l.Received(c, info(sid, accepted)))
	if len(sendsTo(out, c)) == 0 {
		return outs // waits for the epoch
	}
	epoch := zk.Zxid(sendsTo(out, c)[0].Zxid).Epoch()
	out = step(l.Received(c, quorumwire.NewAckEpochPacket(0, 0)))
	if len(sendsTo(out, c)) == 0 {
		return outs
	}
	out = step(l.Received(c, quorumwire.NewAckPacket(mkZxid(epoch, 0))))
	if len(sendsTo(out, c)) > 0 {
		step(l.Received(c, quorumwire.NewAckPacket(mkZxid(epoch, 0))))
	}
	return outs
}

// mkZxid is zk.MakeZxid as the jute int64 the packets carry.
func mkZxid(epoch, counter int64) int64 { return int64(zk.MakeZxid(epoch, counter)) }
