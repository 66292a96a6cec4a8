package nodesim

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"time"

	"github.com/zkfle/zkfle/cnx"
	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/netbridge/quorumwire"
	"github.com/zkfle/zkfle/quorum"
	"github.com/zkfle/zkfle/zab"
)

// Config sizes one run.
type Config struct {
	// N is the number of voters (3 or 5 in the tests).
	N int
	// Seed chooses every fault and every latency.
	Seed uint64
	// Chaos is how long faults are injected (0: none).
	Chaos time.Duration
	// Bound is oracle (e)'s liveness bound after the last heal; the run
	// stops at LastHeal + Bound + Settle.
	Bound time.Duration
	// Settle is how long the run continues after Bound (quiet period).
	Settle time.Duration
	// Observers is the number of observers (sids N+1 ...): they elect
	// and follow (observe) but never count in a quorum.
	Observers int
	// Hierarchical makes the voters a seeded hierarchical (weighted
	// groups) configuration instead of a plain majority (seededGroups).
	Hierarchical bool
	// KeepTrace renders Result.Trace even for a passing run.
	KeepTrace bool
	// Clean asks for a run in which the election promises the best
	// leader (oracle (c)): no faults at all (Chaos is ignored), every
	// node starting at the same instant (see NewWorld), latencies of 1-5
	// ms, far below the finalize window.
	Clean bool
	// EmptyDisks starts every node as a new ensemble does: epochs 0 and
	// no transactions (the scripts), instead of seeded disks.
	EmptyDisks bool
	// DisableFastPaths turns the election's fast paths off
	// (fle.Config.DisableFastPaths, the zkfle.election.fastPaths=false
	// switch): every LOOKING round waits out the finalize window, as
	// ZooKeeper does. The zero value runs them, as production does by
	// default.
	DisableFastPaths bool
}

// elecConn is one election connection (its number is the cnx.Conn on
// both ends).
type elecConn struct {
	id   cnx.Conn
	a, b int64 // dialler, acceptor
	open bool
	// called: the dialler (the smaller sid) sent its header and hung up.
	// The header is in the acceptor's socket buffer before the FIN, so
	// the acceptor still reads the call when it gets to it, even after
	// the close (a paused acceptor reads it on resume), as ZooKeeper's
	// handleConnection does.
	called bool
	// senders[x] is end x's SendWorker (cnx.Sender), made when x's
	// manager adopts the connection.
	senders map[int64]*cnx.Sender[fle.Message]
}

// zabConn is one quorum connection between a learner and a leader session.
type zabConn struct {
	id      zab.ConnID
	learner int64
	leader  int64
	ls      *session // the learner's session
	lds     *session // the leader's session
	open    bool
	// lastAt keeps each direction FIFO (TCP).
	lastAt [2]time.Duration
	// synced: the leader has sent DIFF+NEWLEADER here; TXNs follow.
	synced bool
}

// World is one seeded run.
type World struct {
	cfg      Config
	rng      *rand.Rand
	s        scheduler
	verifier quorum.Verifier
	nodes    map[int64]*node
	ids      []int64
	econns   map[cnx.Conn]*elecConn
	zconns   map[zab.ConnID]*zabConn
	nextConn uint64
	sessions int
	obs      int
	// promised[(learner, leader session)]: the learner raised its
	// acceptedEpoch for that session's LEADERINFO.
	promised map[[2]int64]bool
	// counts are fault and event counters for the report (Result.Faults).
	counts map[string]int
	// paths counts the election's decisions by fle.DecisionPath
	// (Result.Paths).
	paths map[string]int
	// unreachable[[2]int64{n, sid}] counts how often node n told its
	// election that sid is unreachable (the reachable fast path's input).
	unreachable map[[2]int64]int
	// blocked[[2]int64{a,b}]: traffic from a to b is lost.
	blocked map[[2]int64]bool
	// fault rates while chaos is on.
	drop, dup, delay float64
	hist             History
	trace            []heldLine
	failed           string
	// observe, when set, hears every whole-node fact (trace.go).
	observe func(Event)
	// steps counts the events of the current control call (control.go).
	steps int
}

// obsSeq numbers the phase-1 observations in the order they happened.
func (w *World) obsSeq() int { w.obs++; return w.obs }

