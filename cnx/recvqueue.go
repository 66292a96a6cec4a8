package cnx

// RecvQueue is a fixed-capacity FIFO that drops its oldest element when
// full, like ZooKeeper's CircularBlockingQueue behind QuorumCnxManager's
// receive queue (RECV_CAPACITY = 100): under a flood the newest messages
// are the ones worth keeping. Offer never fails.
type RecvQueue[M any] struct {
	buf     []M
	head    int // index of the oldest element
	n       int // number of elements
	dropped uint64
}

// NewRecvQueue returns an empty queue holding at most capacity elements
// (at least one).
func NewRecvQueue[M any](capacity int) *RecvQueue[M] {
	return &RecvQueue[M]{buf: make([]M, max(capacity, 1))}
}

// Offer appends v, dropping (and counting) the oldest element if the
// queue is full. It reports whether something was dropped.
func (r *RecvQueue[M]) Offer(v M) bool {
	dropped := false
	if r.n == len(r.buf) {
		r.Poll() // the oldest goes: the newest is worth more
		r.dropped++
		dropped = true
	}
	r.buf[(r.head+r.n)%len(r.buf)] = v
	r.n++
	return dropped
}

// Poll removes and returns the oldest element.
func (r *RecvQueue[M]) Poll() (M, bool) {
	var zero M
	if r.n == 0 {
		return zero, false
	}
	v := r.buf[r.head]
	r.buf[r.head] = zero
	r.head = (r.head + 1) % len(r.buf)
	r.n--
	return v, true
}

// Len is the number of queued elements.
func (r *RecvQueue[M]) Len() int { return r.n }

// Cap is the capacity.
func (r *RecvQueue[M]) Cap() int { return len(r.buf) }

// Dropped is how many elements Offer has dropped so far.
func (r *RecvQueue[M]) Dropped() uint64 { return r.dropped }
