package sim

import (
	"time"

	"github.com/zkfle/zkfle/cnx"
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
	// mgr and recv are the process's connection manager and receive
	// queue (production's cnx core), fresh at every start.
	mgr  *cnx.Manager[fle.Message]
	recv *cnx.RecvQueue[fle.Notification]
	// timers holds the pending arming of each timer kind (index: kind).
	timers [4]armedTimer
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
	// ByPath counts decisions by the rule that made them (index:
	// fle.DecisionPath; 0 for machines that do not say).
	ByPath [5]int
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

// recvCapacity is the receive queue's capacity (RECV_CAPACITY).
const recvCapacity = 100

// Cluster is a simulated ensemble: N election machines, simulated time,
// the network between them and a failure detector. It is not safe for
// concurrent use.
type Cluster struct {
	verifier   quorum.Verifier
	timing     fle.Timing
	newMachine func(fle.Config) (Machine, error)
	detTimeout time.Duration
	detGrace   time.Duration
	fast       bool
	// reports are unreachability reports waiting for the current input
	// (depth > 0) to finish, after the connection work (network.go's
	// jobs); draining is set while they are handed out
	// (reachability.go).
	reports  []report
	depth    int
	draining bool

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
		fast:       cfg.FastPaths,
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
