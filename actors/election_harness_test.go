package actors

import (
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/internal/testlog"
	"github.com/zkfle/zkfle/messages"
	"github.com/zkfle/zkfle/quorum"
)

// This file is the socket-free harness for the election side of the tree
// (QuorumPeer, Election, Messenger, WorkerSender, WorkerReceiver): a test
// root named like the node's, whose cnxmanager child is a recording probe,
// so the tests see exactly what the election asks the connection manager
// to do and play the other servers by sending NotificationReceived.

// waitFor bounds every wait on a condition in these tests; poll is how
// often the condition is checked.
const (
	waitFor = 5 * time.Second
	poll    = time.Millisecond
)

// testMajority is a majority verifier over participants and observers on
// loopback addresses, as zoo.cfg would describe them.
func testMajority(t *testing.T, participants []int64, observers ...int64) quorum.Verifier {
	t.Helper()
	var servers []quorum.Server
	add := func(id int64, typ quorum.LearnerType) {
		servers = append(servers, quorum.Server{
			ID:    id,
			Addrs: []quorum.AddrPair{{Host: "127.0.0.1", QuorumPort: int(2000 + id), ElectionPort: int(3000 + id)}},
			Type:  typ,
		})
	}
	for _, id := range participants {
		add(id, quorum.Participant)
	}
	for _, id := range observers {
		add(id, quorum.Observer)
	}
	v, err := quorum.NewMajority(servers, 0)
	require.NoError(t, err)
	return v
}

// recorder keeps every user message an actor received, for assertions
// that wait on a condition.
type recorder struct {
	mu   sync.Mutex
	msgs []any
}

func (r *recorder) add(m any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, m)
}

func (r *recorder) all() []any {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.msgs)
}

// recorded returns the messages of type T recorded so far.
func recorded[T any](r *recorder) []T {
	var out []T
	for _, m := range r.all() {
		if v, ok := m.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

// eventually waits until at least one recorded T satisfies ok and returns
// the first that does.
func eventually[T any](t *testing.T, r *recorder, what string, ok func(T) bool) T {
	t.Helper()
	var found T
	require.Eventuallyf(t, func() bool {
		for _, m := range recorded[T](r) {
			if ok(m) {
				found = m
				return true
			}
		}
		return false
	}, waitFor, poll, "no %s: recorded %v", what, r.all())
	return found
}

// probeProps records every user message (lifecycle messages are the
// runtime's, not the code under test's).
func probeProps(r *recorder) *actor.Props {
	return actor.PropsFromFunc(func(ctx actor.Context) {
		switch ctx.Message().(type) {
		case actor.SystemMessage, actor.AutoReceiveMessage:
			return
		}
		r.add(ctx.Message())
	})
}

// testRoot stands in for the node's root actor, spawning as it does: a
// probe in the connection manager's place and the Messenger first, and the
// QuorumPeer (unless the test replaces the Election by a probe) once the
// Messenger says its workers exist. ready is closed when the tree is
// complete: the QuorumPeer spawns its Election inside its own Spawn. It
// records what reaches the root.
type testRoot struct {
	rt        *runtime
	cnx, root *recorder
	withPeer  bool
	ready     chan struct{}
	spawned   bool
}

func (r *testRoot) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		r.spawn(ctx, nameCnxManager, r.rt.dir.cnxManager, probeProps(r.cnx))
		r.spawn(ctx, nameMessenger, r.rt.dir.messenger, newMessengerProps(r.rt))
	case *childReady:
		if m.name != nameMessenger || r.spawned {
			return // a restarted Messenger says ready again
		}
		r.spawned = true
		if r.withPeer {
			r.spawn(ctx, nameQuorumPeer, r.rt.dir.quorumPeer, newQuorumPeerProps(r.rt))
		}
		close(r.ready)
	case actor.SystemMessage, actor.AutoReceiveMessage:
	default:
		r.root.add(ctx.Message())
	}
}

