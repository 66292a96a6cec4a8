package sim

import (
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

// eventHeap is a binary min-heap of events ordered by time, then by the
// order they were scheduled in, so that equal times never make the run
// depend on heap internals. It is written out (rather than using
// container/heap) because popping events is the simulator's inner loop.
type eventHeap []*event

func (h eventHeap) less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].seq < h[j].seq
}

func (h *eventHeap) push(e *event) {
	*h = append(*h, e)
	q := *h
	for i := len(q) - 1; i > 0; {
		p := (i - 1) / 2
		if !q.less(i, p) {
			break
		}
		q[i], q[p] = q[p], q[i]
		i = p
	}
}

func (h *eventHeap) pop() *event {
	q := *h
	top := q[0]
	last := len(q) - 1
	q[0] = q[last]
	q[last] = nil
	q = q[:last]
	for i := 0; ; {
		l := 2*i + 1
		if l >= len(q) {
			break
		}
		m := l
		if r := l + 1; r < len(q) && q.less(r, l) {
			m = r
		}
		if !q.less(m, i) {
			break
		}
		q[i], q[m] = q[m], q[i]
		i = m
	}
	*h = q
	return top
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
	s.events.push(e)
	return e
}

// pop removes and returns the earliest event, advancing the clock to its
// time (never backwards: an event a script handled early may lie in the
// past). It returns nil when the queue is empty.
func (s *scheduler) pop() *event {
	if len(s.events) == 0 {
		return nil
	}
	e := s.events.pop()
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
