package actors

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/netbridge"
	"github.com/zkfle/zkfle/zab"
)

// zabSession is what the Leader and Follower actors drive: a
// zab.LeaderSession or zab.LearnerSession (zab.Session).
type zabSession = zab.Session

// sessionTimerFired is a session timer's firing, sent by its time.Timer to
// the actor that armed it.
type sessionTimerFired struct{ t zab.Timer }

type sessionTimerKey struct {
	kind zab.TimerKind
	conn zab.ConnID
}

// armedTimer is the live time.Timer of one arming (Seq).
type armedTimer struct {
	t   *time.Timer
	seq uint64
}

// sessionDriver is the part of the Leader and Follower actors that carries
// out a session's outputs: epochs to disk first, then packets to the
// connections' quorum bridges, closes, timers, and the role change to the
// QuorumPeer. It owns one quorum bridge child per connection.
type sessionDriver struct {
	rt      *runtime
	kind    Kind
	session zabSession
	conns   map[zab.ConnID]*actor.PID
	// remotes holds each live connection's remote address, for the
	// source of rate-limited refusals and the Leader's source check.
	remotes map[zab.ConnID]net.Addr
	next    zab.ConnID
	timers  map[sessionTimerKey]armedTimer
	// over is set once the session ended (or the actor is leaving):
	// nothing more is fed to it.
	over bool
	// onDial starts a connection attempt to the leader (Followers only;
	// a LeaderSession never asks for one).
	onDial func(ctx actor.Context, dl zab.Dial)
	// onForget, when set, hears every connection the driver lets go.
	onForget func(id zab.ConnID)
}

// forgetConn drops a connection's bookkeeping (its bridge is stopped or
// gone).
func (d *sessionDriver) forgetConn(id zab.ConnID) {
	delete(d.conns, id)
	delete(d.remotes, id)
	if d.onForget != nil {
		d.onForget(id)
	}
}

func newSessionDriver(rt *runtime, kind Kind) sessionDriver {
	return sessionDriver{rt: rt, kind: kind, conns: map[zab.ConnID]*actor.PID{}, remotes: map[zab.ConnID]net.Addr{},
		timers: map[sessionTimerKey]armedTimer{}}
}

// adopt gives a connected socket a ConnID and a quorum bridge child.
func (d *sessionDriver) adopt(ctx actor.Context, conn net.Conn) zab.ConnID {
	d.next++
	id := d.next
	props := d.rt.wrap(KindQuorumBridge, netbridge.NewQuorumBridgeProps(conn, uint64(id),
		netbridge.WithWriteTimeout(d.rt.cfg.TickTime*time.Duration(d.rt.cfg.SyncLimit)),
		netbridge.WithLogger(d.rt.log))) // the bridge adds conn=<id> itself
	pid, err := ctx.SpawnNamed(props, "conn-"+strconv.FormatUint(uint64(id), 10))
	if err != nil {
		_ = conn.Close()
		d.rt.log.Error("cannot start quorum bridge", "reason", err.Error())
		return 0
	}
	d.conns[id] = pid
	d.remotes[id] = conn.RemoteAddr()
	return id
}

// handle feeds the session what a quorum bridge or a timer reported. It
// returns false for messages that are not the driver's.
func (d *sessionDriver) handle(ctx actor.Context, msg any) bool {
	switch m := msg.(type) {
	case *messages.QuorumPacketReceived:
		id := zab.ConnID(m.GetConn())
		if _, ok := d.conns[id]; ok && !d.over {
			d.apply(ctx, d.session.Received(id, netbridge.QuorumPacketFromProto(m.GetPacket())))
		}
	case *messages.QuorumConnClosed:
		id := zab.ConnID(m.GetConn())
		if _, ok := d.conns[id]; ok {
			d.forgetConn(id)
			d.rt.log.Debug("quorum connection closed", "actor", string(d.kind), "conn", id,
				"reason", m.GetReason().String(), "detail", m.GetDetail())
			if !d.over {
				d.apply(ctx, d.session.Disconnected(id))
			}
		}
	case *sessionTimerFired:
		// A firing that lost a race with a re-arm must not forget the
		// newer timer (which a later cancel or leave must still stop).
		key := sessionTimerKey{m.t.Kind, m.t.Conn}
		if armed, ok := d.timers[key]; ok && armed.seq == m.t.Seq {
			delete(d.timers, key)
		}
		if !d.over {
			d.apply(ctx, d.session.Tick(m.t))
		}
	default:
		return false
	}
	return true
}