// spawn starts a child under a fresh name and publishes it, as the root does.
func (r *testRoot) spawn(ctx actor.Context, name string, live *livePID, p *actor.Props) {
	pid, err := ctx.SpawnNamed(p, live.nextName(name))
	if err != nil {
		panic(err)
	}
	live.set(pid)
}

// harness is one node's election side on its own actor system.
type harness struct {
	t      *testing.T
	system *actor.ActorSystem
	rt     *runtime
	rootID *actor.PID
	// cnx records what reached the connection manager, root what reached
	// the node's root, election what reached the Election when a test
	// replaced it by a probe.
	cnx, root, election *recorder
	logs                *testlog.Recorder
}

type harnessOption func(*Config, *harnessSetup)

type harnessSetup struct {
	electionProbe bool
	// runtime adjusts the runtime before the tree starts.
	runtime []func(*runtime)
}

// withRuntime adjusts the runtime (its test seams) before the tree starts.
func withRuntime(f func(*runtime)) harnessOption {
	return func(_ *Config, s *harnessSetup) { s.runtime = append(s.runtime, f) }
}

// withElectionProbe replaces the QuorumPeer and Election by a probe at the
// Election's PID, to drive the WorkerReceiver's credit by hand.
func withElectionProbe() harnessOption {
	return func(_ *Config, s *harnessSetup) { s.electionProbe = true }
}

func withConfig(f func(*Config)) harnessOption {
	return func(c *Config, _ *harnessSetup) { f(c) }
}

// testConfig is ZooKeeper's defaults with fast election timers, a
// recording logger and fault injection on.
func testConfig(sid int64, v quorum.Verifier) Config {
	cfg := DefaultConfig()
	cfg.ID = sid
	cfg.Verifier = v
	cfg.Election = fle.Timing{
		FinalizeWait:            20 * time.Millisecond,
		MinNotificationInterval: 30 * time.Millisecond,
		MaxNotificationInterval: 120 * time.Millisecond,
	}
	cfg.FaultInjection = true
	return cfg
}

func newHarness(t *testing.T, sid int64, v quorum.Verifier, opts ...harnessOption) *harness {
	t.Helper()
	// Registered first, so it runs last: after the tree has stopped.
	t.Cleanup(func() {
		goleak.VerifyNone(t, goleak.IgnoreCurrent(),
			goleak.IgnoreTopFunction("github.com/asynkron/protoactor-go/actor.NewDeadLetter.NewThrottle.func4.1"))
	})
	cfg := testConfig(sid, v)
	var setup harnessSetup
	for _, o := range opts {
		o(&cfg, &setup)
	}
	logs := &testlog.Recorder{}
	cfg.Logger = slog.New(logs)
	require.NoError(t, cfg.Validate())

	system := actor.NewActorSystem(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
			return slog.New(slog.NewTextHandler(io.Discard, nil))
		}),
		actor.WithDeadLetterThrottleInterval(10*time.Millisecond),
	)
	es, qs, rs, err := newRuntimeStates(cfg)
	require.NoError(t, err)
	rt := &runtime{
		cfg:        cfg,
		dir:        newDirectory(system.Address(), rootName(sid)),
		log:        cfg.Logger.With("sid", sid),
		sup:        newSupervision(),
		election:   es,
		quorumPeer: qs,
		recv:       rs,
		epochs:     memEpochs(t, cfg.CurrentEpoch),
		// No quorum port here: every decision is established at once, in
		// the decided epoch, by a stand-in session.
		sessionProps: instantSessionProps,
	}
	for _, f := range setup.runtime {
		f(rt)
	}
	h := &harness{t: t, system: system, rt: rt, cnx: &recorder{}, root: &recorder{}, election: &recorder{}, logs: logs}
	if setup.electionProbe {
		// The Election's fixed PID lives under the QuorumPeer, which this
		// setup does not spawn; point the directory at a probe instead.
		rt.dir.election.set(system.Root.Spawn(probeProps(h.election)))
		t.Cleanup(func() { _ = system.Root.StopFuture(rt.dir.election.get()).Wait() })
	}
	ready := make(chan struct{})
	props := actor.PropsFromProducer(func() actor.Actor {
		return &testRoot{rt: rt, cnx: h.cnx, root: h.root, withPeer: !setup.electionProbe, ready: ready}
	}, actor.WithSupervisor(restartWorkers()))
	h.rootID, err = system.Root.SpawnNamed(props, rootName(sid))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, system.Root.StopFuture(h.rootID).Wait()) })
	select {
	case <-ready:
	case <-time.After(waitFor):
		require.FailNow(t, "the tree did not come up")
	}
	if setup.electionProbe {
		// The WorkerReceiver's first credit, as the Election's Started
		// would send it.
		system.Root.Send(rt.dir.workerReceiver.get(), &messages.NotificationProcessed{})
	}
	return h
}

