package sim

import (
	"strconv"
	"time"

	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/quorum"
)

// node is one simulated server: its configuration, its current process
// (machine and incarnation) and what the harness tracks about it.
type node struct {
	Member
	sid int64
	up  bool
	// inc counts the node's processes; events scheduled for an earlier
	// one are stale.
	inc uint64
	m   Machine
	// timers holds the pending arming of each timer kind (index: kind).
	timers [3]armedTimer
	// decision is the node's decision while it is not Looking.
	decision *fle.Decision
	det      detectorState
}

// armedTimer is a pending timer arming.
type armedTimer struct {
	armed bool
	seq   uint64
	due   time.Duration
}

// Stats counts what happened in a run.
type Stats struct {
	// Messages counts notifications the machines asked to send, loopback
	// included.
	Messages int
	// Wire counts messages put on the wire between distinct nodes,
	// resends on new connections included, duplicates not.
	Wire int
	// Lost counts messages lost (by the network, a crash or a partition).
	Lost int
	// Duplicates counts extra copies the network delivered.
	Duplicates int
	// Decisions counts decisions (a node deciding twice counts twice).
	Decisions int
	// Events counts events taken off the queue.
	Events int
	// MaxRound is the highest logical clock any machine reached.
	MaxRound int64
}

// Split is two nodes holding decisions for different leaders made in the
// same round: ZooKeeper's election can end that way when a better vote
// reaches a node after its finalize window closed.
type Split struct {
	// At is when the second decision was made.
	At time.Duration
	// Round is the election round (electionEpoch) of both decisions.
	Round int64
	// Node decided Leader; Other holds a decision for OtherLeader.
	Node, Leader, Other, OtherLeader int64
}

// Cluster is a simulated ensemble: N election machines, simulated time,
// the network between them and a failure detector. It is not safe for
// concurrent use.
type Cluster struct {
	verifier   quorum.Verifier
	timing     fle.Timing
	newMachine func(fle.Config) (Machine, error)
	detTimeout time.Duration
	detGrace   time.Duration

	nodes []*node // sorted by sid
	byID  map[int64]*node
	sched scheduler
	net   network
	trace *Trace
	stats Stats

	splits []Split
	// onDecide, if set, sees every decision (the simulator's checks).
	onDecide func(sid int64, d fle.Decision)
}

// NewCluster builds a cluster whose nodes are all down: Start them.
func NewCluster(cfg Config) (*Cluster, error) {
	ms, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	v, err := buildVerifier(ms, cfg.Hierarchical)
	if err != nil {
		return nil, &ConfigError{Field: "Members", Value: len(ms), Reason: err.Error()}
	}
	c := &Cluster{
		verifier:   v,
		timing:     cfg.Timing,
		newMachine: cfg.NewMachine,
		detTimeout: cfg.DetectorTimeout,
		byID:       make(map[int64]*node, len(ms)),
		trace:      cfg.Trace,
	}
	if c.newMachine == nil {
		c.newMachine = newFLEMachine
	}
	if c.detTimeout == 0 {
		c.detTimeout = DefaultDetectorTimeout
	}
	c.detGrace = cfg.DetectorGrace
	if c.detGrace == 0 {
		c.detGrace = min(DefaultDetectorGrace, c.detTimeout)
	}
	sids := make([]int64, len(ms))
	for i, m := range ms {
		n := &node{Member: m, sid: m.ID}
		c.nodes = append(c.nodes, n)
		c.byID[m.ID] = n
		sids[i] = m.ID
	}
	policy := cfg.Policy
	if policy == nil {
		policy = &FixedPolicy{Default: DefaultDelay}
	}
	c.net = newNetwork(sids, policy)
	return c, nil
}

// Verifier returns the ensemble's quorum verifier.
func (c *Cluster) Verifier() quorum.Verifier { return c.verifier }

// Now returns the simulated time.
func (c *Cluster) Now() time.Duration { return c.sched.now }

// Sids returns every member's sid, ascending.
func (c *Cluster) Sids() []int64 {
	out := make([]int64, len(c.nodes))
	for i, n := range c.nodes {
		out[i] = n.sid
	}
	return out
}

// Stats returns the counters so far.
func (c *Cluster) Stats() Stats { return c.stats }

// Splits returns the splits seen so far, one per round and pair of
// leaders.
func (c *Cluster) Splits() []Split { return c.splits }

// Trace returns the trace given in Config (nil if none).
func (c *Cluster) Trace() *Trace { return c.trace }

// InFlight returns how many messages are on their way.
func (c *Cluster) InFlight() int { return c.net.inflight }

func (c *Cluster) get(op string, sid int64) (*node, error) {
	n, ok := c.byID[sid]
	if !ok {
		return nil, &NodeError{Op: op, Sid: sid, Err: ErrUnknownNode}
	}
	return n, nil
}

