package actors

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/zab"
)

// leaderActor is the Leader: once the election chose this server, it
// listens on the quorum port, drives a zab.LeaderSession over the
// learners' connections (epoch agreement, an empty sync, pings) and tells
// the QuorumPeer when the session is established or over. It lives
// exactly as long as the session: the QuorumPeer spawns one per decision.
type leaderActor struct {
	sessionDriver
	listeners []net.Listener
	accepting sync.WaitGroup
	accepted  handoff
	caps      *quorumCaps
	gate      claimGate
}

// quorumAccepted hands the actor a socket its accept loop took.
type quorumAccepted struct{ conn net.Conn }

func newLeaderProps(rt *runtime) *actor.Props {
	return rt.props(KindLeader, func() actor.Actor {
		l := &leaderActor{sessionDriver: newSessionDriver(rt, KindLeader), gate: newClaimGate()}
		l.onForget = l.gate.forget
		return l
	},
		// Quorum bridges are stopped when they fail: a socket cannot be
		// reopened. The session hears QuorumConnClosed, and the learner
		// redials or gives up and re-elects.
		actor.WithSupervisor(stopChildren()))
}

// Receive handles one message.
func (l *leaderActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		l.start(ctx)
	case *quorumAccepted:
		if !l.accepted.take(m.conn) {
			return // closed by leave
		}
		if l.over {
			_ = m.conn.Close()
			return
		}
		if id := l.adopt(ctx, m.conn); id != 0 {
			l.apply(ctx, l.session.Connected(id))
		}
	case *messages.QuorumPacketReceived:
		l.packet(ctx, m)
	case *claimChecked:
		l.claimChecked(ctx, m)
	case *actor.Stopping, *actor.Restarting:
		l.leave()
		for _, ln := range l.listeners {
			_ = ln.Close()
		}
		l.accepting.Wait()
		l.accepted.closeAll()
		l.gate.checks.Wait()
	default:
		l.handle(ctx, m)
	}
}

func (l *leaderActor) start(ctx actor.Context) {
	cfg := l.rt.cfg
	s, err := zab.NewLeaderSession(zab.LeaderConfig{
		ID:            cfg.ID,
		Verifier:      cfg.Verifier,
		LastSeen:      cfg.LastSeen,
		AcceptedEpoch: l.rt.epochs.Accepted(),
		CurrentEpoch:  l.rt.epochs.Current(),
		Timing:        cfg.zabTiming(),
	})
	if err != nil {
		l.giveUp(ctx, "bad session config", err)
		return
	}
	l.session = s
	addrs, err := quorumListenAddrs(cfg)
	if err != nil {
		l.giveUp(ctx, "no quorum address", err)
		return
	}
	for _, addr := range addrs {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			// ZooKeeper's Leader fails to construct and the peer goes
			// back to LOOKING; the followers then time out on us too.
			l.giveUp(ctx, "cannot bind quorum port", err)
			return
		}
		l.listeners = append(l.listeners, ln)
	}
	l.caps = newQuorumCaps(cfg, l.rt.peerSources())
	l.rt.log.Info("leading: waiting for learners", "quorum", addrs, "max_connections", l.caps.total)
	system, self := ctx.ActorSystem(), ctx.Self()
	for _, ln := range l.listeners {
		l.accepting.Add(1)
		go func(ln net.Listener) {
			defer l.accepting.Done()
			acceptLoop(ln, func(c net.Conn) {
				if c = l.admit(c); c == nil {
					return
				}
				l.accepted.add(c)
				system.Root.Send(self, &quorumAccepted{conn: c})
			})
		}(ln)
	}
	l.apply(ctx, l.session.Start())
}

// admit applies the quorum-port caps to an accepted socket (on the accept
// goroutine): over a cap it is closed at once, counted and logged
// rate-limited; otherwise it comes back wrapped so closing frees its slot.
func (l *leaderActor) admit(c net.Conn) net.Conn {
	release, reason := l.caps.admit(c.RemoteAddr())
	if reason != "" {
		_ = c.Close()
		l.rt.warnings().Warn("refused quorum connection", sourceOf(c.RemoteAddr()), reason,
			"open", l.caps.open(), "max_connections", l.caps.total, "refused", l.caps.refused.Load())
		return nil
	}
	return &cappedConn{Conn: c, release: release}
}

// giveUp ends a session that could not start.
func (l *leaderActor) giveUp(ctx actor.Context, reason string, err error) {
	l.rt.log.Error("cannot lead", "reason", reason, "detail", err.Error())
	l.over = true
	ctx.Request(ctx.Parent(), &messages.SessionEnded{Reason: reason, Detail: err.Error()})
}

// quorumListenAddrs is where the Leader listens: every quorum address of
// this server, or the wildcard on its quorum port with quorumListenOnAllIPs.
func quorumListenAddrs(cfg Config) ([]string, error) {
	me, ok := cfg.Verifier.Server(cfg.ID)
	if !ok || len(me.Addrs) == 0 {
		return nil, fmt.Errorf("server.%d has no quorum address", cfg.ID)
	}
	var out []string
	seen := map[string]bool{}
	for _, a := range me.Addrs {
		host := a.Host
		if cfg.ListenOnAllIPs {
			host = ""
		}
		addr := net.JoinHostPort(host, strconv.Itoa(a.QuorumPort))
		if !seen[addr] {
			seen[addr] = true
			out = append(out, addr)
		}
	}
	return out, nil
}

// stopChildren is the strategy for children that cannot be restarted in
// place (sockets, sessions): a failed child is stopped and its parent
// hears Terminated or the child's own closing report.
func stopChildren() actor.SupervisorStrategy {
	return actor.NewOneForOneStrategy(0, 0, func(any) actor.Directive { return actor.StopDirective })
}

// acceptLoop accepts until ln is closed. Other errors (out of file
// descriptors, say) are retried after a pause that doubles up to a second,
// as net/http's server does: a leader must keep accepting its learners.
func acceptLoop(ln net.Listener, take func(net.Conn)) {
	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return // closed by leave
			}
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			time.Sleep(delay) // back-off between failed accepts, not synchronisation
			continue
		}
		delay = 0
		take(c)
	}
}