// heldLine is one trace line, formatted only if the trace is read (most
// runs pass and never are).
type heldLine struct {
	at     time.Duration
	format string
	args   []any
}

func (w *World) tracef(format string, args ...any) {
	w.trace = append(w.trace, heldLine{w.s.now, format, args})
	if len(w.trace) > 400 {
		w.trace = append(w.trace[:0], w.trace[len(w.trace)-300:]...)
	}
}

// heldTrace renders the kept trace lines.
func (w *World) heldTrace() []string {
	out := make([]string, len(w.trace))
	for i, l := range w.trace {
		out[i] = fmt.Sprintf("%9v ", l.at) + fmt.Sprintf(l.format, l.args...)
	}
	return out
}

// fail records a driver-level impossibility (a production constructor
// refusing a config the driver built); the run reports it.
func (w *World) fail(format string, args ...any) {
	if w.failed == "" {
		w.failed = fmt.Sprintf("at %v: ", w.s.now) + fmt.Sprintf(format, args...)
	}
}

func electionPort(id int64) int { return 30000 + int(id)*2 + 1 }

// NewWorld builds the ensemble; every node starts looking at time 0.
func NewWorld(cfg Config) (*World, error) {
	w := &World{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		nodes: map[int64]*node{}, econns: map[cnx.Conn]*elecConn{}, zconns: map[zab.ConnID]*zabConn{},
		blocked: map[[2]int64]bool{}, counts: map[string]int{}, paths: map[string]int{}, promised: map[[2]int64]bool{},
		unreachable: map[[2]int64]int{}}
	var servers []quorum.Server
	for i := 1; i <= cfg.N+cfg.Observers; i++ {
		id := int64(i)
		w.ids = append(w.ids, id)
		typ := quorum.Participant
		if i > cfg.N {
			typ = quorum.Observer
			w.hist.Observers = append(w.hist.Observers, id)
		} else {
			w.hist.Voters = append(w.hist.Voters, id)
		}
		servers = append(servers, quorum.Server{ID: id, Type: typ,
			Addrs: []quorum.AddrPair{{Host: "127.0.0.1", QuorumPort: electionPort(id) - 1, ElectionPort: electionPort(id)}}})
	}
	var v quorum.Verifier
	var err error
	if cfg.Hierarchical {
		groups, weights := seededGroups(w.rng, w.hist.Voters)
		v, err = quorum.NewHierarchical(servers, groups, weights, 0)
		w.hist.Groups, w.hist.Weights = map[int64]int64{}, map[int64]int64{}
		for gid, sids := range groups {
			for _, sid := range sids {
				w.hist.Groups[sid] = gid
				w.hist.Weights[sid] = weights[sid]
			}
		}
	} else {
		v, err = quorum.NewMajority(servers, 0)
	}
	if err != nil {
		return nil, err
	}
	w.verifier = v
	w.hist.Bound = cfg.Bound
	w.hist.Clean = cfg.Clean
	w.hist.Start = map[int64]Summary{}
	base := int64(w.rng.IntN(4))
	for _, id := range w.ids {
		d := seededDisk(w.rng, base)
		if cfg.EmptyDisks {
			d = disk{}
		}
		st, err := zab.NewMemoryEpochs(d.accepted, d.current)
		if err != nil {
			return nil, err
		}
		// Per-node timer skew: 0.8x to 1.25x.
		skew := 0.8 + 0.45*w.rng.Float64()
		w.nodes[id] = &node{w: w, id: id, epochs: st, skew: skew, zxid: d.zxid, durable: d.zxid}
		w.hist.Start[id] = Summary{CurrentEpoch: d.current, Zxid: d.zxid, AcceptedEpoch: d.accepted}
	}
	for _, id := range w.ids {
		n := w.nodes[id]
		start := time.Duration(w.rng.IntN(50)) * time.Millisecond
		if cfg.Clean {
			// Oracle (c)'s premise is a simultaneous start. A staggered
			// one does not promise the best leader: an early starter's
			// dial to a node not yet up fails only after 100-300 ms here
			// (a host that does not answer), so it cannot call a later
			// starter back for a while and the others may decide without
			// it (with the fast paths on, at once: a voter whose dial
			// failed is unreachable, fle/fastpath.go).
			start = 0
		}
		w.s.after(start, func() {
			// Only the first boot: a node that healAll restarted (or
			// that a script started) is up already.
			if n.gen == 0 && !n.up {
				n.boot()
			}
		})
	}
	return w, nil
}