func (c *Cluster) getUp(op string, sid int64) (*node, error) {
	n, err := c.get(op, sid)
	if err != nil {
		return nil, err
	}
	if !n.up {
		return nil, &NodeError{Op: op, Sid: sid, Err: ErrNodeDown}
	}
	return n, nil
}

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
	m, err := c.newMachine(fle.Config{ID: n.sid, Verifier: c.verifier, Timing: c.timing})
	if err != nil {
		return &NodeError{Op: "start", Sid: sid, Err: err}
	}
	n.inc++
	n.up = true
	n.m = m
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

// Crash stops a running node: its machine is gone, messages in flight to
// it are lost, its connections close and its send queues are forgotten.
func (c *Cluster) Crash(sid int64) error {
	n, err := c.getUp("crash", sid)
	if err != nil {
		return err
	}
	c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceCrash, Node: sid})
	n.up = false
	n.m = nil
	n.decision = nil
	n.timers = [3]armedTimer{}
	for _, p := range c.nodes {
		if p == n {
			continue
		}
		c.net.setConnected(n.sid, p.sid, false)
		*c.net.link(n.sid, p.sid) = link{}
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
	if kind < fle.NotificationTimer || kind > fle.FinalizeTimer || !n.timers[kind].armed {
		return &NodeError{Op: "tick " + timerName(kind), Sid: sid, Err: ErrNoTimer}
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
	for _, a := range c.nodes {
		for _, b := range c.nodes {
			if a.sid < b.sid && !c.net.sameSide(a.sid, b.sid) {
				c.net.setConnected(a.sid, b.sid, false)
			}
		}
	}
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

// deliver hands an in-flight message to its recipient.
func (c *Cluster) deliver(env *envelope) {
	if env.done {
		return
	}
	to := c.byID[env.to]
	if !to.up || to.inc != env.toInc {
		c.lose(env, "recipient down")
		return
	}
	env.done = true
	c.net.inflight--
	c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceDeliver, Node: env.to, Peer: env.from, Msg: env.msg})
	m := env.msg
	c.apply(to, to.m.Step(fle.Notification{
		From: env.from, State: m.State, Leader: m.Leader, Zxid: m.Zxid,
		ElectionEpoch: m.ElectionEpoch, PeerEpoch: m.PeerEpoch,
		Version: 2, Config: c.verifier,
	}))
}

// tick fires n's pending timer of kind.
func (c *Cluster) tick(n *node, kind fle.TimerKind) {
	seq := n.timers[kind].seq
	n.timers[kind] = armedTimer{}
	hd := c.haveDelivered(n)
	note := ""
	if kind == fle.NotificationTimer {
		note = "haveDelivered=" + strconv.FormatBool(hd)
	}
	c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceFire, Node: n.sid, Timer: kind, Seq: seq, Note: note})
	c.apply(n, n.m.Tick(kind, seq, hd))
}

// apply carries out a machine's output.
func (c *Cluster) apply(n *node, out fle.Output) {
	for _, d := range out.Dropped {
		c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceIgnored, Node: n.sid, Peer: d.From, Note: d.Reason})
	}
	for _, t := range out.Timers {
		c.setTimer(n, t)
	}
	for _, m := range out.Messages {
		c.send(n, m)
	}
	if out.ConnectAll {
		c.connectAll(n)
	}
	if r := n.m.LogicalClock(); r > c.stats.MaxRound {
		c.stats.MaxRound = r
	}
	if out.Decision != nil {
		c.decided(n, *out.Decision)
	}
}

// setTimer arms or cancels one of n's timers.
func (c *Cluster) setTimer(n *node, t fle.Timer) {
	if t.Kind < fle.NotificationTimer || t.Kind > fle.FinalizeTimer {
		return
	}
	if t.Cancel {
		n.timers[t.Kind] = armedTimer{}
		c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceCancel, Node: n.sid, Timer: t.Kind, Seq: t.Seq})
		return
	}
	n.timers[t.Kind] = armedTimer{armed: true, seq: t.Seq, due: c.sched.now + t.After}
	c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceArm, Node: n.sid, Timer: t.Kind, After: t.After, Seq: t.Seq})
	c.sched.schedule(t.After, &event{kind: evTimer, node: n.sid, inc: n.inc, timer: t.Kind, token: t.Seq})
}

