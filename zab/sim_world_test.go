package zab

import (
	"container/heap"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/zkfle/zkfle/quorum"
)

// The simulator: N servers, each running at most one LeaderSession or
// LearnerSession at a time, over an in-memory network that delays, drops,
// breaks connections and partitions, with crashes and restarts that keep
// only the epochs on "disk". Everything is driven by one seeded random
// source and a virtual clock, with no goroutines, so a seed replays
// exactly.
//
// Roles are chosen at random, not by an election: any server may decide
// to lead and any learner may follow any server, even several leaders at
// once. Zab's discovery must keep epochs unique whatever the election
// did, so the checker holds the sessions to that.

// simOptions are the fault rates and mutations of a run.
type simOptions struct {
	runFor        time.Duration
	dropProb      float64 // a packet silently lost
	breakProb     float64 // a send breaks the connection
	persistFail   float64 // an epoch write fails
	crashOnWrite  float64 // the server crashes right after an epoch write
	chaosEvery    time.Duration
	leadProb      float64       // a LOOKING voter decides to lead
	calm          bool          // no faults, everyone follows the highest voter
	forgetEpochs  bool          // mutation: a restart loses the epochs (must be caught)
	sendFirst     bool          // mutation: sends happen before epoch writes (must be caught)
	abandonProb   float64       // after a packet reaches a learner, its driver gives the session up soon after
	healAt        time.Duration // 0: faults all run long; else every fault ends here (see heal)
	liveBound     time.Duration // with healAt: an established leader with a quorum must exist by healAt+liveBound
	maxTrace      int
	voters        int
	observers     int
	timing        Timing
	maxLatency    time.Duration
	restartAfter  time.Duration
	partitionProb float64
}

func defaultSimOptions() simOptions {
	return simOptions{
		runFor:        15 * time.Second,
		dropProb:      0.01,
		breakProb:     0.005,
		persistFail:   0.01,
		crashOnWrite:  0.02,
		chaosEvery:    400 * time.Millisecond,
		leadProb:      0.4,
		maxTrace:      200,
		voters:        3,
		timing:        Timing{TickTime: 100 * time.Millisecond, InitLimit: 5, SyncLimit: 3, ConnectRetryDelay: 20 * time.Millisecond},
		maxLatency:    15 * time.Millisecond,
		restartAfter:  500 * time.Millisecond,
		partitionProb: 0.3,
	}
}

type simEventKind int

const (
	evTimer simEventKind = iota
	evDeliver
	evDialResult
	evDisconnect
	evChoose
	evChaos
	evRestart
	evAbandon
	evHeal
)

type simEvent struct {
	at    time.Duration
	seq   uint64
	kind  simEventKind
	node  int64
	gen   int
	sess  any // the session a timer or dial belongs to
	timer Timer
	conn  ConnID
	side  int // the receiving side of a delivery or disconnect
	data  []byte
}