// latency is one message's network delay, with the chaos delay fault.
func (w *World) latency() time.Duration {
	d := time.Duration(1+w.rng.IntN(5)) * time.Millisecond
	if w.delay > 0 && w.rng.Float64() < w.delay {
		d += time.Duration(50+w.rng.IntN(400)) * time.Millisecond
	}
	return d
}

func (w *World) up(id int64) bool { return w.nodes[id].up }

func (w *World) reachable(from, to int64) bool {
	return w.up(from) && w.up(to) && !w.blocked[[2]int64{from, to}]
}

func (w *World) vnow() time.Time { return time.Unix(1_000_000, 0).Add(w.s.now) }

// ---- election network ----

// dial carries a cnx Dials output of from to sid. The connection is made
// at the kernel level even while an end is paused; each end's handling of
// it is that end's input (deferred while it is paused).
func (w *World) dial(from, to int64) {
	gen := w.nodes[from].gen
	w.s.after(w.latency(), func() {
		f := w.nodes[from]
		if f.gen != gen || !f.up {
			return
		}
		if !w.reachable(from, to) || !w.reachable(to, from) {
			f.after(time.Duration(100+w.rng.IntN(200))*time.Millisecond, func() {
				if f.gen == gen {
					f.applyCnx(f.mgr.Dialed(to, cnx.DialFailed, 0, w.vnow()))
					// A failed dial: the peer is unreachable during this
					// election (actors/cnxmanager_connect.go).
					f.peerUnreachable(to)
				}
			})
			return
		}
		w.nextConn++
		c := &elecConn{id: cnx.Conn(w.nextConn), a: from, b: to, open: true, senders: map[int64]*cnx.Sender[fle.Message]{}}
		w.econns[c.id] = c
		w.tracef("n%d dials n%d: conn %d", from, to, c.id)
		// The acceptor's listener admits the handshake (HandshakeLimits)
		// and reads the header; the dialler keeps the link only with the
		// larger sid (cnx.InitiatorKeeps), else it hangs up.
		t := w.nodes[to]
		tgen, seq := t.gen, w.nextConn
		t.input(func() {
			if t.gen != tgen || !t.up || (!c.open && !c.called) {
				return
			}
			src := netip.AddrFrom4([4]byte{127, 0, 0, 1})
			member := t.mgr.IsMember(from)
			if ok, why := t.hs.Admit(src, member); !ok {
				w.tracef("n%d refuses conn %d: %s", to, c.id, why)
				w.counts["handshake-refused"]++
				w.closeElec(c.id, to, "too-many-handshakes")
				return
			}
			t.applyCnx(t.mgr.Accepted(cnx.Incoming{Conn: c.id, SID: from, Addrs: []string{"127.0.0.1:" + strconv.Itoa(electionPort(from))}, Seq: seq}, w.vnow()))
			t.hs.Release(src, member)
		})
		f.input(func() {
			if f.gen != gen || !f.up {
				return
			}
			if cnx.InitiatorKeeps(from, to) {
				f.applyCnx(f.mgr.Dialed(to, cnx.DialConnected, c.id, w.vnow()))
			} else {
				// Our call: to may end its live link to us in answer
				// (cnx/liveness.go).
				f.applyCnx(f.mgr.Dialed(to, cnx.DialHungUp, 0, w.vnow()))
				c.called = true
				w.closeElec(c.id, from, "hung up")
			}
		})
	})
}