// fromPeer delivers a notification from sid as a RecvWorker would.
func (h *harness) fromPeer(sid int64, n *messages.Notification) {
	h.system.Root.Send(h.rt.dir.workerReceiver.get(), &messages.NotificationReceived{Sid: sid, Notification: n})
}

// electionStatus asks the Election (through the QuorumPeer) for its view.
func (h *harness) electionStatus() *messages.ElectionStatus {
	h.t.Helper()
	res, err := h.system.Root.RequestFuture(h.rt.dir.quorumPeer.get(), &messages.StatusRequest{}, waitFor).Result()
	require.NoError(h.t, err)
	st, ok := res.(*messages.ElectionStatus)
	require.Truef(h.t, ok, "status reply is %T", res)
	return st
}

func (h *harness) receiverStatus() *messages.ReceiverStatus {
	h.t.Helper()
	res, err := h.system.Root.RequestFuture(h.rt.dir.workerReceiver.get(), &messages.StatusRequest{}, waitFor).Result()
	require.NoError(h.t, err)
	st, ok := res.(*messages.ReceiverStatus)
	require.Truef(h.t, ok, "status reply is %T", res)
	return st
}

// waitRestarts waits until kind has been restarted at least n times.
func (h *harness) waitRestarts(kind Kind, n uint64) {
	h.t.Helper()
	require.Eventuallyf(h.t, func() bool {
		_, restarts := h.rt.sup.counts()
		return restarts[kind] >= n
	}, waitFor, poll, "%s not restarted %d times", kind, n)
}

// sentTo returns the notifications the node asked the connection manager
// to send to sid, in order.
func (h *harness) sentTo(sid int64) []*messages.Notification {
	var out []*messages.Notification
	for _, s := range recorded[*messages.SendNotification](h.cnx) {
		if s.GetSid() == sid {
			out = append(out, s.GetNotification())
		}
	}
	return out
}

// waitSentTo waits for a notification to sid that satisfies ok.
func (h *harness) waitSentTo(sid int64, what string, ok func(*messages.Notification) bool) *messages.Notification {
	h.t.Helper()
	s := eventually(h.t, h.cnx, what, func(s *messages.SendNotification) bool {
		return s.GetSid() == sid && ok(s.GetNotification())
	})
	return s.GetNotification()
}

// looking builds a LOOKING notification as a current (version 2) peer
// sends it.
func looking(leader, zxid, round, peerEpoch int64) *messages.Notification {
	return &messages.Notification{State: messages.ServerState_LOOKING, Leader: leader, Zxid: zxid,
		ElectionEpoch: round, PeerEpoch: peerEpoch, Version: 2}
}

// instantSessionProps stands in for the Leader/Follower: it reports the
// decision established, in the decided leader's epoch, as soon as it
// starts, so the election-side tests see a role without a quorum port.
func instantSessionProps(d *messages.Decision) *actor.Props {
	return actor.PropsFromFunc(func(ctx actor.Context) {
		if _, ok := ctx.Message().(*actor.Started); ok {
			ctx.Request(ctx.Parent(), &messages.SessionEstablished{
				Role: d.GetState(), Epoch: d.GetPeerEpoch(), Leader: d.GetLeader()})
		}
	})
}
