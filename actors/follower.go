package actors

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/zab"
)

// followerActor is the Follower (and, for an observer, the Observer): once
// the election chose another server, it dials the leader's quorum port,
// drives a zab.LearnerSession (FOLLOWERINFO, the epoch, an empty sync,
// answering pings) and tells the QuorumPeer when the session is
// established or over. It lives exactly as long as the session.
type followerActor struct {
	sessionDriver
	leader   int64
	observer bool
	// learner is the session, typed: only a learner takes DialFailed.
	learner *zab.LearnerSession
	dialCtx context.Context
	cancel  context.CancelFunc
	dialing sync.WaitGroup
	dialed  handoff
}

// learnerRetryFirst is the Follower's first pause after a refused dial to
// the leader's quorum port; pauses double up to ZooKeeper's 100 ms
// (zab.Timing.ConnectRetryFirst), and the learner gives up no sooner than
// ZooKeeper's 5 dials over 400 ms.
//
// Why a back-off and not a quorum port bound for the node's lifetime: the
// follower decides at about the moment its leader does, so its first dial
// usually beats the leader's bind and is refused; at ZooKeeper's fixed
// 100 ms that cost ~100 ms of every election. A port bound while not
// leading would have to answer a dialing learner somehow, and every
// answer harms a Java learner: accepting and closing makes its
// registerWithLeader read EOF, and Follower.followLeader then abandons the
// leader and re-elects instead of retrying (a refused connect is retried);
// leaving the connection in the accept backlog holds it in
// registerWithLeader until its read timeout (initLimit × tickTime, 20 s),
// out of every election. A refused dial is what a Java learner expects
// from a server that is not leading yet. So the leader binds when it
// leads, as ZooKeeper's does, and our learner just looks again sooner;
// a Java leader sees the same few extra SYNs, refused by its kernel.
const learnerRetryFirst = 5 * time.Millisecond

// quorumDialed reports one connection attempt to the leader.
type quorumDialed struct {
	conn net.Conn
	err  error
}

func newFollowerProps(rt *runtime, leader int64, observer bool) *actor.Props {
	return rt.props(KindFollower, func() actor.Actor {
		f := &followerActor{sessionDriver: newSessionDriver(rt, KindFollower), leader: leader, observer: observer}
		f.onDial = f.dial
		return f
	},
		// As the Leader's: a failed quorum bridge is stopped and the
		// session decides whether to redial.
		actor.WithSupervisor(stopChildren()))
}

// Receive handles one message.
func (f *followerActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		f.start(ctx)
	case *quorumDialed:
		f.connected(ctx, m)
	case *actor.Stopping, *actor.Restarting:
		f.leave()
		if f.cancel != nil {
			f.cancel()
		}
		f.dialing.Wait()
		f.dialed.closeAll()
	default:
		f.handle(ctx, m)
	}
}

func (f *followerActor) start(ctx actor.Context) {
	cfg := f.rt.cfg
	f.dialCtx, f.cancel = context.WithCancel(context.Background())
	s, err := zab.NewLearnerSession(zab.LearnerConfig{
		ID:            cfg.ID,
		LeaderID:      f.leader,
		Observer:      f.observer,
		AcceptedEpoch: f.rt.epochs.Accepted(),
		CurrentEpoch:  f.rt.epochs.Current(),
		ConfigVersion: cfg.Verifier.Version(),
		Timing:        learnerTiming(cfg),
	})
	if err != nil {
		f.rt.log.Error("cannot follow", "leader", f.leader, "reason", err.Error())
		f.over = true
		ctx.Request(ctx.Parent(), &messages.SessionEnded{Reason: "bad session config", Detail: err.Error()})
		return
	}
	f.session, f.learner = s, s
	f.rt.log.Info("following: connecting to the leader", "leader", f.leader)
	f.apply(ctx, s.Start())
}

// learnerTiming is the session timing with the short retry back-off.
func learnerTiming(cfg Config) zab.Timing {
	t := cfg.zabTiming()
	t.ConnectRetryFirst = learnerRetryFirst
	return t
}

// dial starts one connection attempt to the leader's quorum address.
func (f *followerActor) dial(ctx actor.Context, dl zab.Dial) {
	addr, err := f.leaderAddr()
	if err != nil {
		f.apply(ctx, f.learner.DialFailed(err))
		return
	}
	host, _, _ := net.SplitHostPort(addr)
	var local netip.Addr
	if a := quorumLocalAddr(f.rt.cfg, host); a != nil {
		local = a.AddrPort().Addr()
	}
	system, self, dctx := ctx.ActorSystem(), ctx.Self(), f.dialCtx
	rt, leader := f.rt, f.leader
	f.dialing.Add(1)
	go func() {
		defer f.dialing.Done()
		c, _, err := dialFrom(dctx, net.Dialer{Timeout: dl.Timeout}, local, addr)
		if err == nil && rt.cfg.TLS.dialsTLS() {
			// TLS to the leader's host, and its certificate must prove
			// the sid we elected, bounded by the handshake timeout.
			var tc net.Conn
			if tc, err = rt.dialTLS(c, TLSPortQuorum, leader, host, time.Now().Add(rt.cfg.handshakeTimeout())); err != nil {
				_ = c.Close()
				c, err = nil, fmt.Errorf("TLS handshake with leader %d: %w", leader, err)
			} else {
				c = tc
			}
		}
		if dctx.Err() != nil {
			if c != nil {
				_ = c.Close()
			}
			return // the actor is leaving
		}
		if c != nil {
			f.dialed.add(c)
		}
		system.Root.Send(self, &quorumDialed{conn: c, err: err})
	}()
}

func (f *followerActor) connected(ctx actor.Context, m *quorumDialed) {
	if m.err != nil {
		if !f.over {
			var te *tlsError
			if errors.As(m.err, &te) {
				// A refused TLS handshake is worth a (rate-limited)
				// warning: it does not heal by retrying.
				f.rt.warnings().Warn("cannot connect to the leader", fmt.Sprintf("peer %d", f.leader), "tls-"+te.reason,
					"leader", f.leader, "detail", m.err.Error())
			}
			f.rt.log.Debug("cannot connect to the leader", "leader", f.leader, "reason", m.err.Error())
			f.apply(ctx, f.learner.DialFailed(m.err))
		}
		return
	}
	if !f.dialed.take(m.conn) {
		return
	}
	if f.over {
		_ = m.conn.Close()
		return
	}
	if id := f.adopt(ctx, m.conn); id != 0 {
		f.apply(ctx, f.session.Connected(id))
	}
}

// leaderAddr is the leader's first quorum address, from the committed view
// or the last-seen one.
func (f *followerActor) leaderAddr() (string, error) {
	s, ok := f.rt.cfg.views().Server(f.leader)
	if !ok || len(s.Addrs) == 0 {
		return "", fmt.Errorf("leader %d is not in the configuration", f.leader)
	}
	a := s.Addrs[0]
	return net.JoinHostPort(a.Host, strconv.Itoa(a.QuorumPort)), nil
}
