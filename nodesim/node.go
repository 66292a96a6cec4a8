package nodesim

import (
	"time"

	"github.com/zkfle/zkfle/cnx"
	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/quorumpeer"
	"github.com/zkfle/zkfle/zab"
)

// zabSession is what both production session types answer (zab.Session,
// the interface actors/session_driver.go drives).
type zabSession = zab.Session

// session is one running zab session of a node.
type session struct {
	impl    zabSession
	learner *zab.LearnerSession // nil for a leader
	leading bool
	leader  int64
	ended   bool
	conns   map[zab.ConnID]bool
	timers  map[[2]uint64]uint64 // (kind, conn) -> pending seq
	estAt   time.Duration
	est     bool
	epoch   int64 // the established epoch
	serial  int   // world-wide session number (the oracles' session identity)
}

// node is one server: production machines, its QuorumPeer loop among
// them.
type node struct {
	w      *World
	id     int64
	up     bool
	gen    int // bumped by every crash: stale events check it
	skew   float64
	epochs *zab.MemoryEpochs
	m      *fle.Machine
	mgr    *cnx.Manager[fle.Message]
	recv   *cnx.RecvQueue[fle.Notification]
	hs     *cnx.HandshakeLimits // the Listener's admission rule
	sess   *session
	// qp is the QuorumPeer loop (quorumpeer.go), fresh at every boot.
	qp *quorumpeer.Peer
	// fleTimers: kind -> pending seq.
	fleTimers map[fle.TimerKind]uint64
	// The transaction log (log.go): zxid is the last zxid logged (what
	// the node votes with and reports in ACKEPOCH), durable the last one
	// synced to disk; a crash falls back to durable. logGen is bumped by
	// every truncation, so a sync of an older write cannot land after it.
	zxid, durable int64
	logGen        int
	// faults.go: a paused node's inputs wait in backlog; crashWrite arms
	// a crash during the next epoch write (1: any, 2: currentEpoch only)
	// with the restart crashDown later.
	paused     bool
	backlog    []func()
	crashWrite int
	crashDown  time.Duration
}

// pendingHandshakes is the Listener's total for non-member sources
// (actors.Config.MaxPendingHandshakes's default).
const pendingHandshakes = 256

func (n *node) timing() zab.Timing {
	return zab.Timing{TickTime: simTickTime, InitLimit: simInitLimit, SyncLimit: simSyncLimit, ConnectRetryDelay: 100 * time.Millisecond, ConnectTries: 5}
}

func (n *node) skewed(d time.Duration) time.Duration { return time.Duration(float64(d) * n.skew) }

// boot is a (re)start: fresh election machine, connection manager and
// QuorumPeer loop over the node's surviving epoch storage.
func (n *node) boot() {
	w := n.w
	m, err := fle.New(fle.Config{ID: n.id, Verifier: w.verifier, Timing: fle.Timing{MaxNotificationInterval: 2 * time.Second},
		DisableFastPaths: w.cfg.DisableFastPaths})
	if err != nil {
		w.fail("fle.New: %v", err)
		return
	}
	n.up = true
	n.m = m
	n.mgr = cnx.New[fle.Message](cnx.Config{ID: n.id, Verifier: w.verifier})
	n.recv = cnx.NewRecvQueue[fle.Notification](100)
	n.hs = cnx.NewHandshakeLimits(pendingHandshakes)
	n.fleTimers = map[fle.TimerKind]uint64{}
	n.sess = nil
	w.record(Change{Node: n.id, Role: Looking})
	n.applyCnx(n.mgr.Restart())
	n.newPeer()
	if n.qp == nil {
		return
	}
	n.applyQP(n.qp.Start(w.s.now))
}

// crash loses everything but the epochs; peers see the connections drop.
func (n *node) crash() {
	w := n.w
	if !n.up {
		return
	}
	if n.sess != nil {
		n.sess.ended = true
	}
	for _, id := range sortedConns(w) {
		if c, ok := w.econns[id]; ok && (c.a == n.id || c.b == n.id) {
			w.closeElec(id, n.id, "crash")
		}
		if c, ok := w.zconns[zabID(id)]; ok && (c.learner == n.id || c.leader == n.id) {
			w.closeZab(zabID(id), n.id)
		}
	}
	n.up = false
	n.gen++
	n.sess = nil
	n.qp = nil
	n.paused, n.backlog, n.crashWrite = false, nil, 0
	n.loseUnsynced()
	w.record(Change{Node: n.id, Role: Down})
}

