package history

import (
	"errors"
	"fmt"
	"sync"

	"github.com/zkfle/zkfle/messages"
)

// DefaultCapacity is how many finished elections a Recorder keeps when
// New is given 0.
const DefaultCapacity = 16

// ErrBadCapacity is returned by New for a negative capacity.
var ErrBadCapacity = errors.New("history: capacity must be >= 0")

// Recorder keeps the last N finished elections of one node and the one in
// progress. Feed it with Begin/Change (Watch does, from a live node); read
// it from any goroutine.
type Recorder struct {
	mu        sync.Mutex
	capacity  int
	done      []Election // ring, oldest first once full
	next      int        // where the next finished election goes
	total     uint64
	current   *Election
	lastRound int64 // the round the last election ended in
	lastState messages.ServerState
	seen      bool // a state (or Begin) has been observed
	listeners []func(Election)
	restarts  *eventRing
}

// New returns a Recorder that keeps the last capacity finished elections
// (DefaultCapacity when 0).
func New(capacity int) (*Recorder, error) {
	if capacity < 0 {
		return nil, fmt.Errorf("%w: got %d", ErrBadCapacity, capacity)
	}
	if capacity == 0 {
		capacity = DefaultCapacity
	}
	return &Recorder{capacity: capacity, restarts: newEventRing(capacity)}, nil
}

// OnFinished registers f to be called, outside the recorder's lock, with
// every election that finishes from now on. Register before feeding.
func (r *Recorder) OnFinished(f func(Election)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.listeners = append(r.listeners, f)
}

// Begin tells the recorder the node's state when it was attached: a nil
// or LOOKING state opens an election (the node is electing now, since
// s.At); a decided state is remembered as the baseline. Call it once,
// before any Change.
func (r *Recorder) Begin(sc *messages.StateChanged, s Sample) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen {
		return
	}
	r.seen = true
	if sc == nil || sc.GetNewState() == messages.ServerState_LOOKING {
		r.open("startup", s)
		return
	}
	r.lastState = sc.GetNewState()
	r.lastRound = sc.GetElectionEpoch()
}

// Change records a state change the node published, with a sample taken
// when it was seen. Entering LOOKING opens an election; leaving it
// finishes the open one. Changes that do neither (a repeated state, a
// role change without an election in between) are ignored.
func (r *Recorder) Change(sc *messages.StateChanged, s Sample) {
	if sc == nil {
		return
	}
	r.mu.Lock()
	if !r.seen { // no Begin: the node was electing since it started
		r.seen = true
		r.open("startup", s)
	}
	looking := sc.GetNewState() == messages.ServerState_LOOKING
	var finished *Election
	switch {
	case looking && r.current == nil:
		r.open(r.lastState.String(), s)
	case !looking && r.current != nil:
		e := *r.current
		e.finish(sc, s)
		r.current = nil
		r.store(e)
		finished = &e
	}
	if !looking {
		r.lastState = sc.GetNewState()
		r.lastRound = max(r.lastRound, sc.GetElectionEpoch())
	}
	listeners := r.listeners
	r.mu.Unlock()
	if finished != nil {
		for _, f := range listeners {
			f(*finished)
		}
	}
}

// open starts an election; r.mu held. The node's round once it starts
// looking is one past the round its last election ended in (lookForLeader
// increments the logical clock), even if the sample was read just before
// the increment.
func (r *Recorder) open(trigger string, s Sample) {
	first := max(s.Round, r.lastRound+1)
	r.current = &Election{
		Started:    s.At,
		InProgress: true,
		Trigger:    trigger,
		Leader:     -1,
		FirstRound: first,
		Rounds:     1,
		start:      s,
	}
}

// store appends a finished election to the ring; r.mu held.
func (r *Recorder) store(e Election) {
	r.total++
	if len(r.done) < r.capacity {
		r.done = append(r.done, e)
		return
	}
	r.done[r.next] = e
	r.next = (r.next + 1) % r.capacity
}

// Finished returns the kept finished elections, oldest first.
func (r *Recorder) Finished() []Election {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Election, 0, len(r.done))
	out = append(out, r.done[r.next:]...)
	return append(out, r.done[:r.next]...)
}

// Current returns the election in progress, its running figures brought
// up to s, and whether there is one.
func (r *Recorder) Current(s Sample) (Election, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.current == nil {
		return Election{}, false
	}
	e := *r.current
	e.update(s)
	return e, true
}

// Total returns how many elections have finished since the recorder was
// created (including those no longer kept).
func (r *Recorder) Total() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.total
}
