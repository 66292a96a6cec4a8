package actors

import (
	"context"
	"sync"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/zkfle/zkfle/messages"
)

// published is the node's externally visible state and its subscribers.
// The root actor writes it whenever the QuorumPeer reports a change; the
// Go API reads it from any goroutine, hence the lock.
type published struct {
	mu      sync.Mutex
	current *messages.StateChanged
	fatal   error
	failed  chan struct{} // closed when fatal is set
	nextID  int
	latest  map[int]chan *messages.StateChanged // capacity 1, newest replaces
	queues  map[int]*Subscription
	pids    map[string]*actor.PID
	closed  bool
}

// set records a change and fans it out to Go subscribers. PIDs are
// notified by the root actor (it has an actor context to send from).
func (p *published) set(sc *messages.StateChanged) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.current = sc
	for _, ch := range p.latest {
		select { // drop the unread older value, keep the newest
		case <-ch:
		default:
		}
		ch <- sc
	}
	for _, q := range p.queues {
		q.push(sc)
	}
}

func (p *published) get() *messages.StateChanged {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.current
}

func (p *published) subscribedPIDs() []*actor.PID {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*actor.PID, 0, len(p.pids))
	for _, pid := range p.pids {
		out = append(out, pid)
	}
	return out
}

func (p *published) setFatal(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fatal == nil {
		p.fatal = err
		close(p.failedChan())
	}
}

// failedChan returns the channel closed on a fatal error; p.mu held.
func (p *published) failedChan() chan struct{} {
	if p.failed == nil {
		p.failed = make(chan struct{})
	}
	return p.failed
}

func (p *published) getFatal() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fatal
}

// close ends every lossless subscription (their Next returns
// ErrStopped once drained) and latest-value channel.
func (p *published) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	for id, q := range p.queues {
		q.end()
		delete(p.queues, id)
	}
	for id, ch := range p.latest {
		close(ch)
		delete(p.latest, id)
	}
}

func (p *published) id() int {
	p.nextID++
	return p.nextID
}

// Changes returns a channel that always holds the node's newest state
// change: a slow reader skips intermediate states but never sees a stale
// one (the hashicorp/raft LeaderCh style). The channel is closed when the
// node stops or cancel is called.
func (n *Node) Changes() (ch <-chan *messages.StateChanged, cancel func()) {
	p := &n.rt.pub
	p.mu.Lock()
	defer p.mu.Unlock()
	c := make(chan *messages.StateChanged, 1)
	if p.closed {
		close(c)
		return c, func() {}
	}
	if p.current != nil {
		c <- p.current
	}
	if p.latest == nil {
		p.latest = map[int]chan *messages.StateChanged{}
	}
	id := p.id()
	p.latest[id] = c
	return c, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if ch, ok := p.latest[id]; ok {
			close(ch)
			delete(p.latest, id)
		}
	}
}

// Subscribe returns a lossless subscription: every state change from now
// on, in order, however slowly it is read (changes are rare: a few per
// election). Close it when done; the node's Stop ends it too.
func (n *Node) Subscribe() *Subscription {
	p := &n.rt.pub
	p.mu.Lock()
	defer p.mu.Unlock()
	s := &Subscription{wake: make(chan struct{}, 1)}
	if p.closed {
		s.end()
		return s
	}
	if p.queues == nil {
		p.queues = map[int]*Subscription{}
	}
	id := p.id()
	p.queues[id] = s
	s.cancel = func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		delete(p.queues, id)
	}
	return s
}

// SubscribePID makes the node send every state change, as a
// *messages.StateChanged, to pid (an actor of the caller's, typically on
// the same actor system). The returned function unsubscribes.
func (n *Node) SubscribePID(pid *actor.PID) (cancel func()) {
	p := &n.rt.pub
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pids == nil {
		p.pids = map[string]*actor.PID{}
	}
	key := pid.String()
	p.pids[key] = pid
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		delete(p.pids, key)
	}
}

// Subscription is a lossless, ordered stream of state changes.
type Subscription struct {
	mu     sync.Mutex
	queue  []*messages.StateChanged
	wake   chan struct{}
	ended  bool
	cancel func()
}

func (s *Subscription) push(sc *messages.StateChanged) {
	s.mu.Lock()
	s.queue = append(s.queue, sc)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Subscription) end() {
	s.mu.Lock()
	s.ended = true
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Next returns the next state change, waiting for one until ctx is done.
// After the subscription is closed (or the node stopped) and drained, it
// returns ErrStopped.
func (s *Subscription) Next(ctx context.Context) (*messages.StateChanged, error) {
	for {
		s.mu.Lock()
		if len(s.queue) > 0 {
			sc := s.queue[0]
			s.queue[0] = nil
			s.queue = s.queue[1:]
			s.mu.Unlock()
			return sc, nil
		}
		ended := s.ended
		s.mu.Unlock()
		if ended {
			return nil, ErrStopped
		}
		select {
		case <-s.wake:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Close ends the subscription; queued changes can still be read.
func (s *Subscription) Close() {
	if s.cancel != nil {
		s.cancel()
	}
	s.end()
}