// closeElec closes conn from one end; the other end's manager hears it
// one latency later.
func (w *World) closeElec(id cnx.Conn, by int64, why string) {
	c, ok := w.econns[id]
	if !ok || !c.open {
		return
	}
	c.open = false
	delete(w.econns, id)
	for _, x := range []int64{c.a, c.b} {
		n := w.nodes[x]
		if !n.up {
			continue
		}
		gen := n.gen
		d := time.Duration(0)
		if x != by {
			d = w.latency()
		}
		n.after(d, func() {
			if n.gen == gen {
				out, gone := n.mgr.Closed(other(c, x), id, w.vnow())
				n.applyCnx(out)
				if gone {
					// The live link closed and no call of ours explains
					// it: the peer is unreachable (actors/cnxmanager.go's
					// linkEnded). A replaced connection's close says
					// nothing, and neither does the close of a link the
					// peer ended to call us back (ZooKeeper's tie-break,
					// cnx/liveness.go).
					n.peerUnreachable(other(c, x))
				}
			}
		})
	}
}

func other(c *elecConn, x int64) int64 {
	if c.a == x {
		return c.b
	}
	return c.a
}

// sendElec puts one election frame on conn from -> to, with the chaos
// faults: loss, duplication, delay (which also reorders).
func (w *World) sendElec(id cnx.Conn, from, to int64, m fle.Message) {
	copies := 1
	if w.dup > 0 && w.rng.Float64() < w.dup {
		copies = 2
	}
	for range copies {
		if w.drop > 0 && w.rng.Float64() < w.drop {
			w.tracef("drop n%d->n%d %v", from, to, m)
			continue
		}
		w.s.after(w.latency(), func() {
			c, ok := w.econns[id]
			if !ok || !c.open || !w.reachable(from, to) {
				return
			}
			t := w.nodes[to]
			gen := t.gen
			t.input(func() {
				if t.gen == gen && t.up {
					t.receiveElec(from, m)
				}
			})
		})
	}
}

// ---- quorum (zab) network ----

// zabDial carries a learner session's Dial to its leader.
func (w *World) zabDial(n *node, s *session, dl zab.Dial) {
	leader := s.leader
	w.s.after(w.latency(), func() {
		if n.sess != s || !n.up {
			return
		}
		l := w.nodes[leader]
		if w.reachable(n.id, leader) && w.reachable(leader, n.id) && (l.sess == nil || !l.sess.leading || l.sess.ended) {
			// The host answers but nothing listens on the quorum port
			// (no leader session yet, or any more): refused at once,
			// as TCP does, so the learner's retries can meet a leader
			// that decides a little later.
			n.after(w.latency(), func() {
				if n.sess == s {
					n.applyZab(s, s.learner.DialFailed(fmt.Errorf("leader %d refused the connection", leader)))
				}
			})
			return
		}
		if !w.reachable(n.id, leader) || !w.reachable(leader, n.id) {
			// Unreachable: the SYN is lost and the dial times out.
			n.after(w.latency()+time.Duration(w.rng.IntN(int(min(dl.Timeout, time.Second)/time.Millisecond)+1))*time.Millisecond, func() {
				if n.sess == s {
					n.applyZab(s, s.learner.DialFailed(fmt.Errorf("leader %d unreachable", leader)))
				}
			})
			return
		}
		w.nextConn++
		c := &zabConn{id: zab.ConnID(w.nextConn), learner: n.id, leader: leader, ls: s, lds: l.sess, open: true}
		w.zconns[c.id] = c
		s.conns[c.id], l.sess.conns[c.id] = true, true
		w.tracef("n%d quorum-connects to n%d: conn %d", n.id, leader, c.id)
		ls := l.sess
		l.input(func() { l.applyZab(ls, ls.impl.Connected(c.id)) })
		n.input(func() { n.applyZab(s, s.learner.Connected(c.id)) })
	})
}

// sendZab carries one packet in FIFO order; a lost packet resets the
// connection (TCP does not lose a byte and carry on).
func (w *World) sendZab(id zab.ConnID, from int64, p quorumwire.Packet) {
	c, ok := w.zconns[id]
	if !ok || !c.open {
		return
	}
	dir, to, target := 0, c.leader, c.lds
	if from == c.leader {
		dir, to, target = 1, c.learner, c.ls
	}
	if w.drop > 0 && w.rng.Float64() < w.drop/4 {
		w.tracef("reset quorum conn %d (lost %v)", id, p.Type)
		w.closeZab(id, -1)
		return
	}
	var base int64
	if from == c.leader && p.Type == quorumwire.NewLeader {
		// The leader's log as it syncs this learner (log.go).
		base, c.synced = w.nodes[from].zxid, true
	}
	sent := 0
	if from == c.learner && p.Type == quorumwire.Ack && p.Zxid&0xffffffff == 0 {
		// When the learner acknowledges NEWLEADER, among its epoch writes
		// (the oracles read its disk then from History.Writes).
		sent = w.obsSeq()
	}
	at := max(w.s.now+w.latency(), c.lastAt[dir])
	c.lastAt[dir] = at
	w.s.after(at-w.s.now, func() {
		if !c.open || !w.reachable(from, to) {
			return
		}
		tn := w.nodes[to]
		tn.input(func() { w.receiveZab(c, tn, target, from, p, base, sent) })
	})
}