// decided records n's decision and looks for a split.
func (c *Cluster) decided(n *node, d fle.Decision) {
	c.stats.Decisions++
	n.decision = &d
	c.trace.add(TraceEvent{At: c.sched.now, Kind: TraceDecide, Node: n.sid, Decision: d})
	if c.onDecide != nil {
		c.onDecide(n.sid, d)
	}
	for _, o := range c.nodes {
		if o == n || !o.up || o.decision == nil {
			continue
		}
		if o.decision.ElectionEpoch == d.ElectionEpoch && o.decision.Leader != d.Leader {
			c.split(Split{At: c.sched.now, Round: d.ElectionEpoch, Node: n.sid, Leader: d.Leader, Other: o.sid, OtherLeader: o.decision.Leader})
		}
	}
	c.recheck()
}

// split traces a split and records it unless the same round already split
// between the same two leaders (one incident, however many nodes hold
// each side).
func (c *Cluster) split(s Split) {
	c.trace.add(TraceEvent{At: s.At, Kind: TraceSplit, Node: s.Node, Peer: s.Other,
		Decision: fle.Decision{ElectionEpoch: s.Round},
		Note:     itoa(s.Node) + " chose " + itoa(s.Leader) + ", " + itoa(s.Other) + " holds " + itoa(s.OtherLeader)})
	lo, hi := min(s.Leader, s.OtherLeader), max(s.Leader, s.OtherLeader)
	for _, o := range c.splits {
		if o.Round == s.Round && min(o.Leader, o.OtherLeader) == lo && max(o.Leader, o.OtherLeader) == hi {
			return
		}
	}
	c.splits = append(c.splits, s)
}

// process carries out one event taken off the queue.
func (c *Cluster) process(e *event) {
	c.stats.Events++
	switch e.kind {
	case evDeliver:
		c.deliver(e.env)
	case evTimer:
		n := c.byID[e.node]
		if n.up && n.inc == e.inc && n.timers[e.timer].armed && n.timers[e.timer].seq == e.token {
			c.tick(n, e.timer)
		}
	case evDetector:
		c.detectorDeadline(e)
	case evAction:
		e.action()
	}
}

// StopReason says why RunUntil returned.
type StopReason int

const (
	// StopDone: the condition became true.
	StopDone StopReason = iota + 1
	// StopIdle: nothing is left to happen.
	StopIdle
	// StopDeadline: the next event lies beyond the deadline.
	StopDeadline
	// StopBudget: the event budget ran out.
	StopBudget
)

// String names the reason.
func (r StopReason) String() string {
	switch r {
	case StopDone:
		return "done"
	case StopIdle:
		return "idle"
	case StopDeadline:
		return "deadline"
	case StopBudget:
		return "event budget exhausted"
	}
	return "unknown"
}

// RunUntil processes events in time order until done() is true (checked
// before every event; nil never is), no event is left, the next event lies
// beyond deadline, or maxEvents events were processed (maxEvents <= 0: no
// limit).
func (c *Cluster) RunUntil(done func() bool, deadline time.Duration, maxEvents int) StopReason {
	for k := 0; ; k++ {
		if done != nil && done() {
			return StopDone
		}
		if maxEvents > 0 && k >= maxEvents {
			return StopBudget
		}
		e := c.sched.peek()
		if e == nil {
			return StopIdle
		}
		if e.at > deadline {
			c.sched.advance(deadline)
			return StopDeadline
		}
		c.process(c.sched.pop())
	}
}

// Schedule runs f after d of simulated time (the simulator's faults).
func (c *Cluster) Schedule(d time.Duration, f func()) {
	c.sched.schedule(d, &event{kind: evAction, action: f})
}

// Settled reports whether every running node has decided, its decision
// stands (the failure detector finds its leader, or for a leader its
// quorum, in place), and at least one node runs. Once the network is
// healthy this state lasts: decided nodes only answer LOOKING peers.
func (c *Cluster) Settled() bool {
	any := false
	for _, n := range c.nodes {
		if !n.up {
			continue
		}
		any = true
		if n.decision == nil || n.det.unhealthy {
			return false
		}
	}
	return any
}

// leader returns the lowest running sid that is Leading, or 0.
func (c *Cluster) leader() int64 {
	for _, n := range c.nodes {
		if c.isLeading(n) {
			return n.sid
		}
	}
	return 0
}

// oneLineStatus renders every node's state compactly, for failure
// messages.
func (c *Cluster) oneLineStatus() string {
	s := ""
	for _, n := range c.nodes {
		if s != "" {
			s += ", "
		}
		switch {
		case !n.up:
			s += itoa(n.sid) + ":down"
		case n.decision == nil:
			s += itoa(n.sid) + ":LOOKING(r" + itoa(n.m.LogicalClock()) + ")"
		default:
			s += itoa(n.sid) + ":" + StateName(n.decision.State) + "(" + itoa(n.decision.Leader) + ",r" + itoa(n.decision.ElectionEpoch) + ")"
			if n.det.unhealthy {
				s += "!"
			}
		}
	}
	return s
}
