package cnx

// Sender is one connection's SendWorker: a send queue of one in front of
// the socket. One frame is written at a time; while it is being written a
// newer message replaces the waiting one (SEND_CAPACITY = 1: a stale vote
// is worthless once a newer one exists). The connection's first message
// (Adopt.First) goes out once, when the connection starts.
//
// Each method returns the message to write now, if any; the driver writes
// it and calls Written when it is on the wire.
type Sender[M any] struct {
	first     M
	hasFirst  bool
	firstSent bool
	inflight  bool
	waiting   M
	hasWait   bool
}

// NewSender returns the Sender of a new connection whose first message is
// first (if hasFirst).
func NewSender[M any](first M, hasFirst bool) *Sender[M] {
	return &Sender[M]{first: first, hasFirst: hasFirst}
}

// Start begins (or, after the driver's worker restarted in place on the
// same connection, resumes) sending: it forgets the frame in flight and
// the waiting message (they died with the old worker) and returns the
// first message if it has not gone out yet. It goes out once per
// connection, not once per restart.
func (s *Sender[M]) Start() (M, bool) {
	s.inflight, s.hasWait = false, false
	var zero M
	s.waiting = zero
	if s.hasFirst && !s.firstSent {
		s.firstSent = true
		return s.write(s.first)
	}
	return zero, false
}

// Send offers a message: written now if nothing is in flight, otherwise
// it waits, replacing any message already waiting.
func (s *Sender[M]) Send(msg M) (M, bool) {
	if s.inflight {
		s.waiting, s.hasWait = msg, true // newest wins
		var zero M
		return zero, false
	}
	return s.write(msg)
}

// Written reports that the frame in flight is on the wire; the waiting
// message, if any, is written next.
func (s *Sender[M]) Written() (M, bool) {
	s.inflight = false
	var zero M
	if !s.hasWait {
		return zero, false
	}
	next := s.waiting
	s.waiting, s.hasWait = zero, false
	return s.write(next)
}

// Waiting returns the message waiting behind the frame in flight, if any.
func (s *Sender[M]) Waiting() (M, bool) { return s.waiting, s.hasWait }

// InFlight reports whether a frame is being written.
func (s *Sender[M]) InFlight() bool { return s.inflight }

func (s *Sender[M]) write(msg M) (M, bool) {
	s.inflight = true
	return msg, true
}