// ---- election ----

func (n *node) receiveElec(from int64, m fle.Message) {
	n.recv.Offer(fle.Notification{From: from, State: m.State, Leader: m.Leader, Zxid: m.Zxid,
		ElectionEpoch: m.ElectionEpoch, PeerEpoch: m.PeerEpoch, Version: 2, Config: n.w.verifier})
	gen := n.gen
	for n.gen == gen && n.up {
		nt, ok := n.recv.Poll()
		if !ok {
			return
		}
		n.applyFle(n.m.Step(nt))
	}
}

func (n *node) applyFle(out fle.Output) {
	w := n.w
	for _, msg := range out.Messages {
		if msg.To == n.id {
			gen := n.gen
			n.after(0, func() {
				if n.gen == gen && n.up {
					n.receiveElec(n.id, msg)
				}
			})
			continue
		}
		n.applyCnx(n.mgr.Send(msg.To, msg))
	}
	for _, t := range out.Timers {
		if t.Cancel {
			delete(n.fleTimers, t.Kind)
			continue
		}
		n.fleTimers[t.Kind] = t.Seq
		gen := n.gen
		n.after(n.skewed(t.After), func() {
			if n.gen != gen || !n.up || n.fleTimers[t.Kind] != t.Seq {
				return
			}
			delete(n.fleTimers, t.Kind)
			n.applyFle(n.m.Tick(t.Kind, t.Seq, n.mgr.HaveDelivered()))
		})
	}
	if out.ConnectAll {
		n.applyCnx(n.mgr.ConnectAll())
	}
	if d := out.Decision; d != nil {
		w.tracef("n%d decides %v leader %d round %d (%v)", n.id, d.State, d.Leader, d.ElectionEpoch, d.Path)
		w.paths[d.Path.String()]++
		w.emit(Event{Kind: EventDecided, Node: n.id, State: d.State.String(), Leader: d.Leader, Round: d.ElectionEpoch, Detail: d.Path.String()})
		n.applyQP(n.qp.Decided(*d))
	}
	// The newer-round rule ends only a session that follows a ZooKeeper
	// leader election-only, which no simulated node does: fed as the
	// Election feeds the QuorumPeer, it is a no-op here.
	for _, sid := range out.NewerRoundLookingSids {
		if !n.up {
			return
		}
		n.applyQP(n.qp.VoterLookingInNewerRound(sid, w.s.now))
	}
}

func (n *node) applyCnx(out cnx.Output[fle.Message]) {
	w := n.w
	for _, c := range out.Closes {
		w.closeElec(c.Conn, n.id, c.Reason)
	}
	for _, e := range out.Ends {
		w.closeElec(e.Conn, n.id, e.Reason)
	}
	for _, a := range out.Adopts {
		c, ok := w.econns[a.Conn]
		if !ok {
			continue
		}
		snd := cnx.NewSender(a.First, a.HasFirst)
		c.senders[n.id] = snd
		if m, ok := snd.Start(); ok {
			n.write(c, snd, a.SID, m)
		}
		// A new live link: the peer is reachable (the reachable fast
		// path's input, as actors/cnxmanager_apply.go reports it).
		n.m.PeerReachable(a.SID)
	}
	for _, f := range out.Forwards {
		c, ok := w.econns[f.Conn]
		if !ok {
			continue
		}
		snd := c.senders[n.id]
		if snd == nil {
			snd = cnx.NewSender(fle.Message{}, false)
			c.senders[n.id] = snd
		}
		if m, ok := snd.Send(f.Msg); ok {
			n.write(c, snd, f.SID, m)
		} else {
			w.counts["sender-waits"]++
		}
	}
	for _, sid := range out.Dials {
		w.dial(n.id, sid)
	}
	for _, t := range out.Timers {
		gen, sid := n.gen, t.SID
		n.after(t.After, func() {
			if n.gen == gen && n.up {
				n.applyCnx(n.mgr.RedialDue(sid))
			}
		})
	}
}

// write is the SendWorker writing one frame: it is on the wire now, and
// the socket takes it in writeTime (longer under the delay fault: a slow
// peer or a full buffer); then the Sender hands over the waiting message.
func (n *node) write(c *elecConn, snd *cnx.Sender[fle.Message], to int64, m fle.Message) {
	w := n.w
	w.sendElec(c.id, n.id, to, m)
	d := 100 * time.Microsecond
	if w.delay > 0 && w.rng.Float64() < w.delay {
		d = time.Duration(50+w.rng.IntN(400)) * time.Millisecond
	}
	gen := n.gen
	n.after(d, func() {
		if n.gen != gen || !c.open || c.senders[n.id] != snd {
			return
		}
		if next, ok := snd.Written(); ok {
			n.write(c, snd, to, next)
		}
	})
}