// receiveZab is a quorum packet read by its receiving session (or by the
// node's next session: then it is ignored).
func (w *World) receiveZab(c *zabConn, tn *node, target *session, from int64, p quorumwire.Packet, base int64, sent int) {
	to, id := tn.id, c.id
	if tn.sess != target {
		return
	}
	if to == c.leader && p.Type == quorumwire.Ack && p.Zxid&0xffffffff == 0 {
		w.hist.Acks = append(w.hist.Acks, Ack{At: w.s.now, Leader: to, Learner: from, Epoch: p.Zxid >> 32, SentSeq: sent})
	}
	if to == c.leader && (p.Type == quorumwire.FollowerInfo || p.Type == quorumwire.ObserverInfo) {
		w.hist.Infos = append(w.hist.Infos, Info{Seq: w.obsSeq(), At: w.s.now, Leader: to, Session: target.serial, Learner: from, Accepted: p.Zxid >> 32})
	}
	if to == c.leader && p.Type == quorumwire.AckEpoch && w.promised[[2]int64{from, int64(target.serial)}] {
		w.hist.Promises = append(w.hist.Promises, Promise{Seq: w.obsSeq(), At: w.s.now, Leader: to, Session: target.serial, Learner: from})
	}
	if to == c.learner && p.Type == quorumwire.NewLeader {
		tn.truncateTo(base)
	}
	tn.applyZab(target, target.impl.Received(id, p))
}

// sendTxn carries one of the leader's transactions (log.go) to a synced
// learner, FIFO behind the session's own packets; like any packet on the
// quorum connection, a loss resets it.
func (w *World) sendTxn(c *zabConn, z int64) {
	if w.drop > 0 && w.rng.Float64() < w.drop/4 {
		w.tracef("reset quorum conn %d (lost txn)", c.id)
		w.closeZab(c.id, -1)
		return
	}
	at := max(w.s.now+w.latency(), c.lastAt[1])
	c.lastAt[1] = at
	w.s.after(at-w.s.now, func() {
		if !c.open || !w.reachable(c.leader, c.learner) {
			return
		}
		tn := w.nodes[c.learner]
		tn.input(func() {
			if tn.sess == c.ls && !c.ls.ended {
				tn.logZxid(max(tn.zxid, z))
			}
		})
	})
}

// closeZab closes a quorum connection; the ends other than by hear
// Disconnected one latency later.
func (w *World) closeZab(id zab.ConnID, by int64) {
	c, ok := w.zconns[id]
	if !ok || !c.open {
		return
	}
	c.open = false
	delete(w.zconns, id)
	for _, end := range []struct {
		node int64
		s    *session
	}{{c.learner, c.ls}, {c.leader, c.lds}} {
		if end.node == by {
			continue
		}
		// A FIN crosses only a link that carries traffic: across a cut
		// the other end finds out by its own timeouts.
		if by >= 0 && w.blocked[[2]int64{by, end.node}] {
			continue
		}
		n, s := w.nodes[end.node], end.s
		n.after(w.latency(), func() {
			if n.sess == s && n.up {
				n.applyZab(s, s.impl.Disconnected(id))
			}
		})
	}
}

// record notes a role change for the oracles.
func (w *World) record(c Change) {
	c.At = w.s.now
	w.hist.Changes = append(w.hist.Changes, c)
	w.tracef("n%d -> %v epoch %d leader %d", c.Node, c.Role, c.Epoch, c.Leader)
	w.emit(Event{Kind: EventRole, Node: c.Node, Role: c.Role, Epoch: c.Epoch, Leader: c.Leader})
}
