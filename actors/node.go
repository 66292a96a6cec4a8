package actors

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/messages"
)

// Node is one running election participant: the root of its actor tree
// plus a Go API over it. Create it with Start; end it with Stop.
type Node struct {
	rt *runtime
	// system is the caller's (WithActorSystem) or the process's shared
	// one (sharedsystem.go); the node never shuts it down.
	system   *actor.ActorSystem
	rootPID  *actor.PID
	stopped  chan struct{} // closed once Stop has finished
	stopOnce sync.Once
	stopErr  error // the first Stop's result, for every caller
}

// Option adjusts how Start runs a node.
type Option func(*startOptions)

type startOptions struct {
	system    *actor.ActorSystem
	listeners []net.Listener
	watchers  []*actor.PID
}

// WithWatcher subscribes pid (see Node.SubscribePID) before the node
// starts, so it sees every state change, the first one included.
func WithWatcher(pid *actor.PID) Option {
	return func(o *startOptions) { o.watchers = append(o.watchers, pid) }
}

// WithActorSystem runs the node's actors on the caller's actor system
// instead of the process's shared one (which routes protoactor's own
// warnings to slog.Default). The node's actors live under the top-level
// actor "zkfle-<sid>", so several nodes with different sids can share one
// system.
func WithActorSystem(system *actor.ActorSystem) Option {
	return func(o *startOptions) { o.system = system }
}

// WithListeners hands the node already-bound election listeners (one per
// election address of this server, in config order) instead of binding
// them itself. Tests use it to take free ports without a race; a
// supervisor could pass sockets it inherited. The node closes them on Stop
// (and only then: actor restarts keep serving them).
func WithListeners(ls ...net.Listener) Option {
	return func(o *startOptions) { o.listeners = ls }
}

// ErrStopped is returned by queries on a node that has been stopped.
var ErrStopped = errors.New("node stopped")

// Start validates cfg and starts a node. It returns once the actor tree
// has been spawned; the election then runs in the background. Watch it
// with State, Subscribe or the status queries.
func Start(cfg Config, opts ...Option) (*Node, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var o startOptions
	for _, opt := range opts {
		opt(&o)
	}
	// Everything that can fail comes before the actor system exists.
	es, qs, rs, err := newRuntimeStates(cfg)
	if err != nil {
		return nil, err
	}
	epochs, err := openEpochStore(cfg)
	if err != nil {
		return nil, err
	}
	n := &Node{stopped: make(chan struct{})}
	root := rootName(cfg.ID)
	if o.system == nil {
		n.system, root = sharedSystem(), sharedRootName(cfg.ID)
	} else {
		n.system = o.system
	}
	log := cfg.logger().With("sid", cfg.ID)
	if cfg.SkipPeerAddressCheck {
		// Said once, at start: the operator chose this (NAT), but should
		// see what it costs without TLS.
		log.Warn("peer address check is off (zkfle.peerAddressCheck=false): any process that can reach the election and quorum ports can claim any member's sid",
			"setting", "zkfle.peerAddressCheck")
	}
	n.rt = &runtime{
		cfg:        cfg,
		dir:        newDirectory(n.system.Address(), root),
		log:        log,
		sup:        newSupervision(),
		listener:   o.listeners,
		election:   es,
		quorumPeer: qs,
		recv:       rs,
		cnx:        newCnxState(cfg),
		epochs:     epochs,
	}
	// A node that cannot write its epoch files must not stand in its
	// first election either (diskfault.go).
	n.rt.probeAtStart()
	for _, pid := range o.watchers {
		n.SubscribePID(pid)
	}
	props := n.rt.props(KindNode, func() actor.Actor { return &rootActor{rt: n.rt} },
		// The root's children are the node's three pillars. A crash in one
		// is restarted in place (their durable state lives in runtime);
		// more than rootMaxRestarts in rootRestartWindow means something is
		// broken for good, and the child is stopped and the node reports a
		// fatal error rather than spinning.
		actor.WithSupervisor(restartPillars()),
		// The root itself is top-level: only a guardian supervises it
		// (a WithSupervisor on a top-level actor governs its children).
		// Restart it, never escalate: an escalating guardian kills the
		// process.
		actor.WithGuardian(restartPillars()),
	)
	pid, err := n.system.Root.SpawnNamed(props, root)
	if err != nil {
		return nil, fmt.Errorf("start node %d: %w", cfg.ID, err)
	}
	n.rootPID = pid
	return n, nil
}

// Stop stops every actor of the node, closes its sockets and waits until
// all of its goroutines have ended. It is safe to call more than once and
// from several goroutines at a time: the first call stops the node, the
// others wait for it to finish, and all return its result.
func (n *Node) Stop() error {
	n.stopOnce.Do(func() { n.stopErr = n.stop() })
	return n.stopErr
}

