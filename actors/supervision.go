package actors

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// Kind names an actor's role in the tree. Restart counters, fault
// injection and logs use it.
type Kind string

// The actor kinds of a node, top down (see docs/ARCHITECTURE.md).
const (
	KindNode           Kind = "node"
	KindQuorumPeer     Kind = "quorumpeer"
	KindElection       Kind = "election"
	KindMessenger      Kind = "messenger"
	KindWorkerReceiver Kind = "workerreceiver"
	KindCnxManager     Kind = "cnxmanager"
	KindListener       Kind = "listener"
	KindPeer           Kind = "peer"
	KindBridge         Kind = "bridge"
	KindLeader         Kind = "leader"
	KindFollower       Kind = "follower"
	KindQuorumBridge   Kind = "quorumbridge"
)

// AllKinds lists every actor kind, for tests and metrics.
var AllKinds = []Kind{
	KindNode, KindQuorumPeer, KindElection, KindMessenger,
	KindWorkerReceiver, KindCnxManager, KindListener, KindPeer,
	KindBridge, KindLeader, KindFollower, KindQuorumBridge,
}

// Crash is the test-only fault: with Config.FaultInjection set, any actor
// that receives it panics, and its supervisor handles the failure exactly as
// it would a real bug.
type Crash struct {
	// Reason is the panic value's text.
	Reason string
}

// SupervisionEvent reports that an actor failed, or was restarted after a
// failure.
type SupervisionEvent struct {
	// Kind is the actor's role.
	Kind Kind
	// ID is the actor's PID id (its path in the tree).
	ID string
	// Restarted is false for the failure itself and true when its
	// supervisor restarts it (the old incarnation hears Restarting).
	Restarted bool
	// Reason is the panic value.
	Reason string
	// At is when it happened.
	At time.Time
}

// supervision counts failures and restarts per actor kind and tells
// subscribers. One per node; it outlives every actor.
type supervision struct {
	// messages counts every message any of the node's actors processed
	// (user and system), for benchmarks and metrics.
	messages atomic.Uint64
	mu       sync.Mutex
	failures map[Kind]uint64
	restarts map[Kind]uint64
	subs     map[int]chan<- SupervisionEvent
	nextSub  int
}

func newSupervision() *supervision {
	return &supervision{
		failures: map[Kind]uint64{},
		restarts: map[Kind]uint64{},
		subs:     map[int]chan<- SupervisionEvent{},
	}
}

func (s *supervision) record(ev SupervisionEvent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ev.Restarted {
		s.restarts[ev.Kind]++
	} else {
		s.failures[ev.Kind]++
	}
	for _, ch := range s.subs {
		select { // never block an actor on a slow observer
		case ch <- ev:
		default:
		}
	}
}

func (s *supervision) subscribe(ch chan<- SupervisionEvent) func() {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextSub
	s.nextSub++
	s.subs[id] = ch
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.subs, id)
	}
}

func (s *supervision) counts() (failures, restarts map[Kind]uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	failures = make(map[Kind]uint64, len(s.failures))
	restarts = make(map[Kind]uint64, len(s.restarts))
	for k, v := range s.failures {
		failures[k] = v
	}
	for k, v := range s.restarts {
		restarts[k] = v
	}
	return failures, restarts
}

// nodeMiddleware is the receiver middleware every actor of a node gets:
// the fault hook (tests only), a panic logger that records the failure with
// its stack and re-panics so the mailbox's recover still hands it to the
// supervisor, and a restart counter.
func nodeMiddleware(kind Kind, sup *supervision, log *slog.Logger, faults bool) actor.ReceiverMiddleware {
	// The chain is built once per Props and shared by every actor spawned
	// from them, so it must keep no per-actor state.
	return func(next actor.ReceiverFunc) actor.ReceiverFunc {
		return func(ctx actor.ReceiverContext, env *actor.MessageEnvelope) {
			sup.messages.Add(1)
			defer func() {
				if r := recover(); r != nil {
					reason := fmt.Sprint(r)
					log.Error("actor failed", "actor", string(kind), "id", ctx.Self().GetId(),
						"reason", reason, "stack", string(debug.Stack()))
					sup.record(SupervisionEvent{Kind: kind, ID: ctx.Self().GetId(), Reason: reason, At: time.Now()})
					panic(r)
				}
			}()
			switch m := env.Message.(type) {
			case *actor.Restarting:
				// The supervisor decided to restart this actor: the old
				// incarnation hears Restarting, then a new one Started.
				sup.record(SupervisionEvent{Kind: kind, ID: ctx.Self().GetId(), Restarted: true, At: time.Now()})
			case *Crash:
				if faults {
					panic(fmt.Sprintf("injected fault in %s: %s", kind, m.Reason))
				}
			}
			next(ctx, env)
		}
	}
}

// supervised builds props for one of the node's actors with the node's
// middleware.
func supervised(kind Kind, sup *supervision, log *slog.Logger, faults bool, producer actor.Producer, opts ...actor.PropsOption) *actor.Props {
	all := append([]actor.PropsOption{actor.WithReceiverMiddleware(nodeMiddleware(kind, sup, log, faults))}, opts...)
	return actor.PropsFromProducer(producer, all...)
}