// applyZab carries out a session Output in actors/session_driver.go's
// order: epochs first (a failed write ends the carrying-out), then dial,
// sends, closes, timers, Established, Ended.
func (n *node) applyZab(s *session, out zab.Output) {
	w := n.w
	if n.sess != s || s.ended || !n.up {
		return
	}
	for _, wr := range out.Persist {
		if n.crashesDuring(wr) {
			return
		}
		if s.leading && wr.File == zab.AcceptedEpochFile {
			w.hist.Proposals = append(w.hist.Proposals, Proposal{Seq: w.obsSeq(), At: w.s.now, Leader: n.id, Session: s.serial, Epoch: wr.Epoch})
		}
		if s.leading && wr.File == zab.CurrentEpochFile {
			w.hist.Currents = append(w.hist.Currents, Current{Seq: w.obsSeq(), At: w.s.now, Leader: n.id, Session: s.serial, Epoch: wr.Epoch})
		}
		before := n.epochs.Accepted()
		if err := n.epochs.Apply(wr); err != nil {
			w.tracef("n%d persist %v=%d failed: %v", n.id, wr.File, wr.Epoch, err)
			w.emit(Event{Kind: EventWriteFailed, Node: n.id, File: wr.File.String(), Epoch: wr.Epoch, Detail: err.Error()})
			// The loop owns the disk-fault rule; it hears the failure
			// before the session's end (actors/session_driver.go).
			n.epochWritten(err)
			if n.sess != s || !n.up {
				return
			}
			n.applyZab(s, s.impl.PersistFailed(err))
			return
		}
		w.landed(n, wr)
		n.epochWritten(nil)
		if !s.leading && wr.File == zab.AcceptedEpochFile && n.epochs.Accepted() > before {
			// A promise, to the leader session at the other end.
			for id := range s.conns {
				if c, ok := w.zconns[id]; ok && c.lds != nil {
					w.promised[[2]int64{n.id, int64(c.lds.serial)}] = true
				}
			}
		}
	}
	if out.Dial != nil {
		w.zabDial(n, s, *out.Dial)
	}
	for _, snd := range out.Send {
		w.sendZab(snd.Conn, n.id, snd.Packet)
	}
	for _, c := range out.Close {
		delete(s.conns, c.Conn)
		w.closeZab(c.Conn, n.id)
	}
	for _, t := range out.Timers {
		key := [2]uint64{uint64(t.Kind), uint64(t.Conn)}
		if t.Cancel {
			delete(s.timers, key)
			continue
		}
		s.timers[key] = t.Seq
		n.after(n.skewed(t.After), func() {
			if n.sess != s || s.timers[key] != t.Seq {
				return
			}
			delete(s.timers, key)
			n.applyZab(s, s.impl.Tick(t))
		})
	}
	if e := out.Established; e != nil {
		n.established(s, *e)
	}
	if e := out.Ended; e != nil {
		w.tracef("n%d session ended: %v %s", n.id, e.Reason, e.Detail)
		w.emit(Event{Kind: EventEnded, Node: n.id, Leader: s.leader, Reason: e.Reason.String(), Detail: e.Detail})
		s.ended = true
		n.applyQP(n.qp.SessionEnded(e.Reason.String(), e.Detail, w.s.now))
	}
}

// landed records an epoch write that reached n's disk for the oracles
// and the trace.
func (w *World) landed(n *node, wr zab.EpochWrite) {
	w.recordWrite(n, wr)
	w.emit(Event{Kind: EventWrite, Node: n.id, File: wr.File.String(), Epoch: wr.Epoch})
}

// recordWrite adds an epoch write that reached n's disk to the history,
// the oracles' only view of the disks: every landed write passes here,
// the one a crash interrupts included (crashesDuring).
func (w *World) recordWrite(n *node, wr zab.EpochWrite) {
	w.hist.Writes = append(w.hist.Writes, Write{Seq: w.obsSeq(), At: w.s.now, Node: n.id, Current: wr.File == zab.CurrentEpochFile, Epoch: wr.Epoch})
}
