package sim

import (
	"container/heap"
	"slices"
	"time"

	"github.com/zkfle/zkfle/fle"
)

// eventKind says what an event does when its time comes.
type eventKind uint8

const (
	// evDeliver hands an in-flight message to its recipient.
	evDeliver eventKind = iota + 1
	// evTimer fires one arming of a machine timer.
	evTimer
	// evDetector is a failure-detector deadline (detector.go).
	evDetector
	// evAction runs a scheduled action: a simulator fault, a start.
	evAction
)

// event is one entry of the simulated-time queue. Events are never removed
// from the queue when they become moot (a cancelled timer, a lost
// message); they are recognised as stale when popped and skipped.
type event struct {
	at   time.Duration
	seq  uint64
	kind eventKind

	// env is the message of an evDeliver.
	env *envelope

	// node and inc name the node (and its incarnation) an evTimer or
	// evDetector belongs to; a crash bumps the incarnation, which
	// invalidates everything scheduled for the old process.
	node int64
	inc  uint64

	// timer and token identify a timer arming (evTimer) or a detector
	// deadline (evDetector).
	timer fle.TimerKind
	token uint64

	// action is an evAction's body.
	action func()
}

// eventHeap orders events by time, then by the order they were scheduled
// in, so that equal times never make the run depend on heap internals.
type eventHeap []*event

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].seq < h[j].seq
}
func (h eventHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)   { *h = append(*h, x.(*event)) }
func (h *eventHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return e
}

// scheduler is simulated time: a clock that only moves forward and the
// queue of what happens next.
type scheduler struct {
	now    time.Duration
	next   uint64
	events eventHeap
}

// schedule queues e to happen after d from now. A negative d counts as 0.
func (s *scheduler) schedule(d time.Duration, e *event) *event {
	if d < 0 {
		d = 0
	}
	s.next++
	e.at = s.now + d
	e.seq = s.next
	heap.Push(&s.events, e)
	return e
}

// pop removes and returns the earliest event, advancing the clock to its
// time (never backwards: an event a script handled early may lie in the
// past). It returns nil when the queue is empty.
func (s *scheduler) pop() *event {
	if len(s.events) == 0 {
		return nil
	}
	e := heap.Pop(&s.events).(*event)
	s.advance(e.at)
	return e
}

// peek returns the earliest event without removing it, or nil.
func (s *scheduler) peek() *event {
	if len(s.events) == 0 {
		return nil
	}
	return s.events[0]
}

// advance moves the clock to t if t is later than now.
func (s *scheduler) advance(t time.Duration) {
	if t > s.now {
		s.now = t
	}
}

// sortEvents orders events as the queue would pop them.
func sortEvents(es []*event) {
	slices.SortFunc(es, func(a, b *event) int {
		if a.at != b.at {
			return cmpInt64(int64(a.at), int64(b.at))
		}
		return cmpInt64(int64(a.seq), int64(b.seq))
	})
}