// apply carries out one Output in the order zab.Output documents.
func (d *sessionDriver) apply(ctx actor.Context, out zab.Output) {
	for _, w := range out.Persist {
		if err := d.rt.epochs.Apply(w); err != nil {
			d.rt.log.Error("cannot persist epoch", "file", w.File.String(), "epoch", w.Epoch, "reason", err.Error())
			// The QuorumPeer owns the disk-fault rule; this reaches it
			// before the session's end does (same sender, same mailbox).
			ctx.Send(ctx.Parent(), &epochWritten{err: err})
			d.apply(ctx, d.session.PersistFailed(err))
			return
		}
		if d.rt.cfg.DataDir != "" {
			d.rt.log.Info("epoch persisted", "file", w.File.String(), "epoch", w.Epoch)
		} else {
			// Without a dataDir the epochs live in memory: nothing was
			// persisted, and saying so would mislead.
			d.rt.log.Debug("epoch kept in memory (no dataDir)", "file", w.File.String(), "epoch", w.Epoch)
		}
		ctx.Send(ctx.Parent(), &epochWritten{})
	}
	if out.Dial != nil {
		d.dial(ctx, *out.Dial)
	}
	for _, s := range out.Send {
		if pid, ok := d.conns[s.Conn]; ok {
			ctx.Send(pid, &messages.SendQuorumPacket{Conn: uint64(s.Conn), Packet: netbridge.QuorumPacketToProto(s.Packet)})
		}
	}
	for _, c := range out.Close {
		if pid, ok := d.conns[c.Conn]; ok {
			remote := d.remotes[c.Conn]
			d.forgetConn(c.Conn)
			ctx.Stop(pid)
			if c.Refused != nil {
				d.refused(c, remote)
				continue
			}
			log := d.rt.log.Info
			if c.Warn {
				log = d.rt.log.Warn
			}
			log("closing quorum connection", "actor", string(d.kind), "conn", c.Conn, "detail", c.Detail)
		}
	}
	for _, t := range out.Timers {
		d.timer(ctx, t)
	}
	// Reports go as requests so the QuorumPeer can tell the running
	// session from one it has already let go.
	if e := out.Established; e != nil {
		ctx.Request(ctx.Parent(), &messages.SessionEstablished{
			Role: messages.ServerStateOf(e.Role), Epoch: e.Epoch, Leader: e.Leader, ElectionOnly: e.ElectionOnly})
	}
	if e := out.Ended; e != nil {
		d.over = true
		ctx.Request(ctx.Parent(), &messages.SessionEnded{Reason: e.Reason.String(), Detail: e.Detail})
	}
}

// refused logs a learner claim the session refused: one rate-limited
// line per (source, reason), since anyone can reach the quorum port.
func (d *sessionDriver) refused(c zab.Close, remote net.Addr) {
	sid, reason := int64(-1), "refused"
	var ce *zab.ClaimError
	if errors.As(c.Refused, &ce) {
		sid, reason = ce.SID, ce.Reason()
	}
	d.rt.warnings().Warn("refused quorum connection", sourceOf(remote), reason,
		"sid", sid, "conn", uint64(c.Conn), "detail", c.Detail)
}

// sourceOf is a remote address's IP, the "source" of rate-limited lines.
func sourceOf(a net.Addr) string {
	if ip, ok := remoteIP(a); ok {
		return ip.String()
	}
	return fmt.Sprint(a)
}

func (d *sessionDriver) dial(ctx actor.Context, dl zab.Dial) {
	if d.onDial != nil {
		d.onDial(ctx, dl)
	}
}

func (d *sessionDriver) timer(ctx actor.Context, t zab.Timer) {
	key := sessionTimerKey{t.Kind, t.Conn}
	if old, ok := d.timers[key]; ok {
		old.t.Stop()
		delete(d.timers, key)
	}
	if t.Cancel {
		return
	}
	system, self := ctx.ActorSystem(), ctx.Self() // never capture the context
	fire := &sessionTimerFired{t: t}
	d.timers[key] = armedTimer{t: time.AfterFunc(max(t.After, 0), func() { system.Root.Send(self, fire) }), seq: t.Seq}
}

// leave stops the session without carrying out its last output (the
// actor is going; its children and sockets go with it) and stops the
// timers.
func (d *sessionDriver) leave() {
	if !d.over && d.session != nil {
		d.session.Stop()
	}
	d.over = true
	for k, armed := range d.timers {
		armed.t.Stop()
		delete(d.timers, k)
	}
}
