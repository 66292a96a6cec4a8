package sim

// The operations scripts and the simulator use to drive a cluster: boot,
// crash and restart nodes, new rounds, injected notifications, timers
// and messages fired or lost by hand, partitions.

import (
	"github.com/zkfle/zkfle/cnx"
	"github.com/zkfle/zkfle/fle"
)

// Start boots a node that is down: a fresh machine (logical clock 0) that
// starts looking with the member's zxid and epoch.
func (c *Cluster) Start(sid int64) error {
	n, err := c.get("start", sid)
	if err != nil {
		return err
	}
	if n.up {
		return &NodeError{Op: "start", Sid: sid, Err: ErrNodeUp}
	}
	m, err := c.newMachine(fle.Config{ID: n.sid, Verifier: c.verifier, Timing: c.timing, DisableFastPaths: !c.fast})
	if err != nil {
		return &NodeError{Op: "start", Sid: sid, Err: err}
	}
	defer c.hold()()
	n.inc++
	n.up = true
	n.m = m
	// One connection manager per process, as production makes one per
	// process: nothing known, nothing queued.
	n.mgr = cnx.New[fle.Message](cnx.Config{ID: n.sid, Verifier: c.verifier})
	n.recv = cnx.NewRecvQueue[fle.Notification](recvCapacity)
	c.applyCnx(n, n.mgr.Restart(), false)
	c.look(n, "boot")
	return nil
}

// Look starts a new round on a running node's existing machine, as
// QuorumPeer does when it goes back to LOOKING (its logical clock goes on).
func (c *Cluster) Look(sid int64) error {
	n, err := c.getUp("look", sid)
	if err != nil {
		return err
	}
	c.look(n, "look")
	return nil
}

func (c *Cluster) look(n *node, why string) {
	n.decision = nil
	out := n.m.Start(n.Zxid, n.Epoch)
	c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceStart, Node: n.sid, Note: why + ", round " + itoa(n.m.LogicalClock())})
	c.apply(n, out)
	c.recheck()
}

// Crash stops a running node: its machine and connection manager are
// gone, messages in flight to it are lost, its connections close (its
// peers' managers hear of it) and its send queues are forgotten.
func (c *Cluster) Crash(sid int64) error {
	n, err := c.getUp("crash", sid)
	if err != nil {
		return err
	}
	c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceCrash, Node: sid})
	defer c.hold()()
	n.up = false
	n.m = nil
	n.decision = nil
	n.timers = [4]armedTimer{}
	// The process's connection manager dies with it: its peers hear its
	// connections close; a restart makes a fresh one (cnx.New).
	c.cut(func(cn *conn) bool { return cn.a == sid || cn.b == sid })
	n.mgr, n.recv = nil, nil
	for _, p := range c.nodes {
		c.net.lastDue[c.net.index[sid]*c.net.n+c.net.index[p.sid]] = 0
	}
	for _, e := range c.inFlight(func(env *envelope) bool { return env.to == sid }) {
		c.lose(e.env, "recipient crashed")
	}
	c.recheck()
	return nil
}

// Restart crashes a node if it runs, then starts it afresh.
func (c *Cluster) Restart(sid int64) error {
	n, err := c.get("restart", sid)
	if err != nil {
		return err
	}
	if n.up {
		if err := c.Crash(sid); err != nil {
			return err
		}
	}
	return c.Start(sid)
}

// Inject hands a notification straight to a running node's machine, as
// ZooKeeper's tests do with mock peers. Its From need not be running.
func (c *Cluster) Inject(to int64, nt fle.Notification) error {
	n, err := c.getUp("inject", to)
	if err != nil {
		return err
	}
	if nt.Config == nil {
		nt.Config = c.verifier
	}
	m := fle.Message{To: to, State: nt.State, Leader: nt.Leader, Zxid: nt.Zxid, ElectionEpoch: nt.ElectionEpoch, PeerEpoch: nt.PeerEpoch}
	c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceInject, Node: to, Peer: nt.From, Msg: m})
	c.apply(n, n.m.Step(nt))
	return nil
}

// FireTimer fires a node's pending timer of kind now, moving the clock to
// its due time if that lies ahead.
func (c *Cluster) FireTimer(sid int64, kind fle.TimerKind) error {
	n, err := c.getUp("tick", sid)
	if err != nil {
		return err
	}
	if kind < fle.NotificationTimer || kind > fle.LinkDownTimer || !n.timers[kind].armed {
		return &NodeError{Op: "tick " + kind.String(), Sid: sid, Err: ErrNoTimer}
	}
	c.sched.advance(n.timers[kind].due)
	c.tick(n, kind)
	return nil
}

// Deliver delivers up to count in-flight messages (count <= 0: all)
// matching from and to (0 matches any), in arrival order, moving the clock
// to each one's arrival time if that lies ahead. Messages the deliveries
// cause are not delivered. It returns how many it delivered.
func (c *Cluster) Deliver(from, to int64, count int) int {
	evs := c.inFlight(matchEnv(from, to))
	k := 0
	for _, e := range evs {
		if count > 0 && k == count {
			break
		}
		if e.env.done {
			continue
		}
		c.sched.advance(e.at)
		c.deliver(e.env)
		k++
	}
	return k
}

// Drop loses up to count in-flight messages (count <= 0: all) matching
// from and to (0 matches any). The connection stays up, so nothing is
// re-sent until the sender sends again. It returns how many it dropped.
func (c *Cluster) Drop(from, to int64, count int) int {
	evs := c.inFlight(matchEnv(from, to))
	k := 0
	for _, e := range evs {
		if count > 0 && k == count {
			break
		}
		c.lose(e.env, "dropped")
		k++
	}
	return k
}

func matchEnv(from, to int64) func(*envelope) bool {
	return func(env *envelope) bool {
		return (from == 0 || env.from == from) && (to == 0 || env.to == to)
	}
}

// Partition cuts the network into the given sides; nodes not listed form
// one more side together. Connections across the cut close and messages
// in flight across it are lost.
func (c *Cluster) Partition(sides ...[]int64) error {
	side := make([]int, len(c.nodes))
	for i, s := range sides {
		for _, sid := range s {
			if _, err := c.get("partition", sid); err != nil {
				return err
			}
			side[c.net.index[sid]] = i + 1
		}
	}
	copy(c.net.side, side)
	c.trace.add(TraceEvent{At: c.sched.now, Kind: TracePartition, Note: formatSides(sides)})
	defer c.hold()()
	c.cut(func(cn *conn) bool { return !c.net.sameSide(cn.a, cn.b) })
	for _, e := range c.inFlight(func(env *envelope) bool { return !c.net.sameSide(env.from, env.to) }) {
		c.lose(e.env, "partition")
	}
	c.recheck()
	return nil
}

// Heal removes every partition. Nothing reconnects until a node sends or
// connects (ConnectAll), as in ZooKeeper.
func (c *Cluster) Heal() {
	clear(c.net.side)
	c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceHeal})
	c.recheck()
}
