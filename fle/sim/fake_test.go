package sim

import (
	"time"

	"github.com/zkfle/zkfle/fle"
	"github.com/zkfle/zkfle/zk"
)

// fakeMachine is a scriptable stand-in for fle.Machine, so the harness's
// own mechanics (connections, queues, timers, crashes, the detector) are
// tested apart from the election.
type fakeMachine struct {
	id    int64
	state zk.ServerState
	round int64
	// got records every notification handed to Step; ticks every Tick.
	got   []fle.Notification
	ticks []fakeTick
	// onStart and onStep produce the outputs; nil means an empty Output.
	onStart func(m *fakeMachine) fle.Output
	onStep  func(m *fakeMachine, n fle.Notification) fle.Output
}

type fakeTick struct {
	kind          fle.TimerKind
	seq           uint64
	haveDelivered bool
}

func (m *fakeMachine) Start(_ zk.Zxid, _ int64) fle.Output {
	m.round++
	m.state = zk.Looking
	if m.onStart == nil {
		return fle.Output{}
	}
	return m.onStart(m)
}

func (m *fakeMachine) Step(n fle.Notification) fle.Output {
	m.got = append(m.got, n)
	if m.onStep == nil {
		return fle.Output{}
	}
	return m.onStep(m, n)
}

func (m *fakeMachine) Tick(kind fle.TimerKind, seq uint64, hd bool) fle.Output {
	m.ticks = append(m.ticks, fakeTick{kind, seq, hd})
	return fle.Output{}
}

func (m *fakeMachine) State() zk.ServerState { return m.state }
func (m *fakeMachine) LogicalClock() int64   { return m.round }
func (m *fakeMachine) Proposal() fle.Vote    { return fle.Vote{Leader: m.id} }
func (m *fakeMachine) CurrentVote() fle.Vote { return fle.Vote{Leader: m.id} }

// fakes builds fake machines and remembers the latest one of each sid.
type fakes struct {
	latest  map[int64]*fakeMachine
	onStart func(m *fakeMachine) fle.Output
	onStep  func(m *fakeMachine, n fle.Notification) fle.Output
}

func (f *fakes) newMachine(cfg fle.Config) (Machine, error) {
	m := &fakeMachine{id: cfg.ID, onStart: f.onStart, onStep: f.onStep}
	f.latest[cfg.ID] = m
	return m, nil
}

// newFakeCluster builds an n-node majority cluster of fake machines with
// the given per-link delay and a trace.
func newFakeCluster(n int, delay time.Duration, f *fakes) (*Cluster, error) {
	f.latest = map[int64]*fakeMachine{}
	ms := make([]Member, n)
	for i := range ms {
		ms[i] = Member{ID: int64(i + 1)}
	}
	return NewCluster(Config{
		Members:    ms,
		Policy:     &FixedPolicy{Default: delay, Pair: map[[2]int64]time.Duration{}},
		Trace:      &Trace{},
		NewMachine: f.newMachine,
	})
}

// msg is a LOOKING notification to `to` naming `leader`.
func msg(to, leader int64) fle.Message {
	return fle.Message{To: to, State: zk.Looking, Leader: leader, ElectionEpoch: 1}
}
