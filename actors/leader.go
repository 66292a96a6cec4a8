package actors

import (
	"crypto/x509"
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
	// handshaking counts TLS handshake goroutines (one per accepted
	// connection with TLS on).
	handshaking sync.WaitGroup
	accepted    handoff
	caps        *quorumCaps
	gate        claimGate
}

// quorumAccepted hands the actor a socket its accept loop took (with TLS
// on, once its TLS handshake succeeded).
type quorumAccepted struct {
	conn net.Conn
	// raw is the accepted socket the handoff tracks (conn itself without
	// TLS; the socket under it with TLS).
	raw net.Conn
	// leaf is the learner's certificate when conn is TLS (nil for
	// plaintext, with or without portUnification).
	leaf  *x509.Certificate
	tlsOn bool
}

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
		if !l.accepted.take(m.raw) {
			return // closed by leave
		}
		if l.over {
			_ = m.conn.Close()
			return
		}
		if id := l.adopt(ctx, m.conn); id != 0 {
			if m.tlsOn {
				l.gate.certs[id] = tlsPeer{leaf: m.leaf}
			}
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
		// Closing the sockets still in their TLS handshake ends those at
		// once; what they handed over meanwhile is closed after.
		l.accepted.closeAll()
		l.handshaking.Wait()
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
				if cfg.TLS == nil {
					system.Root.Send(self, &quorumAccepted{conn: c, raw: c})
					return
				}
				// The TLS handshake runs on its own goroutine: never in
				// the accept loop (one slow peer would stall the rest),
				// never on the actor.
				l.handshaking.Add(1)
				go func() {
					defer l.handshaking.Done()
					defer recoverGoroutine(l.rt, "quorum TLS handshake")
					if m := l.secure(c); m != nil {
						system.Root.Send(self, m)
					}
				}()
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

// secure runs the TLS server handshake on an admitted quorum connection
// (runtime.acceptTLS), bounded by the handshake timeout. A refused one is
// closed, counted and logged rate-limited, and nil is returned.
func (l *leaderActor) secure(c net.Conn) *quorumAccepted {
	tc, leaf, plain, err := l.rt.acceptTLS(c, TLSPortQuorum, time.Now().Add(l.rt.cfg.handshakeTimeout()))
	if err == nil {
		err = c.SetDeadline(time.Time{})
	}
	if err != nil {
		if !l.accepted.take(c) {
			return nil // closed by leave
		}
		_ = c.Close()
		l.rt.warnings().Warn("refused quorum connection", sourceOf(c.RemoteAddr()), "tls-"+tlsReasonOf(err),
			"remote", c.RemoteAddr().String(), "detail", err.Error())
		return nil
	}
	return &quorumAccepted{conn: tc, raw: c, leaf: leaf, tlsOn: !plain}
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
