package actors

// ring is a fixed-capacity FIFO that drops its oldest element when full,
// like ZooKeeper's CircularBlockingQueue (used for QuorumCnxManager's
// receive queue, RECV_CAPACITY = 100). It is owned by one actor and needs
// no locking.
type ring[T any] struct {
	buf     []T
	head    int // index of the oldest element
	n       int // number of elements
	dropped uint64
}

func newRing[T any](capacity int) *ring[T] {
	return &ring[T]{buf: make([]T, capacity)}
}

// offer appends v, dropping (and counting) the oldest element if full. It
// reports whether something was dropped.
func (r *ring[T]) offer(v T) bool {
	if r.n == len(r.buf) {
		var zero T
		r.buf[r.head] = zero
		r.head = (r.head + 1) % len(r.buf)
		r.n--
		r.dropped++
		r.buf[(r.head+r.n)%len(r.buf)] = v
		r.n++
		return true
	}
	r.buf[(r.head+r.n)%len(r.buf)] = v
	r.n++
	return false
}

// poll removes and returns the oldest element.
func (r *ring[T]) poll() (T, bool) {
	var zero T
	if r.n == 0 {
		return zero, false
	}
	v := r.buf[r.head]
	r.buf[r.head] = zero
	r.head = (r.head + 1) % len(r.buf)
	r.n--
	return v, true
}

func (r *ring[T]) len() int { return r.n }