func (n *Node) stop() error {
	err := n.system.Root.StopFuture(n.rootPID).Wait()
	for _, ln := range n.rt.listener {
		_ = ln.Close()
	}
	n.rt.pub.close()
	close(n.stopped)
	if err != nil {
		return fmt.Errorf("stop node %d: %w", n.rt.cfg.ID, err)
	}
	return nil
}

// ID returns the node's sid.
func (n *Node) ID() int64 { return n.rt.cfg.ID }

// State returns the node's last published state change, or nil before the
// first decision. While the node is electing, its State is LOOKING.
func (n *Node) State() *messages.StateChanged { return n.rt.pub.get() }

// Fatal returns the error that made the node give up (for example the
// election port could not be bound), or nil.
func (n *Node) Fatal() error { return n.rt.pub.getFatal() }

// Failed returns a channel that is closed when the node hits a fatal
// error (then read Fatal).
func (n *Node) Failed() <-chan struct{} {
	n.rt.pub.mu.Lock()
	defer n.rt.pub.mu.Unlock()
	return n.rt.pub.failedChan()
}

// ElectionStatus asks the election actor for its view.
func (n *Node) ElectionStatus(timeout time.Duration) (*messages.ElectionStatus, error) {
	res, err := n.ask(n.rt.dir.election.get(), timeout)
	if err != nil {
		return nil, err
	}
	st, ok := res.(*messages.ElectionStatus)
	if !ok {
		return nil, fmt.Errorf("election status: unexpected reply %T", res)
	}
	return st, nil
}

// CnxStatus asks the connection manager for every peer link's state.
func (n *Node) CnxStatus(timeout time.Duration) (*messages.CnxStatus, error) {
	res, err := n.ask(n.rt.dir.cnxManager.get(), timeout)
	if err != nil {
		return nil, err
	}
	st, ok := res.(*messages.CnxStatus)
	if !ok {
		return nil, fmt.Errorf("connection status: unexpected reply %T", res)
	}
	return st, nil
}

// ReceiverStatus asks the WorkerReceiver for its receive queue and drop
// counters.
func (n *Node) ReceiverStatus(timeout time.Duration) (*messages.ReceiverStatus, error) {
	res, err := n.ask(n.rt.dir.workerReceiver.get(), timeout)
	if err != nil {
		return nil, err
	}
	st, ok := res.(*messages.ReceiverStatus)
	if !ok {
		return nil, fmt.Errorf("receiver status: unexpected reply %T", res)
	}
	return st, nil
}

func (n *Node) ask(pid *actor.PID, timeout time.Duration) (any, error) {
	select {
	case <-n.stopped:
		return nil, ErrStopped
	default:
	}
	return n.system.Root.RequestFuture(pid, &messages.StatusRequest{}, timeout).Result()
}

// Supervision returns how many times each actor kind has failed and been
// restarted since the node started.
func (n *Node) Supervision() (failures, restarts map[Kind]uint64) { return n.rt.sup.counts() }

// SubscribeSupervision delivers every failure and restart to ch until the
// returned cancel function is called. Sends never block.
func (n *Node) SubscribeSupervision(ch chan<- SupervisionEvent) (cancel func()) {
	return n.rt.sup.subscribe(ch)
}

// Status is a node's place in the ensemble, in plain terms.
type Status struct {
	// ID is this node's sid.
	ID int64
	// State is LOOKING while electing, then LEADING, FOLLOWING or
	// OBSERVING.
	State messages.ServerState
	// Leader is the leader's sid, or -1 while LOOKING.
	Leader int64
	// Zxid is the leader's last zxid as the election saw it.
	Zxid int64
	// ElectionEpoch is the round the leader was elected in.
	ElectionEpoch int64
	// PeerEpoch is the leader's epoch.
	PeerEpoch int64
}

// IsLeader reports whether this node leads.
func (s Status) IsLeader() bool { return s.State == messages.ServerState_LEADING }

// Status returns the node's current role, leader and epoch.
func (n *Node) Status() Status {
	st := Status{ID: n.rt.cfg.ID, State: messages.ServerState_LOOKING, Leader: -1}
	sc := n.rt.pub.get()
	if sc == nil || sc.GetNewState() == messages.ServerState_LOOKING {
		return st
	}
	st.State, st.Leader, st.Zxid = sc.GetNewState(), sc.GetLeader(), sc.GetZxid()
	st.ElectionEpoch, st.PeerEpoch = sc.GetElectionEpoch(), sc.GetPeerEpoch()
	return st
}
