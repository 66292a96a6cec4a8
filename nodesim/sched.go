package nodesim

import (
	"container/heap"
	"time"
)

// event is one scheduled step of the world: fn runs at virtual time at;
// seq breaks ties in scheduling order, so a seed replays exactly.
type event struct {
	at  time.Duration
	seq uint64
	fn  func()
}

// queue is a min-heap of events by (at, seq).
type queue []*event

func (q queue) Len() int { return len(q) }
func (q queue) Less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].seq < q[j].seq
}
func (q queue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)   { *q = append(*q, x.(*event)) }
func (q *queue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

// scheduler is the virtual clock and its event queue.
type scheduler struct {
	now time.Duration
	seq uint64
	q   queue
}

// after schedules fn d from now (d < 0 counts as 0).
func (s *scheduler) after(d time.Duration, fn func()) {
	s.seq++
	heap.Push(&s.q, &event{at: s.now + max(d, 0), seq: s.seq, fn: fn})
}

// runUntil runs events in order until the queue is empty or the next one is
// after end; the clock ends at end.
func (s *scheduler) runUntil(end time.Duration) {
	for s.q.Len() > 0 && s.q[0].at <= end {
		e := heap.Pop(&s.q).(*event)
		s.now = e.at
		e.fn()
	}
	s.now = end
}