type eventHeap []*simEvent

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].seq < h[j].seq
}
func (h eventHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)   { *h = append(*h, x.(*simEvent)) }
func (h *eventHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// simWorld is one run.
type simWorld struct {
	opts     simOptions
	rng      *rand.Rand
	now      time.Duration
	seq      uint64
	events   eventHeap
	ids      []int64
	nodes    map[int64]*simNode
	conns    map[ConnID]*simConn
	nextConn ConnID
	group    map[int64]int // partition group per node
	verifier quorum.Verifier
	check    *simChecker
	trace    []string
	steps    int
	endings  map[Reason]int
	// est holds each server's established session (deleted when it ends),
	// liveAt when the liveness condition first held after the heal (-1:
	// not yet).
	est    map[int64]Established
	liveAt time.Duration
}

func newSimWorld(seed uint64, opts simOptions, verifier quorum.Verifier) *simWorld {
	w := &simWorld{
		opts:     opts,
		rng:      rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		nodes:    make(map[int64]*simNode),
		conns:    make(map[ConnID]*simConn),
		group:    make(map[int64]int),
		verifier: verifier,
		check:    newSimChecker(verifier.VotingMembers()),
		endings:  make(map[Reason]int),
		est:      make(map[int64]Established),
		liveAt:   -1,
	}
	for _, s := range verifier.Servers() {
		w.ids = append(w.ids, s.ID)
		w.nodes[s.ID] = &simNode{id: s.ID, observer: !verifier.IsVoter(s.ID), up: true}
	}
	slices.Sort(w.ids)
	for _, id := range w.ids {
		w.schedule(&simEvent{at: w.jitter(50 * time.Millisecond), kind: evChoose, node: id})
	}
	if !opts.calm {
		w.schedule(&simEvent{at: opts.chaosEvery, kind: evChaos})
	}
	if opts.healAt > 0 {
		w.schedule(&simEvent{at: opts.healAt, kind: evHeal})
	}
	return w
}

func (w *simWorld) schedule(e *simEvent) {
	w.seq++
	e.seq = w.seq
	heap.Push(&w.events, e)
}

func (w *simWorld) jitter(max time.Duration) time.Duration {
	return time.Duration(w.rng.Int64N(int64(max) + 1))
}

func (w *simWorld) chance(p float64) bool {
	return !w.opts.calm && !w.healed() && w.rng.Float64() < p
}

// healed reports whether the run's faults are over (opts.healAt passed).
func (w *simWorld) healed() bool { return w.opts.healAt > 0 && w.now >= w.opts.healAt }

func (w *simWorld) tracef(format string, args ...any) {
	line := fmt.Sprintf("%8.3fs ", w.now.Seconds()) + fmt.Sprintf(format, args...)
	w.trace = append(w.trace, line)
	if len(w.trace) > w.opts.maxTrace {
		w.trace = w.trace[len(w.trace)-w.opts.maxTrace:]
	}
}

// run processes events until the end of the run or a violation.
func (w *simWorld) run() error {
	for w.events.Len() > 0 && w.check.err == nil {
		e := heap.Pop(&w.events).(*simEvent)
		if e.at > w.opts.runFor {
			break
		}
		w.now = e.at
		w.steps++
		w.dispatch(e)
		w.checkLiveness(false)
	}
	w.checkLiveness(true)
	if w.check.err != nil {
		return fmt.Errorf("%w\nlast events:\n%s", w.check.err, strings.Join(w.trace, "\n"))
	}
	return nil
}

func (w *simWorld) dispatch(e *simEvent) {
	switch e.kind {
	case evTimer:
		w.fireTimer(e)
	case evDeliver:
		w.deliver(e)
	case evDialResult:
		w.dialResult(e)
	case evDisconnect:
		w.disconnect(e.conn, e.side)
	case evChoose:
		w.choose(e.node)
	case evChaos:
		w.chaos()
	case evRestart:
		w.restart(e.node)
	case evAbandon:
		w.abandon(e)
	case evHeal:
		w.heal()
	}
}

// reachable reports whether two servers can talk (same partition group,
// both up).
func (w *simWorld) reachable(a, b int64) bool {
	return w.nodes[a].up && w.nodes[b].up && w.group[a] == w.group[b]
}

// chaos is the fault injector: a crash, a restart is scheduled with it, a
// partition or a heal. After opts.healAt it stops.
func (w *simWorld) chaos() {
	if w.healed() {
		return
	}
	switch r := w.rng.Float64(); {
	case r < 0.4:
		id := w.ids[w.rng.IntN(len(w.ids))]
		if w.nodes[id].up {
			w.crash(id)
			w.schedule(&simEvent{at: w.now + w.jitter(w.opts.restartAfter), kind: evRestart, node: id})
		}
	case r < 0.4+w.opts.partitionProb:
		for _, id := range w.ids {
			w.group[id] = w.rng.IntN(2)
		}
		w.tracef("partition %v", w.group)
	default:
		clear(w.group)
		w.tracef("heal")
	}
	w.schedule(&simEvent{at: w.now + w.jitter(2*w.opts.chaosEvery), kind: evChaos})
}
